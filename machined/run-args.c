/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-run's argument parser; see run-args.h. Options follow
 * systemd-nspawn's names where nspawn has them. Other parts add their
 * options as one enum value, one table row and one case below. */

#include <getopt.h>
#include <stdio.h>

#include "capability.h"
#include "cgroup.h"
#include "container-user.h"
#include "corral-config.h"
#include "hostname-util.h"
#include "image-store.h"
#include "log.h"
#include "network.h"
#include "parse-util.h"
#include "run-args.h"
#include "seccomp-policy.h"
#include "signal-util.h"
#include "string-util.h"

enum {
        ARG_VERSION = 0x100,
        ARG_EPHEMERAL,
        ARG_READ_ONLY,
        ARG_HOSTNAME,
        ARG_BIND,
        ARG_BIND_RO,
        ARG_CAPABILITY,
        ARG_DROP_CAPABILITY,
        ARG_NO_NEW_PRIVILEGES,
        ARG_SYSTEM_CALL_FILTER,
        ARG_KILL_SIGNAL,
        ARG_STOP_TIMEOUT,
        ARG_PRIVATE_NETWORK,
        ARG_NETWORK_VETH,
        ARG_NETWORK_BRIDGE,
        ARG_NETWORK_ZONE,
        ARG_PORT,
        ARG_ADDRESS,
        ARG_ROOT,
        ARG_CONSOLE,
        ARG_CHDIR,
        ARG_REBOOT_EXIT,
        ARG_LOG_LEVEL,
        ARG_IMAGE,
        ARG_MACHINE,
        ARG_MONITOR,
};

static const struct option options[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, ARG_VERSION },
        { "directory", required_argument, NULL, 'D' },
        { "boot", no_argument, NULL, 'b' },
        { "ephemeral", no_argument, NULL, ARG_EPHEMERAL },
        { "read-only", no_argument, NULL, ARG_READ_ONLY },
        { "machine-name", required_argument, NULL, 'M' },
        { "hostname", required_argument, NULL, ARG_HOSTNAME },
        { "bind", required_argument, NULL, ARG_BIND },
        { "bind-ro", required_argument, NULL, ARG_BIND_RO },
        { "setenv", required_argument, NULL, 'E' },
        { "chdir", required_argument, NULL, ARG_CHDIR },
        { "user", required_argument, NULL, 'u' },
        { "capability", required_argument, NULL, ARG_CAPABILITY },
        { "drop-capability", required_argument, NULL, ARG_DROP_CAPABILITY },
        { "no-new-privileges", required_argument, NULL, ARG_NO_NEW_PRIVILEGES },
        { "system-call-filter", required_argument, NULL, ARG_SYSTEM_CALL_FILTER },
        { "kill-signal", required_argument, NULL, ARG_KILL_SIGNAL },
        { "stop-timeout", required_argument, NULL, ARG_STOP_TIMEOUT },
        { "private-network", no_argument, NULL, ARG_PRIVATE_NETWORK },
        { "network-veth", no_argument, NULL, ARG_NETWORK_VETH },
        { "network-bridge", required_argument, NULL, ARG_NETWORK_BRIDGE },
        { "network-zone", required_argument, NULL, ARG_NETWORK_ZONE },
        { "port", required_argument, NULL, ARG_PORT },
        { "address", required_argument, NULL, ARG_ADDRESS },
        { "property", required_argument, NULL, 'p' },
        { "root", required_argument, NULL, ARG_ROOT },
        { "console", required_argument, NULL, ARG_CONSOLE },
        { "reboot-exit", no_argument, NULL, ARG_REBOOT_EXIT },
        { "quiet", no_argument, NULL, 'q' },
        { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
        { "image", required_argument, NULL, ARG_IMAGE },
        { "machine", required_argument, NULL, ARG_MACHINE },
        { "monitor", no_argument, NULL, ARG_MONITOR },
        {}
};

