/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One machine's life cycle on the host: monitor spawn, state-file
 * following, stop/reboot/terminate/kill and the restart policy; see
 * machine.h. */

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include <systemd/sd-bus.h>

#include "cgroup.h"
#include "exe-protect.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "machine.h"
#include "monitor.h"
#include "manager.h"
#include "signal-util.h"
#include "string-util.h"

extern char **environ;

static const char *const kill_whom_table[_KILL_WHOM_MAX] = {
        [KILL_LEADER] = "leader",
        [KILL_ALL] = "all",
};

const char *kill_whom_to_string(KillWhom w) {
        if (w < 0 || w >= _KILL_WHOM_MAX)
                return NULL;
        return kill_whom_table[w];
}

KillWhom kill_whom_from_string(const char *s) {
        if (!s)
                return _KILL_WHOM_INVALID;
        for (size_t i = 0; i < ELEMENTSOF(kill_whom_table); i++)
                if (streq(kill_whom_table[i], s))
                        return (KillWhom) i;
        return _KILL_WHOM_INVALID;
}

usec_t machine_restart_delay(usec_t base, unsigned n) {
        usec_t d = MAX(base, MACHINE_RESTART_MIN_USEC);

        /* base * 2^(n-1), without overflowing on a long crash loop. */
        for (unsigned i = 1; i < n && d < MACHINE_RESTART_MAX_USEC; i++)
                d *= 2;
        return MIN(d, MACHINE_RESTART_MAX_USEC);
}

int machine_new(Manager *manager, const char *name, Machine **ret) {
        _cleanup_(machine_freep) Machine *m = NULL;
        int r;

        m = calloc(1, sizeof *m);
        if (!m)
                return -ENOMEM;
        *m = (Machine) {
                .manager = manager,
                .state = MACHINE_STOPPED,
                .monitor_pidfd = -EBADF,
                .leader_pidfd = -EBADF,
                .exit_status = -1,
                .state_watch = -1,
        };
        m->name = strdup(name);
        if (!m->name)
                return -ENOMEM;
        /* The object path escapes the name as sd-bus does (DESIGN.md). */
        r = sd_bus_path_encode("/org/corral/machine1/machine", name, &m->path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static void machine_drop_monitor(Machine *m) {
        m->monitor_source = sd_event_source_disable_unref(m->monitor_source);
        m->monitor_pidfd = safe_close(m->monitor_pidfd);
        m->leader_pidfd = safe_close(m->leader_pidfd);
        m->monitor = 0;
        m->leader = 0;
        m->monitor_is_child = false;
}

Machine *machine_free(Machine *m) {
        if (!m)
                return NULL;
        if (m->manager)
                manager_unwatch_machine(m->manager, m);
        m->timer = sd_event_source_disable_unref(m->timer);
        machine_drop_monitor(m);
        cgroup_machine_free(m->cgroup);
        machine_definition_unref(m->definition);
        machine_definition_unref(m->active_definition);
        free(m->error);
        free(m->path);
        free(m->name);
        return mfree(m);
}

char *machine_state_dir(const Machine *m) {
        return strprintf("run/corral/machines/%s", m->name);
}

bool machine_get_autostart(const Machine *m) {
        int r = manager_get_autostart_override(m->manager, m->name);
        if (r >= 0)
                return r > 0;
        return m->definition && m->definition->autostart;
}

int machine_get_cgroup(Machine *m, CgroupMachine **ret) {
        CgroupContext *c;
        int r;

        if (!m->cgroup) {
                r = manager_get_cgroup_context(m->manager, &c);
                if (r < 0)
                        return r;
                r = cgroup_machine_open(c, m->name, &m->cgroup);
                if (r < 0)
                        return r;
        }
        *ret = m->cgroup;
        return 0;
}

static void machine_set_error(Machine *m, const char *fmt, ...) _printf_(2, 3);
static void machine_set_error(Machine *m, const char *fmt, ...) {
        va_list ap;
        char *s = NULL;

        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) < 0)
                s = NULL;
        va_end(ap);
        free(m->error);
        m->error = s;
}

static void machine_set_state(Machine *m, MachineState s) {
        if (m->state == s)
                return;
        log_debug("Machine '%s': %s -> %s.", m->name, machine_state_to_string(m->state),
                  machine_state_to_string(s));
        m->state = s;
        manager_notify_changed(m->manager, m);
}

