/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corrald: the host manager. Parses its options, connects to the bus,
 * builds the Manager and runs its loop: SIGHUP reloads the definitions;
 * SIGTERM/SIGINT end corrald and leave the machines running (their
 * monitors are not ours to take along; the next corrald adopts them)
 * unless --stop-machines-on-exit was given. Readiness goes to the service
 * manager (Type=notify) once the name is taken and startup is done. */

#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "corral-config.h"
#include "fileio.h"
#include "log.h"
#include "manager-dbus.h"
#include "manager.h"
#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"

static const char *arg_root = "/";
static const char *arg_bus = NULL;
static const char *arg_corral_run = NULL;
static gid_t arg_access_gid = (gid_t) -1;
static bool arg_stop_on_exit = false;

static void help(void) {
        printf("corrald [OPTIONS]\n\n"
               "The corral host manager: machine definitions, monitors and the\n"
               "org.corral.machine1 D-Bus API.\n\n"
               "  -h --help                  Show this help\n"
               "     --version               Show the version\n"
               "     --root DIR              Where definitions and state live (default /)\n"
               "     --bus ADDRESS           Use this bus instead of the system bus\n"
               "     --log-level LEVEL       debug, info, notice, warning, err\n"
               "     --corral-run PATH       The monitor binary (default %s/corral-run)\n"
               "     --access-group GROUP    Members may change machines too, not only root\n"
               "     --stop-machines-on-exit Stop every machine when corrald is stopped\n",
               CORRAL_BINDIR);
}

static int parse_argv(int argc, char *argv[]) {
        enum {
                ARG_VERSION = 0x100,
                ARG_ROOT,
                ARG_BUS,
                ARG_LOG_LEVEL,
                ARG_CORRAL_RUN,
                ARG_ACCESS_GROUP,
                ARG_STOP_ON_EXIT,
        };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "root", required_argument, NULL, ARG_ROOT },
                { "bus", required_argument, NULL, ARG_BUS },
                { "log-level", required_argument, NULL, ARG_LOG_LEVEL },
                { "corral-run", required_argument, NULL, ARG_CORRAL_RUN },
                { "access-group", required_argument, NULL, ARG_ACCESS_GROUP },
                { "stop-machines-on-exit", no_argument, NULL, ARG_STOP_ON_EXIT },
                {},
        };
        int c, l;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        exit(EXIT_SUCCESS);
                case ARG_VERSION:
                        printf("corrald %s\n", CORRAL_VERSION);
                        exit(EXIT_SUCCESS);
                case ARG_ROOT:
                        if (optarg[0] != '/') {
                                log_error("--root needs an absolute path, not '%s'.", optarg);
                                exit(EXIT_FAILURE);
                        }
                        arg_root = optarg;
                        break;
                case ARG_BUS:
                        arg_bus = optarg;
                        break;
                case ARG_LOG_LEVEL:
                        l = log_level_from_string(optarg);
                        if (l < 0) {
                                log_error("Invalid log level '%s'.", optarg);
                                exit(EXIT_FAILURE);
                        }
                        log_set_max_level(l);
                        break;
                case ARG_CORRAL_RUN:
                        arg_corral_run = optarg;
                        break;
                case ARG_ACCESS_GROUP: {
                        struct group *g = getgrnam(optarg);
                        uint32_t gid;
                        if (g)
                                arg_access_gid = g->gr_gid;
                        else if (parse_uint32(optarg, &gid) >= 0)
                                arg_access_gid = gid;
                        else {
                                log_error("Unknown group '%s'.", optarg);
                                exit(EXIT_FAILURE);
                        }
                        break;
                }
                case ARG_STOP_ON_EXIT:
                        arg_stop_on_exit = true;
                        break;
                default:
                        exit(EXIT_FAILURE);
                }
        if (optind < argc) {
                log_error("corrald takes no arguments.");
                exit(EXIT_FAILURE);
        }
        return 0;
}

static int connect_bus(sd_event *event, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (arg_bus) {
                r = sd_bus_new(&bus);
                if (r < 0)
                        return r;
                r = sd_bus_set_address(bus, arg_bus);
                if (r < 0)
                        return log_error_errno(r, "Invalid bus address '%s': %m", arg_bus);
                (void) sd_bus_set_bus_client(bus, true);
                (void) sd_bus_negotiate_creds(bus, true, SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID);
                r = sd_bus_start(bus);
        } else
                r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the bus: %m");
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        log_info("Reloading machine definitions.");
        (void) sd_notify(0, "RELOADING=1");
        (void) manager_load_definitions(m);
        (void) sd_notify(0, "READY=1");
        return 0;
}

