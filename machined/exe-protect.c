/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Re-exec from read-only mounts; see exe-protect.h. */

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "corral-config.h"
#include "exe-protect.h"
#include "fd-util.h"
#include "parse-util.h"
#include "string-util.h"

#define ENV_NAME EXE_PROTECT_ENV
#define REAL "corral-run-real"

static int finish(const char *v) {
        int mntfd = -EBADF, cwdfd = -EBADF, r;

        if (sscanf(v, "%d:%d", &mntfd, &cwdfd) != 2 || mntfd < 3 || cwdfd < 3)
                return -EINVAL;
        (void) unsetenv(ENV_NAME);
        /* Back to the host's mount namespace: setns() also moves root and
         * cwd to that namespace's root, so the old cwd is restored by fd. */
        r = setns(mntfd, CLONE_NEWNS) < 0 ? -errno : 0;
        if (r >= 0 && fchdir(cwdfd) < 0)
                r = -errno;
        safe_close(mntfd);
        safe_close(cwdfd);
        return r;
}

/* The read-only view: a private copy of the mount namespace with every
 * mount read-only. System calls only (exe_protect_spawn_child() runs it
 * in a vfork() child). */
static int enter_readonly_view(void) {
        if (unshare(CLONE_NEWNS) < 0)
                return -errno;
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
        if (syscall(SYS_mount_setattr, AT_FDCWD, "/", AT_RECURSIVE, &attr, sizeof(attr)) < 0)
                return -errno;
        return 0;
}

int exe_protect_exec(const char *exe, char **argv) {
        char buf[64];
        int r;

        /* Not O_CLOEXEC: these two survive the exec on purpose. */
        _cleanup_close_ int mntfd = open("/proc/self/ns/mnt", O_RDONLY);
        if (mntfd < 0)
                return -errno;
        _cleanup_close_ int cwdfd = open(".", O_PATH | O_DIRECTORY);
        if (cwdfd < 0)
                return -errno;
        r = enter_readonly_view();
        if (r < 0)
                return r;
        snprintf(buf, sizeof(buf), "%d:%d", mntfd, cwdfd);
        if (setenv(ENV_NAME, buf, 1) < 0)
                return -errno;
        execv(exe, argv);
        r = -errno;
        (void) unsetenv(ENV_NAME);
        /* Still in the read-only copy: go back before reporting. */
        (void) setns(mntfd, CLONE_NEWNS);
        (void) fchdir(cwdfd);
        return r;
}

/* Opens path (without O_CLOEXEC) on fd target. System calls only. */
static int open_on_fd(const char *path, int flags, int target) {
        int fd = open(path, flags);
        if (fd < 0)
                return -errno;
        if (fd == target)
                return 0;
        int r = dup2(fd, target) < 0 ? -errno : 0;
        (void) close(fd);
        return r;
}

int exe_protect_spawn_child(void) {
        int r;

        /* Both fds as the environment entry says, not O_CLOEXEC. Every fd
         * above stderr is closed, so they normally land there directly. */
        r = open_on_fd("/proc/self/ns/mnt", O_RDONLY, EXE_PROTECT_SPAWN_MNTFD);
        if (r < 0)
                return r;
        r = open_on_fd(".", O_PATH | O_DIRECTORY, EXE_PROTECT_SPAWN_CWDFD);
        if (r < 0)
                return r;
        /* Nothing to undo on failure: the child only ever execs or exits. */
        return enter_readonly_view();
}

int exe_protect_find_real(const char *launcher, char **ret) {
        _cleanup_free_ char *path = NULL;
        const char *slash = strrchr(launcher, '/');

        /* Next to the launcher (build tree), else the libexec directory
         * (installed), as corral-run-launcher.c looks it up. */
        if (slash) {
                path = strprintf("%.*s/" REAL, (int) (slash - launcher), launcher);
                if (!path)
                        return -ENOMEM;
                if (access(path, X_OK) >= 0) {
                        *ret = TAKE_PTR(path);
                        return 0;
                }
                path = mfree(path);
        }
        path = strprintf("%s/" REAL, CORRAL_LIBEXECDIR);
        if (!path)
                return -ENOMEM;
        if (access(path, X_OK) < 0)
                return -errno;
        *ret = TAKE_PTR(path);
        return 0;
}

int exe_protect_reexec(char **argv) {
        const char *v = getenv(ENV_NAME);

        if (v) {
                /* The exec named us after the file ("exe", "corral-run-real"). */
                const char *base = strrchr(argv[0], '/');
                (void) prctl(PR_SET_NAME, (unsigned long) (base ? base + 1 : argv[0]), 0, 0, 0);
                return finish(v);
        }
        return exe_protect_exec("/proc/self/exe", argv);
}
