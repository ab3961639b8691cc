/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-supervisor-run: supervisor_run() with the SupervisorConfig fields
 * that corral-init has no option for (user, groups, working directory, an
 * explicit environment), so that the root tests cover what corral-run
 * relies on without needing a container.
 *
 *   corral-supervisor-run [--uid N] [--gid N] [--groups N,N...]
 *                         [--chdir DIR] [--env K=V]... -- CMD [ARGS...]
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "exit-status.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"
#include "supervisor.h"

int main(int argc, char *argv[]) {
        static const struct option options[] = {
                { "uid", required_argument, NULL, 'u' },
                { "gid", required_argument, NULL, 'g' },
                { "groups", required_argument, NULL, 'G' },
                { "chdir", required_argument, NULL, 'C' },
                { "env", required_argument, NULL, 'E' },
                {}
        };
        _cleanup_strv_free_ char **env = NULL, **groups = NULL;
        _cleanup_free_ gid_t *gids = NULL;
        SupervisorConfig c = {};
        SupervisorExit how;
        uint32_t v;
        int opt, r, status;

        log_set_program_name("corral-supervisor-run");
        while ((opt = getopt_long(argc, argv, "+", options, NULL)) >= 0)
                switch (opt) {
                case 'u':
                        if (parse_uint32(optarg, &v) < 0)
                                return log_error_errno(-EINVAL, "Bad --uid '%s'", optarg), 125;
                        c.change_user = true;
                        c.uid = v;
                        break;
                case 'g':
                        if (parse_uint32(optarg, &v) < 0)
                                return log_error_errno(-EINVAL, "Bad --gid '%s'", optarg), 125;
                        c.change_user = true;
                        c.gid = v;
                        break;
                case 'G':
                        if (strv_split(optarg, ",", &groups) < 0)
                                return log_oom(), 125;
                        gids = calloc(strv_length(groups) + 1, sizeof(gid_t));
                        if (!gids)
                                return log_oom(), 125;
                        STRV_FOREACH(g, groups) {
                                if (parse_uint32(*g, &v) < 0)
                                        return log_error_errno(-EINVAL, "Bad group '%s'", *g), 125;
                                gids[c.n_groups++] = v;
                        }
                        c.groups = gids;
                        break;
                case 'C':
                        c.working_directory = optarg;
                        break;
                case 'E':
                        if (strv_extend(&env, optarg) < 0)
                                return log_oom(), 125;
                        c.envp = env;
                        break;
                default:
                        return 125;
                }
        if (optind >= argc)
                return log_error_errno(-EINVAL, "No command."), 125;
        c.argv = argv + optind;

        r = supervisor_run(&c, &status, &how);
        if (r < 0)
                return EXIT_STATUS_SUPERVISOR_FAILED;
        return supervisor_finish(status, how);
}
