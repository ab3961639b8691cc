/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The stdio <-> machine relay; see ctl-relay.h. Our own ends (pty master,
 * pipe ends) are non-blocking so that a full pipe towards the machine can
 * never stall the copy of its output (the classic deadlock); stdin and
 * stdout are shared with the shell that started us and stay as they are:
 * poll() says when they are ready, and one read or write of what is there
 * does not block. */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ctl-relay.h"
#include "fd-util.h"
#include "macro.h"

#define GRACE_USEC (200 * USEC_PER_MSEC)

bool ctl_escape_feed(CtlEscape *e, const char *buf, size_t n, usec_t t) {
        for (size_t i = 0; i < n; i++) {
                if (buf[i] != CTL_ESCAPE_CHAR) {
                        e->count = 0;
                        continue;
                }
                if (e->count == 0 || t - e->first > CTL_ESCAPE_WINDOW_USEC) {
                        e->count = 1;
                        e->first = t;
                } else if (++e->count >= CTL_ESCAPE_COUNT) {
                        e->count = 0;
                        return true;
                }
        }
        return false;
}

int ctl_terminal_raw(int fd, struct termios *ret_saved) {
        struct termios t;
        if (tcgetattr(fd, &t) < 0)
                return -errno;
        *ret_saved = t;
        cfmakeraw(&t);
        /* Keep output post-processing off as well: the machine's pty does it. */
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        if (tcsetattr(fd, TCSANOW, &t) < 0)
                return -errno;
        return 0;
}

void ctl_terminal_restore(int fd, const struct termios *saved) {
        (void) tcsetattr(fd, TCSANOW, saved);
}

static void copy_window_size(int master) {
        struct winsize ws;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) >= 0)
                (void) ioctl(master, TIOCSWINSZ, &ws);
}

static bool finished(const CtlRelay *relay) {
        for (size_t i = 0; i < relay->n_channels; i++)
                if (relay->channels[i].output && (!relay->channels[i].eof || relay->channels[i].len > 0))
                        return false;
        return true;
}

/* One read from the channel's source. 1 when the escape was typed. */
static int channel_read(CtlRelay *relay, CtlChannel *ch) {
        ssize_t n = read(ch->src, ch->buf + ch->len, sizeof ch->buf - ch->len);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                /* EIO: the pty's other side is closed everywhere, which is EOF. */
                ch->eof = true;
                return errno == EIO ? 0 : -errno;
        }
        if (n == 0) {
                ch->eof = true;
                return 0;
        }
        if (ch->escape && ctl_escape_feed(&relay->escape, ch->buf + ch->len, n, now(CLOCK_MONOTONIC)))
                return 1;
        ch->len += n;
        return 0;
}

static void channel_write(CtlChannel *ch) {
        ssize_t n = write(ch->dst, ch->buf, ch->len);
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return;
                /* Nobody reads any more (EPIPE, EIO): drop what is left. */
                ch->len = 0;
                ch->eof = true;
                return;
        }
        memmove(ch->buf, ch->buf + n, ch->len - n);
        ch->len -= n;
}

int ctl_relay_run(CtlRelay *relay) {
        _cleanup_close_ int sfd = -EBADF;
        size_t n = relay->n_channels;
        usec_t deadline = USEC_INFINITY;
        sigset_t mask, old;
        int r = 0;

        for (size_t i = 0; i < n; i++) {
                CtlChannel *ch = &relay->channels[i];
                if (ch->src > STDERR_FILENO)
                        (void) fd_nonblock(ch->src, true);
                if (ch->dst > STDERR_FILENO)
                        (void) fd_nonblock(ch->dst, true);
        }

        if (relay->winch_master >= 0) {
                sigemptyset(&mask);
                sigaddset(&mask, SIGWINCH);
                sigprocmask(SIG_BLOCK, &mask, &old);
                sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
                copy_window_size(relay->winch_master);
        }

        for (;;) {
                struct pollfd p[2 * n + 2];
                size_t np = 0;

                for (size_t i = 0; i < n; i++) {
                        CtlChannel *ch = &relay->channels[i];
                        if (ch->eof && ch->len == 0 && ch->close_dst_on_eof && ch->dst >= 0)
                                ch->dst = safe_close(ch->dst);
                }
                if (finished(relay) && (!relay->done || *relay->done))
                        break;
                if (relay->done && *relay->done && deadline == USEC_INFINITY)
                        deadline = now(CLOCK_MONOTONIC) + GRACE_USEC;
                if (deadline != USEC_INFINITY && now(CLOCK_MONOTONIC) >= deadline)
                        break;

                for (size_t i = 0; i < n; i++) {
                        CtlChannel *ch = &relay->channels[i];
                        if (!ch->eof && ch->len < sizeof ch->buf)
                                p[np++] = (struct pollfd) { .fd = ch->src, .events = POLLIN };
                        if (ch->len > 0 && ch->dst >= 0)
                                p[np++] = (struct pollfd) { .fd = ch->dst, .events = POLLOUT };
                }
                int timeout = -1;
                if (relay->bus) {
                        uint64_t t;
                        p[np++] = (struct pollfd) { .fd = sd_bus_get_fd(relay->bus),
                                                    .events = (short) sd_bus_get_events(relay->bus) };
                        if (sd_bus_get_timeout(relay->bus, &t) >= 0 && t != UINT64_MAX) {
                                usec_t nw = now(CLOCK_MONOTONIC);
                                timeout = t <= nw ? 0 : (int) MIN((t - nw + 999) / 1000, (uint64_t) INT32_MAX);
                        }
                }
                if (sfd >= 0)
                        p[np++] = (struct pollfd) { .fd = sfd, .events = POLLIN };
                if (deadline != USEC_INFINITY) {
                        usec_t nw = now(CLOCK_MONOTONIC);
                        int left = deadline <= nw ? 0 : (int) ((deadline - nw + 999) / 1000);
                        timeout = timeout < 0 ? left : MIN(timeout, left);
                }

                if (poll(p, np, timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }

                /* Walk the pollfds in the order they were added. */
                size_t k = 0;
                for (size_t i = 0; i < n && r == 0; i++) {
                        CtlChannel *ch = &relay->channels[i];
                        bool want_read = !ch->eof && ch->len < sizeof ch->buf;
                        bool want_write = ch->len > 0 && ch->dst >= 0;
                        if (want_read) {
                                if (p[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                                        r = channel_read(relay, ch);
                                        if (r != 0)
                                                break;
                                }
                                k++;
                        }
                        if (want_write) {
                                if (p[k].revents & (POLLOUT | POLLHUP | POLLERR))
                                        channel_write(ch);
                                k++;
                        }
                }
                if (r != 0)
                        break;
                if (relay->bus)
                        while ((r = sd_bus_process(relay->bus, NULL)) > 0)
                                ;
                if (r < 0)
                        break;
                if (sfd >= 0) {
                        struct signalfd_siginfo si;
                        while (read(sfd, &si, sizeof si) == sizeof si)
                                copy_window_size(relay->winch_master);
                }
        }

        if (sfd >= 0)
                sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
