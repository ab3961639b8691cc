/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor of one machine started by corrald: state file, notify
 * socket, console log and console socket around container_run(); see
 * monitor.h. */

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <systemd/sd-event.h>

#include "console-log.h"
#include "container.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "machine-state.h"
#include "monitor.h"
#include "notify.h"
#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"

typedef struct MachineMonitor {
        RunConfig *config;
        Container ct;        /* the container: this process is its PID 1's parent */
        bool prepared;       /* ct holds something to free */
        sd_event *event;
        int dirfd;
        MachineStateFile state;
        ConsoleLog *log;

        int console_listen_fd;
        int console_client_fd; /* the one attached client, or -EBADF */
        int notify_fd;

        sd_event_source *log_source;
        sd_event_source *console_listen_source;
        sd_event_source *console_client_source;
        sd_event_source *notify_source;
        sd_event_source *leader_source;
        sd_event_source *stop_timer;

        bool wait_ready;     /* running only after READY=1 */
        bool ready;          /* READY=1 seen for the current leader */
        bool stopping;
        bool had_leader;     /* a new leader after one is a reboot in place */
        bool log_cr;         /* the last output ended in a '\r' not yet logged */
} MachineMonitor;

static void monitor_done(MachineMonitor *m) {
        log_set_hook(NULL, NULL);
        sd_event_source_disable_unref(m->log_source);
        sd_event_source_disable_unref(m->console_listen_source);
        sd_event_source_disable_unref(m->console_client_source);
        sd_event_source_disable_unref(m->notify_source);
        sd_event_source_disable_unref(m->leader_source);
        sd_event_source_disable_unref(m->stop_timer);
        if (m->prepared)
                container_done(&m->ct);
        console_log_free(m->log);
        safe_close(m->console_listen_fd);
        safe_close(m->console_client_fd);
        safe_close(m->notify_fd);
        safe_close(m->dirfd);
        sd_event_unref(m->event);
}

static void monitor_write_state(MachineMonitor *m, MachineState s) {
        int r;

        m->state.state = s;
        r = machine_state_file_write(m->dirfd, &m->state);
        if (r < 0)
                log_warning_errno(r, "Failed to write the state file of '%s', ignoring: %m", m->config->machine_name);
}

static void monitor_log_write(MachineMonitor *m, const char *buf, size_t n) {
        int r = console_log_write(m->log, buf, n);
        if (r < 0)
                log_warning_errno(r, "Failed to write the console log, ignoring: %m");
}

/* The console pty turns "\n" into "\r\n" (right for a terminal that is
 * attached); the log gets plain lines, as from a pipe, so that logs and
 * status show them as the machine printed them. A lone '\r' stays. */
static void monitor_log_bytes(MachineMonitor *m, const char *buf, size_t n) {
        const char *end = buf + n, *start = buf;

        if (n == 0)
                return;
        if (m->log_cr) {
                m->log_cr = false;
                if (*buf != '\n')
                        monitor_log_write(m, "\r", 1);
        }
        for (const char *p = buf; p < end; p++) {
                if (*p != '\r')
                        continue;
                if (p + 1 == end) {
                        monitor_log_write(m, start, (size_t) (p - start));
                        m->log_cr = true;
                        return;
                }
                if (p[1] == '\n') {
                        monitor_log_write(m, start, (size_t) (p - start));
                        start = p + 1;
                }
        }
        monitor_log_write(m, start, (size_t) (end - start));
}

static void console_client_drop(MachineMonitor *m) {
        m->console_client_source = sd_event_source_disable_unref(m->console_client_source);
        m->console_client_fd = safe_close(m->console_client_fd);
}

/* Output goes to the attached client as well as to the log, without ever
 * waiting: a client that does not keep up loses bytes (the log has
 * them all), the container never stalls on it. */
static void console_client_send(MachineMonitor *m, const char *buf, size_t n) {
        while (m->console_client_fd >= 0 && n > 0) {
                ssize_t k = send(m->console_client_fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno != EAGAIN)
                                console_client_drop(m);
                        return;
                }
                buf += k;
                n -= (size_t) k;
        }
}

/* The client's keystrokes become the container's console input. A
 * container that does not read its console fills the pty; then input is
 * dropped, never waited for. */
static int on_console_client(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MachineMonitor *m = userdata;
        char buf[4096];
        ssize_t k;

        k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (k < 0 && IN_SET(errno, EINTR, EAGAIN))
                return 0;
        if (k <= 0) {
                console_client_drop(m);
                return 0;
        }
        if (write(m->ct.master, buf, (size_t) k) < 0 && errno != EAGAIN)
                log_debug_errno(-errno, "Failed to pass console input on, ignoring: %m");
        return 0;
}

