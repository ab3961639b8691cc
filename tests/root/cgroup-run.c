/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-cgroup-run: drives the cgroup module alone, without namespaces,
 * for the root tests and the cgroup benchmark.
 *
 *   corral-cgroup-run --root REL --name NAME [-p KEY=VALUE]... [--kill-after SEC]
 *                     [--stats FILE] [--ready FILE] -- CMD [ARGS...]
 *       creates the machine cgroup, starts CMD in it (CLONE_INTO_CGROUP on
 *       v2, attach by PID on v1), waits until CMD exits (or kills the
 *       whole cgroup after SEC seconds, with SIGKILL or --kill-signal N, and
 *       waits until it is empty), writes the accounting as KEY=VALUE
 *       lines to FILE, removes the cgroup and exits with CMD's status
 *       (128+N for signal N). SIGTERM/SIGINT kill the machine and clean up.
 *       With --cgroupns-mount DIR, CMD runs in new mount and cgroup
 *       namespaces with cgroup_mount_in_container() done on DIR.
 *   corral-cgroup-run --root REL --bench N [-p KEY=VALUE]...
 *       N times create, apply the limits, destroy; prints the mean of each
 *       step in usec. */

#include <fcntl.h>
#include <getopt.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "cgroup.h"
#include "fd-util.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"
#include "time-util.h"

/* In the child, already in its cgroup: the namespaces a container gets
 * and the cgroup mounts systemd inside would see. */
static void enter_namespaces(CgroupContext *c, const char *mount_dir, bool unshare_cgroup) {
        if (!mount_dir)
                return;
        if (unshare(CLONE_NEWNS | (unshare_cgroup ? CLONE_NEWCGROUP : 0)) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                _exit(125);
        if (cgroup_mount_in_container(c, mount_dir) < 0)
                _exit(125);
}

static pid_t start_in_cgroup(CgroupContext *c, CgroupMachine *m, const char *mount_dir, char **argv) {
        int cfd = cgroup_machine_clone_fd(m);
        int p[2];

        if (cfd >= 0) {
                struct clone_args a = {
                        .flags = CLONE_INTO_CGROUP | (mount_dir ? CLONE_NEWCGROUP : 0),
                        .exit_signal = SIGCHLD,
                        .cgroup = (uint64_t) cfd,
                };
                pid_t pid = (pid_t) syscall(SYS_clone3, &a, sizeof(a));
                if (pid < 0)
                        return -errno;
                if (pid == 0) {
                        sigset_t ss;
                        enter_namespaces(c, mount_dir, false);
                        sigemptyset(&ss);
                        sigprocmask(SIG_SETMASK, &ss, NULL);
                        execvp(argv[0], argv);
                        _exit(127);
                }
                return pid;
        }

        /* v1: the child waits until it has been attached everywhere. */
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                char x;
                sigset_t ss;
                close(p[1]);
                if (read(p[0], &x, 1) != 1)
                        _exit(126);
                /* The cgroup namespace only now, so that its root is the
                 * machine's cgroup and not ours. */
                enter_namespaces(c, mount_dir, true);
                sigemptyset(&ss);
                sigprocmask(SIG_SETMASK, &ss, NULL);
                execvp(argv[0], argv);
                _exit(127);
        }
        close(p[0]);
        int r = cgroup_machine_attach(m, pid);
        if (r < 0) {
                kill(pid, SIGKILL);
                close(p[1]);
                return r;
        }
        if (write(p[1], "x", 1) != 1)
                r = -errno;
        close(p[1]);
        return r < 0 ? r : pid;
}

static void write_stats(CgroupMachine *m, const char *path, usec_t kill_usec) {
        CgroupAccounting a;
        if (!path)
                return;
        FILE *f = fopen(path, "we");
        if (!f)
                return;
        if (cgroup_machine_get_accounting(m, &a) >= 0) {
                fprintf(f, "memory_current=%lld\nmemory_peak=%lld\ncpu_usage_nsec=%lld\n",
                        a.memory_current == UINT64_MAX ? -1LL : (long long) a.memory_current,
                        a.memory_peak == UINT64_MAX ? -1LL : (long long) a.memory_peak,
                        a.cpu_usage_nsec == UINT64_MAX ? -1LL : (long long) a.cpu_usage_nsec);
                fprintf(f, "tasks_current=%lld\noom_kills=%lld\n",
                        a.tasks_current == UINT64_MAX ? -1LL : (long long) a.tasks_current,
                        a.oom_kills == UINT64_MAX ? -1LL : (long long) a.oom_kills);
        }
        if (kill_usec != USEC_INFINITY)
                fprintf(f, "kill_usec=%llu\n", (unsigned long long) kill_usec);
        fclose(f);
}

/* Times the three steps a start and a stop pay for: creating the cgroup,
 * applying the limits, removing it. */
static int bench(CgroupContext *c, const CgroupLimits *l, unsigned n) {
        usec_t t_create = 0, t_limits = 0, t_destroy = 0;
        for (unsigned i = 0; i < n; i++) {
                CgroupMachine *m;
                char name[64];
                snprintf(name, sizeof(name), "bench-%d-%u", (int) getpid(), i);
                usec_t t0 = now(CLOCK_MONOTONIC);
                int r = cgroup_machine_create(c, name, NULL, &m);
                if (r < 0)
                        return log_error_errno(r, "Failed to create cgroup '%s': %m", name);
                usec_t t1 = now(CLOCK_MONOTONIC);
                r = cgroup_machine_apply(m, l);
                if (r < 0) {
                        cgroup_machine_destroy(m);
                        return log_error_errno(r, "Failed to apply limits to '%s': %m", name);
                }
                usec_t t2 = now(CLOCK_MONOTONIC);
                r = cgroup_machine_destroy(m);
                if (r < 0)
                        return log_error_errno(r, "Failed to destroy cgroup '%s': %m", name);
                usec_t t3 = now(CLOCK_MONOTONIC);
                t_create += t1 - t0;
                t_limits += t2 - t1;
                t_destroy += t3 - t2;
        }
        printf("create_usec=%.1f limits_usec=%.1f destroy_usec=%.1f\n", (double) t_create / n,
               (double) t_limits / n, (double) t_destroy / n);
        return 0;
}

