/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Building and running one container (container_run() in run-config.h):
 * the host side (cgroup, console, clone3, waiting, stop requests, reboot
 * loop, cleanup) in container.c and the first process's ordered setup in
 * container-child.c. */

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"
#include "macro.h"
#include "init-layer.h"
#include "run-config.h"
#include "seccomp-policy.h"

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
} ContainerSetup;

/* Runs in the clone3 child; never returns. */
_noreturn_ void container_child(const ContainerSetup *s);

/* 1 if the command exists in the root (a regular executable file),
 * looked up in PATH like execvp() would inside, 0 if not. */
int container_find_command(const char *root, const char *command);
