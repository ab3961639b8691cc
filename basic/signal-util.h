/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Signal names (both directions) and resetting a process's signal state. */

#include <signal.h>

#include "macro.h"

/* "SIGTERM", "SIGRTMIN+3"; NULL for a number that is not a signal.
 * The string is static or written to buf (at least 16 bytes). */
const char *signal_to_string(int sig, char buf[static 16]);
/* Accepts "SIGTERM", "TERM", "term", "15", "SIGRTMIN+3", "RTMIN+3", "SIGRTMAX-1". */
int signal_from_string(const char *s);

/* Every disposition back to SIG_DFL (not SIGKILL/SIGSTOP), and an empty mask. */
int reset_all_signal_handlers(void);
int reset_signal_mask(void);

/* Adds the signals (terminated by -1) to ss. */
int sigset_add_many(sigset_t *ss, ...);
