/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PID-1 loop; see supervisor.h. One sd_event, one signal source per
 * handled signal (SIGCHLD among them: we reap with waitid(P_ALL) only,
 * never per-child sources, which would race with it), a notify socket only
 * when the payload's readiness is awaited, and a timer only while
 * stopping: an idle supervisor sleeps in epoll_wait() until a signal. */

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "exit-status.h"
#include "fd-util.h"
#include "kill-all.h"
#include "log.h"
#include "notify.h"
#include "signal-action.h"
#include "signal-util.h"
#include "spawn.h"
#include "string-util.h"
#include "supervisor.h"

#define DEFAULT_STOP_TIMEOUT (10 * USEC_PER_SEC)

typedef struct Supervisor {
        const SupervisorConfig *config;
        sd_event *event;
        sd_event_source *signal_sources[SIGNAL_ACTION_N_HANDLED];
        sd_event_source *stop_timer;
        sd_event_source *notify_source;
        int notify_fd;
        char *notify_address;          /* ours, handed to the payload */
        const char *upstream_notify;   /* where we report, or NULL */

        pid_t self;
        bool pid1;
        pid_t payload;
        bool payload_alive;
        int payload_status;            /* valid once !payload_alive */
        bool exec_failed;              /* payload_status is 126/127, no remap */
        bool stopping;                 /* KillSignal sent on request */
        bool draining;                 /* leftovers got SIGTERM */
        bool killing;                  /* the stop timeout passed: SIGKILL sweeps */
        bool reboot;
        bool ready_sent;
} Supervisor;

static Supervisor *supervisor_free(Supervisor *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(s->signal_sources); i++)
                sd_event_source_disable_unref(s->signal_sources[i]);
        sd_event_source_disable_unref(s->stop_timer);
        sd_event_source_disable_unref(s->notify_source);
        safe_close(s->notify_fd);
        free(s->notify_address);
        sd_event_unref(s->event);
        return mfree(s);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Supervisor *, supervisor_free);

static void notify_upstream(Supervisor *s, const char *message) {
        int r;

        if (!s->upstream_notify)
                return;
        r = notify_send(s->upstream_notify, message);
        if (r < 0)
                log_warning_errno(r, "Failed to notify '%s': %m, ignoring", s->upstream_notify);
}

static void send_ready(Supervisor *s) {
        _cleanup_free_ char *m = NULL;

        if (s->ready_sent || !s->upstream_notify)
                return;
        if (notify_format_ready(s->config->argv[0], &m) < 0) {
                log_oom();
                return;
        }
        notify_upstream(s, m);
        s->ready_sent = true;
}

static int on_stop_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        Supervisor *s = userdata;
        int r;

        if (!s->killing)
                log_notice("Stop timeout reached, killing what is left.");
        s->killing = true;
        r = kill_all_descendants(s->self, SIGKILL, s->pid1);
        if (r < 0)
                log_warning_errno(r, "Failed to kill leftover processes: %m, ignoring");
        /* The payload too, should it have escaped the sweep above. */
        if (s->payload_alive)
                (void) kill(s->payload, SIGKILL);

        /* A process forked while we swept escapes it: sweep again in a
         * second unless the last child is gone by then (the loop ends). */
        r = sd_event_source_set_time_relative(source, USEC_PER_SEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Failed to re-arm the stop timer: %m, ignoring");
        return 0;
}

static void arm_stop_timer(Supervisor *s) {
        usec_t t = s->config->stop_timeout ?: DEFAULT_STOP_TIMEOUT;
        int r;

        if (s->stop_timer || t == USEC_INFINITY)
                return;
        r = sd_event_add_time_relative(s->event, &s->stop_timer, CLOCK_MONOTONIC, t, USEC_PER_MSEC,
                                       on_stop_timeout, s);
        if (r < 0)
                log_error_errno(r, "Failed to arm the stop timer: %m, leftovers will not be killed");
}

/* The payload is gone: everything else gets SIGTERM (and SIGCONT, so that
 * stopped processes can act on it), then SIGKILL when the timer fires. */
