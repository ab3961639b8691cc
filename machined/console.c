/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console pty and its relay; see console.h. */

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#include "pty-util.h"
#include "console.h"
#include "fd-util.h"
#include "string-util.h"

ConsoleMode console_mode_resolve(ConsoleMode m) {
        if (m != CONSOLE_AUTO)
                return m;
        return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) ? CONSOLE_INTERACTIVE : CONSOLE_PIPE;
}

int console_pty_open(int *ret_master, char **ret_slave) {
        _cleanup_close_ int m = -EBADF;
        _cleanup_free_ char *s = NULL;
        struct winsize ws;

        int r = pty_open(&m, &s);
        if (r < 0)
                return r;
        /* Without a terminal of ours (corrald's monitor): 80x24, as a
         * serial console, rather than 0x0 that some programs choke on. */
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
                ws = (struct winsize) { .ws_row = 24, .ws_col = 80 };
        (void) ioctl(m, TIOCSWINSZ, &ws);
        *ret_slave = TAKE_PTR(s);
        *ret_master = TAKE_FD(m);
        return 0;
}

int console_attach_slave(const char *slave) {
        if (setsid() < 0)
                return -errno;
        int fd = open(slave, O_RDWR | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, TIOCSCTTY, 0) < 0) {
                safe_close(fd);
                return -errno;
        }
        for (int i = 0; i < 3; i++)
                if (dup2(fd, i) < 0) {
                        safe_close(fd);
                        return -errno;
                }
        if (fd > 2)
                safe_close(fd);
        return 0;
}

int console_relay_start(ConsoleRelay *r, int master) {
        *r = (ConsoleRelay) {
                .master = master,
                .in_fd = STDIN_FILENO,
                .out_fd = STDOUT_FILENO,
                .in_open = true,
                .master_open = true,
        };
        if (tcgetattr(r->in_fd, &r->saved) == 0) {
                struct termios raw = r->saved;
                cfmakeraw(&raw);
                raw.c_oflag = r->saved.c_oflag; /* keep our own output processing */
                if (tcsetattr(r->in_fd, TCSANOW, &raw) == 0)
                        r->raw = true;
        }
        return 0;
}

void console_relay_stop(ConsoleRelay *r) {
        if (r->raw)
                (void) tcsetattr(r->in_fd, TCSANOW, &r->saved);
        r->raw = false;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                                (void) poll(&pfd, 1, 1000);
                                continue;
                        }
                        return -errno;
                }
                p += k;
                n -= k;
        }
        return 0;
}

int console_relay_io(ConsoleRelay *r, int fd) {
        char buf[4096];
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n < 0 && IN_SET(errno, EINTR, EAGAIN))
                return 0;
        if (fd == r->in_fd) {
                if (n <= 0) {
                        r->in_open = false; /* EOF on our input: stop reading it */
                        return 0;
                }
                if (r->drop_input) {
                        /* Never wait for a container that does not read its
                         * console: the relay must keep draining its output. */
                        for (const char *p = buf; n > 0;) {
                                ssize_t k = write(r->master, p, n);
                                if (k < 0 && errno == EINTR)
                                        continue;
                                if (k <= 0)
                                        return 0;
                                p += k;
                                n -= k;
                        }
                        return 0;
                }
                return write_all(r->master, buf, n);
        }
        if (n <= 0) {
                /* EIO: no slave open right now (between boots, at exit). */
                r->master_open = false;
                return 0;
        }
        return write_all(r->out_fd, buf, n);
}

void console_relay_winch(ConsoleRelay *r) {
        struct winsize ws;
        if (ioctl(r->out_fd, TIOCGWINSZ, &ws) == 0 || ioctl(r->in_fd, TIOCGWINSZ, &ws) == 0)
                (void) ioctl(r->master, TIOCSWINSZ, &ws);
}

void console_relay_drain(ConsoleRelay *r) {
        struct pollfd pfd = { .fd = r->master, .events = POLLIN };
        while (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN)) {
                char buf[4096];
                ssize_t n = read(r->master, buf, sizeof(buf));
                if (n <= 0 || write_all(r->out_fd, buf, n) < 0)
                        break;
        }
}
