/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Small fd helpers shared by the supervisor and the host side. */

#include <fcntl.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "fd-util.h"

int safe_close(int fd) {
        if (fd >= 0) {
                int saved = errno;
                /* close() never needs retrying on Linux, even on EINTR. */
                (void) close(fd);
                errno = saved;
        }
        return -EBADF;
}

void close_many(const int fds[], size_t n) {
        for (size_t i = 0; i < n; i++)
                safe_close(fds[i]);
}

int fd_cloexec(int fd, bool cloexec) {
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0)
                return -errno;
        int nflags = cloexec ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
        if (nflags != flags && fcntl(fd, F_SETFD, nflags) < 0)
                return -errno;
        return 0;
}

int fd_nonblock(int fd, bool nonblock) {
        int flags = fcntl(fd, F_GETFL);
        if (flags < 0)
                return -errno;
        int nflags = nonblock ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
        if (nflags != flags && fcntl(fd, F_SETFL, nflags) < 0)
                return -errno;
        return 0;
}

static int cmp_int(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return x < y ? -1 : x > y;
}

int close_all_fds_except(const int except[], size_t n_except) {
        int sorted[n_except + 1];
        size_t n = 0;

        for (size_t i = 0; i < n_except; i++)
                if (except[i] >= 3)
                        sorted[n++] = except[i];
        qsort(sorted, n, sizeof(int), cmp_int);

        unsigned start = 3;
        for (size_t i = 0; i < n; i++) {
                if ((unsigned) sorted[i] > start &&
                    syscall(SYS_close_range, start, (unsigned) sorted[i] - 1, 0) < 0)
                        return -errno;
                start = (unsigned) sorted[i] + 1;
        }
        if (syscall(SYS_close_range, start, ~0U, 0) < 0)
                return -errno;
        return 0;
}

int fd_move_to(int fd, int target) {
        if (fd < 0)
                return -EBADF;
        if (fd == target)
                return fd_cloexec(fd, false) < 0 ? -errno : target;
        if (dup2(fd, target) < 0)
                return -errno;
        safe_close(fd);
        return target;
}
