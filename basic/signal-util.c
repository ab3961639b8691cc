/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signal name tables; see signal-util.h. */

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"

static const char *const signal_names[] = {
        [SIGHUP] = "HUP",       [SIGINT] = "INT",     [SIGQUIT] = "QUIT",     [SIGILL] = "ILL",
        [SIGTRAP] = "TRAP",     [SIGABRT] = "ABRT",   [SIGBUS] = "BUS",       [SIGFPE] = "FPE",
        [SIGKILL] = "KILL",     [SIGUSR1] = "USR1",   [SIGSEGV] = "SEGV",     [SIGUSR2] = "USR2",
        [SIGPIPE] = "PIPE",     [SIGALRM] = "ALRM",   [SIGTERM] = "TERM",     [SIGSTKFLT] = "STKFLT",
        [SIGCHLD] = "CHLD",     [SIGCONT] = "CONT",   [SIGSTOP] = "STOP",     [SIGTSTP] = "TSTP",
        [SIGTTIN] = "TTIN",     [SIGTTOU] = "TTOU",   [SIGURG] = "URG",       [SIGXCPU] = "XCPU",
        [SIGXFSZ] = "XFSZ",     [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",   [SIGWINCH] = "WINCH",
        [SIGIO] = "IO",         [SIGPWR] = "PWR",     [SIGSYS] = "SYS",
};

const char *signal_to_string(int sig, char buf[static 16]) {
        if (sig > 0 && sig < (int) ELEMENTSOF(signal_names) && signal_names[sig]) {
                snprintf(buf, 16, "SIG%s", signal_names[sig]);
                return buf;
        }
        if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
                if (sig == SIGRTMIN)
                        snprintf(buf, 16, "SIGRTMIN");
                else
                        snprintf(buf, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
                return buf;
        }
        return NULL;
}

static int signal_from_name(const char *s) {
        const char *p;

        for (size_t i = 1; i < ELEMENTSOF(signal_names); i++)
                if (signal_names[i] && strcasecmp(s, signal_names[i]) == 0)
                        return (int) i;
        if (strcasecmp(s, "IOT") == 0)
                return SIGABRT;
        if (strcasecmp(s, "POLL") == 0)
                return SIGIO;

        if ((p = startswith(s, "RTMIN")) || (p = startswith(s, "rtmin"))) {
                int n = 0;
                if (*p == '+' && parse_int(p + 1, &n) < 0)
                        return -EINVAL;
                if (*p && *p != '+')
                        return -EINVAL;
                if (n < 0 || SIGRTMIN + n > SIGRTMAX)
                        return -EINVAL;
                return SIGRTMIN + n;
        }
        if ((p = startswith(s, "RTMAX")) || (p = startswith(s, "rtmax"))) {
                int n = 0;
                if (*p == '-' && parse_int(p + 1, &n) < 0)
                        return -EINVAL;
                if (*p && *p != '-')
                        return -EINVAL;
                if (n < 0 || SIGRTMAX - n < SIGRTMIN)
                        return -EINVAL;
                return SIGRTMAX - n;
        }
        return -EINVAL;
}

int signal_from_string(const char *s) {
        int n;

        if (isempty(s))
                return -EINVAL;
        if (parse_int(s, &n) >= 0)
                return n > 0 && n <= SIGRTMAX && n != 32 && n != 33 ? n : -EINVAL;
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        return signal_from_name(s);
}

int reset_all_signal_handlers(void) {
        struct sigaction sa = { .sa_handler = SIG_DFL, .sa_flags = SA_RESTART };
        int r = 0;

        for (int sig = 1; sig <= SIGRTMAX; sig++) {
                if (sig == SIGKILL || sig == SIGSTOP)
                        continue;
                /* glibc refuses to touch the two RT signals it reserves for itself. */
                if (sigaction(sig, &sa, NULL) < 0 && errno != EINVAL && r >= 0)
                        r = -errno;
        }
        return r;
}

int reset_signal_mask(void) {
        sigset_t ss;
        sigemptyset(&ss);
        return sigprocmask(SIG_SETMASK, &ss, NULL) < 0 ? -errno : 0;
}

int sigset_add_many(sigset_t *ss, ...) {
        va_list ap;
        int r = 0;

        va_start(ap, ss);
        for (;;) {
                int sig = va_arg(ap, int);
                if (sig < 0)
                        break;
                if (sigaddset(ss, sig) < 0) {
                        r = -errno;
                        break;
                }
        }
        va_end(ap);
        return r;
}
