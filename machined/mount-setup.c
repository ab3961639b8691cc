/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's mounts; see mount-setup.h. */

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "fd-util.h"
#include "image-run.h"
#include "log.h"
#include "mount-setup.h"
#include "string-util.h"

const char *fd_path(int fd, char buf[static FD_PATH_MAX]) {
        snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%i", fd);
        return buf;
}

static int openat2_in_root(int rootfd, const char *path, int flags) {
        struct open_how how = {
                .flags = flags | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int) syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : fd;
}

int open_in_root(int rootfd, const char *path, mode_t create_mode) {
        int fd, r;

        while (*path == '/')
                path++;
        if (!*path)
                return openat2_in_root(rootfd, ".", O_PATH | O_DIRECTORY);
        fd = openat2_in_root(rootfd, path, O_PATH);
        if (fd != -ENOENT || create_mode == 0)
                return fd;

        /* Create the parent first, then this element inside it: mkdirat()
         * and openat(O_CREAT|O_EXCL) never follow a final symlink. */
        _cleanup_free_ char *parent = strdup(path);
        if (!parent)
                return -ENOMEM;
        char *slash = strrchr(parent, '/');
        const char *base = slash ? slash + 1 : path;
        if (slash)
                *slash = 0;
        _cleanup_close_ int pfd = -EBADF;
        if (slash) {
                pfd = open_in_root(rootfd, parent, S_IFDIR | 0755);
                if (pfd < 0)
                        return pfd;
                /* An O_PATH fd is fine as a dirfd for mkdirat/openat. */
        } else {
                pfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
                if (pfd < 0)
                        return -errno;
        }
        if (S_ISDIR(create_mode)) {
                if (mkdirat(pfd, base, create_mode & 07777) < 0 && errno != EEXIST)
                        return -errno;
        } else {
                int f = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                               create_mode & 07777);
                if (f < 0 && errno != EEXIST)
                        return -errno;
                safe_close(f);
        }
        r = openat2_in_root(pfd, base, O_PATH);
        return r;
}

