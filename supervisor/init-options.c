/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-init option parsing; see init-options.h. */

#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "exit-status.h"
#include "init-options.h"
#include "log.h"
#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"

enum {
        ARG_STOP_TIMEOUT = 0x100,
        ARG_KILL_SIGNAL,
        ARG_WAIT_READY,
};

static const struct option options[] = {
        { "process-group", no_argument, NULL, 'g' },
        { "remap-exit", required_argument, NULL, 'e' },
        { "stop-timeout", required_argument, NULL, ARG_STOP_TIMEOUT },
        { "kill-signal", required_argument, NULL, ARG_KILL_SIGNAL },
        { "wait-ready", no_argument, NULL, ARG_WAIT_READY },
        { "subreaper", no_argument, NULL, 's' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        {}
};

void init_options_help(const char *program) {
        printf("%1$s [OPTIONS] [--] CMD [ARGS...]\n\n"
               "Runs CMD as the payload of a container's PID 1: reaps every process,\n"
               "forwards SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH and SIGCONT,\n"
               "stops cleanly on SIGRTMIN+3/+4, reboots on SIGINT/SIGRTMIN+5, and exits\n"
               "with CMD's status (128+N when it died of signal N).\n\n"
               "  -g --process-group    Forward signals to CMD's process group\n"
               "  -e --remap-exit CODE  Report exit code CODE (0-255) as 0; repeatable\n"
               "     --stop-timeout SEC Time leftovers get before SIGKILL (default 10s)\n"
               "     --kill-signal SIG  Signal for CMD on a clean stop (default SIGTERM)\n"
               "     --wait-ready       Report READY=1 when CMD sends it, not at start\n"
               "  -s --subreaper        Fail instead of warning when, not being PID 1,\n"
               "                        corral-init cannot become a child subreaper\n"
               "  -v --verbose          Log more; twice for debug messages\n"
               "  -h --help             Show this help\n"
               "  -V --version          Show the version\n\n"
               "Exit status: CMD's own, 128+N for death by signal N, 126 when CMD cannot\n"
               "be executed, 127 when it is not found, 125 for a usage error or a\n"
               "failure of corral-init itself.\n\n"
               "Environment: NOTIFY_SOCKET gets READY=1 and EXIT_STATUS=N; LISTEN_FDS\n"
               "meant for corral-init are passed on to CMD with LISTEN_PID rewritten;\n"
               "CORRAL_LOG_LEVEL sets the log level.\n",
               program);
}

static int parse_exit_code(const char *s, uint8_t *ret) {
        uint32_t v;

        if (parse_uint32(s, &v) < 0 || v > 255)
                return -EINVAL;
        *ret = (uint8_t) v;
        return 0;
}

int init_options_parse(int argc, char *argv[], InitOptions *ret) {
        InitOptions o = {};
        const char *bad;
        uint8_t code;
        int c, r;

        /* Reset getopt's state: the parser runs more than once in tests. */
        optind = 0;
        opterr = 0;
        /* '+': stop at the first non-option, which starts the payload's argv. */
        while ((c = getopt_long(argc, argv, "+:ge:svhV", options, NULL)) >= 0) {
                switch (c) {
                case 'g':
                        o.config.process_group = true;
                        break;
                case 'e':
                        if (parse_exit_code(optarg, &code) < 0)
                                return log_error_errno(-EINVAL, "Invalid exit code for -e/--remap-exit: '%s'", optarg);
                        exit_status_remap_add(o.config.remap_exit, code);
                        break;
                case ARG_STOP_TIMEOUT:
                        r = parse_sec(optarg, &o.config.stop_timeout);
                        if (r < 0)
                                return log_error_errno(-EINVAL, "Invalid time span for --stop-timeout: '%s'", optarg);
                        if (o.config.stop_timeout == 0)
                                o.config.stop_timeout = 1; /* "0" means at once, not the default */
                        break;
                case ARG_KILL_SIGNAL:
                        r = signal_from_string(optarg);
                        if (r < 0)
                                return log_error_errno(-EINVAL, "Invalid signal for --kill-signal: '%s'", optarg);
                        o.config.kill_signal = r;
                        break;
                case ARG_WAIT_READY:
                        o.config.wait_ready = true;
                        break;
                case 's':
                        o.config.require_subreaper = true;
                        break;
                case 'v':
                        o.verbose++;
                        break;
                case 'h':
                        o.help = true;
                        break;
                case 'V':
                        o.version = true;
                        break;
                case ':':
                        /* For a long option optopt is its value, so name it as typed. */
                        bad = argv[optind - 1];
                        if (startswith(strempty(bad), "--"))
                                return log_error_errno(-EINVAL, "Option '%s' needs an argument.", bad);
                        return log_error_errno(-EINVAL, "Option '-%c' needs an argument.", optopt);
                default:
                        if (optopt > 0 && optopt < 0x100)
                                return log_error_errno(-EINVAL, "Unknown option '-%c'; see --help.", optopt);
                        return log_error_errno(-EINVAL, "Unknown option '%s'; see --help.",
                                               strempty(argv[optind - 1]));
                }
        }

        if (!o.help && !o.version) {
                if (optind >= argc)
                        return log_error_errno(-EINVAL, "No command given; see --help.");
                o.config.argv = argv + optind;
        }
        *ret = o;
        return 0;
}

int listen_fds_from_env(const char *listen_pid, const char *listen_fds, pid_t self, unsigned *ret) {
        pid_t pid;
        uint32_t n;

        if (!listen_pid || !listen_fds) {
                *ret = 0;
                return 0;
        }
        if (parse_pid(listen_pid, &pid) < 0 || parse_uint32(listen_fds, &n) < 0 || n > INT_MAX - 3)
                return -EINVAL;
        *ret = pid == self ? n : 0;
        return 0;
}
