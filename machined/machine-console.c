/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console relay behind OpenMachineLogin; see machine-console.h. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "pty-util.h"
#include "fd-util.h"
#include "log.h"
#include "machine-console.h"
#include "manager.h"
#include "monitor.h"
#include "signal-util.h"
#include "string-util.h"

static int connect_console(Machine *m, int *ret) {
        _cleanup_free_ char *dir = machine_state_dir(m);
        _cleanup_close_ int dfd = -EBADF, fd = -EBADF;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (!dir)
                return -ENOMEM;
        /* Through /proc/self/fd: the root may be long, sun_path is not. */
        dfd = openat(m->manager->root_fd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return errno == ENOENT ? -ESRCH : -errno;
        snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/" MONITOR_CONSOLE_SOCKET, dfd);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return IN_SET(errno, ENOENT, ECONNREFUSED) ? -ESRCH : -errno;
        *ret = TAKE_FD(fd);
        return 0;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* The relay child: blocking copies both ways until either side ends
 * (the socket's EOF when the monitor goes, EIO on the slave when the
 * caller closes the master). No sd-event after fork. */
_noreturn_ static void run_relay(int slave, int sock) {
        int keep[2] = { slave, sock };
        char buf[4096];

        (void) close_all_fds_except(keep, 2);
        (void) reset_signal_mask();
        (void) signal(SIGPIPE, SIG_IGN);
        for (;;) {
                struct pollfd p[2] = {
                        { .fd = slave, .events = POLLIN },
                        { .fd = sock, .events = POLLIN },
                };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (size_t i = 0; i < 2; i++) {
                        ssize_t k;

                        if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        k = read(p[i].fd, buf, sizeof buf);
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0 || write_all(p[1 - i].fd, buf, (size_t) k) < 0)
                                _exit(EXIT_SUCCESS);
                }
        }
        _exit(EXIT_FAILURE);
}

int machine_open_console(Machine *m, int *ret_master, char **ret_pty_path, pid_t *ret_pid, int *ret_pidfd) {
        _cleanup_close_ int sock = -EBADF, master = -EBADF, slave = -EBADF;
        _cleanup_free_ char *path = NULL;
        struct termios t;
        pid_t pid;
        int pidfd, r;

        if (m->state != MACHINE_RUNNING)
                return -ESRCH;
        r = connect_console(m, &sock);
        if (r < 0)
                return r;

        r = pty_open(&master, &path);
        if (r < 0)
                return r;
        slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        /* The caller's terminal does the echoing and line editing is the
         * console's business: this pty only carries bytes. */
        if (tcgetattr(slave, &t) < 0)
                return -errno;
        cfmakeraw(&t);
        if (tcsetattr(slave, TCSANOW, &t) < 0)
                return -errno;

        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0)
                run_relay(slave, sock);
        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                r = -errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                return r;
        }
        *ret_pid = pid;
        *ret_pidfd = pidfd;
        *ret_master = TAKE_FD(master);
        *ret_pty_path = TAKE_PTR(path);
        return 0;
}