/* Starts the monitor in a session of its own (so that a signal to
 * corrald's process group or session never reaches it) with an empty
 * signal mask and default dispositions; it inherits stderr for its log
 * messages and nothing else. A failed exec shows up as the monitor
 * exiting with 127 without a state file. */
static char **monitor_env(const Machine *m) {
        _cleanup_strv_free_ char **env = NULL;
        char *rc;

        env = strv_copy(environ);
        if (!env)
                return NULL;
        /* The service manager talks to corrald only: a monitor must not
         * report readiness or take sockets meant for corrald. */
        static const char *const service_vars[] = { "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
                                                    "WATCHDOG_PID", "WATCHDOG_USEC" };
        for (size_t i = 0; i < ELEMENTSOF(service_vars); i++)
                (void) strv_env_unset(env, service_vars[i]);
        STRV_FOREACH(e, m->manager->monitor_env)
                if (strv_env_set(&env, *e) < 0)
                        return NULL;
        rc = strprintf("CORRAL_RESTART_COUNT=%u", m->restart_count);
        if (!rc || strv_env_set(&env, rc) < 0) {
                free(rc);
                return NULL;
        }
        free(rc);
        return TAKE_PTR(env);
}

/* No cleanup variables in here: vfork() and cleanup attributes do not mix.
 * Executes path with argv. An environment with exe-protect's entry means
 * path is corral-run-real: the child then enters the read-only view first,
 * as the corral-run launcher would (the entry and the namespace go
 * together, so neither is ever had without the other). */
static int spawn_detached(const Manager *mgr, const char *path, const char *const argv[], char **env,
                          pid_t *ret_pid, int *ret_pidfd) {
        pid_t pid;
        int pidfd, r;

        /* vfork() rather than fork(): no copy of corrald's page tables,
         * which is most of corrald's cost of a start. The child shares our
         * memory until it execs, so it only makes system calls (corrald has
         * no signal handlers: its signals arrive through signalfd). */
        pid = vfork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int fd;

                (void) setsid();
                (void) reset_all_signal_handlers();
                (void) reset_signal_mask();
                fd = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd >= 0) {
                        (void) dup2(fd, STDIN_FILENO);
                        (void) dup2(fd, STDOUT_FILENO);
                }
                (void) close_all_fds_except(NULL, 0);
                /* After the fds are sorted out: below the limit corrald was
                 * started with, its own fds may leave no room. */
                manager_child_reset_rlimits(mgr);
                if (strv_contains(env, EXE_PROTECT_SPAWN_ENTRY) && exe_protect_spawn_child() < 0)
                        _exit(127);
                execve(path, (char **) argv, env);
                _exit(127);
        }

        /* Our own child, not yet reaped: its PID cannot have been reused. */
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = -errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        *ret_pidfd = pidfd;
        return 0;
}

static int machine_spawn_monitor(Machine *m, pid_t *ret_pid, int *ret_pidfd) {
        Manager *mgr = m->manager;
        _cleanup_strv_free_ char **env = monitor_env(m);
        _cleanup_free_ char *real = NULL;
        const char *argv[] = { mgr->corral_run, "--monitor", "--machine", m->name, "--root", mgr->root, NULL };

        if (!env)
                return -ENOMEM;
        /* The monitor is corral-run-real behind the static launcher: doing
         * the launcher's step in our child saves an exec per start. Any
         * other --corral-run (a wrapper, say) is executed as given. The
         * argv stays the launcher's, so ps shows the same command line. */
        _cleanup_free_ char *launcher = realpath(mgr->corral_run, NULL);
        if (launcher && streq(basename(launcher), "corral-run") && exe_protect_find_real(launcher, &real) >= 0) {
                if (strv_env_set(&env, EXE_PROTECT_SPAWN_ENTRY) < 0)
                        return -ENOMEM;
        } else
                (void) strv_env_unset(env, EXE_PROTECT_ENV);
        return spawn_detached(mgr, real ?: mgr->corral_run, argv, env, ret_pid, ret_pidfd);
}

static int machine_arm_timer(Machine *m, usec_t delay, sd_event_time_handler_t handler) {
        m->timer = sd_event_source_disable_unref(m->timer);
        return sd_event_add_time_relative(m->manager->event, &m->timer, CLOCK_MONOTONIC, delay,
                                          10 * USEC_PER_MSEC, handler, m);
}