static void help(void) {
        printf("corral-run [OPTIONS...] [--] [COMMAND [ARGS...]]\n\n"
               "Runs one container from a directory, like systemd-nspawn -D DIR.\n\n"
               "  -D --directory=DIR        root file system of the container\n"
               "     --image=NAME           run on image NAME of the store below --root\n"
               "     --machine=FILE|NAME    run a machine definition (FILE, or NAME.machine in\n"
               "                            the definition directories below --root)\n"
               "     --ephemeral            run on a throwaway overlay of DIR\n"
               "     --read-only            mount the root file system read-only\n"
               "  -b --boot                 run /sbin/init (or COMMAND) as PID 1\n"
               "  -M --machine-name=NAME    machine name (default: DIR's last element)\n"
               "     --hostname=NAME        host name inside (default: machine name)\n"
               "     --bind=SRC[:DST[:ro]]  bind mount a host path\n"
               "     --bind-ro=SRC[:DST]    bind mount a host path read-only\n"
               "  -E --setenv=KEY=VALUE     environment of the payload\n"
               "     --chdir=DIR            working directory inside\n"
               "  -u --user=NAME|UID        run the payload as this user of the container\n"
               "                            (its /etc/passwd; app mode only)\n"
               "     --capability=CAPS      keep capabilities beyond the default (or 'all')\n"
               "     --drop-capability=CAPS drop capabilities of the default set\n"
               "     --no-new-privileges=BOOL  set no_new_privs for the payload\n"
               "     --system-call-filter=LIST  allow (or with ~, deny) calls and @groups\n"
               "     --kill-signal=SIG      signal for a clean stop\n"
               "     --stop-timeout=TIME    how long a clean stop may take\n"
               "     --private-network      own network namespace with only lo\n"
               "     --network-veth         veth pair: host0 inside, ve-NAME outside\n"
               "     --network-bridge=BR    veth whose host end joins BR (corral0: made\n"
               "                            when missing, with addresses and NAT)\n"
               "     --network-zone=NAME    veth on bridge vz-NAME, made when missing\n"
               "     --port=[tcp|udp:]HOST[:CONTAINER]  forward a host port\n"
               "     --address=A.B.C.D[/N]  static IPv4 address on host0\n"
               "  -p --property=KEY=VALUE   resource limit (MemoryMax=, CPUQuota=, ...)\n"
               "     --root=DIR             where corral's state lives (default /)\n"
               "     --monitor              as started by corrald: state file, notify socket and\n"
               "                            console log in ROOT/run/corral/machines/NAME\n"
               "     --console=MODE         auto, interactive or pipe\n"
               "     --reboot-exit          exit with 133 on reboot instead of restarting\n"
               "  -q --quiet                no status messages\n");
}

/* Logs the one-line error for bad input, naming the value. */
#define bad(r, fmt, ...) ((void) log_error_errno(r, fmt, __VA_ARGS__), -EINVAL)

