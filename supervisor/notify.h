/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sd_notify datagram protocol, both ways: formatting what the
 * supervisor reports upwards (READY=1, the exit status), parsing what a
 * payload sends to the socket we give it, and the AF_UNIX plumbing
 * ("/path" or "@abstract" addresses). The formatting and parsing are pure
 * and unit tested. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* "/run/x/notify" or "@name" (abstract) into a sockaddr and its length. */
int notify_address_from_string(const char *s, struct sockaddr_un *ret, socklen_t *ret_len);

/* "READY=1\nSTATUS=Running 'prog'." (program may be NULL). */
int notify_format_ready(const char *program, char **ret);
/* "STOPPING=1\nEXIT_STATUS=N\nSTATUS=...\n" for the status PID 1 is about to
 * exit with; reboot adds that a reboot was asked for. */
int notify_format_exit(int status, bool reboot, char **ret);

/* Whether a received datagram holds the line "READY=1". */
bool notify_message_is_ready(const char *buf, size_t size);
/* The value of "STATUS=" in a received datagram, copied to ret; 0 when
 * there is none, 1 when there is. */
int notify_message_status(const char *buf, size_t size, char **ret);

/* Sends one datagram to address. */
int notify_send(const char *address, const char *message);

/* A datagram socket bound to a kernel-chosen abstract name (autobind), for
 * the payload's NOTIFY_SOCKET; ret_address gets "@xxxxx". */
int notify_listen(int *ret_fd, char **ret_address);