static int on_monitor_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static int machine_watch_monitor(Machine *m) {
        return sd_event_add_io(m->manager->event, &m->monitor_source, m->monitor_pidfd, EPOLLIN,
                               on_monitor_exit, m);
}

static int machine_do_start(Machine *m) {
        _cleanup_free_ char *dir = NULL;
        pid_t pid = 0;
        int pidfd = -EBADF, r;

        if (!m->definition)
                return -ENOENT;

        dir = machine_state_dir(m);
        if (!dir)
                return -ENOMEM;
        r = mkdir_p_at(m->manager->root_fd, dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s' for machine '%s': %m", dir, m->name);
        /* The watch exists before the monitor can write anything. */
        r = manager_watch_machine(m->manager, m);
        if (r < 0)
                return r;

        machine_definition_unref(m->active_definition);
        m->active_definition = machine_definition_ref(m->definition);
        m->stop_requested = false;
        m->stop_killed_leader = false;
        m->restart_pending = false;
        m->timer = sd_event_source_disable_unref(m->timer);
        m->start_monotonic = now(CLOCK_MONOTONIC);

        usec_t t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
        r = machine_spawn_monitor(m, &pid, &pidfd);
        if (r < 0) {
                machine_set_error(m, "Failed to start monitor '%s': %s", m->manager->corral_run, strerror(-r));
                machine_set_state(m, MACHINE_FAILED);
                return log_error_errno(r, "Machine '%s': failed to start monitor '%s': %m", m->name,
                                       m->manager->corral_run);
        }
        m->monitor = pid;
        m->monitor_pidfd = pidfd;
        m->monitor_is_child = true;
        r = machine_watch_monitor(m);
        if (r < 0) {
                (void) pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
                machine_drop_monitor(m);
                machine_set_state(m, MACHINE_FAILED);
                return r;
        }
        free(m->error);
        m->error = NULL;
        log_info("Machine '%s': started monitor (PID %d) in %llu us (%llu us CPU).", m->name, (int) pid,
                 (unsigned long long) (now(CLOCK_MONOTONIC) - t0),
                 (unsigned long long) (now(CLOCK_THREAD_CPUTIME_ID) - c0));
        machine_set_state(m, MACHINE_STARTING);
        return 0;
}

int machine_start(Machine *m) {
        if (IN_SET(m->state, MACHINE_STARTING, MACHINE_RUNNING))
                return -EALREADY;
        if (m->state == MACHINE_STOPPING)
                return -EBUSY;
        if (!m->definition)
                return -ENOENT;
        /* A start by hand resets the backoff of a crash loop. */
        m->failures = 0;
        return machine_do_start(m);
}

static int on_restart_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Machine *m = userdata;
        int r;

        m->timer = sd_event_source_disable_unref(m->timer);
        if (!m->restart_pending)
                return 0;
        m->restart_pending = false;
        m->restart_count++;
        r = machine_do_start(m);
        if (r < 0)
                log_warning_errno(r, "Machine '%s': restart failed: %m", m->name);
        return 0;
}

/* The stop backstop, in two steps: the container (SIGKILL of a PID
 * namespace's init takes every process in it along), so that its monitor
 * still records the end and removes the cgroup; the monitor itself only
 * if it has not exited a grace period later. On a host busy stopping a
 * thousand machines, a monitor killed in the middle of its clean-up
 * would leave the cgroup and its sockets behind. */
static int on_stop_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Machine *m = userdata;

        m->timer = sd_event_source_disable_unref(m->timer);
        if (m->state != MACHINE_STOPPING)
                return 0;
        if (!m->stop_killed_leader && m->leader_pidfd >= 0) {
                log_warning("Machine '%s' did not stop in time, killing it.", m->name);
                m->stop_killed_leader = true;
                (void) pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0);
                if (machine_arm_timer(m, MACHINE_STOP_GRACE_USEC, on_stop_timeout) >= 0)
                        return 0;
        }
        log_warning("Machine '%s': its monitor did not exit, killing it.", m->name);
        if (m->leader_pidfd >= 0)
                (void) pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0);
        if (m->monitor_pidfd >= 0)
                (void) pidfd_send_signal(m->monitor_pidfd, SIGKILL, NULL, 0);
        return 0;
}