int mount_setup_private(void) {
        /* MS_SLAVE as nspawn: host mounts may still come in, none of ours goes out. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return log_error_errno(-errno, "Failed to make the mount namespace private: %m");
        return 0;
}

/* Mounts onto path below rootfd; mode is what to create when it is missing. */
static int mount_in_root(int rootfd, const char *path, mode_t create_mode, const char *source,
                         const char *fstype, unsigned long flags, const char *data) {
        char buf[FD_PATH_MAX];
        _cleanup_close_ int fd = open_in_root(rootfd, path, create_mode);
        if (fd < 0)
                return log_error_errno(fd, "Failed to open mount point '%s' in the container: %m", path);
        if (mount(source, fd_path(fd, buf), fstype, flags, data) < 0)
                return log_error_errno(-errno, "Failed to mount %s on '%s': %m", fstype ?: source, path);
        return 0;
}

/* Makes the mount at path below rootfd read-only (and nosuid etc.). */
static int remount_ro_in_root(int rootfd, const char *path, unsigned long extra) {
        char buf[FD_PATH_MAX];
        _cleanup_close_ int fd = open_in_root(rootfd, path, 0);
        if (fd < 0)
                return fd;
        if (mount(NULL, fd_path(fd, buf), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | extra, NULL) < 0)
                return -errno;
        return 0;
}

/* The overlay option string needs ',' and ':' kept out of its paths. */
static bool overlay_path_ok(const char *p) {
        return !strpbrk(p, ",:\\");
}

int mount_setup_rootfs(const RunConfig *c, char **ret_root) {
        _cleanup_free_ char *root = NULL;

        if (c->lower_dirs) /* --image: an overlay of the image's layers */
                return image_mount_rootfs(c, ret_root);

        if (!c->ephemeral) {
                /* A bind of the directory onto itself: pivot_root needs a mount point. */
                if (mount(c->directory, c->directory, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return log_error_errno(-errno, "Failed to bind mount '%s': %m", c->directory);
                root = strdup(c->directory);
                if (!root)
                        return log_oom();
                *ret_root = TAKE_PTR(root);
                return 0;
        }

        /* Ephemeral: the directory stays the lower layer, the upper layer
         * is a tmpfs that only this mount namespace sees, so nothing is
         * written to the host and nothing is left behind, even after
         * SIGKILL. The tmpfs goes over the directory itself (in our
         * namespace only); the lower layer is reached through an fd
         * opened before. */
        char lbuf[FD_PATH_MAX];
        _cleanup_close_ int lower = open(c->directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (lower < 0)
                return log_error_errno(-errno, "Failed to open '%s': %m", c->directory);
        if (!overlay_path_ok(c->directory))
                return log_error_errno(-EINVAL, "Directory '%s' has characters overlayfs cannot take.",
                                       c->directory);
        if (mount("tmpfs", c->directory, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
                return log_error_errno(-errno, "Failed to mount the ephemeral layer: %m");
        root = strprintf("%s/root", c->directory);
        _cleanup_free_ char *upper = strprintf("%s/upper", c->directory);
        _cleanup_free_ char *work = strprintf("%s/work", c->directory);
        if (!root || !upper || !work)
                return log_oom();
        if (mkdir(root, 0755) < 0 || mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
                return log_error_errno(-errno, "Failed to set up the ephemeral layer: %m");
        _cleanup_free_ char *opts = strprintf("lowerdir=%s,upperdir=%s,workdir=%s",
                                              fd_path(lower, lbuf), upper, work);
        if (!opts)
                return log_oom();
        if (mount("overlay", root, "overlay", 0, opts) < 0)
                return log_error_errno(-errno, "Failed to mount the ephemeral overlay of '%s': %m",
                                       c->directory);
        *ret_root = TAKE_PTR(root);
        return 0;
}

static const struct {
        const char *name;
        mode_t mode;
        unsigned major, minor;
} devnodes[] = {
        { "null", S_IFCHR | 0666, 1, 3 },    { "zero", S_IFCHR | 0666, 1, 5 },
        { "full", S_IFCHR | 0666, 1, 7 },    { "random", S_IFCHR | 0666, 1, 8 },
        { "urandom", S_IFCHR | 0666, 1, 9 }, { "tty", S_IFCHR | 0666, 5, 0 },
};

static const struct {
        const char *name, *target;
} devlinks[] = {
        { "fd", "/proc/self/fd" },         { "stdin", "/proc/self/fd/0" },
        { "stdout", "/proc/self/fd/1" },   { "stderr", "/proc/self/fd/2" },
        { "ptmx", "pts/ptmx" },            { "core", "/proc/kcore" },
};

/* /proc entries that stay visible but read-only, and ones hidden. */
static const char *const proc_read_only[] = { "sys", "sysrq-trigger", "bus", "fs", "irq" };
static const char *const proc_masked_files[] = { "kcore", "keys", "timer_list", "sched_debug",
                                                 "latency_stats", "kallsyms", "kmsg", "key-users" };
static const char *const proc_masked_dirs[] = { "acpi", "scsi", "asound" };

/* With its own network namespace the container may tune that namespace
 * (ip_forward for a router, rp_filter, ...) as under nspawn: /proc/sys/net
 * shows the reader's netns, so a writable bind of it, made before
 * /proc/sys turns read-only, reaches only the container's own network.
 * On the host's network it stays read-only with the rest of /proc/sys. */
static int bind_proc_sys_net(int procfd) {
        char buf[FD_PATH_MAX];
        _cleanup_close_ int fd = openat(procfd, "sys/net", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return errno == ENOENT ? 0 : log_error_errno(-errno, "Failed to open /proc/sys/net: %m");
        if (mount(fd_path(fd, buf), fd_path(fd, buf), NULL, MS_BIND, NULL) < 0)
                return log_error_errno(-errno, "Failed to bind /proc/sys/net: %m");
        return 0;
}

static int setup_proc(int rootfd, bool own_netns) {
        int r;

        r = mount_in_root(rootfd, "proc", S_IFDIR | 0555, "proc", "proc",
                          MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r < 0)
                return r;
        _cleanup_close_ int procfd = open_in_root(rootfd, "proc", 0);
        if (procfd < 0)
                return log_error_errno(procfd, "Failed to open the container's /proc: %m");

        for (size_t i = 0; i < ELEMENTSOF(proc_read_only); i++) {
                char buf[FD_PATH_MAX];
                _cleanup_close_ int fd = openat(procfd, proc_read_only[i], O_PATH | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        continue; /* not every kernel has every entry */
                if (mount(fd_path(fd, buf), fd_path(fd, buf), NULL, MS_BIND, NULL) < 0)
                        return log_error_errno(-errno, "Failed to bind /proc/%s: %m", proc_read_only[i]);
                if (own_netns && streq(proc_read_only[i], "sys")) {
                        r = bind_proc_sys_net(procfd);
                        if (r < 0)
                                return r;
                }
                safe_close(fd);
                fd = openat(procfd, proc_read_only[i], O_PATH | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0 || mount(NULL, fd_path(fd, buf), NULL,
                                    MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                    NULL) < 0)
                        return log_error_errno(-errno, "Failed to make /proc/%s read-only: %m",
                                               proc_read_only[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(proc_masked_files); i++) {
                char buf[FD_PATH_MAX];
                _cleanup_close_ int fd = openat(procfd, proc_masked_files[i], O_PATH | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        continue;
                if (mount("/dev/null", fd_path(fd, buf), NULL, MS_BIND, NULL) < 0)
                        return log_error_errno(-errno, "Failed to mask /proc/%s: %m", proc_masked_files[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(proc_masked_dirs); i++) {
                char buf[FD_PATH_MAX];
                _cleanup_close_ int fd = openat(procfd, proc_masked_dirs[i],
                                                O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        continue;
                if (mount("tmpfs", fd_path(fd, buf), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "mode=0555,size=0") < 0)
                        return log_error_errno(-errno, "Failed to mask /proc/%s: %m", proc_masked_dirs[i]);
        }
        return 0;
}

static int setup_dev(int rootfd, const char *console_path) {
        char buf[FD_PATH_MAX];
        int r;

        r = mount_in_root(rootfd, "dev", S_IFDIR | 0755, "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                          "mode=0755,size=4m,nr_inodes=64k");
        if (r < 0)
                return r;
        _cleanup_close_ int devfd = openat2_in_root(rootfd, "dev", O_RDONLY | O_DIRECTORY);
        if (devfd < 0)
                return log_error_errno(devfd, "Failed to open the container's /dev: %m");

        /* mknod is cheaper than bind mounts of the host's nodes; the
         * seccomp policy refuses device nodes later, so these are all. */
        for (size_t i = 0; i < ELEMENTSOF(devnodes); i++)
                if (mknodat(devfd, devnodes[i].name, devnodes[i].mode,
                            makedev(devnodes[i].major, devnodes[i].minor)) < 0)
                        return log_error_errno(-errno, "Failed to create /dev/%s: %m", devnodes[i].name);
        for (size_t i = 0; i < ELEMENTSOF(devlinks); i++)
                if (symlinkat(devlinks[i].target, devfd, devlinks[i].name) < 0)
                        return log_error_errno(-errno, "Failed to create /dev/%s: %m", devlinks[i].name);

        /* /dev/console: the pty's other end, or /dev/null without a tty. */
        int f = openat(devfd, "console", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (f < 0)
                return log_error_errno(-errno, "Failed to create /dev/console: %m");
        safe_close(f);
        _cleanup_close_ int cfd = openat(devfd, "console", O_PATH | O_CLOEXEC);
        if (cfd < 0 || mount(console_path ?: "/dev/null", fd_path(cfd, buf), NULL, MS_BIND, NULL) < 0)
                return log_error_errno(-errno, "Failed to mount /dev/console: %m");

        static const struct {
                const char *dir, *fstype, *opts;
                unsigned long flags;
        } devmounts[] = {
                { "pts", "devpts", "newinstance,ptmxmode=0666,mode=0620,gid=5", MS_NOSUID | MS_NOEXEC },
                { "shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV | MS_STRICTATIME },
                { "mqueue", "mqueue", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
        };
        for (size_t i = 0; i < ELEMENTSOF(devmounts); i++) {
                if (mkdirat(devfd, devmounts[i].dir, 0755) < 0)
                        return log_error_errno(-errno, "Failed to create /dev/%s: %m", devmounts[i].dir);
                _cleanup_close_ int d = openat(devfd, devmounts[i].dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (d < 0 || mount(devmounts[i].fstype, fd_path(d, buf), devmounts[i].fstype,
                                   devmounts[i].flags, devmounts[i].opts) < 0)
                        return log_error_errno(-errno, "Failed to mount /dev/%s: %m", devmounts[i].dir);
        }
        return 0;
}

/* 1 when path below rootfd is a directory with nothing in it (or missing). */
static int dir_is_empty_in_root(int rootfd, const char *path) {
        int fd = openat2_in_root(rootfd, path, O_RDONLY | O_DIRECTORY);
        if (fd == -ENOENT)
                return 1;
        if (fd < 0)
                return fd;
        DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        struct dirent *de;
        int empty = 1;
        while ((de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        empty = 0;
                        break;
                }
        closedir(d);
        return empty;
}

int mount_setup_api(const RunConfig *c, const char *root, const char *console_path) {
        int r;

        _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(-errno, "Failed to open '%s': %m", root);

        r = setup_proc(rootfd, c->private_network);
        if (r < 0)
                return r;
        /* A fresh sysfs instance, read-only as nspawn has it. */
        r = mount_in_root(rootfd, "sys", S_IFDIR | 0555, "sysfs", "sysfs",
                          MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        if (r < 0)
                return r;
        r = setup_dev(rootfd, console_path);
        if (r < 0)
                return r;

        /* /run and /tmp as tmpfs, unless the image keeps content there
         * (app mode). */
        static const struct {
                const char *dir, *opts;
        } tmpfs_dirs[] = {
                { "run", "mode=0755,size=20%" },
                { "tmp", "mode=1777,size=20%" },
        };
        for (size_t i = 0; i < ELEMENTSOF(tmpfs_dirs); i++) {
                r = dir_is_empty_in_root(rootfd, tmpfs_dirs[i].dir);
                if (r < 0)
                        return log_error_errno(r, "Failed to look at /%s: %m", tmpfs_dirs[i].dir);
                /* An OS always gets a fresh /run (as under nspawn): its
                 * init would mount one itself and hide what we put there
                 * (/run/host). debootstrap leaves files in the image's. */
                if (r == 0 && !(c->boot && streq(tmpfs_dirs[i].dir, "run")))
                        continue;
                r = mount_in_root(rootfd, tmpfs_dirs[i].dir, S_IFDIR | 0755, "tmpfs", "tmpfs",
                                  MS_NOSUID | MS_NODEV | MS_STRICTATIME, tmpfs_dirs[i].opts);
                if (r < 0)
                        return r;
        }
        return 0;
}

int mount_setup_binds(const RunConfig *c, const char *root) {
        char sbuf[FD_PATH_MAX], dbuf[FD_PATH_MAX];
        int r;

        if (c->n_binds == 0)
                return 0;
        _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(-errno, "Failed to open '%s': %m", root);

        for (size_t i = 0; i < c->n_binds; i++) {
                const BindMount *b = &c->binds[i];
                struct stat st;

                _cleanup_close_ int src = open(b->source, O_PATH | O_CLOEXEC);
                if (src < 0 || fstat(src, &st) < 0)
                        return log_error_errno(-errno, "Failed to open bind source '%s': %m", b->source);
                _cleanup_close_ int dst = open_in_root(rootfd, b->destination,
                                                       S_ISDIR(st.st_mode) ? (S_IFDIR | 0755) : (S_IFREG | 0644));
                if (dst < 0)
                        return log_error_errno(dst, "Failed to create bind target '%s': %m", b->destination);
                if (mount(fd_path(src, sbuf), fd_path(dst, dbuf), NULL, MS_BIND | MS_REC, NULL) < 0)
                        return log_error_errno(-errno, "Failed to bind '%s' to '%s': %m", b->source,
                                               b->destination);
                if (b->read_only) {
                        r = remount_ro_in_root(rootfd, b->destination, 0);
                        if (r < 0)
                                return log_error_errno(r, "Failed to make '%s' read-only: %m", b->destination);
                }
        }
        return 0;
}

int mount_setup_finish(const RunConfig *c, const char *root) {
        if (c->read_only && mount(NULL, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
                return log_error_errno(-errno, "Failed to make the root file system read-only: %m");

        /* pivot_root(".", ".") stacks the old root on top of the new one;
         * detaching it leaves nothing of the host reachable by path. */
        if (chdir(root) < 0)
                return log_error_errno(-errno, "Failed to enter '%s': %m", root);
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return log_error_errno(-errno, "Failed to pivot_root into '%s': %m", root);
        if (umount2(".", MNT_DETACH) < 0)
                return log_error_errno(-errno, "Failed to detach the old root: %m");
        if (chdir("/") < 0)
                return log_error_errno(-errno, "Failed to change to the new root: %m");
        return 0;
}