static void start_draining(Supervisor *s) {
        int r;

        if (s->draining)
                return;
        s->draining = true;

        r = kill_all_descendants(s->self, SIGTERM, s->pid1);
        if (r < 0)
                log_warning_errno(r, "Failed to stop leftover processes: %m, ignoring");
        else if (r > 0)
                (void) kill_all_descendants(s->self, SIGCONT, s->pid1);
        /* Only called while children are left: whatever the sweep found,
         * they get SIGKILL after the timeout. */
        arm_stop_timer(s);
}

static void payload_ended(Supervisor *s, const siginfo_t *si) {
        int status = exit_status_from_siginfo(si);

        if (status < 0)
                return; /* stopped or continued, not an end */
        s->payload_alive = false;
        if (s->exec_failed)
                return;
        s->payload_status = status;
        if (si->si_code == CLD_EXITED)
                log_info("Payload exited with status %d.", status);
        else
                log_info("Payload died of signal %d, status %d.", si->si_status, status);
}

static int on_sigchld(Supervisor *s) {
        bool children_left = true;

        for (;;) {
                siginfo_t si = {};

                if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != ECHILD)
                                log_warning_errno(-errno, "Failed to reap children: %m, ignoring");
                        else
                                children_left = false;
                        break;
                }
                if (si.si_pid == 0)
                        break;
                if (si.si_pid == s->payload)
                        payload_ended(s, &si);
                else
                        log_debug("Reaped process %d.", (int) si.si_pid);
        }

        if (s->payload_alive)
                return 0;
        if (children_left) {
                start_draining(s);
                return 0;
        }
        log_debug("No process left, exiting.");
        return sd_event_exit(s->event, 0);
}

static void forward_signal(Supervisor *s, int sig) {
        pid_t target = s->config->process_group ? -s->payload : s->payload;

        if (!s->payload_alive)
                return;
        if (kill(target, sig) < 0 && errno != ESRCH)
                log_warning_errno(-errno, "Failed to forward signal %d: %m, ignoring", sig);
}

static void request_stop(Supervisor *s, bool reboot) {
        int sig = s->config->kill_signal > 0 ? s->config->kill_signal : SIGTERM;

        if (reboot)
                s->reboot = true;
        if (s->stopping)
                return;
        s->stopping = true;
        log_info("%s requested, stopping the payload.", reboot ? "Reboot" : "Stop");
        forward_signal(s, sig);
        arm_stop_timer(s);
}

static int on_signal(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata) {
        Supervisor *s = userdata;
        int sig = (int) si->ssi_signo;

        switch (signal_action_of(sig)) {
        case SIGNAL_ACTION_REAP:
                return on_sigchld(s);
        case SIGNAL_ACTION_FORWARD:
                forward_signal(s, sig);
                break;
        case SIGNAL_ACTION_STOP:
                request_stop(s, false);
                break;
        case SIGNAL_ACTION_REBOOT:
                request_stop(s, true);
                break;
        default:
                break;
        }
        return 0;
}

static int on_notify(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Supervisor *s = userdata;
        char buf[4096];
        ssize_t n;

        for (;;) {
                _cleanup_free_ char *status = NULL;

                n = recv(fd, buf, sizeof buf, MSG_DONTWAIT | MSG_TRUNC);
                if (n < 0) {
                        if (errno != EAGAIN && errno != EINTR)
                                log_warning_errno(-errno, "Failed to receive notification: %m, ignoring");
                        return 0;
                }
                if ((size_t) n > sizeof buf)
                        continue; /* truncated: not a message we could trust */

                if (notify_message_status(buf, (size_t) n, &status) > 0) {
                        _cleanup_free_ char *m = strprintf("STATUS=%s\n", status);
                        if (m)
                                notify_upstream(s, m);
                }
                if (notify_message_is_ready(buf, (size_t) n))
                        send_ready(s);
        }
}