/* One client at a time; a new connection takes the console over from
 * the previous one (which sees EOF), so that a stale client can never
 * lock the console. */
static int on_console_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MachineMonitor *m = userdata;
        _cleanup_close_ int c = -EBADF;
        int r;

        c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0)
                return 0;
        console_client_drop(m);
        r = sd_event_add_io(m->event, &m->console_client_source, c, EPOLLIN, on_console_client, m);
        if (r < 0) {
                log_warning_errno(r, "Failed to watch a console client, ignoring: %m");
                return 0;
        }
        m->console_client_fd = TAKE_FD(c);
        return 0;
}

static int on_log(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MachineMonitor *m = userdata;
        char buf[16384];

        for (;;) {
                ssize_t k = read(fd, buf, sizeof buf);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        k = 0;
                }
                if (k == 0) {
                        m->log_source = sd_event_source_disable_unref(m->log_source);
                        return 0;
                }
                monitor_log_bytes(m, buf, (size_t) k);
                console_client_send(m, buf, (size_t) k);
        }
}

static void monitor_maybe_running(MachineMonitor *m) {
        if (m->state.state != MACHINE_STARTING || m->state.leader <= 0)
                return;
        if (m->wait_ready && !m->ready)
                return;
        m->state.timestamp = now(CLOCK_REALTIME);
        monitor_write_state(m, MACHINE_RUNNING);
        log_debug("Machine '%s' is running (leader %d).", m->config->machine_name, (int) m->state.leader);
}

static int on_notify(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MachineMonitor *m = userdata;
        char buf[4096];
        union {
                struct cmsghdr h;
                char b[CMSG_SPACE(sizeof(struct ucred))];
        } control;

        for (;;) {
                struct iovec iov = { buf, sizeof buf - 1 };
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof control,
                };
                ssize_t k = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
                if (k < 0)
                        return 0;
                /* Nobody may pass us fds through this socket. */
                for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                                int *fds = (int *) CMSG_DATA(c);
                                size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                                close_many(fds, n);
                        }
                if ((size_t) k >= sizeof buf)
                        continue;
                if (notify_message_is_ready(buf, (size_t) k)) {
                        m->ready = true;
                        monitor_maybe_running(m);
                }
        }
}

/* The last words of the container go to the log first. */
static void monitor_drain_log(MachineMonitor *m) {
        if (m->log_source)
                (void) on_log(m->log_source, m->ct.master, EPOLLIN, m);
        if (m->log_cr)
                monitor_log_write(m, "\r", 1);
        m->log_cr = false;
}

static int monitor_finish(MachineMonitor *m, int status) {
        monitor_drain_log(m);
        m->state.exit_status = status;
        m->state.leader = 0;
        m->state.leader_starttime = 0;
        monitor_write_state(m, status == 0 ? MACHINE_STOPPED : MACHINE_FAILED);
        return sd_event_exit(m->event, status);
}

static int on_leader_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* One boot of the container; a new PID 1 after the first one is a
 * reboot in place, which must report READY=1 again. */
static int monitor_boot(MachineMonitor *m) {
        int r;

        r = container_start(&m->ct);
        if (r < 0)
                return r;
        /* The start's temporary memory (the seccomp filter is built and
         * compiled per boot) goes back to the system: with a thousand
         * machines, each monitor's idle heap is what counts. */
        (void) malloc_trim(0);
        r = sd_event_add_io(m->event, &m->leader_source, m->ct.pidfd, EPOLLIN, on_leader_exit, m);
        if (r < 0) {
                container_kill(&m->ct, NULL);
                return log_error_errno(r, "Failed to watch the container: %m");
        }
        m->ready = false;
        m->state.leader = m->ct.pid;
        if (m->had_leader)
                m->state.restart_count++;
        m->had_leader = true;
        (void) process_get_starttime(m->ct.pid, &m->state.leader_starttime);
        if (!m->stopping)
                monitor_write_state(m, MACHINE_STARTING);
        monitor_maybe_running(m);
        return 0;
}

static int on_leader_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MachineMonitor *m = userdata;
        siginfo_t si = {};
        bool reboot;
        int r;

        if (waitid((idtype_t) P_PIDFD, (id_t) fd, &si, WEXITED | WNOHANG) < 0) {
                if (errno == EINTR)
                        return 0;
                log_error_errno(-errno, "Failed to wait for the container: %m");
                container_kill(&m->ct, &si);
        } else if (si.si_pid == 0)
                return 0;
        m->leader_source = sd_event_source_disable_unref(m->leader_source);
        m->stop_timer = sd_event_source_disable_unref(m->stop_timer);
        m->state.leader = 0;
        m->state.leader_starttime = 0;
        m->ready = false;

        int status = container_reaped(&m->ct, &si, &reboot);
        if (!reboot || m->stopping)
                return monitor_finish(m, status);
        log_info("Container '%s' rebooted, starting it again.", m->config->machine_name);
        r = monitor_boot(m);
        if (r < 0)
                return monitor_finish(m, EXIT_FAILURE);
        return 0;
}

