/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Mounting an overlayfs over image layers. Lower directories are given
 * top first (the overlayfs order). The new mount API with "lowerdir+"
 * (Linux >= 6.8) passes each layer as its own fsconfig() call, so the
 * page-size limit of a mount(2) option string does not apply and images
 * of hundreds of layers mount; on older kernels the option string is used,
 * and when it would be too long, the layers are named by short relative
 * paths: numbered symlinks in a scratch directory that the mount is made
 * from (chdir'd), removed again right after. */

#include "macro.h"

/* Escapes the characters overlayfs splits options and layers on
 * (',' ':' '\') with a backslash. */
int overlay_escape_path(const char *path, char **ret);

/* "lowerdir=L1:L2...[,upperdir=U,workdir=W]" with escaped paths; upper and
 * work both set or both NULL (a read-only overlay). */
int overlay_build_options(char *const *lowers, const char *upper, const char *work, char **ret);

typedef enum OverlayMountFlags {
        OVERLAY_MOUNT_LEGACY = 1 << 0,  /* skip fsconfig("lowerdir+"), as on kernels < 6.8 */
} OverlayMountFlags;

/* The longest option string mount(2) accepts (one page, with its NUL). */
size_t overlay_max_options_length(void);

/* Mounts the overlay at target. Returns 0 or -errno (not logged). */
int overlay_mount(const char *target, char *const *lowers, const char *upper, const char *work, OverlayMountFlags flags);
