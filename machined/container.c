/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host side of one container (container.h): it checks the input
 * before making anything, prepares what the child needs (cgroup,
 * console, seccomp policy, environment), starts the first process with
 * clone3 into its namespaces (and its cgroup, where the hierarchy allows
 * it), maps the way PID 1 ended to an exit status and removes the cgroup
 * after every boot. container_run() is corral-run in the foreground: it
 * relays the console, turns SIGTERM/SIGINT/SIGHUP into a clean stop
 * request and restarts the container in place on reboot (or exits 133
 * with reboot_exit, as systemd-nspawn does under a unit); the monitor
 * (monitor.c) drives the same steps from its event loop. Mounts exist
 * only in the container's mount namespace, so they vanish with it, also
 * when corral-run is killed; the cgroup of a killed corral-run is removed
 * by the next start of the same machine (cgroup_machine_create() cleans a
 * stale one). */

#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "capability.h"
#include "console.h"
#include "container.h"
#include "fd-util.h"
#include "log.h"
#include "network-run.h"
#include "signal-util.h"
#include "string-util.h"
#include "time-util.h"

#define EXIT_FORCE_RESTART 133

static int preflight(RunConfig *c) {
        struct stat st;
        int r;

        /* --root holds state, images and definitions: it must exist. */
        if (stat(c->root, &st) < 0 || !S_ISDIR(st.st_mode))
                return log_error_errno(-ENOTDIR, "Root directory '%s' does not exist.", c->root);
        if (c->directory) {
                if (stat(c->directory, &st) < 0)
                        return log_error_errno(-errno, "Directory '%s' is not accessible: %m", c->directory);
                if (!S_ISDIR(st.st_mode))
                        return log_error_errno(-ENOTDIR, "'%s' is not a directory.", c->directory);
        }
        /* As systemd-nspawn: an OS's init must start as root; its own
         * units pick their users. */
        if (c->boot && c->user)
                return log_error_errno(-EINVAL, "User '%s' cannot be combined with boot mode (-b, Boot=).", c->user);
        r = run_config_finalize(c);
        if (r == -EOPNOTSUPP)
                return log_error_errno(r, "User namespaces are not supported yet: '%s'", "--private-users");
        if (r < 0)
                return log_error_errno(r, "Invalid configuration for '%s': %m", strempty(c->directory));
        return 0;
}

/* The command to run: argv as given, or the default of the mode. */
static int resolve_command(const RunConfig *c, char ***ret) {
        _cleanup_strv_free_ char **argv = NULL;
        int r;

        if (c->argv && c->argv[0])
                argv = strv_copy(c->argv);
        else if (c->boot)
                argv = strv_copy((char *[]) { (char *) "/sbin/init", NULL });
        else
                argv = strv_copy((char *[]) { (char *) "/bin/sh", NULL });
        if (!argv)
                return log_oom();

        /* An image's tree exists only once its overlay is mounted, in the
         * child: there a missing command is a 127 from inside. */
        if (!c->directory) {
                *ret = TAKE_PTR(argv);
                return 0;
        }

        /* Checked here so that a missing command is a one-line error and
         * exit 1 before anything is created, not a 127 from inside. */
        r = container_find_command(c->directory, argv[0]);
        if (r < 0)
                return log_error_errno(r, "Failed to look for '%s' in '%s': %m", argv[0], c->directory);
        if (r == 0)
                return log_error_errno(-ENOENT, "Command '%s' not found in '%s'.", argv[0], c->directory);
        *ret = TAKE_PTR(argv);
        return 0;
}

static pid_t clone3_container(const RunConfig *c, int cgroup_fd, int *ret_pidfd) {
        int pidfd = -EBADF;
        struct clone_args args = {
                .flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD,
                .pidfd = (uint64_t) (uintptr_t) &pidfd,
                .exit_signal = SIGCHLD,
        };
        if (c->private_network)
                args.flags |= CLONE_NEWNET;
        if (cgroup_fd >= 0) {
                args.flags |= CLONE_INTO_CGROUP | CLONE_NEWCGROUP;
                args.cgroup = (uint64_t) cgroup_fd;
        }
        pid_t pid = (pid_t) syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return -errno;
        if (pid > 0)
                *ret_pidfd = pidfd;
        return pid;
}

