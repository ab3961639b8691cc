/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Building and running one container (container_run() in run-config.h):
 * the host side (cgroup, console, clone3, waiting, stop requests, reboot
 * loop, cleanup) in container.c and the first process's ordered setup in
 * container-child.c. */

#include <stdbool.h>
#include <stdint.h>
#include <signal.h>

#include "cgroup.h"
#include "macro.h"
#include "init-layer.h"
#include "network-run.h"
#include "run-config.h"
#include "seccomp-policy.h"
#include "time-util.h"

/* What the parent prepared for the child; the child only reads it. */
typedef struct ContainerSetup {
        const RunConfig *config;
        ConsoleMode console;
        const char *console_slave;   /* interactive: the pty's other end */
        const CgroupContext *cgroup; /* NULL: no cgroup mounts */
        bool unshare_cgroup;         /* v1: enter a new cgroup namespace after attach */
        SeccompPolicy *seccomp;
        uint64_t capabilities;
        ContainerId id;
        char **env;
        char **argv;                 /* resolved payload (app) or init (boot) command */
        int sync_fd;                 /* read: the parent's go (EOF: parent died) */
        int error_fd;                /* write: -errno of a failed setup; EOF: success */
        int seccomp_fd;              /* read: the BPF program, written by the parent meanwhile */
        bool stderr_to_console;      /* detached: setup errors go to the console (the log) */
} ContainerSetup;

/* The host side of one container across its boots (a reboot restarts it
 * in place), shared by container_run() (corral-run in the foreground,
 * waiting with poll()) and the monitor (monitor.c, an sd-event loop that
 * is itself the parent of PID 1). */
typedef struct Container {
        const RunConfig *config;
        ContainerSetup setup;
        bool detached;          /* under the monitor: no terminal, console kept open */
        int master;             /* console pty master, or -EBADF */
        int console_slave_fd;   /* held so that the master never reads EIO */
        char *console_slave;
        char **argv, **env;
        SeccompPolicy *seccomp;
        CgroupContext *cg;
        CgroupMachine *cgm;
        NetworkPlan *net;       /* NULL: host network */
        pid_t pid;              /* the current PID 1, 0 between boots */
        int pidfd;
} Container;

/* Checks the configuration and prepares what every boot uses (command,
 * network plan, seccomp policy, environment, cgroup context, console pty:
 * interactive for a terminal or a detached container, output only for an
 * OS in pipe mode). ct is always initialized; container_done() frees it. */
int container_prepare(Container *ct, RunConfig *c, bool detached);
/* One boot: creates the cgroup, clones PID 1 into its namespaces, sets up
 * the host side of its network and waits until its setup succeeded (it
 * then runs its payload or init). Sets ct->pid and ct->pidfd. On failure
 * nothing of the boot is left. */
int container_start(Container *ct);
/* After PID 1 was reaped with waitid() (si): removes the boot's cgroup and
 * network, closes the pidfd and returns the exit status (DESIGN.md's
 * contract); *ret_reboot tells whether PID 1 asked for a reboot. */
int container_reaped(Container *ct, const siginfo_t *si, bool *ret_reboot);
/* The signal that asks PID 1 for a clean stop. */
int container_stop_signal(const Container *ct);
/* The time PID 1 gets after the stop signal before SIGKILL. */
usec_t container_stop_timeout(const Container *ct);
/* Kills PID 1 and reaps it (for errors while it runs). */
void container_kill(Container *ct, siginfo_t *ret);
void container_done(Container *ct);

/* Runs in the clone3 child; never returns. */
_noreturn_ void container_child(const ContainerSetup *s);

/* 1 if the command exists in the root (a regular executable file),
 * looked up in PATH like execvp() would inside, 0 if not. */
int container_find_command(const char *root, const char *command);
