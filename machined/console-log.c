/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Size-rotated console log of one machine; see console-log.h. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "console-log.h"
#include "fd-util.h"

struct ConsoleLog {
        int dirfd;
        int fd;
        uint64_t size;
        uint64_t max_size;
        unsigned keep;
};

static int open_log(ConsoleLog *l) {
        struct stat st;

        l->fd = safe_close(l->fd);
        l->fd = openat(l->dirfd, CONSOLE_LOG_NAME, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
                       0644);
        if (l->fd < 0)
                return -errno;
        if (fstat(l->fd, &st) < 0)
                return -errno;
        l->size = (uint64_t) st.st_size;
        return 0;
}

int console_log_open(int dirfd, uint64_t max_size, unsigned keep, ConsoleLog **ret) {
        ConsoleLog *l;
        int r;

        l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        *l = (ConsoleLog) {
                .fd = -EBADF,
                .max_size = max_size > 0 ? max_size : CONSOLE_LOG_MAX_SIZE_DEFAULT,
                .keep = keep,
        };
        l->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
        if (l->dirfd < 0) {
                r = -errno;
                free(l);
                return r;
        }
        r = open_log(l);
        if (r < 0) {
                console_log_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

ConsoleLog *console_log_free(ConsoleLog *l) {
        if (!l)
                return NULL;
        safe_close(l->fd);
        safe_close(l->dirfd);
        return mfree(l);
}

uint64_t console_log_size(const ConsoleLog *l) {
        return l->size;
}

/* log.(keep-1) -> log.keep, ..., log -> log.1, then a fresh log. Renames
 * keep every reader's open fd valid: it finishes the old file. */
static int rotate(ConsoleLog *l) {
        char from[32], to[32];

        if (l->keep == 0) {
                if (ftruncate(l->fd, 0) < 0)
                        return -errno;
                l->size = 0;
                return 0;
        }
        for (unsigned i = l->keep; i > 1; i--) {
                snprintf(from, sizeof from, CONSOLE_LOG_NAME ".%u", i - 1);
                snprintf(to, sizeof to, CONSOLE_LOG_NAME ".%u", i);
                if (renameat(l->dirfd, from, l->dirfd, to) < 0 && errno != ENOENT)
                        return -errno;
        }
        if (renameat(l->dirfd, CONSOLE_LOG_NAME, l->dirfd, CONSOLE_LOG_NAME ".1") < 0 && errno != ENOENT)
                return -errno;
        return open_log(l);
}

int console_log_write(ConsoleLog *l, const void *buf, size_t n) {
        const char *p = buf;
        int r;

        while (n > 0) {
                size_t chunk;
                ssize_t k;

                if (l->size >= l->max_size) {
                        r = rotate(l);
                        if (r < 0)
                                return r;
                }
                /* A single write larger than a whole file is split over files. */
                chunk = (size_t) MIN((uint64_t) n, l->max_size - l->size);
                k = write(l->fd, p, chunk);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                l->size += (uint64_t) k;
                p += k;
                n -= (size_t) k;
        }
        return 0;
}