static int pidfd_signal(int pidfd, int sig) {
        return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
}

int container_stop_signal(const Container *ct) {
        /* App mode: the supervisor's "halt" (clean stop of the payload with
         * its KillSignal). Boot mode: the init's own clean-stop signal. */
        if (!ct->config->boot)
                return SIGRTMIN + 3;
        return ct->config->kill_signal > 0 ? ct->config->kill_signal : SIGRTMIN + 3;
}

usec_t container_stop_timeout(const Container *ct) {
        const RunConfig *c = ct->config;

        /* The container's own stop timeout, and a little more for PID 1. */
        if (c->stop_timeout == USEC_INFINITY)
                return USEC_INFINITY;
        return (c->stop_timeout ?: 10 * USEC_PER_SEC) + 2 * USEC_PER_SEC;
}

/* Exit status as systemd-nspawn reports it (DESIGN.md exit contract). */
static int map_exit(const siginfo_t *si, bool *ret_reboot) {
        *ret_reboot = false;
        if (si->si_code == CLD_EXITED)
                return si->si_status;
        /* reboot(2) in a PID namespace: RESTART kills PID 1 with SIGHUP,
         * POWER_OFF and HALT with SIGINT. */
        if (si->si_status == SIGHUP) {
                *ret_reboot = true;
                return EXIT_FORCE_RESTART;
        }
        if (si->si_status == SIGINT)
                return 0;
        return 128 + si->si_status;
}

/* What one boot made: its cgroup and the host side of its network. */
static void boot_cleanup(Container *ct) {
        if (ct->cgm) {
                /* PID 1 is gone, so is its PID namespace; stragglers that
                 * escaped it cannot exist, but a kill is cheap insurance
                 * before rmdir. */
                (void) cgroup_machine_kill(ct->cgm, SIGKILL);
                int r = cgroup_machine_destroy(ct->cgm);
                if (r < 0)
                        log_warning_errno(r, "Failed to remove the cgroup of '%s', ignoring: %m",
                                          ct->config->machine_name);
                ct->cgm = NULL;
        }
        /* Cheap: the veth goes with the container's namespace. */
        (void) network_plan_detach(ct->net);
        ct->pidfd = safe_close(ct->pidfd);
        ct->pid = 0;
}

void container_kill(Container *ct, siginfo_t *ret) {
        siginfo_t si = {};

        if (ct->pidfd >= 0) {
                (void) pidfd_signal(ct->pidfd, SIGKILL);
                (void) waitid(P_PIDFD, ct->pidfd, &si, WEXITED);
        }
        if (ret)
                *ret = si;
}

