/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* os-release(5) of a machine; see os-release.h. */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "mount-setup.h"
#include "os-release.h"
#include "string-util.h"

int os_release_get(const char *text, const char *key, char **ret) {
        size_t klen = strlen(key);
        _cleanup_free_ char *value = NULL;

        for (const char *p = text; p && *p;) {
                size_t n = strcspn(p, "\n");
                _cleanup_free_ char *line = strndup(p, n);
                if (!line)
                        return -ENOMEM;
                p = p[n] ? p + n + 1 : NULL;

                const char *q = line + strspn(line, " \t");
                if (strncmp(q, key, klen) != 0 || q[klen] != '=')
                        continue;
                q += klen + 1;
                _cleanup_free_ char *word = NULL;
                if (extract_first_word(&q, &word) < 0)
                        continue; /* bad quoting: as if the line were not there */
                /* The last assignment wins, as for a shell sourcing it. */
                free(value);
                value = word && *word ? TAKE_PTR(word) : NULL;
        }
        *ret = TAKE_PTR(value);
        return 0;
}

int os_release_pretty_name(const char *text, char **ret) {
        static const char *const keys[] = { "PRETTY_NAME", "NAME" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                char *v = NULL;
                int r = os_release_get(text, keys[i], &v);
                if (r < 0)
                        return r;
                if (v) {
                        *ret = v;
                        return 0;
                }
        }
        char *v = strdup("Linux");
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

int os_release_read_pid(pid_t pid, char **ret) {
        static const char *const paths[] = { "etc/os-release", "usr/lib/os-release" };
        char proc[64], buf[FD_PATH_MAX];
        int r = -ENOENT;

        snprintf(proc, sizeof proc, "/proc/%i/root", (int) pid);
        _cleanup_close_ int rootfd = open(proc, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return -errno;
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                struct stat st;
                _cleanup_close_ int fd = open_in_root(rootfd, paths[i], 0);
                if (fd == -ENOENT)
                        continue;
                if (fd < 0)
                        return fd;
                /* Never open a FIFO or device the machine put there. */
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (!S_ISREG(st.st_mode))
                        return -EBADMSG;
                _cleanup_free_ char *text = NULL;
                r = read_full_file_at(AT_FDCWD, fd_path(fd, buf), 64 * 1024, &text, NULL);
                if (r < 0)
                        return r;
                return os_release_pretty_name(text, ret);
        }
        return r;
}

int os_release_copy_host(int rootfd) {
        static const char *const paths[] = { "/etc/os-release", "/usr/lib/os-release" };
        _cleanup_free_ char *text = NULL;
        int r = -ENOENT;

        for (size_t i = 0; i < ELEMENTSOF(paths) && r == -ENOENT; i++)
                r = read_full_file_at(AT_FDCWD, paths[i], 64 * 1024, &text, NULL);
        if (r < 0)
                return r;

        _cleanup_close_ int dir = open_in_root(rootfd, "run/host", S_IFDIR | 0755);
        if (dir < 0)
                return dir;
        char buf[FD_PATH_MAX];
        _cleanup_close_ int dfd = open(fd_path(dir, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;
        return write_file_atomic_at(dfd, "os-release", text, strlen(text), 0444);
}
