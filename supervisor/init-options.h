/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* corral-init's command line (tini-like) into a SupervisorConfig. Kept
 * apart from main() so that it is unit tested; it logs the one message a
 * bad usage gets (naming the option) and returns -EINVAL. */

#include <stdbool.h>
#include <sys/types.h>

#include "supervisor.h"

typedef struct InitOptions {
        SupervisorConfig config;  /* argv points into the argv given to the parser */
        unsigned verbose;         /* number of -v */
        bool help;
        bool version;
} InitOptions;

/* Parses argv (options first; the payload starts at the first non-option
 * or after "--"). Returns 0, or -EINVAL after logging why. With --help or
 * --version set, no payload is required. */
int init_options_parse(int argc, char *argv[], InitOptions *ret);

/* The --help text. */
void init_options_help(const char *program);

/* LISTEN_FDS handed to us (sd_listen_fds rules): the count when
 * listen_pid names self, 0 when the variables are absent or meant for
 * another process, -EINVAL when malformed. */
int listen_fds_from_env(const char *listen_pid, const char *listen_fds, pid_t self, unsigned *ret);
