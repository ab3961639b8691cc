/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's mount table, built by its first process in its own
 * mount namespace, in this order: the root file system (a bind of the
 * directory, or an overlay of it with a tmpfs upper layer), the API file
 * systems as systemd-nspawn mounts them (/proc with its dangerous parts
 * read-only or masked, but /proc/sys/net writable when the container has
 * its own network namespace, /sys read-only, a /dev tmpfs with the standard
 * nodes and a private devpts, /dev/shm, /run, /tmp), bind mounts, then
 * read-only and pivot_root. Every target inside the root is resolved with
 * RESOLVE_IN_ROOT, so a symlink in the image never sends a mount or a
 * mkdir to a host path. Nothing is mounted in the host's namespace. */

#include <stdbool.h>

#include "run-config.h"

/* Makes the namespace's mounts stop propagating to the host. */
int mount_setup_private(void);

/* Mounts the root file system; *ret_root is where (free it). */
int mount_setup_rootfs(const RunConfig *c, char **ret_root);

/* /proc, /sys, /dev (console_path: the pty to bind to /dev/console, or
 * NULL for /dev/null), /dev/shm, /dev/pts, /dev/mqueue, /run, /tmp. */
int mount_setup_api(const RunConfig *c, const char *root, const char *console_path);

/* --bind and --bind-ro. */
int mount_setup_binds(const RunConfig *c, const char *root);

/* Read-only root (when asked), then pivot_root into root with the old
 * root detached, and the cwd at the new /. */
int mount_setup_finish(const RunConfig *c, const char *root);

/* Opens path below rootfd the way the kernel would inside the container
 * (RESOLVE_IN_ROOT), creating it as a directory (mode != 0, S_IFDIR) or
 * empty file (S_IFREG) when missing. Returns an O_PATH fd. */
int open_in_root(int rootfd, const char *path, mode_t create_mode);

/* "/proc/self/fd/N" for mounting onto an O_PATH fd. */
#define FD_PATH_MAX 32
const char *fd_path(int fd, char buf[static FD_PATH_MAX]);