static usec_t machine_stop_timeout(const Machine *m) {
        const MachineDefinition *d = m->active_definition ?: m->definition;
        usec_t t = d && d->stop_timeout > 0 ? d->stop_timeout : 10 * USEC_PER_SEC;
        return t + MACHINE_STOP_GRACE_USEC;
}

int machine_stop(Machine *m) {
        int r;

        if (IN_SET(m->state, MACHINE_STOPPED, MACHINE_FAILED)) {
                if (!m->restart_pending)
                        return -EALREADY;
                /* Stopping a machine that waits for its restart cancels it. */
                m->restart_pending = false;
                m->timer = sd_event_source_disable_unref(m->timer);
                machine_set_state(m, MACHINE_STOPPED);
                return 0;
        }
        if (m->state == MACHINE_STOPPING)
                return 0;
        if (m->monitor_pidfd < 0)
                return -ESRCH;

        m->stop_requested = true;
        /* corral-run turns SIGTERM into the container's clean stop and
         * exits with its status (DESIGN.md, exit contract). */
        r = RET_NERRNO(pidfd_send_signal(m->monitor_pidfd, SIGTERM, NULL, 0));
        if (r < 0 && r != -ESRCH)
                return r;
        r = machine_arm_timer(m, machine_stop_timeout(m), on_stop_timeout);
        if (r < 0)
                return r;
        machine_set_state(m, MACHINE_STOPPING);
        return 0;
}

int machine_terminate(Machine *m) {
        int r;

        if (IN_SET(m->state, MACHINE_STOPPED, MACHINE_FAILED))
                return machine_stop(m);
        m->stop_requested = true;
        m->stop_killed_leader = true;
        if (m->leader_pidfd >= 0)
                r = RET_NERRNO(pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0));
        else
                r = RET_NERRNO(pidfd_send_signal(m->monitor_pidfd, SIGKILL, NULL, 0));
        if (r < 0 && r != -ESRCH)
                return r;
        /* The monitor exits once its container is gone; kill it too if not. */
        (void) machine_arm_timer(m, MACHINE_STOP_GRACE_USEC, on_stop_timeout);
        machine_set_state(m, MACHINE_STOPPING);
        return 0;
}

int machine_reboot(Machine *m) {
        if (m->state != MACHINE_RUNNING || m->leader_pidfd < 0)
                return -ESRCH;
        /* SIGINT to the container's PID 1 is the reboot request of the
         * kernel's PID-namespace protocol (DESIGN.md); the monitor starts
         * the container again. */
        return RET_NERRNO(pidfd_send_signal(m->leader_pidfd, SIGINT, NULL, 0));
}

int machine_kill(Machine *m, KillWhom whom, int sig) {
        CgroupMachine *cg;
        int r;

        if (!IN_SET(m->state, MACHINE_RUNNING, MACHINE_STARTING, MACHINE_STOPPING))
                return -ESRCH;
        if (whom == KILL_LEADER) {
                if (m->leader_pidfd < 0)
                        return -ESRCH;
                return RET_NERRNO(pidfd_send_signal(m->leader_pidfd, sig, NULL, 0));
        }
        r = machine_get_cgroup(m, &cg);
        if (r < 0)
                return r;
        r = cgroup_machine_kill(cg, sig);
        return r < 0 ? r : 0;
}

static int machine_open_leader(Machine *m, pid_t leader) {
        if (leader <= 0 || (m->leader == leader && m->leader_pidfd >= 0))
                return 0;
        m->leader_pidfd = safe_close(m->leader_pidfd);
        m->leader = leader;
        m->leader_pidfd = pidfd_open(leader, 0);
        if (m->leader_pidfd < 0) {
                int r = -errno;
                m->leader = 0;
                return r;
        }
        return 0;
}

