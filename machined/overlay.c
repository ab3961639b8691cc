/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* overlayfs mounts over image layers; see overlay.h. */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "overlay.h"
#include "string-util.h"

int overlay_escape_path(const char *path, char **ret) {
        if (isempty(path))
                return -EINVAL;
        char *out = malloc(strlen(path) * 2 + 1), *o = out;
        if (!out)
                return -ENOMEM;
        for (const char *p = path; *p; p++) {
                if (IN_SET(*p, ',', ':', '\\'))
                        *o++ = '\\';
                *o++ = *p;
        }
        *o = 0;
        *ret = out;
        return 0;
}

static int append(char **s, size_t *len, const char *prefix, const char *path) {
        _cleanup_free_ char *e = NULL;
        int r = overlay_escape_path(path, &e);
        if (r < 0)
                return r;
        size_t add = strlen(prefix) + strlen(e);
        char *n = realloc(*s, *len + add + 1);
        if (!n)
                return -ENOMEM;
        memcpy(n + *len, prefix, strlen(prefix));
        memcpy(n + *len + strlen(prefix), e, strlen(e) + 1);
        *s = n;
        *len += add;
        return 0;
}

int overlay_build_options(char *const *lowers, const char *upper, const char *work, char **ret) {
        if (!lowers || !lowers[0] || !!upper != !!work)
                return -EINVAL;
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        int r;
        for (size_t i = 0; lowers[i]; i++) {
                r = append(&s, &len, i == 0 ? "lowerdir=" : ":", lowers[i]);
                if (r < 0)
                        return r;
        }
        if (upper) {
                if ((r = append(&s, &len, ",upperdir=", upper)) < 0 ||
                    (r = append(&s, &len, ",workdir=", work)) < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

size_t overlay_max_options_length(void) {
        long p = sysconf(_SC_PAGESIZE);
        return (p > 0 ? (size_t) p : 4096) - 1;
}

static int mount_fsconfig(const char *target, char *const *lowers, const char *upper, const char *work) {
        _cleanup_close_ int fs = fsopen("overlay", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        for (size_t i = 0; lowers[i]; i++)
                /* Appends below the layers given so far: top first. */
                if (fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0)
                        return -errno;
        if (upper && (fsconfig(fs, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0 ||
                      fsconfig(fs, FSCONFIG_SET_STRING, "workdir", work, 0) < 0))
                return -errno;
        if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return -errno;
        _cleanup_close_ int mnt = fsmount(fs, FSMOUNT_CLOEXEC, 0);
        if (mnt < 0)
                return -errno;
        return RET_NERRNO(move_mount(mnt, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH));
}

/* Numbered symlinks to the lowers in a scratch directory, the mount made
 * from inside it so that "lowerdir=0:1:2..." stays short; the symlinks
 * are resolved at mount time and not needed afterwards. */
static int mount_short_paths(const char *target, char *const *lowers, const char *upper, const char *work) {
        char scratch[] = "/tmp/.corral-overlay-XXXXXX";
        if (!mkdtemp(scratch))
                return -errno;
        _cleanup_close_ int old_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_strv_free_ char **names = NULL;
        _cleanup_free_ char *opts = NULL;
        int r = old_cwd < 0 ? -errno : 0;
        for (size_t i = 0; r >= 0 && lowers[i]; i++) {
                char n[32];
                snprintf(n, sizeof(n), "%zx", i);
                _cleanup_free_ char *link = strprintf("%s/%s", scratch, n);
                if (!link)
                        r = -ENOMEM;
                else if (symlink(lowers[i], link) < 0)
                        r = -errno;
                else
                        r = strv_extend(&names, n);
        }
        if (r >= 0)
                r = overlay_build_options(names, upper, work, &opts);
        if (r >= 0 && strlen(opts) > overlay_max_options_length())
                r = -E2BIG;
        if (r >= 0 && chdir(scratch) < 0)
                r = -errno;
        if (r >= 0) {
                r = RET_NERRNO(mount("overlay", target, "overlay", 0, opts));
                if (fchdir(old_cwd) < 0 && r >= 0)
                        r = -errno;
        }
        int k = rm_rf_at(AT_FDCWD, scratch);
        if (k < 0)
                log_debug_errno(k, "Failed to remove '%s', ignoring: %m", scratch);
        return r;
}

int overlay_mount(const char *target, char *const *lowers, const char *upper, const char *work, OverlayMountFlags flags) {
        if (!target || !lowers || !lowers[0] || !!upper != !!work)
                return -EINVAL;

        if (!(flags & OVERLAY_MOUNT_LEGACY)) {
                int r = mount_fsconfig(target, lowers, upper, work);
                /* EINVAL: a kernel without "lowerdir+"; ENOSYS: without fsopen(). */
                if (!IN_SET(r, -EINVAL, -ENOSYS))
                        return r;
                log_debug_errno(r, "fsconfig(lowerdir+) unavailable, falling back to mount(2): %m");
        }

        _cleanup_free_ char *opts = NULL;
        int r = overlay_build_options(lowers, upper, work, &opts);
        if (r < 0)
                return r;
        if (strlen(opts) <= overlay_max_options_length())
                return RET_NERRNO(mount("overlay", target, "overlay", 0, opts));
        return mount_short_paths(target, lowers, upper, work);
}
