/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The monitor of one machine started by corrald: state file, notify
 * socket, console log and console socket around container_run(); see
 * monitor.h. */

#include <fcntl.h>
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
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "machine-state.h"
#include "monitor.h"
#include "notify.h"
#include "parse-util.h"
#include "signal-util.h"
#include "string-util.h"

#define LEADER_POLL_USEC (2 * USEC_PER_MSEC)

typedef struct MachineMonitor {
        RunConfig *config;
        sd_event *event;
        int dirfd;
        MachineStateFile state;
        ConsoleLog *log;

        int log_fd;          /* read end of the console pipe */
        int console_in_fd;   /* write end of the child's stdin (console input) */
        int console_listen_fd;
        int console_client_fd; /* the one attached client, or -EBADF */
        int notify_fd;
        pid_t child;         /* runs container_run() */
        int child_pidfd;
        int leader_pidfd;

        sd_event_source *log_source;
        sd_event_source *console_listen_source;
        sd_event_source *console_client_source;
        sd_event_source *notify_source;
        sd_event_source *child_source;
        sd_event_source *leader_source;
        sd_event_source *leader_timer;

        bool wait_ready;     /* running only after READY=1 */
        bool ready;          /* READY=1 seen for the current leader */
        bool stopping;
        bool had_leader;     /* a new leader after one is a reboot in place */
        bool log_cr;         /* the last output ended in a '\r' not yet logged */
} MachineMonitor;

static void monitor_done(MachineMonitor *m) {
        sd_event_source_disable_unref(m->log_source);
        sd_event_source_disable_unref(m->console_listen_source);
        sd_event_source_disable_unref(m->console_client_source);
        sd_event_source_disable_unref(m->notify_source);
        sd_event_source_disable_unref(m->child_source);
        sd_event_source_disable_unref(m->leader_source);
        sd_event_source_disable_unref(m->leader_timer);
        console_log_free(m->log);
        safe_close(m->log_fd);
        safe_close(m->console_in_fd);
        safe_close(m->console_listen_fd);
        safe_close(m->console_client_fd);
        safe_close(m->notify_fd);
        safe_close(m->child_pidfd);
        safe_close(m->leader_pidfd);
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

/* The client's keystrokes become the container's console input (the
 * child relays its stdin to the pty master). A container that does not
 * read its console fills the pipe; then input is dropped, never waited for. */
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
        if (write(m->console_in_fd, buf, (size_t) k) < 0 && errno != EAGAIN)
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

static int on_leader_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* The container's PID 1 is the child's only child that lives in another
 * PID namespace; the child clone3()s it and may be between attempts
 * (reboot in place). */
static pid_t find_leader(MachineMonitor *m) {
        _cleanup_free_ char *p = strprintf("/proc/%d/task/%d/children", (int) m->child, (int) m->child), *buf = NULL;
        struct stat self, other;

        if (!p || read_full_file_at(AT_FDCWD, p, 0, &buf, NULL) < 0 || stat("/proc/self/ns/pid", &self) < 0)
                return 0;
        for (const char *w = buf; *w;) {
                _cleanup_free_ char *ns = NULL;
                size_t l = strcspn(w, " \n");
                pid_t pid;

                if (l > 0) {
                        _cleanup_free_ char *num = strndup(w, l);
                        if (num && parse_pid(num, &pid) >= 0) {
                                ns = strprintf("/proc/%d/ns/pid", (int) pid);
                                if (ns && stat(ns, &other) >= 0 && other.st_ino != self.st_ino)
                                        return pid;
                        }
                }
                w += l;
                w += strspn(w, " \n");
        }
        return 0;
}

static int on_leader_poll(sd_event_source *s, uint64_t usec, void *userdata) {
        MachineMonitor *m = userdata;
        pid_t leader;
        int fd, r;

        leader = find_leader(m);
        if (leader <= 0)
                goto again;
        fd = pidfd_open(leader, 0);
        if (fd < 0)
                goto again;
        m->leader_pidfd = safe_close(m->leader_pidfd);
        m->leader_pidfd = fd;
        m->leader_source = sd_event_source_disable_unref(m->leader_source);
        r = sd_event_add_io(m->event, &m->leader_source, fd, EPOLLIN, on_leader_exit, m);
        if (r < 0)
                log_warning_errno(r, "Failed to watch the leader, ignoring: %m");
        m->state.leader = leader;
        if (m->had_leader)
                m->state.restart_count++;
        m->had_leader = true;
        (void) process_get_starttime(leader, &m->state.leader_starttime);
        if (!m->stopping)
                monitor_write_state(m, MACHINE_STARTING);
        monitor_maybe_running(m);
        m->leader_timer = sd_event_source_disable_unref(m->leader_timer);
        return 0;

again:
        r = sd_event_source_set_time_relative(s, LEADER_POLL_USEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

static int monitor_poll_leader(MachineMonitor *m) {
        m->leader_timer = sd_event_source_disable_unref(m->leader_timer);
        /* Accuracy 1 us: 0 would mean sd-event's default of 250 ms, and
         * every start would wait for that coalescing. */
        return sd_event_add_time_relative(m->event, &m->leader_timer, CLOCK_MONOTONIC, 0, 1, on_leader_poll, m);
}

static int on_leader_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MachineMonitor *m = userdata;

        /* Either the end (the child exits next) or a reboot in place: then a
         * new PID 1 follows, which must report READY=1 again. */
        m->leader_source = sd_event_source_disable_unref(m->leader_source);
        m->leader_pidfd = safe_close(m->leader_pidfd);
        m->state.leader = 0;
        m->state.leader_starttime = 0;
        m->ready = false;
        if (!m->stopping)
                (void) monitor_poll_leader(m);
        return 0;
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
                        if (m->state.leader <= 0)
                                (void) monitor_poll_leader(m);
                        monitor_maybe_running(m);
                }
        }
}