static int supervisor_setup(Supervisor *s) {
        int sigs[SIGNAL_ACTION_N_HANDLED];
        size_t n;
        int r;

        r = block_all_async_signals();
        if (r < 0)
                return log_error_errno(r, "Failed to block signals: %m");

        r = sd_event_new(&s->event);
        if (r < 0)
                return log_error_errno(r, "Failed to create event loop: %m");

        n = signal_action_handled(sigs);
        for (size_t i = 0; i < n; i++) {
                r = sd_event_add_signal(s->event, &s->signal_sources[i], sigs[i], on_signal, s);
                if (r < 0)
                        return log_error_errno(r, "Failed to watch signal %d: %m", sigs[i]);
        }

        if (s->pid1)
                return 0;
        /* Not PID 1: orphans must come to us rather than to the host's init. */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
                r = -errno;
                if (s->config->require_subreaper)
                        return log_error_errno(r, "Failed to become a child subreaper: %m");
                log_warning_errno(r, "Not PID 1 and failed to become a child subreaper (%m): "
                                  "orphaned processes will not be reaped, ignoring");
        }
        return 0;
}

static int supervisor_setup_notify(Supervisor *s) {
        int r;

        s->upstream_notify = s->config->notify_socket ?: getenv("NOTIFY_SOCKET");
        if (isempty(s->upstream_notify)) {
                s->upstream_notify = NULL;
                if (s->config->wait_ready)
                        log_warning("Waiting for readiness, but there is no NOTIFY_SOCKET to report it to, ignoring");
                return 0;
        }
        if (!s->config->wait_ready)
                return 0;

        r = notify_listen(&s->notify_fd, &s->notify_address);
        if (r < 0)
                return log_error_errno(r, "Failed to create the payload's notify socket: %m");
        r = sd_event_add_io(s->event, &s->notify_source, s->notify_fd, EPOLLIN, on_notify, s);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the notify socket: %m");
        return 0;
}

int supervisor_run(const SupervisorConfig *c, int *ret_status, SupervisorExit *ret_how) {
        _cleanup_(supervisor_freep) Supervisor *s = NULL;
        _cleanup_free_ char *m = NULL;
        SpawnResult sr;
        int r, status;

        if (!c || !c->argv || !c->argv[0])
                return log_error_errno(-EINVAL, "No payload to run.");

        s = calloc(1, sizeof *s);
        if (!s)
                return log_oom();
        s->config = c;
        s->notify_fd = -EBADF;
        s->self = getpid();
        s->pid1 = s->self == 1;

        r = supervisor_setup(s);
        if (r < 0)
                return r;
        r = supervisor_setup_notify(s);
        if (r < 0)
                return r;

        r = payload_spawn(c, s->notify_address, &sr);
        if (r < 0)
                return log_error_errno(r, "Failed to start '%s': %m", c->argv[0]);
        s->payload = sr.pid;
        s->payload_alive = true;
        if (sr.error < 0) {
                s->exec_failed = true;
                s->payload_status = sr.stage == SPAWN_STAGE_EXEC ?
                        exit_status_from_exec_errno(sr.error) : EXIT_STATUS_CANNOT_EXECUTE;
                log_error_errno(sr.error, "Failed to %s '%s': %m",
                                spawn_stage_to_string(sr.stage), c->argv[0]);
        } else {
                log_debug("Started '%s' as process %d.", c->argv[0], (int) sr.pid);
                if (!c->wait_ready)
                        send_ready(s);
        }

        r = sd_event_loop(s->event);
        if (r < 0)
                /* Cannot happen unless epoll itself breaks; keep the status we have. */
                log_error_errno(r, "Event loop failed: %m");

        status = s->exec_failed ? s->payload_status : exit_status_remap(c->remap_exit, s->payload_status);
        if (s->upstream_notify && notify_format_exit(status, s->reboot, &m) >= 0)
                notify_upstream(s, m);

        *ret_status = status;
        *ret_how = s->reboot ? SUPERVISOR_EXIT_REBOOT : SUPERVISOR_EXIT_NORMAL;
        return 0;
}

int supervisor_finish(int status, SupervisorExit how) {
        if (how != SUPERVISOR_EXIT_REBOOT)
                return status;
        if (getpid() != 1) {
                log_info("Reboot requested, but not PID 1: exiting with status %d.", status);
                return status;
        }
        /* In a PID namespace the kernel ends us with SIGHUP, which our parent reads as "reboot". */
        (void) reboot(RB_AUTOBOOT);
        log_error_errno(-errno, "Failed to reboot: %m, exiting with status %d instead", status);
        return status;
}