int run_args_parse(int argc, char *argv[], RunConfig *c) {
        int opt, r;

        /* getopt keeps state between calls; tests call us many times. */
        optind = 0;
        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+hD:bM:E:p:qu:", options, NULL)) >= 0) {
                switch (opt) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("corral-run %s\n", CORRAL_VERSION);
                        return 0;
                case 'D':
                        if (!optarg[0])
                                return bad(-EINVAL, "Invalid directory: '%s'", optarg);
                        free(c->directory);
                        c->directory = realpath(optarg, NULL);
                        if (!c->directory) {
                                /* Kept as given so that container_run() names it. */
                                c->directory = strdup(optarg);
                                if (!c->directory)
                                        return log_oom();
                        }
                        break;
                case 'b':
                        c->boot = true;
                        break;
                case ARG_EPHEMERAL:
                        c->ephemeral = true;
                        break;
                case ARG_READ_ONLY:
                        c->read_only = true;
                        break;
                case 'M':
                        if (!machine_name_is_valid(optarg))
                                return bad(-EINVAL, "Invalid machine name: '%s'", optarg);
                        free(c->machine_name);
                        c->machine_name = strdup(optarg);
                        if (!c->machine_name)
                                return log_oom();
                        break;
                case ARG_HOSTNAME:
                        if (!hostname_is_valid(optarg))
                                return bad(-EINVAL, "Invalid hostname: '%s'", optarg);
                        free(c->hostname);
                        c->hostname = strdup(optarg);
                        if (!c->hostname)
                                return log_oom();
                        break;
                case ARG_BIND:
                case ARG_BIND_RO:
                        r = run_config_add_bind(c, optarg, opt == ARG_BIND_RO);
                        if (r == -ENOMEM)
                                return log_oom();
                        if (r < 0)
                                return bad(r, "Invalid bind mount specification: '%s'", optarg);
                        break;
                case 'E':
                        if (!strchr(optarg, '=') || optarg[0] == '=')
                                return bad(-EINVAL, "Invalid environment assignment: '%s'", optarg);
                        r = strv_env_set(&c->environment, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                case 'u':
                        if (!container_user_spec_is_valid(optarg))
                                return bad(-EINVAL, "Invalid user: '%s'", optarg);
                        free(c->user);
                        c->user = strdup(optarg);
                        if (!c->user)
                                return log_oom();
                        break;
                case ARG_CHDIR:
                        if (optarg[0] != '/')
                                return bad(-EINVAL, "Working directory must be absolute: '%s'", optarg);
                        free(c->working_directory);
                        c->working_directory = strdup(optarg);
                        if (!c->working_directory)
                                return log_oom();
                        break;
                case ARG_CAPABILITY:
                case ARG_DROP_CAPABILITY: {
                        _cleanup_free_ char *word = NULL;
                        r = capability_parse_list(optarg,
                                                  opt == ARG_CAPABILITY ? &c->cap_add : &c->cap_drop,
                                                  &word);
                        if (r < 0)
                                return bad(r, "Unknown capability: '%s'", word ?: optarg);
                        break;
                }
                case ARG_NO_NEW_PRIVILEGES:
                        r = parse_boolean(optarg);
                        if (r < 0)
                                return bad(r, "Invalid boolean for --no-new-privileges: '%s'", optarg);
                        c->no_new_privileges = r;
                        break;
                case ARG_SYSTEM_CALL_FILTER: {
                        _cleanup_free_ char *word = NULL;
                        r = seccomp_filter_validate(optarg, &word);
                        if (r == -ENOMEM)
                                return log_oom();
                        if (r < 0)
                                return bad(r, "Unknown system call or group: '%s'", word ?: optarg);
                        r = strv_extend(&c->syscall_filter, optarg);
                        if (r < 0)
                                return log_oom();
                        break;
                }
                case ARG_KILL_SIGNAL:
                        r = signal_from_string(optarg);
                        if (r <= 0)
                                return bad(-EINVAL, "Invalid signal: '%s'", optarg);
                        c->kill_signal = r;
                        break;
                case ARG_STOP_TIMEOUT:
                        r = parse_sec(optarg, &c->stop_timeout);
                        if (r < 0)
                                return bad(r, "Invalid time span: '%s'", optarg);
                        break;
                case ARG_PRIVATE_NETWORK:
                        c->private_network = true;
                        break;
                case ARG_NETWORK_VETH:
                        c->network_veth = true;
                        break;
                case ARG_NETWORK_BRIDGE:
                case ARG_NETWORK_ZONE: {
                        char **field = opt == ARG_NETWORK_BRIDGE ? &c->network_bridge : &c->network_zone;
                        if (!optarg[0] || strlen(optarg) >= IFNAMSIZ)
                                return bad(-EINVAL, "Invalid bridge or zone name: '%s'", optarg);
                        free(*field);
                        *field = strdup(optarg);
                        if (!*field)
                                return log_oom();
                        break;
                }
                case ARG_PORT: {
                        PortForward pf;
                        if (port_forward_parse(optarg, &pf) < 0)
                                return bad(-EINVAL, "Invalid port forward: '%s'", optarg);
                        if (strv_extend(&c->ports, optarg) < 0)
                                return log_oom();
                        break;
                }
                case ARG_ADDRESS: {
                        struct in_addr a;
                        if (address_parse(optarg, 24, &a, NULL) < 0)
                                return bad(-EINVAL, "Invalid address: '%s'", optarg);
                        free(c->network_address);
                        c->network_address = strdup(optarg);
                        if (!c->network_address)
                                return log_oom();
                        break;
                }
                case 'p':
                        if (!c->limits) {
                                r = cgroup_limits_new(&c->limits);
                                if (r < 0)
                                        return log_oom();
                        }
                        r = cgroup_limits_parse_assignment(c->limits, optarg);
                        if (r == -ENOMEM)
                                return log_oom();
                        if (r < 0)
                                return bad(r, "Invalid resource limit: '%s'", optarg);
                        break;
                case ARG_ROOT:
                        if (optarg[0] != '/')
                                return bad(-EINVAL, "--root must be an absolute path: '%s'", optarg);
                        free(c->root);
                        c->root = strdup(optarg);
                        if (!c->root)
                                return log_oom();
                        break;
                case ARG_CONSOLE: {
                        ConsoleMode m = console_mode_from_string(optarg);
                        if (m < 0)
                                return bad(-EINVAL, "Invalid console mode: '%s'", optarg);
                        c->console_mode = m;
                        break;
                }
                case ARG_REBOOT_EXIT:
                        c->reboot_exit = true;
                        break;
                case 'q':
                        log_set_max_level(LOG_WARNING);
                        break;
                case ARG_MACHINE:
                        if (!optarg[0])
                                return bad(-EINVAL, "Invalid machine: '%s'", optarg);
                        free(c->machine);
                        c->machine = strdup(optarg);
                        if (!c->machine)
                                return log_oom();
                        break;
                case ARG_IMAGE:
                        if (!image_name_is_valid(optarg))
                                return bad(-EINVAL, "Invalid image name: '%s'", optarg);
                        free(c->image);
                        c->image = strdup(optarg);
                        if (!c->image)
                                return log_oom();
                        break;
                case ARG_LOG_LEVEL:
                        r = log_level_from_string(optarg);
                        if (r < 0)
                                return bad(r, "Invalid log level: '%s'", optarg);
                        log_set_max_level(r);
                        break;
                case ARG_MONITOR:
                        c->monitor = true;
                        break;
                case '?':
                        if (optopt > 0 && optopt < 0x100)
                                return bad(-EINVAL, "Unknown option: '-%c'", optopt);
                        return bad(-EINVAL, "Unknown option or missing argument: '%s'", argv[optind - 1]);
                default:
                        return bad(-EINVAL, "Unhandled option: '%s'", argv[optind - 1]);
                }
        }

        if (optind < argc) {
                strv_free(c->argv);
                c->argv = strv_copy(argv + optind);
                if (!c->argv)
                        return log_oom();
        }
        if (!c->directory && !c->image && !c->machine)
                return bad(-EINVAL, "No root file system: '%s'", "-D DIR is required");
        return 1;
}