int main(int argc, char *argv[]) {
        _cleanup_(cgroup_limits_freep) CgroupLimits *limits = NULL;
        _cleanup_(cgroup_context_freep) CgroupContext *c = NULL;
        const char *root = NULL, *name = NULL, *stats = NULL, *ready = NULL, *mountinfo = NULL;
        const char *mount_dir = NULL;
        usec_t kill_after = USEC_INFINITY, kill_usec = USEC_INFINITY;
        unsigned bench_n = 0;
        int r, opt, kill_signal = SIGKILL;

        static const struct option options[] = {
                { "root", required_argument, NULL, 'r' },
                { "name", required_argument, NULL, 'n' },
                { "property", required_argument, NULL, 'p' },
                { "kill-after", required_argument, NULL, 'k' },
                { "stats", required_argument, NULL, 's' },
                { "ready", required_argument, NULL, 'R' },
                { "bench", required_argument, NULL, 'b' },
                { "mountinfo", required_argument, NULL, 'm' },
                { "cgroupns-mount", required_argument, NULL, 'M' },
                { "kill-signal", required_argument, NULL, 'S' },
                {},
        };

        log_set_program_name("corral-cgroup-run");
        log_parse_environment();
        if (cgroup_limits_new(&limits) < 0)
                return 1;
        while ((opt = getopt_long(argc, argv, "+p:", options, NULL)) >= 0)
                switch (opt) {
                case 'r': root = optarg; break;
                case 'n': name = optarg; break;
                case 'p':
                        r = cgroup_limits_parse_assignment(limits, optarg);
                        if (r < 0) {
                                log_error_errno(r, "Invalid property '%s': %m", optarg);
                                return 2;
                        }
                        break;
                case 'k':
                        if (parse_sec(optarg, &kill_after) < 0)
                                return 2;
                        break;
                case 's': stats = optarg; break;
                case 'R': ready = optarg; break;
                case 'm': mountinfo = optarg; break;
                case 'M': mount_dir = optarg; break;
                case 'S':
                        if (parse_int(optarg, &kill_signal) < 0 || kill_signal <= 0)
                                return 2;
                        break;
                case 'b': {
                        uint32_t v;
                        if (parse_uint32(optarg, &v) < 0 || v == 0)
                                return 2;
                        bench_n = v;
                        break;
                }
                default:
                        return 2;
                }

        if (cgroup_context_new(mountinfo, root, &c) < 0)
                return 1;
        if (bench_n > 0)
                return bench(c, limits, bench_n) < 0 ? 1 : 0;
        if (!name || optind >= argc) {
                log_error("Need --name and a command.");
                return 2;
        }

        sigset_t ss;
        sigemptyset(&ss);
        sigaddset(&ss, SIGCHLD);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigprocmask(SIG_BLOCK, &ss, NULL);

        CgroupMachine *m;
        r = cgroup_machine_create(c, name, limits, &m);
        if (r < 0) {
                log_error_errno(r, "Failed to create the cgroup of '%s': %m", name);
                return 1;
        }
        pid_t pid = start_in_cgroup(c, m, mount_dir, argv + optind);
        if (pid < 0) {
                log_error_errno(pid, "Failed to start '%s': %m", argv[optind]);
                cgroup_machine_destroy(m);
                return 1;
        }
        if (ready) {
                FILE *f = fopen(ready, "we");
                if (f) {
                        fprintf(f, "%d\n", (int) pid);
                        fclose(f);
                }
        }

        int status = 0;
        bool exited = false, killed = false;
        usec_t deadline = kill_after == USEC_INFINITY ? USEC_INFINITY : now(CLOCK_MONOTONIC) + kill_after;
        while (!exited) {
                siginfo_t si;
                usec_t n = now(CLOCK_MONOTONIC), left = deadline == USEC_INFINITY ? USEC_PER_SEC
                                                    : deadline > n ? deadline - n : 0;
                struct timespec ts = { .tv_sec = (time_t) (left / USEC_PER_SEC),
                                       .tv_nsec = (long) (left % USEC_PER_SEC) * 1000 };
                int sig = left == 0 ? -1 : sigtimedwait(&ss, &si, &ts);
                if (sig == SIGTERM || sig == SIGINT || (sig < 0 && !killed && deadline != USEC_INFINITY &&
                                                        now(CLOCK_MONOTONIC) >= deadline)) {
                        usec_t t0 = now(CLOCK_MONOTONIC);
                        r = cgroup_machine_kill(m, kill_signal);
                        if (r >= 0)
                                r = cgroup_machine_wait_empty(m, 10 * USEC_PER_SEC);
                        kill_usec = now(CLOCK_MONOTONIC) - t0;
                        if (r < 0)
                                log_error_errno(r, "Failed to kill machine '%s': %m", name);
                        killed = true;
                        deadline = USEC_INFINITY;
                }
                if (waitpid(pid, &status, WNOHANG) == pid)
                        exited = true;
        }

        /* What the leader left behind (paused fork bomb children, ...) is
         * part of the machine too. */
        write_stats(m, stats, kill_usec);
        r = cgroup_machine_destroy(m);
        if (r < 0)
                log_error_errno(r, "Failed to remove the cgroup of '%s': %m", name);
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return WEXITSTATUS(status);
}