int container_start(Container *ct) {
        const RunConfig *c = ct->config;
        _cleanup_close_pair_ int sync[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF },
                                 bpf[2] = { -EBADF, -EBADF };
        int r;

        usec_t t0 = now(CLOCK_MONOTONIC);
        r = cgroup_machine_create(ct->cg, c->machine_name, c->limits, &ct->cgm);
        if (r == -EBUSY)
                return log_error_errno(r, "A machine named '%s' is already running (its cgroup has processes); "
                                       "pick another name with -M.", c->machine_name);
        if (r < 0)
                return log_error_errno(r, "Failed to create the cgroup of '%s': %m", c->machine_name);
        int cgfd = cgroup_machine_clone_fd(ct->cgm);
        if (cgfd < 0 && cgfd != -EOPNOTSUPP) {
                r = log_error_errno(cgfd, "Failed to open the cgroup of '%s': %m", c->machine_name);
                goto fail;
        }

        if (pipe2(sync, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(bpf, O_CLOEXEC) < 0) {
                r = log_error_errno(-errno, "Failed to create pipes: %m");
                goto fail;
        }
        ct->setup.sync_fd = sync[0];
        ct->setup.error_fd = err[1];
        ct->setup.seccomp_fd = bpf[0];
        ct->setup.unshare_cgroup = cgfd < 0;

        usec_t t1 = now(CLOCK_MONOTONIC);
        pid_t pid = clone3_container(c, cgfd, &ct->pidfd);
        if (pid < 0) {
                r = log_error_errno(pid, "Failed to start the container: %m");
                goto fail;
        }
        if (pid == 0)
                container_child(&ct->setup);
        ct->pid = pid;

        sync[0] = safe_close(sync[0]);
        err[1] = safe_close(err[1]);
        bpf[0] = safe_close(bpf[0]);

        if (cgfd < 0) {
                r = cgroup_machine_attach(ct->cgm, pid);
                if (r < 0) {
                        log_error_errno(r, "Failed to move the container into its cgroup: %m");
                        goto fail_kill;
                }
        }
        /* Here the host side may still configure the child's namespaces
         * (network) before it goes on. */
        r = network_plan_attach(ct->net, pid);
        if (r < 0)
                goto fail_kill;
        if (write(sync[1], "g", 1) != 1)
                log_warning_errno(-errno, "Failed to release the container, ignoring: %m");
        sync[1] = safe_close(sync[1]);

        /* The filter is built while the child mounts (two cores: in
         * parallel); a failure leaves the child an empty pipe, so it
         * refuses to go on. */
        r = seccomp_policy_export(ct->setup.seccomp, bpf[1]);
        if (r < 0)
                log_error_errno(r, "Failed to build the system call filter: %m");
        bpf[1] = safe_close(bpf[1]);

        /* The child reports a failed setup as -errno; EOF means it runs. */
        int child_error = 0;
        ssize_t n = read(err[0], &child_error, sizeof(child_error));
        if (n == (ssize_t) sizeof(child_error)) {
                r = child_error < 0 ? child_error : -EIO;
                goto fail_kill;
        }

        log_debug("monitor: cgroup %" PRIu64 " us, clone to running payload/init %" PRIu64 " us",
                  (uint64_t) (t1 - t0), (uint64_t) (now(CLOCK_MONOTONIC) - t1));
        return 0;

fail_kill:
        container_kill(ct, NULL);
fail:
        boot_cleanup(ct);
        return r;
}

int container_reaped(Container *ct, const siginfo_t *si, bool *ret_reboot) {
        bool reboot;
        int status = map_exit(si, &reboot);

        boot_cleanup(ct);
        *ret_reboot = reboot;
        return status;
}

int container_prepare(Container *ct, RunConfig *c, bool detached) {
        int r;

        *ct = (Container) {
                .config = c,
                .detached = detached,
                .master = -EBADF,
                .console_slave_fd = -EBADF,
                .pidfd = -EBADF,
        };

        r = preflight(c);
        if (r < 0)
                return r;
        r = resolve_command(c, &ct->argv);
        if (r < 0)
                return r;
        /* Before the capability set: a veth means a network namespace. */
        r = network_run_prepare(c, &ct->net);
        if (r < 0)
                return r;

        uint64_t caps = (capability_default_set(c->private_network) | c->cap_add) & ~c->cap_drop;
        r = seccomp_policy_new(caps, &ct->seccomp);
        if (r < 0)
                return log_oom();
        STRV_FOREACH(f, c->syscall_filter) {
                _cleanup_free_ char *bad = NULL;
                r = seccomp_policy_add_filter(ct->seccomp, *f, &bad);
                if (r < 0)
                        return log_error_errno(r, "Invalid system call filter '%s'.", bad ?: *f);
        }

        ConsoleMode console = detached ? CONSOLE_INTERACTIVE : console_mode_resolve(c->console_mode);
        ct->setup = (ContainerSetup) {
                .config = c,
                .console = console,
                .seccomp = ct->seccomp,
                .capabilities = caps,
                .argv = ct->argv,
                .sync_fd = -EBADF,
                .error_fd = -EBADF,
                .seccomp_fd = -EBADF,
                .stderr_to_console = detached,
        };
        r = container_id_random(&ct->setup.id);
        if (r < 0)
                return log_error_errno(r, "Failed to generate a machine ID: %m");
        r = init_layer_environment(c, &ct->setup.id, console == CONSOLE_INTERACTIVE, &ct->env);
        if (r < 0)
                return log_oom();
        ct->setup.env = ct->env;

        r = cgroup_context_new(NULL, NULL, &ct->cg);
        if (r < 0)
                return log_error_errno(r, "Failed to set up cgroups: %m");
        ct->setup.cgroup = ct->cg;

        /* Interactive: the console of a terminal, or of a detached machine.
         * Pipe mode: an OS still wants a /dev/console for its getty and
         * its boot messages (as nspawn's passive console), whose output
         * goes to our stdout while PID 1 keeps the pipes as its stdio. */
        if (console != CONSOLE_INTERACTIVE && !(console == CONSOLE_PIPE && c->boot))
                return 0;
        r = console_pty_open(&ct->master, &ct->console_slave);
        if (r < 0)
                return log_error_errno(r, "Failed to open a pty for the console: %m");
        /* Without a terminal we hold a slave fd so that the master stays
         * readable, without EIO, whenever nobody inside has the console
         * open (between boots, a getty respawning). */
        if (detached || console == CONSOLE_PIPE || !isatty(STDIN_FILENO)) {
                ct->console_slave_fd = open(ct->console_slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (ct->console_slave_fd < 0)
                        return log_error_errno(-errno, "Failed to open the console pty: %m");
        }
        if (detached && fd_nonblock(ct->master, true) < 0)
                return log_error_errno(-errno, "Failed to open the console pty: %m");
        ct->setup.console_slave = ct->console_slave;
        return 0;
}

void container_done(Container *ct) {
        if (ct->pidfd >= 0)
                container_kill(ct, NULL);
        boot_cleanup(ct);
        network_plan_free(ct->net);
        ct->net = NULL;
        cgroup_context_free(ct->cg);
        ct->cg = NULL;
        seccomp_policy_free(ct->seccomp);
        ct->seccomp = NULL;
        ct->master = safe_close(ct->master);
        ct->console_slave_fd = safe_close(ct->console_slave_fd);
        ct->console_slave = mfree(ct->console_slave);
        ct->argv = strv_free(ct->argv);
        ct->env = strv_free(ct->env);
}

/* corral-run in the foreground: waits for PID 1, relaying the console and
 * turning our signals into a stop request. */
static int wait_container(Container *ct, ConsoleRelay *relay, int sigfd, siginfo_t *ret) {
        usec_t deadline = USEC_INFINITY;
        bool stopping = false;

        for (;;) {
                struct pollfd p[4] = {
                        { .fd = ct->pidfd, .events = POLLIN },
                        { .fd = sigfd, .events = POLLIN },
                        { .fd = -1 },
                        { .fd = -1 },
                };
                if (relay) {
                        if (relay->in_open)
                                p[2] = (struct pollfd) { .fd = relay->in_fd, .events = POLLIN };
                        if (relay->master_open)
                                p[3] = (struct pollfd) { .fd = relay->master, .events = POLLIN };
                }
                int timeout = -1;
                if (deadline != USEC_INFINITY) {
                        usec_t n = now(CLOCK_MONOTONIC);
                        timeout = n >= deadline ? 0 : (int) ((deadline - n + 999) / 1000);
                }
                int k = poll(p, ELEMENTSOF(p), timeout);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return log_error_errno(-errno, "poll() failed: %m");
                }
                if (k == 0 && deadline != USEC_INFINITY && now(CLOCK_MONOTONIC) >= deadline) {
                        log_warning("Container did not stop in time, killing it.");
                        (void) pidfd_signal(ct->pidfd, SIGKILL);
                        deadline = USEC_INFINITY;
                }
                for (size_t i = 2; i < 4; i++)
                        if (p[i].fd >= 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                (void) console_relay_io(relay, p[i].fd);
                if (p[1].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == (ssize_t) sizeof(si)) {
                                if (si.ssi_signo == SIGWINCH) {
                                        if (relay)
                                                console_relay_winch(relay);
                                } else if (IN_SET((int) si.ssi_signo, SIGTERM, SIGINT, SIGHUP)) {
                                        if (!stopping) {
                                                stopping = true;
                                                (void) pidfd_signal(ct->pidfd, container_stop_signal(ct));
                                                usec_t t = container_stop_timeout(ct);
                                                if (t != USEC_INFINITY)
                                                        deadline = now(CLOCK_MONOTONIC) + t;
                                        } else
                                                (void) pidfd_signal(ct->pidfd, SIGKILL);
                                }
                        }
                }
                if (p[0].revents & POLLIN) {
                        siginfo_t si = {};
                        if (waitid(P_PIDFD, ct->pidfd, &si, WEXITED) < 0) {
                                if (errno == EINTR)
                                        continue;
                                return log_error_errno(-errno, "Failed to wait for the container: %m");
                        }
                        *ret = si;
                        return 0;
                }
        }
}

int container_run(const RunConfig *config, int *ret_exit_status) {
        RunConfig *c = (RunConfig *) config; /* finalize fills in defaults */
        Container ct;
        ConsoleRelay relay = {};
        bool relaying = false;
        int r, sigfd = -EBADF, status = EXIT_FAILURE;
        sigset_t mask;

        sigemptyset(&mask);
        sigset_add_many(&mask, SIGTERM, SIGINT, SIGHUP, SIGWINCH, SIGCHLD, -1);

        r = container_prepare(&ct, c, false);
        if (r < 0)
                goto finish;
        if (ct.master >= 0 && ct.setup.console == CONSOLE_INTERACTIVE) {
                /* A terminal in raw mode, or pipes (stdin not a tty). */
                if (ct.console_slave_fd >= 0 && fd_nonblock(ct.master, true) < 0) {
                        r = log_error_errno(-errno, "Failed to open the console pty: %m");
                        goto finish;
                }
                console_relay_start(&relay, ct.master);
                relay.drop_input = ct.console_slave_fd >= 0;
                relaying = true;
        } else if (ct.master >= 0) {
                /* Output only, and our terminal (if any) left as it is:
                 * no raw mode, ^C stays a signal to corral-run. */
                relay = (ConsoleRelay) {
                        .master = ct.master,
                        .in_fd = STDIN_FILENO,
                        .out_fd = STDOUT_FILENO,
                        .master_open = true,
                };
                relaying = true;
        }

        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
                r = log_error_errno(-errno, "Failed to block signals: %m");
                goto finish;
        }
        sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sigfd < 0) {
                r = log_error_errno(-errno, "Failed to create a signalfd: %m");
                goto finish;
        }

        for (;;) {
                siginfo_t si = {};
                bool reboot;

                r = container_start(&ct);
                if (r < 0)
                        goto finish;
                usec_t t = now(CLOCK_MONOTONIC);
                r = wait_container(&ct, relaying ? &relay : NULL, sigfd, &si);
                if (r < 0) {
                        container_kill(&ct, NULL);
                        goto finish;
                }
                log_debug("monitor: container ran %" PRIu64 " us", (uint64_t) (now(CLOCK_MONOTONIC) - t));
                status = container_reaped(&ct, &si, &reboot);
                if (!reboot || c->reboot_exit)
                        break;
                log_info("Container '%s' rebooted, starting it again.", c->machine_name);
                if (relaying)
                        relay.master_open = true;
        }
        r = 0;

finish:
        if (relaying) {
                console_relay_drain(&relay);
                console_relay_stop(&relay);
        }
        container_done(&ct);
        safe_close(sigfd);
        (void) sigprocmask(SIG_UNBLOCK, &mask, NULL);
        if (r < 0)
                return r;
        *ret_exit_status = status;
        return 0;
}
