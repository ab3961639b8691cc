/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* File descriptor ownership: fds start at -EBADF, safe_close() closes and
 * returns -EBADF so that "fd = safe_close(fd)" disarms the variable. */

#include "macro.h"

int safe_close(int fd);
void close_many(const int fds[], size_t n);

static inline void closep(int *fd) {
        safe_close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

static inline void close_pairp(int (*p)[2]) {
        safe_close((*p)[0]);
        safe_close((*p)[1]);
}
#define _cleanup_close_pair_ _cleanup_(close_pairp)

int fd_cloexec(int fd, bool cloexec);
int fd_nonblock(int fd, bool nonblock);

/* Closes every fd >= 3 except those listed (sorted or not). */
int close_all_fds_except(const int except[], size_t n_except);

/* Moves fd to exactly target (dup2 without O_CLOEXEC), closing the old one. */
int fd_move_to(int fd, int target);