static bool all_stopped(Manager *m) {
        for (size_t i = 0; i < m->n_machines; i++)
                if (!IN_SET(m->machines[i]->state, MACHINE_STOPPED, MACHINE_FAILED))
                        return false;
        return true;
}

static int on_stop_poll(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        if (all_stopped(m))
                return sd_event_exit(m->event, 0);
        return sd_event_source_set_time_relative(s, 50 * USEC_PER_MSEC) < 0 ? 0 :
               sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
}

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        (void) sd_notify(0, "STOPPING=1");
        if (!arg_stop_on_exit) {
                log_info("Exiting; machines keep running and will be adopted by the next corrald.");
                return sd_event_exit(m->event, 0);
        }
        log_info("Stopping every machine before exiting.");
        for (size_t i = 0; i < m->n_machines; i++)
                (void) machine_stop(m->machines[i]);
        return sd_event_add_time_relative(m->event, NULL, CLOCK_MONOTONIC, 0, USEC_PER_MSEC, on_stop_poll, m);
}

/* Two pidfds per running machine, plus the bus, inotify and what a
 * cgroup read opens: 1,000 machines need more than the soft limit of
 * 1,024 a service gets by default. As systemd does for itself, the soft
 * limit goes up to the hard one (no select() in here: sd-event is epoll,
 * sd-bus ppoll), and the limit we were given is kept for the children
 * (Manager.child_nofile). */
static void raise_nofile(Manager *m) {
        struct rlimit rl;
        rlim_t target;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
                return (void) log_warning_errno(-errno, "Failed to read RLIMIT_NOFILE, ignoring: %m");
        m->child_nofile = rl;
        m->child_nofile_set = true;
        target = rl.rlim_max;
        if (target == RLIM_INFINITY) {
                /* The kernel refuses a soft limit above fs.nr_open. */
                _cleanup_free_ char *s = NULL;
                uint64_t nr_open = 1024 * 1024;
                if (read_one_line_file_at(AT_FDCWD, "/proc/sys/fs/nr_open", &s) >= 0)
                        (void) parse_uint64(strstrip(s), &nr_open);
                target = nr_open;
        }
        if (rl.rlim_cur >= target)
                return;
        rl.rlim_cur = target;
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                return (void) log_warning_errno(-errno, "Failed to raise RLIMIT_NOFILE to %llu, ignoring: %m",
                                                (unsigned long long) target);
        log_debug("Raised RLIMIT_NOFILE from %llu to %llu.", (unsigned long long) m->child_nofile.rlim_cur,
                  (unsigned long long) rl.rlim_cur);
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;
        sigset_t ss;
        int r;

        log_set_program_name("corrald");
        log_parse_environment();
        parse_argv(argc, argv);

        /* A client that goes away must never kill us through a write. */
        (void) signal(SIGPIPE, SIG_IGN);
        sigemptyset(&ss);
        (void) sigset_add_many(&ss, SIGTERM, SIGINT, SIGHUP, -1);
        if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0)
                return log_error_errno(-errno, "Failed to block signals: %m"), EXIT_FAILURE;

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to create the event loop: %m"), EXIT_FAILURE;

        r = manager_new(event, arg_root, &m);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the manager for '%s': %m", arg_root), EXIT_FAILURE;
        if (arg_corral_run && manager_set_corral_run(m, arg_corral_run) < 0)
                return log_oom(), EXIT_FAILURE;
        m->access_gid = arg_access_gid;
        raise_nofile(m);

        r = connect_bus(event, &bus);
        if (r < 0)
                return EXIT_FAILURE;
        r = manager_bus_attach(m, bus);
        if (r < 0)
                return EXIT_FAILURE;

        if (sd_event_add_signal(event, NULL, SIGHUP, on_sighup, m) < 0 ||
            sd_event_add_signal(event, NULL, SIGTERM, on_sigterm, m) < 0 ||
            sd_event_add_signal(event, NULL, SIGINT, on_sigterm, m) < 0)
                return log_error("Failed to watch signals."), EXIT_FAILURE;

        /* Definitions that fail stay refused; corrald runs on regardless. */
        r = manager_startup(m);
        if (r < 0)
                log_warning_errno(r, "Startup was incomplete, continuing: %m");

        r = sd_notify(0, "READY=1\nSTATUS=Managing machines.");
        if (r < 0)
                log_warning_errno(r, "Failed to notify the service manager, ignoring: %m");
        log_info("corrald ready, root '%s', %zu machines.", arg_root, m->n_machines);

        r = sd_event_loop(event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed: %m"), EXIT_FAILURE;
        return EXIT_SUCCESS;
}