static int on_stop_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        MachineMonitor *m = userdata;

        log_warning("Container did not stop in time, killing it.");
        if (m->ct.pidfd >= 0)
                (void) pidfd_send_signal(m->ct.pidfd, SIGKILL, NULL, 0);
        return 0;
}

/* The first SIGTERM/SIGINT/SIGHUP is a clean stop with the container's
 * stop timeout, a second one kills it. */
static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        MachineMonitor *m = userdata;

        if (m->stopping) {
                if (m->ct.pidfd >= 0)
                        (void) pidfd_send_signal(m->ct.pidfd, SIGKILL, NULL, 0);
                return 0;
        }
        m->stopping = true;
        monitor_write_state(m, MACHINE_STOPPING);
        if (m->ct.pidfd < 0)
                return 0;
        (void) pidfd_send_signal(m->ct.pidfd, container_stop_signal(&m->ct), NULL, 0);
        usec_t t = container_stop_timeout(&m->ct);
        if (t != USEC_INFINITY) {
                int r = sd_event_add_time_relative(m->event, &m->stop_timer, CLOCK_MONOTONIC, t, 0,
                                                   on_stop_timeout, m);
                if (r < 0)
                        log_warning_errno(r, "Failed to arm the stop timeout, ignoring: %m");
        }
        return 0;
}

/* Our own messages (a failed start, a reboot, a stop that timed out) are
 * part of the machine's story: they go to its log and attached client too. */
static void monitor_log_hook(int level, const char *line, size_t n, void *userdata) {
        MachineMonitor *m = userdata;

        monitor_log_bytes(m, line, n);
        console_client_send(m, line, n);
}

/* dir/console: a stream socket on which one client at a time gets the
 * console (monitor.h). Root only: the console is a root shell's worth. */
