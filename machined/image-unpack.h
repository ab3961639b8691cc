/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Safe extraction of one tar stream (any compression libarchive reads)
 * into a directory: an image layer, a rootfs tarball, or the outer tar of
 * an OCI/docker archive.
 *
 * Whatever the tarball says, nothing is written outside the target
 * directory: entry names are normalized lexically first (leading "/"
 * dropped, ".." refused, over-long names refused), and then every parent
 * directory is resolved with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|
 * RESOLVE_NO_MAGICLINKS|RESOLVE_NO_XDEV) from the target's fd, so that a
 * symlink the tarball planted earlier can never be written through (the
 * entry is refused), and the leaf is created with O_EXCL|O_NOFOLLOW /
 * *at() calls that do not follow it either. Hard links must name a file of
 * the same tarball, resolved the same way. Device nodes are skipped unless
 * allowed. xattrs that would steer overlayfs (trusted.overlay.*,
 * user.overlay.*) are dropped.
 *
 * With whiteouts on (image layers), OCI whiteouts become what overlayfs
 * reads: ".wh.NAME" a character device 0/0 named NAME, ".wh..wh..opq" the
 * xattr trusted.overlay.opaque=y on its directory, wherever in the stream
 * the marker comes. Owners (numeric), modes with setuid/setgid/sticky bits,
 * xattrs and timestamps are kept; directory times are set last. */

#include <stdint.h>

#include "image-digest.h"
#include "macro.h"

typedef enum WhiteoutKind {
        WHITEOUT_NONE,
        WHITEOUT_FILE,     /* .wh.NAME: hide NAME of the lower layers */
        WHITEOUT_OPAQUE,   /* .wh..wh..opq: hide the lower layers' directory contents */
        WHITEOUT_UNKNOWN,  /* .wh..wh.* other than .opq (AUFS metadata): skipped */
} WhiteoutKind;

/* Lexical check of a tar entry name. On success *ret is the normalized
 * relative path ("" for the top directory itself), without "." components,
 * repeated or leading slashes. -EINVAL for a ".." component, -ENAMETOOLONG
 * for a name >= PATH_MAX or a component > NAME_MAX. */
int tar_path_normalize(const char *path, char **ret);

/* Classifies a normalized path. For WHITEOUT_FILE, *ret_target is the path
 * to hide; for WHITEOUT_OPAQUE the directory to make opaque ("" for the
 * top). ret_target may be NULL; it is set only for FILE and OPAQUE. */
WhiteoutKind whiteout_classify(const char *path, char **ret_target);

/* Whether an xattr from a tarball may be applied to the unpacked tree. */
bool tar_xattr_allowed(const char *name);

typedef struct UnpackOptions {
        bool whiteouts;       /* translate OCI whiteouts (image layers) */
        bool allow_devices;   /* create character/block device nodes */
        /* The layers below this one, top first (directory fds): directories
         * the tar needs but does not list take their metadata from there. */
        const int *lower_fds;
        size_t n_lower_fds;
        /* Called with the number of (compressed) input bytes consumed so
         * far, often; a value < 0 stops the unpack with that error
         * (cancellation). */
        int (*on_bytes)(uint64_t bytes, void *userdata);
        void *userdata;
} UnpackOptions;

typedef struct UnpackResult {
        char diff_id[SHA256_HEX_LEN + 1];  /* sha256 of the uncompressed stream */
        uint64_t entries;
        uint64_t bytes;                    /* regular file contents written */
        uint64_t skipped;                  /* devices, sockets, unknown whiteouts */
} UnpackResult;

/* Unpacks the tar stream readable from fd into the directory root_fd.
 * Returns 0, or < 0 (the directory then holds a partial tree that the
 * caller removes). Logs nothing but debug messages: refusals come back as
 * -EINVAL (".."), -ELOOP (a symlink in the way), -ENAMETOOLONG, -EPERM (a
 * hard link out of the tree), -EBADMSG (a corrupt stream). ret_failed_path,
 * when set, gets the offending entry name on failure. */
int image_unpack_fd(int fd, int root_fd, const UnpackOptions *o, UnpackResult *ret, char **ret_failed_path);

/* Opens path (normalized, relative) below root_fd as a directory, without
 * following any symlink; with create, missing directories are made 0755.
 * Returns an O_PATH fd or < 0. */
int open_dir_beneath(int root_fd, const char *path, bool create);

/* openat2() of path below root_fd with every symlink refused and ".."
 * unable to climb out (RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS|...); for files
 * named by untrusted metadata (manifest.json). Returns an fd or < 0. */
int openat_beneath(int root_fd, const char *path, int flags);
