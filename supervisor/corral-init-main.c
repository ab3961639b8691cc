/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-init: the supervisor loop as a program of its own (tini-like).
 * Parses the command line, picks up LISTEN_FDS, runs the loop and ends
 * the way PID 1 must (supervisor_finish()). */

#include <stdio.h>
#include <stdlib.h>

#include "corral-config.h"
#include "exit-status.h"
#include "init-options.h"
#include "log.h"
#include "supervisor.h"

int main(int argc, char *argv[]) {
        InitOptions o;
        SupervisorExit how;
        int r, status;

        log_set_program_name("corral-init");
        log_set_max_level(LOG_NOTICE);
        log_parse_environment();

        if (init_options_parse(argc, argv, &o) < 0)
                return EXIT_STATUS_SUPERVISOR_FAILED;
        if (o.help) {
                init_options_help(argv[0]);
                return 0;
        }
        if (o.version) {
                printf("corral-init %s\n", CORRAL_VERSION);
                return 0;
        }
        if (o.verbose > 0)
                log_set_max_level(o.verbose > 1 ? LOG_DEBUG : LOG_INFO);

        r = listen_fds_from_env(getenv("LISTEN_PID"), getenv("LISTEN_FDS"), getpid(), &o.config.n_listen_fds);
        if (r < 0)
                log_warning_errno(r, "Invalid LISTEN_PID/LISTEN_FDS, passing no fds on, ignoring");

        r = supervisor_run(&o.config, &status, &how);
        if (r < 0)
                return EXIT_STATUS_SUPERVISOR_FAILED;
        return supervisor_finish(status, how);
}