static int machine_read_state_file(Machine *m, MachineStateFile *ret) {
        _cleanup_free_ char *dir = machine_state_dir(m);
        _cleanup_close_ int dfd = -EBADF;

        if (!dir)
                return -ENOMEM;
        dfd = openat(m->manager->root_fd, dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return machine_state_file_read(dfd, ret);
}

/* The monitor is gone: its state file, and the sockets a monitor that
 * was killed could not remove (the console log stays, for logs/status). */
static void machine_remove_state_file(Machine *m) {
        _cleanup_free_ char *dir = machine_state_dir(m);
        _cleanup_close_ int dfd = -EBADF;

        if (!dir)
                return;
        dfd = openat(m->manager->root_fd, dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dfd < 0)
                return;
        (void) unlinkat(dfd, "state", 0);
        (void) unlinkat(dfd, "notify", 0);
        (void) unlinkat(dfd, MONITOR_CONSOLE_SOCKET, 0);
}

void machine_state_changed(Machine *m) {
        MachineStateFile f;
        int r;

        if (m->monitor_pidfd < 0)
                return;
        r = machine_read_state_file(m, &f);
        if (r < 0)
                return; /* not written yet, or mid-rename: the next event tells */

        if (f.leader > 0 && f.leader != m->leader) {
                r = machine_open_leader(m, f.leader);
                if (r < 0)
                        log_debug_errno(r, "Machine '%s': cannot open leader %d: %m", m->name, (int) f.leader);
                manager_notify_changed(m->manager, m);
        }
        if (f.state == MACHINE_RUNNING && m->state == MACHINE_STARTING) {
                m->timestamp = f.timestamp > 0 ? f.timestamp : now(CLOCK_REALTIME);
                machine_set_state(m, MACHINE_RUNNING);
        } else if (f.state == MACHINE_STARTING && m->state == MACHINE_RUNNING) {
                /* Rebooted in place by the monitor. */
                machine_set_state(m, MACHINE_STARTING);
        }
}

/* How the last run ended: from the state file the monitor wrote last
 * (authoritative: it knows the container's status), else from the
 * monitor's own exit status when it was our child. */
static int machine_collect_exit(Machine *m, bool *ret_clean_record) {
        MachineStateFile f;
        siginfo_t si = {};
        int status = -1;

        if (m->monitor_is_child &&
            waitid((idtype_t) P_PIDFD, (id_t) m->monitor_pidfd, &si, WEXITED | WNOHANG) >= 0 && si.si_pid > 0)
                status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;

        *ret_clean_record = false;
        if (machine_read_state_file(m, &f) >= 0 && IN_SET(f.state, MACHINE_STOPPED, MACHINE_FAILED) &&
            f.exit_status >= 0) {
                status = f.exit_status;
                *ret_clean_record = true;
        }
        return status;
}

static void machine_schedule_restart(Machine *m, bool failed) {
        const MachineDefinition *d = m->definition;
        usec_t delay;

        if (!d || !(d->restart == RESTART_ALWAYS || (d->restart == RESTART_ON_FAILURE && failed)))
                return;
        if (now(CLOCK_MONOTONIC) - m->start_monotonic >= MACHINE_RESTART_RESET_USEC)
                m->failures = 0;
        m->failures++;
        delay = machine_restart_delay(d->restart_sec, m->failures);
        if (machine_arm_timer(m, delay, on_restart_timer) < 0) {
                log_error("Machine '%s': cannot schedule restart.", m->name);
                return;
        }
        m->restart_pending = true;
        log_info("Machine '%s': restart %u in %llu ms.", m->name, m->restart_count + 1,
                 (unsigned long long) (delay / USEC_PER_MSEC));
}

/* The monitor is gone: record how the run ended, then apply the policy. */
static void machine_monitor_gone(Machine *m) {
        bool recorded;
        int status = machine_collect_exit(m, &recorded);
        bool requested = m->stop_requested, failed;

        /* A monitor that died without recording an end (SIGKILLed) may
         * leave its container behind: do not keep it as an orphan. */
        if (!recorded && m->leader_pidfd >= 0)
                (void) pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0);

        machine_drop_monitor(m);
        m->timer = sd_event_source_disable_unref(m->timer);
        m->cgroup = cgroup_machine_free(m->cgroup);
        machine_remove_state_file(m);
        m->exit_status = status;
        m->stop_requested = false;

        if (!requested && status == 133) {
                /* corral-run's "reboot requested": start again at once. */
                log_info("Machine '%s' asked for a reboot.", m->name);
                machine_set_state(m, MACHINE_STOPPED);
                if (machine_do_start(m) < 0)
                        machine_set_state(m, MACHINE_FAILED);
                return;
        }

        failed = !requested && status != 0;
        if (failed) {
                if (status == 127 && !recorded)
                        machine_set_error(m, "Failed to execute the monitor '%s'.", m->manager->corral_run);
                else if (status < 0)
                        machine_set_error(m, "The monitor ended without recording an exit status.");
                else
                        machine_set_error(m, "The machine exited with status %d.", status);
        }
        log_info("Machine '%s' %s (status %d).", m->name, failed ? "failed" : "stopped", status);
        machine_set_state(m, failed ? MACHINE_FAILED : MACHINE_STOPPED);
        if (!requested)
                machine_schedule_restart(m, failed);
        manager_gc(m->manager);
}

