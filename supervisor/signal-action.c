/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor's signal table; see signal-action.h. SIGRTMIN is only
 * known at run time, so real-time entries hold an offset from it. */

#include <errno.h>
#include <stdbool.h>

#include "macro.h"
#include "signal-action.h"
#include "signal-util.h"
#include "string-util.h"

typedef struct SignalEntry {
        int sig;         /* a classic signal, or 0 for a real-time one */
        int rt_offset;   /* SIGRTMIN + rt_offset when sig is 0 */
        SignalAction action;
} SignalEntry;

/* The forwarded ones come first and in the contract's order. */
static const SignalEntry signal_table[SIGNAL_ACTION_N_HANDLED] = {
        { SIGTERM, 0, SIGNAL_ACTION_FORWARD },
        { SIGHUP, 0, SIGNAL_ACTION_FORWARD },
        { SIGQUIT, 0, SIGNAL_ACTION_FORWARD },
        { SIGUSR1, 0, SIGNAL_ACTION_FORWARD },
        { SIGUSR2, 0, SIGNAL_ACTION_FORWARD },
        { SIGWINCH, 0, SIGNAL_ACTION_FORWARD },
        { SIGCONT, 0, SIGNAL_ACTION_FORWARD },
        { 0, 3, SIGNAL_ACTION_STOP },    /* halt */
        { 0, 4, SIGNAL_ACTION_STOP },    /* poweroff */
        { SIGINT, 0, SIGNAL_ACTION_REBOOT },
        { 0, 5, SIGNAL_ACTION_REBOOT },  /* reboot */
        { SIGCHLD, 0, SIGNAL_ACTION_REAP },
};

static const char *const signal_action_names[_SIGNAL_ACTION_MAX] = {
        [SIGNAL_ACTION_NONE] = "none",
        [SIGNAL_ACTION_FORWARD] = "forward",
        [SIGNAL_ACTION_STOP] = "stop",
        [SIGNAL_ACTION_REBOOT] = "reboot",
        [SIGNAL_ACTION_REAP] = "reap",
};

const char *signal_action_to_string(SignalAction a) {
        if ((unsigned) a >= _SIGNAL_ACTION_MAX)
                return NULL;
        return signal_action_names[a];
}

int signal_action_from_string(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(signal_action_names); i++)
                if (streq_ptr(s, signal_action_names[i]))
                        return (int) i;
        return -EINVAL;
}

static int entry_signal(const SignalEntry *e) {
        return e->sig > 0 ? e->sig : SIGRTMIN + e->rt_offset;
}

SignalAction signal_action_of(int sig) {
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                if (entry_signal(&signal_table[i]) == sig)
                        return signal_table[i].action;
        return SIGNAL_ACTION_NONE;
}

size_t signal_action_handled(int ret[static SIGNAL_ACTION_N_HANDLED]) {
        for (size_t i = 0; i < ELEMENTSOF(signal_table); i++)
                ret[i] = entry_signal(&signal_table[i]);
        return ELEMENTSOF(signal_table);
}

int block_all_async_signals(void) {
        sigset_t ss;

        if (sigfillset(&ss) < 0)
                return -errno;
        for (int sig = 1; sig < SIGRTMIN; sig++)
                if (IN_SET(sig, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP))
                        (void) sigdelset(&ss, sig);
        if (sigprocmask(SIG_SETMASK, &ss, NULL) < 0)
                return -errno;
        return 0;
}
