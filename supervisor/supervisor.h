/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The PID-1 loop of every container (app mode): starts the payload as a
 * fresh process, reaps every child, forwards signals, stops leftovers and
 * passes the payload's exit status out (DESIGN.md, exit and signal
 * contract). corral-init's main() and corral-run's container child both
 * drive it through this header; nothing here execs anything but the
 * payload, and nothing here reads a file of the container's rootfs (only
 * /proc, when it is not PID 1 and has to find its descendants). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "time-util.h"

typedef struct SupervisorConfig {
        char **argv;          /* payload command line; argv[0] is looked up in PATH */
        char **envp;          /* payload environment; NULL: the supervisor's own.
                               * PATH for the lookup of argv[0] is taken from it. */
        const char *working_directory; /* NULL: stay where we are */

        bool change_user;     /* switch to uid/gid/groups in the payload before exec */
        uid_t uid;
        gid_t gid;
        gid_t *groups;
        size_t n_groups;

        bool process_group;   /* -g: forward signals to the payload's process group */
        int kill_signal;      /* sent to the payload on a clean stop; 0: SIGTERM */
        usec_t stop_timeout;  /* leftovers get SIGKILL after this; 0: 10 s,
                               * USEC_INFINITY: never */
        uint8_t remap_exit[32]; /* bitmap of exit codes reported as 0 (-e); applies to
                                 * the final code, so 143 can be remapped too */

        /* sd_notify: NULL takes $NOTIFY_SOCKET ("/path" or "@abstract"). With
         * wait_ready, READY=1 is sent when the payload itself sends READY=1 to
         * the socket the supervisor gives it (any process of the container may
         * send it, like NotifyAccess=all), not as soon as it has been started.
         * Without wait_ready the payload gets no NOTIFY_SOCKET at all. When
         * the payload has ended and the leftovers are gone, the supervisor
         * sends "STOPPING=1\nEXIT_STATUS=N\nSTATUS=..." (N as *ret_status). */
        const char *notify_socket;
        bool wait_ready;

        /* Extra fds (>= 3) to keep for the payload: LISTEN_FDS semantics,
         * LISTEN_PID is rewritten to the payload's PID. */
        unsigned n_listen_fds;

        /* Added fields (issue 2): */
        bool require_subreaper; /* -s: failing to become a child subreaper (when not
                                 * PID 1) is an error instead of a warning */
} SupervisorConfig;

typedef enum SupervisorExit {
        SUPERVISOR_EXIT_NORMAL,   /* payload ended or was stopped: pass exit_status out */
        SUPERVISOR_EXIT_REBOOT,   /* a reboot was asked for (SIGINT, SIGRTMIN+5) */
} SupervisorExit;

/* Runs the loop until the payload has ended and the leftovers are gone.
 * Returns < 0 only when the payload could not be set up at all (the error
 * is logged); otherwise *ret_status is the status to exit with (payload's,
 * 128+N, 126/127) and *ret_how tells whether a reboot was asked for. When
 * the caller is PID 1 of a PID namespace and a reboot was asked for, the
 * caller (not this function) calls reboot(RB_AUTOBOOT): see
 * supervisor_finish().
 *
 * Must be called in the process that will be the payload's parent (after
 * any clone/fork: it builds its own sd_event). It blocks every signal but
 * the synchronous ones (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS)
 * and leaves them blocked on return. The payload gets an empty mask and
 * default dispositions. */
int supervisor_run(const SupervisorConfig *c, int *ret_status, SupervisorExit *ret_how);

/* How the first process of a container (or corral-init) ends, shared by
 * corral-init and corral-run: when how is SUPERVISOR_EXIT_REBOOT and the
 * caller is PID 1 of its PID namespace, calls reboot(RB_AUTOBOOT), which
 * the kernel turns into "PID 1 died of SIGHUP" for the parent and does
 * not return. Otherwise (or when reboot() fails: the error is logged)
 * returns the status the caller then exits with (return from main(), or
 * _exit() in a cloned child). */
int supervisor_finish(int status, SupervisorExit how);