static int on_monitor_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Machine *m = userdata;

        /* The last state the monitor wrote may not have been read yet. */
        machine_state_changed(m);
        machine_monitor_gone(m);
        return 0;
}

int machine_adopt(Machine *m, const MachineStateFile *f) {
        int r;

        m->monitor = f->monitor;
        m->monitor_is_child = false;
        m->monitor_pidfd = f->monitor > 0 ? pidfd_open(f->monitor, 0) : -EBADF;
        /* A leader that is no longer the recorded process (start time) means
         * the machine is gone and its PIDs may have been reused: then the
         * monitor PID is not trusted either. */
        if (m->monitor_pidfd >= 0 && f->leader > 0 && f->leader_starttime > 0 &&
            IN_SET(f->state, MACHINE_STARTING, MACHINE_RUNNING) &&
            process_is_same(f->leader, f->leader_starttime) == 0)
                m->monitor_pidfd = safe_close(m->monitor_pidfd);
        m->restart_count = f->restart_count;
        m->start_monotonic = now(CLOCK_MONOTONIC);
        m->timestamp = f->timestamp;
        m->exit_status = f->exit_status;

        if (m->monitor_pidfd < 0 || IN_SET(f->state, MACHINE_STOPPED, MACHINE_FAILED)) {
                /* The monitor is gone (or finishing): whatever it recorded last is how
                 * the run ended, while corrald was away. */
                m->monitor_pidfd = safe_close(m->monitor_pidfd);
                m->monitor = 0;
                if (IN_SET(f->state, MACHINE_STOPPED, MACHINE_FAILED) && f->exit_status >= 0) {
                        m->exit_status = f->exit_status;
                        m->state = f->exit_status == 0 ? MACHINE_STOPPED : MACHINE_FAILED;
                        if (m->state == MACHINE_FAILED)
                                machine_set_error(m, "The machine exited with status %d while corrald was down.",
                                                  f->exit_status);
                } else {
                        m->state = MACHINE_FAILED;
                        machine_set_error(m, "The monitor vanished without recording an exit status.");
                        if (f->leader > 0 && process_is_same(f->leader, f->leader_starttime) > 0 &&
                            machine_open_leader(m, f->leader) >= 0)
                                (void) pidfd_send_signal(m->leader_pidfd, SIGKILL, NULL, 0);
                        m->leader_pidfd = safe_close(m->leader_pidfd);
                        m->leader = 0;
                }
                machine_remove_state_file(m);
                log_info("Machine '%s': collected exit status %d recorded while corrald was down.", m->name,
                         m->exit_status);
                if (m->state == MACHINE_FAILED || (m->definition && m->definition->restart == RESTART_ALWAYS))
                        machine_schedule_restart(m, m->state == MACHINE_FAILED);
                return 0;
        }

        r = manager_watch_machine(m->manager, m);
        if (r < 0)
                return r;
        r = machine_watch_monitor(m);
        if (r < 0)
                return r;
        machine_definition_unref(m->active_definition);
        m->active_definition = machine_definition_ref(m->definition);
        if (f->leader > 0)
                (void) machine_open_leader(m, f->leader);
        m->state = f->state == MACHINE_RUNNING ? MACHINE_RUNNING :
                   f->state == MACHINE_STOPPING ? MACHINE_STOPPING : MACHINE_STARTING;
        if (m->state == MACHINE_STOPPING) {
                /* It was being stopped when we went away: keep it that way. */
                m->stop_requested = true;
                (void) machine_arm_timer(m, machine_stop_timeout(m), on_stop_timeout);
        }
        log_info("Adopted machine '%s' (monitor %d, leader %d, %s).", m->name, (int) m->monitor,
                 (int) m->leader, machine_state_to_string(m->state));
        manager_notify_changed(m->manager, m);
        return 0;
}
