/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* logs NAME [-f] [-n N], and the log tail that status and a failed start
 * show. corrald hands out a read-only fd of the machine's current console
 * log (OpenMachineLog(s) -> h); we cut the tail ourselves. Following polls
 * the fd for growth and re-asks corrald every second: a different inode
 * means the log was rotated, so the old fd is read to its end and the new
 * one from its start. */

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-format.h"
#include "ctl.h"
#include "fd-util.h"
#include "log.h"
#include "string-util.h"

/* Never pull more than this into memory for a tail. */
#define TAIL_MAX (8U * 1024U * 1024U)

static int open_log(sd_bus *bus, const char *name, sd_bus_error *error, int *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int fd, r;

        r = ctl_call_manager(bus, "OpenMachineLog", error, &reply, "s", name);
        if (r < 0)
                return sd_bus_error_has_name(error, SD_BUS_ERROR_UNKNOWN_METHOD) ? -EOPNOTSUPP : r;
        r = sd_bus_message_read(reply, "h", &fd);
        if (r < 0)
                return r;
        fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

/* Reads the last TAIL_MAX bytes (or all) of fd, leaving the offset at the end. */
static int read_end(int fd, char **ret, size_t *ret_size) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        off_t start = st.st_size > TAIL_MAX ? st.st_size - TAIL_MAX : 0;
        if (lseek(fd, start, SEEK_SET) < 0)
                return -errno;

        _cleanup_free_ char *buf = NULL;
        size_t size = 0, cap = 0;
        for (;;) {
                if (cap - size < 65536) {
                        cap = cap * 2 + 65536;
                        char *b = realloc(buf, cap + 1);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                }
                ssize_t n = read(fd, buf + size, cap - size);
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                size += n;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[size] = 0;
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int ctl_log_tail(sd_bus *bus, const char *name, uint64_t n, sd_bus_error *error, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t size;
        int r;

        r = open_log(bus, name, error, &fd);
        if (r < 0)
                return r;
        r = read_end(fd, &buf, &size);
        if (r < 0)
                return r;
        size_t off = ctl_tail_offset(buf, size, n);
        memmove(buf, buf + off, size - off + 1);
        *ret = TAKE_PTR(buf);
        return 0;
}

static int copy_out(int fd, FILE *out) {
        char buf[65536];
        ssize_t n;
        int copied = 0;
        while ((n = read(fd, buf, sizeof buf)) > 0) {
                fwrite(buf, 1, n, out);
                copied = 1;
        }
        fflush(out);
        if (n < 0)
                return -errno;
        return ferror(out) ? -EPIPE : copied;
}

static int follow(CtlContext *c, const char *name, int log_fd) {
        _cleanup_close_ int fd = log_fd;
        usec_t next_check = now(CLOCK_MONOTONIC) + USEC_PER_SEC;

        for (;;) {
                int r = copy_out(fd, c->out);
                if (r < 0)
                        return r == -EPIPE ? 0 : log_error_errno(r, "Failed to read the log of '%s': %m", name);
                if (r > 0)
                        continue;

                if (now(CLOCK_MONOTONIC) >= next_check) {
                        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
                        _cleanup_close_ int nfd = -EBADF;
                        struct stat a, b;

                        next_check = now(CLOCK_MONOTONIC) + USEC_PER_SEC;
                        r = open_log(c->bus, name, &error, &nfd);
                        if (r < 0)
                                return ctl_log_error("follow the log of", "machine", name, &error, r);
                        if (fstat(fd, &a) >= 0 && fstat(nfd, &b) >= 0 &&
                            (a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
                                (void) copy_out(fd, c->out); /* the rest of the rotated file */
                                safe_close(fd);
                                fd = TAKE_FD(nfd);
                                continue;
                        }
                }
                (void) poll(NULL, 0, 200);
        }
}

int verb_logs(CtlContext *c) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        const char *name = c->args->names[0];
        uint64_t n = c->args->lines;
        size_t size;
        int r;

        if (n == UINT64_MAX)
                n = c->args->follow ? 10 : UINT64_MAX - 1; /* journalctl's defaults */

        r = open_log(c->bus, name, &error, &fd);
        if (r == -EOPNOTSUPP)
                return log_error("Failed to show the log of machine '%s': corrald has no OpenMachineLog.", name),
                       CTL_EXIT_FAILURE;
        if (r < 0)
                return ctl_log_error("show the log of", "machine", name, &error, r), CTL_EXIT_FAILURE;
        r = read_end(fd, &buf, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read the log of '%s': %m", name), CTL_EXIT_FAILURE;
        size_t off = ctl_tail_offset(buf, size, n);
        fwrite(buf + off, 1, size - off, c->out);
        fflush(c->out);

        if (!c->args->follow)
                return 0;
        r = follow(c, name, TAKE_FD(fd));
        return r < 0 ? CTL_EXIT_FAILURE : 0;
}
