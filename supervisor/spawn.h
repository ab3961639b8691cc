/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Starting the payload as a fresh process: its own session (or its own
 * foreground process group, see below), the console as controlling
 * terminal, empty signal mask and default dispositions, only fds 0-2 plus
 * the LISTEN_FDS, the environment rewritten (LISTEN_PID, NOTIFY_SOCKET),
 * the user and working directory switched. A failure before or at exec is
 * reported back through a close-on-exec pipe, so the caller knows for sure
 * whether the program runs. */

#include <sys/types.h>

#include "supervisor.h"

typedef enum SpawnStage {
        SPAWN_STAGE_SESSION,
        SPAWN_STAGE_USER,
        SPAWN_STAGE_DIRECTORY,
        SPAWN_STAGE_FDS,
        SPAWN_STAGE_SIGNALS,
        SPAWN_STAGE_EXEC,
        _SPAWN_STAGE_MAX,
} SpawnStage;

const char *spawn_stage_to_string(SpawnStage s);

typedef struct SpawnResult {
        pid_t pid;          /* the payload (or the child that failed to become it) */
        int error;          /* 0 when exec succeeded, else -errno of the failure */
        SpawnStage stage;   /* where it failed, when error < 0 */
} SpawnResult;

/* The payload's environment: c->envp (or ours) with NOTIFY_SOCKET set to
 * notify_address or removed, and LISTEN_FDS/LISTEN_PID set when there are
 * listen fds or removed when there are none. *ret_listen_pid points to the
 * LISTEN_PID entry inside *ret (a 32-byte buffer the child fills in with
 * its own PID), or is NULL. */
int payload_build_env(const SupervisorConfig *c, const char *notify_address, char ***ret,
                      char **ret_listen_pid);

/* Forks and execs c->argv. notify_address is the payload's NOTIFY_SOCKET
 * (NULL: the variable is removed). Must be called with every signal
 * blocked (the child resets the mask itself). Returns < 0 when no child
 * could be created; otherwise a child exists (and must be reaped), and
 * ret->error tells whether it runs the program. */
int payload_spawn(const SupervisorConfig *c, const char *notify_address, SpawnResult *ret);