static int on_child_exit(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        MachineMonitor *m = userdata;
        siginfo_t si = {};
        int status;

        if (waitid((idtype_t) P_PIDFD, (id_t) fd, &si, WEXITED) < 0)
                status = EXIT_FAILURE;
        else
                status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;

        /* Whatever the container wrote last goes to the log first. */
        if (m->log_source)
                (void) on_log(m->log_source, m->log_fd, EPOLLIN, m);
        if (m->log_cr)
                monitor_log_write(m, "\r", 1);
        m->log_cr = false;

        m->state.exit_status = status;
        m->state.leader = 0;
        m->state.leader_starttime = 0;
        monitor_write_state(m, status == 0 ? MACHINE_STOPPED : MACHINE_FAILED);
        return sd_event_exit(m->event, status);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        MachineMonitor *m = userdata;

        /* container_run() turns the first SIGTERM into a clean stop and a
         * second one into SIGKILL. */
        if (!m->stopping) {
                m->stopping = true;
                monitor_write_state(m, MACHINE_STOPPING);
        }
        if (m->child_pidfd >= 0)
                (void) pidfd_send_signal(m->child_pidfd, SIGTERM, NULL, 0);
        return 0;
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

_noreturn_ static void run_child(RunConfig *c, int console_in, int log_write) {
        int r, status = EXIT_FAILURE;

        /* If the monitor is killed outright, stop the container cleanly
         * rather than leave it running with nobody recording its state. */
        (void) prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0);
        if (dup2(console_in, STDIN_FILENO) < 0 || dup2(log_write, STDOUT_FILENO) < 0 ||
            dup2(log_write, STDERR_FILENO) < 0)
                _exit(EXIT_FAILURE);
        (void) close_all_fds_except(NULL, 0);
        (void) reset_signal_mask();

        r = container_run(c, &status);
        _exit(r < 0 ? EXIT_FAILURE : status);
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
                .log_fd = -EBADF,
                .console_in_fd = -EBADF,
                .console_listen_fd = -EBADF,
                .console_client_fd = -EBADF,
                .notify_fd = -EBADF,
                .child_pidfd = -EBADF,
                .leader_pidfd = -EBADF,
        };
        int log_pipe[2] = { -EBADF, -EBADF }, in_pipe[2] = { -EBADF, -EBADF };
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
        if (pipe2(log_pipe, O_CLOEXEC) < 0 || pipe2(in_pipe, O_CLOEXEC) < 0) {
                r = log_error_errno(-errno, "Failed to create the console pipe: %m");
                close_pairp(&log_pipe);
                goto finish;
        }
        m.child = fork();
        if (m.child < 0) {
                r = log_error_errno(-errno, "Failed to fork: %m");
                close_pairp(&log_pipe);
                close_pairp(&in_pipe);
                goto finish;
        }
        if (m.child == 0)
                run_child(c, in_pipe[0], log_pipe[1]);

        safe_close(log_pipe[1]);
        safe_close(in_pipe[0]);
        m.log_fd = log_pipe[0];
        m.console_in_fd = in_pipe[1];
        (void) fd_nonblock(m.log_fd, true);
        (void) fd_nonblock(m.console_in_fd, true);
        m.child_pidfd = pidfd_open(m.child, 0);
        if (m.child_pidfd < 0) {
                r = log_error_errno(-errno, "Failed to open a pidfd: %m");
                (void) kill(m.child, SIGKILL);
                goto finish;
        }

        if ((r = sd_event_add_io(m.event, &m.log_source, m.log_fd, EPOLLIN, on_log, &m)) < 0 ||
            (r = sd_event_add_io(m.event, &m.notify_source, m.notify_fd, EPOLLIN, on_notify, &m)) < 0 ||
            (r = sd_event_add_io(m.event, &m.console_listen_source, m.console_listen_fd, EPOLLIN, on_console_accept,
                                 &m)) < 0 ||
            (r = sd_event_add_io(m.event, &m.child_source, m.child_pidfd, EPOLLIN, on_child_exit, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGTERM, on_signal, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGINT, on_signal, &m)) < 0 ||
            (r = sd_event_add_signal(m.event, NULL, SIGHUP, on_signal, &m)) < 0 ||
            (r = monitor_poll_leader(&m)) < 0) {
                log_error_errno(r, "Failed to set up the monitor loop: %m");
                (void) pidfd_send_signal(m.child_pidfd, SIGKILL, NULL, 0);
                (void) waitid((idtype_t) P_PIDFD, (id_t) m.child_pidfd, &(siginfo_t) {}, WEXITED);
                goto finish;
        }

        r = sd_event_loop(m.event);
        if (r < 0) {
                log_error_errno(r, "Monitor loop failed: %m");
                goto finish;
        }
        *ret_status = r;
        r = 0;

finish:
        if (r < 0 && m.dirfd >= 0 && m.state.monitor == getpid()) {
                m.state.exit_status = EXIT_FAILURE;
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
