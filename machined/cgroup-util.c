/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cgroupfs helpers shared by cgroup.c and both backends, all on a
 * directory fd of one cgroup: reading and writing knobs, listing the
 * processes of a subtree, signalling them until nobody new shows up,
 * removing a subtree deepest first, and the one warning for a limit the
 * host cannot apply. */

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cgroup-internal.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "parse-util.h"
#include "string-util.h"

int cg_write(int dfd, const char *file, const char *value) {
        return write_string_file_at(dfd, file, value);
}

int cg_write_u64(int dfd, const char *file, uint64_t v) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) v);
        return cg_write(dfd, file, buf);
}

int cg_read_u64(int dfd, const char *file, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = read_one_line_file_at(dfd, file, &s);
        if (r < 0)
                return r;
        if (streq(strstrip(s), "max")) {
                *ret = UINT64_MAX;
                return 0;
        }
        return parse_uint64(s, ret);
}

int cg_read_keyed_u64(int dfd, const char *file, const char *key, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = read_full_file_at(dfd, file, 0, &s, NULL);
        if (r < 0)
                return r;
        size_t kl = strlen(key);
        for (char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
                if (strncmp(p, key, kl) != 0 || p[kl] != ' ')
                        continue;
                char *e = p + kl + 1;
                e[strcspn(e, "\n")] = 0;
                return parse_uint64(e, ret);
        }
        return -ENODATA;
}

static int read_pids_at(int dfd, pid_t **pids, size_t *n) {
        _cleanup_free_ char *s = NULL;
        int r = read_full_file_at(dfd, "cgroup.procs", 0, &s, NULL);
        if (r == -ENOENT) /* not a cgroup at all (a fake tree's plain directory): empty */
                return 0;
        if (r < 0)
                return r;
        for (char *p = s, *e; *p; p = e) {
                e = p + strcspn(p, "\n");
                if (*e)
                        *e++ = 0;
                pid_t pid;
                if (parse_pid(p, &pid) < 0)
                        continue;
                pid_t *np = realloc(*pids, (*n + 1) * sizeof(pid_t));
                if (!np)
                        return -ENOMEM;
                *pids = np;
                (*pids)[(*n)++] = pid;
        }
        return 0;
}

static int read_pids_recursive(int dfd, pid_t **pids, size_t *n, unsigned depth) {
        int r = read_pids_at(dfd, pids, n);
        if (r < 0)
                return r;
        if (depth > 64)
                return -ELOOP;

        DIR *d = opendir_dup(dfd);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                _cleanup_close_ int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0) {
                        if (errno == ENOENT) /* removed meanwhile */
                                continue;
                        r = -errno;
                        break;
                }
                r = read_pids_recursive(sub, pids, n, depth + 1);
                if (r < 0 && r != -ENOENT && r != -ENODEV)
                        break;
                r = 0;
        }
        closedir(d);
        return r;
}

int cg_read_pids_recursive(int dfd, pid_t **ret, size_t *ret_n) {
        _cleanup_free_ pid_t *pids = NULL;
        size_t n = 0;
        int r = read_pids_recursive(dfd, &pids, &n, 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

static bool pid_in(const pid_t *l, size_t n, pid_t p) {
        for (size_t i = 0; i < n; i++)
                if (l[i] == p)
                        return true;
        return false;
}

int cg_kill_recursive(int dfd, int sig) {
        _cleanup_free_ pid_t *done = NULL;
        size_t n_done = 0;

        /* Repeat until a pass finds nobody new: a process that forked
         * between our read and its signal leaves a child we see next pass. */
        for (unsigned pass = 0; pass < 10000; pass++) {
                _cleanup_free_ pid_t *pids = NULL;
                size_t n = 0;
                bool any = false;
                int r = cg_read_pids_recursive(dfd, &pids, &n);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++) {
                        if (pid_in(done, n_done, pids[i]))
                                continue;
                        if (kill(pids[i], sig) < 0 && errno != ESRCH)
                                return -errno;
                        pid_t *nd = realloc(done, (n_done + 1) * sizeof(pid_t));
                        if (!nd)
                                return -ENOMEM;
                        done = nd;
                        done[n_done++] = pids[i];
                        any = true;
                }
                if (!any)
                        break;
        }
        return (int) MIN(n_done, (size_t) INT32_MAX);
}

static int rmdir_children(int dfd, unsigned depth) {
        if (depth > 64)
                return -ELOOP;
        DIR *d = opendir_dup(dfd);
        if (!d)
                return -errno;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                int k = cg_rmdir_recursive(dirfd(d), de->d_name);
                if (k < 0 && r >= 0)
                        r = k;
        }
        closedir(d);
        return r;
}

int cg_rmdir_recursive(int parent_fd, const char *name) {
        /* Most cgroups have no children: try the rmdir first and only list
         * the directory when the kernel says it is busy. */
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) >= 0 || errno == ENOENT)
                return 0;
        if (!IN_SET(errno, EBUSY, ENOTEMPTY))
                return -errno;

        _cleanup_close_ int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        int r = rmdir_children(fd, 0);
        fd = safe_close(fd);
        if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return r;
}

void cgroup_log_unsupported(const CgroupLimits *l, CgroupLimitKey k, const char *why) {
        _cleanup_free_ char *v = NULL;
        (void) cgroup_limits_format(l, k, &v);
        log_warning("%s=%s cannot be applied on this host (%s), ignoring.",
                    cgroup_limit_key_to_string(k), strempty(v), why);
}

int cg_write_limit(const char *machine, const CgroupLimits *l, CgroupLimitKey k, int fd, const char *file,
                   const char *value, const char *why_missing) {
        /* No directory (the controller is not mounted) or no file (the kernel lacks
         * the knob): the host cannot apply it, which is a warning, not an error. */
        int r = fd < 0 ? -ENOENT : cg_write(fd, file, value);
        if (r == -ENOENT) {
                cgroup_log_unsupported(l, k, why_missing);
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to set %s of machine '%s' (%s=%s): %m",
                                       cgroup_limit_key_to_string(k), machine, file, value);
        return 0;
}

void cg_format_limit(char buf[static 32], const char *unlimited, uint64_t v) {
        if (v == UINT64_MAX)
                snprintf(buf, 32, "%s", unlimited);
        else
                snprintf(buf, 32, "%llu", (unsigned long long) v);
}
