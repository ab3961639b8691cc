/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading and writing small files, relative to a directory fd where the
 * caller must stay inside a tree (a rootfs, a cgroup root, a --root). */

#include <dirent.h>
#include <fcntl.h>
#include <sys/types.h>

#include "macro.h"

/* Reads fd to its end (at most max bytes, 0 for 4 MiB; -EFBIG beyond) into a
 * NUL-terminated buffer. */
int read_full_fd(int fd, size_t max, char **ret, size_t *ret_size);
/* Reads a whole file (at most max bytes, 0 for 4 MiB) into a NUL-terminated buffer. */
int read_full_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_size);
static inline int read_full_file(const char *path, char **ret, size_t *ret_size) {
        return read_full_file_at(AT_FDCWD, path, 0, ret, ret_size);
}
/* Reads the first line, without its newline. */
int read_one_line_file_at(int dirfd, const char *path, char **ret);

/* Writes s to an existing file (O_WRONLY, no O_CREAT), as cgroupfs and procfs need. */
int write_string_file_at(int dirfd, const char *path, const char *s);
/* Creates or replaces a file atomically (temporary file + rename) with mode. */
int write_file_atomic_at(int dirfd, const char *path, const char *data, size_t size, mode_t mode);

/* A DIR stream on a duplicate of dirfd, so that dirfd stays open and
 * usable after closedir(); NULL with errno set on failure. */
DIR *opendir_dup(int dirfd);

/* mkdir -p, relative to dirfd; existing directories are fine. */
int mkdir_p_at(int dirfd, const char *path, mode_t mode);
/* rm -rf of path below dirfd, not crossing into other file systems. */
int rm_rf_at(int dirfd, const char *path);