static int open_console_socket(int dirfd, const char *dir, int *ret) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *path = strprintf("%s/" MONITOR_CONSOLE_SOCKET, dir);

        if (!path)
                return -ENOMEM;
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        (void) unlinkat(dirfd, MONITOR_CONSOLE_SOCKET, 0);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -errno;
        if (fchmodat(dirfd, MONITOR_CONSOLE_SOCKET, 0600, 0) < 0 || listen(fd, 4) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

static int open_notify_socket(int dirfd, const char *dir, int *ret) {
        _cleanup_close_ int fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *path = strprintf("%s/notify", dir);
        int one = 1;

        if (!path)
                return -ENOMEM;
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        (void) unlinkat(dirfd, "notify", 0);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0)
                return -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

/* The state directory must not be taken over from a monitor that still runs. */
static int check_not_running(MachineMonitor *m) {
        MachineStateFile f;

        if (machine_state_file_read(m->dirfd, &f) < 0)
                return 0;
        if (IN_SET(f.state, MACHINE_STOPPED, MACHINE_FAILED) || f.monitor <= 0 || f.monitor == getpid())
                return 0;
        if (process_is_same(f.monitor, 0) > 0)
                return -EBUSY;
        return 0;
}

static int setup_config(RunConfig *c) {
        BindMount *b;
        _cleanup_free_ char *src = strprintf("%s/notify", c->state_dir);

        if (!src)
                return -ENOMEM;
        /* As systemd-nspawn: the notify socket appears at /run/host/notify. */
        b = reallocarray(c->binds, c->n_binds + 1, sizeof *b);
        if (!b)
                return -ENOMEM;
        c->binds = b;
        b[c->n_binds] = (BindMount) { .source = TAKE_PTR(src), .destination = strdup(MONITOR_NOTIFY_SOCKET_INSIDE) };
        if (!b[c->n_binds].destination) {
                free(b[c->n_binds].source);
                return -ENOMEM;
        }
        c->n_binds++;

        free(c->notify_socket);
        c->notify_socket = strdup(MONITOR_NOTIFY_SOCKET_INSIDE);
        if (!c->notify_socket)
                return -ENOMEM;
        if (c->boot && strv_env_set(&c->environment, "NOTIFY_SOCKET=" MONITOR_NOTIFY_SOCKET_INSIDE) < 0)
                return -ENOMEM;
        /* The console is a pty (a getty needs a tty) that container_run()
         * relays to its stdio: stdin from the console pipe, stdout to the
         * log pipe. A reboot restarts in place. */
        c->console_mode = CONSOLE_INTERACTIVE;
        c->reboot_exit = false;
        return 0;
}

int monitor_run(RunConfig *c, int *ret_status) {
        MachineMonitor m = {
                .config = c,
                .dirfd = -EBADF,
                .console_listen_fd = -EBADF,
                .console_client_fd = -EBADF,
                .notify_fd = -EBADF,
        };
        const char *v;
        uint64_t max_size = 0;
        sigset_t ss;
        int r;

        if (!c->machine_name)
                return log_error_errno(-EINVAL, "The monitor needs a machine name.");
        if (!c->state_dir) {
                c->state_dir = strprintf("%s/run/corral/machines/%s", streq(strempty(c->root), "/") ? "" : strempty(c->root),
                                         c->machine_name);
                if (!c->state_dir)
                        return log_oom();
        }
        r = mkdir_p_at(AT_FDCWD, c->state_dir, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", c->state_dir);
        m.dirfd = open(c->state_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (m.dirfd < 0) {
                r = log_error_errno(-errno, "Failed to open '%s': %m", c->state_dir);
                goto finish;
        }
        r = check_not_running(&m);
        if (r < 0) {
                log_error_errno(r, "Machine '%s' already has a running monitor.", c->machine_name);
                goto finish;
        }

        v = getenv("CORRAL_CONSOLE_LOG_MAX");
        if (v && parse_size(v, &max_size) < 0)
                max_size = 0;
        r = console_log_open(m.dirfd, max_size, CONSOLE_LOG_KEEP_DEFAULT, &m.log);
        if (r < 0) {
                log_error_errno(r, "Failed to open the console log of '%s': %m", c->machine_name);
                goto finish;
        }
        r = open_notify_socket(m.dirfd, c->state_dir, &m.notify_fd);
        if (r < 0) {
                log_error_errno(r, "Failed to create the notify socket of '%s': %m", c->machine_name);
                goto finish;
        }
        r = open_console_socket(m.dirfd, c->state_dir, &m.console_listen_fd);
        if (r < 0) {
                log_error_errno(r, "Failed to create the console socket of '%s': %m", c->machine_name);
                goto finish;
        }
        r = setup_config(c);
        if (r < 0) {
                log_oom();
                goto finish;
        }
        m.wait_ready = !c->boot || c->notify_ready;

        machine_state_file_init(&m.state);
        m.state.monitor = getpid();
        v = getenv("CORRAL_RESTART_COUNT");
        if (v)
                (void) parse_uint32(v, &m.state.restart_count);
        monitor_write_state(&m, MACHINE_STARTING);

        /* Our stderr is whatever corrald had (the journal, a test's pipe):
         * its reader going away must not kill the machine with SIGPIPE. */
        (void) signal(SIGPIPE, SIG_IGN);
        sigemptyset(&ss);
        (void) sigset_add_many(&ss, SIGTERM, SIGINT, SIGHUP, -1);
        if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0) {
                r = log_error_errno(-errno, "Failed to block signals: %m");
                goto finish;
        }
        r = sd_event_new(&m.event);
        if (r < 0)
                goto finish;

        /* From here on our messages belong in the machine's log as well. */
        log_set_hook(monitor_log_hook, &m);
        m.prepared = true;
        r = container_prepare(&m.ct, c, true);
        if (r < 0)
                goto finish;
        if ((r = sd_event_add_io(m.event, &m.log_source, m.ct.master, EPOLLIN, on_log, &m)) < 0 ||
            (r = sd_event_add_io(m.event, &m.notify_source, m.notify_fd, EPOLLIN, on_notify, &m)) < 0 ||
            (r = sd_event_add_io(m.event, &m.console_listen_source, m.console_listen_fd, EPOLLIN, on_console_accept,
                                 &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGTERM, on_signal, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGINT, on_signal, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGHUP, on_signal, &m)) < 0) {
                log_error_errno(r, "Failed to set up the monitor loop: %m");
                goto finish;
        }
        r = monitor_boot(&m);
        if (r < 0)
                goto finish;

        r = sd_event_loop(m.event);
        if (r < 0) {
                log_error_errno(r, "Monitor loop failed: %m");
                goto finish;
        }
        *ret_status = r;
        r = 0;

finish:
        if (r < 0 && m.dirfd >= 0 && m.state.monitor == getpid()) {
                monitor_drain_log(&m); /* why PID 1's setup failed */
                m.state.exit_status = EXIT_FAILURE;
                m.state.leader = 0;
                monitor_write_state(&m, MACHINE_FAILED);
        }
        if (m.dirfd >= 0) {
                (void) unlinkat(m.dirfd, "notify", 0);
                if (m.console_listen_fd >= 0)
                        (void) unlinkat(m.dirfd, MONITOR_CONSOLE_SOCKET, 0);
        }
        monitor_done(&m);
        return r;
}
