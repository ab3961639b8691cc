/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Signalling every process the supervisor is responsible for: as PID 1 of
 * a PID namespace that is kill(-1), which the kernel limits to the
 * namespace; as a plain subreaper it is our descendants, found through
 * /proc (kill(-1) there would hit the whole host). */

#include <stdbool.h>
#include <sys/types.h>

/* The parent PID from the text of /proc/PID/stat ("pid (comm) S ppid ..."),
 * where comm may hold spaces and parentheses. */
int proc_stat_parse_ppid(const char *stat, pid_t *ret);

/* Sends sig to every process below self (pid1: every process of the
 * namespace but us). Returns how many were signalled (pid1: 0 or 1). */
int kill_all_descendants(pid_t self, int sig, bool pid1);
