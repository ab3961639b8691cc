/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The operating system of a machine, from its os-release(5) file: the
 * parser (shell-style KEY=value lines, quotes and escapes as
 * extract_first_word() reads them) and the reader that finds the file in
 * a running machine's root, through /proc/PID/root, without following a
 * symlink out of it. corrald's OS property and `corralctl status` use it. */

#include <sys/types.h>

/* The value of key in os-release text: 0 and *ret (NULL when the key is
 * missing or empty). */
int os_release_get(const char *text, const char *key, char **ret);

/* PRETTY_NAME, or NAME, or "Linux" as os-release(5) says. */
int os_release_pretty_name(const char *text, char **ret);

/* The pretty name of the OS in the root of process pid (a machine's
 * leader): /etc/os-release, else /usr/lib/os-release, resolved inside
 * that root. -ENOENT when neither exists. */
int os_release_read_pid(pid_t pid, char **ret);

/* Copies the host's os-release (/etc/os-release, else /usr/lib/os-release)
 * to /run/host/os-release below rootfd, the container's root, as
 * systemd-nspawn provides it (systemd inside reads it for
 * ConditionHost-like checks and portable tooling). A copy, never a bind:
 * the container holds CAP_SYS_ADMIN and could remount a bind writable. */
int os_release_copy_host(int rootfd);
