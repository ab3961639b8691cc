/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Which signal does what to the supervisor (DESIGN.md, exit and signal
 * contract): one table, so that the loop, the tests and the docs agree. */

#include <signal.h>
#include <stddef.h>

typedef enum SignalAction {
        SIGNAL_ACTION_NONE,    /* not ours: stays blocked and pending */
        SIGNAL_ACTION_FORWARD, /* passed to the payload (or its process group) */
        SIGNAL_ACTION_STOP,    /* clean stop: KillSignal, leftovers, exit */
        SIGNAL_ACTION_REBOOT,  /* clean stop, then reboot(RB_AUTOBOOT) as PID 1 */
        SIGNAL_ACTION_REAP,    /* SIGCHLD */
        _SIGNAL_ACTION_MAX,
} SignalAction;

const char *signal_action_to_string(SignalAction a);
int signal_action_from_string(const char *s); /* a SignalAction, or -EINVAL */

SignalAction signal_action_of(int sig);

/* Every signal with an action other than NONE, in table order. */
#define SIGNAL_ACTION_N_HANDLED 12
size_t signal_action_handled(int ret[static SIGNAL_ACTION_N_HANDLED]);

/* Blocks every signal except the synchronous ones (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP), which must stay deliverable
 * so that a crash is a crash. */
int block_all_async_signals(void);
