/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hostname and the generated /etc files of a container; see init-layer.h. */

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "init-layer.h"
#include "log.h"
#include "mount-setup.h"
#include "string-util.h"

#define STAGING "dev/.corral-init"

int container_id_random(ContainerId *ret) {
        ContainerId id;
        if (getrandom(id.bytes, sizeof(id.bytes), 0) != (ssize_t) sizeof(id.bytes))
                return -errno;
        /* A valid random (version 4) UUID, as machine-id(5) asks. */
        id.bytes[6] = (id.bytes[6] & 0x0f) | 0x40;
        id.bytes[8] = (id.bytes[8] & 0x3f) | 0x80;
        *ret = id;
        return 0;
}

char *container_id_to_hex(const ContainerId *id, char *buf) {
        for (size_t i = 0; i < 16; i++)
                sprintf(buf + 2 * i, "%02x", id->bytes[i]);
        return buf;
}

char *container_id_to_uuid(const ContainerId *id, char *buf) {
        char *p = buf;
        for (size_t i = 0; i < 16; i++) {
                if (IN_SET(i, 4u, 6u, 8u, 10u))
                        *p++ = '-';
                p += sprintf(p, "%02x", id->bytes[i]);
        }
        return buf;
}

typedef struct LayerFile {
        const char *name;     /* below /etc */
        char *content;
        bool only_if_missing; /* machine-id: the image's own wins */
} LayerFile;

/* 1 if /etc/name in the image is a regular file we can bind over (and,
 * for only_if_missing, has content), 0 if it is missing or unusable. */
static int image_file_state(int etcfd, const LayerFile *f) {
        struct stat st;
        if (fstatat(etcfd, f->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISREG(st.st_mode))
                return 0;
        return 1;
}

int init_layer_setup(const RunConfig *c, const char *root, const ContainerId *id) {
        char buf[FD_PATH_MAX], hex[33];
        _cleanup_free_ char *resolv = NULL, *staging = NULL;
        _cleanup_close_ int devfd = -EBADF;
        int r;

        if (sethostname(c->hostname, strlen(c->hostname)) < 0)
                return log_error_errno(-errno, "Failed to set hostname '%s': %m", c->hostname);

        _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return log_error_errno(-errno, "Failed to open '%s': %m", root);
        _cleanup_close_ int etcfd = open_in_root(rootfd, "etc", 0);
        if (etcfd == -ENOENT) {
                log_warning("Image has no /etc, not writing hostname, hosts, resolv.conf, machine-id.");
                return 0;
        }
        if (etcfd < 0)
                return log_error_errno(etcfd, "Failed to open the image's /etc: %m");

        /* The host's resolver configuration, read now while it is reachable. */
        r = read_full_file("/etc/resolv.conf", &resolv, NULL);
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "Failed to read /etc/resolv.conf, ignoring: %m");

        LayerFile files[] = {
                { "hostname", strprintf("%s\n", c->hostname), false },
                { "hosts", strprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n127.0.1.1\t%s\n",
                                     c->hostname), false },
                { "resolv.conf", resolv ? TAKE_PTR(resolv) : strdup(""), false },
                { "machine-id", strprintf("%s\n", container_id_to_hex(id, hex)), true },
        };
        bool need_overlay = false;
        r = 0;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                if (!files[i].content)
                        r = -ENOMEM;
                int s = image_file_state(etcfd, &files[i]);
                if (s < 0)
                        r = s;
                else if (s == 0)
                        need_overlay = true;
                else if (files[i].only_if_missing) {
                        /* An image with its own non-empty machine-id keeps it. */
                        struct stat st;
                        if (fstatat(etcfd, files[i].name, &st, 0) == 0 && st.st_size > 0)
                                files[i].content = mfree(files[i].content);
                }
        }
        if (r < 0) {
                log_error_errno(r, "Failed to prepare the init layer: %m");
                goto finish;
        }

        /* The staging tmpfs, below the container's fresh /dev for a moment. */
        devfd = open_in_root(rootfd, "dev", 0);
        staging = strprintf("%s/" STAGING, root);
        if (devfd < 0 || !staging) {
                r = log_error_errno(devfd < 0 ? devfd : -ENOMEM, "Failed to open the container's /dev: %m");
                goto finish;
        }
        if (mkdirat(devfd, ".corral-init", 0700) < 0 ||
            mount("tmpfs", staging, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=1m") < 0) {
                r = log_error_errno(-errno, "Failed to mount the init layer's tmpfs: %m");
                goto finish;
        }

        if (need_overlay) {
                /* Lower: the image's /etc; upper: the staging tmpfs. */
                _cleanup_free_ char *upper = strprintf("%s/upper", staging);
                _cleanup_free_ char *work = strprintf("%s/work", staging);
                _cleanup_free_ char *opts = NULL;
                if (!upper || !work) {
                        r = log_oom();
                        goto unmount;
                }
                if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0) {
                        r = log_error_errno(-errno, "Failed to create the /etc overlay layers: %m");
                        goto unmount;
                }
                opts = strprintf("lowerdir=%s,upperdir=%s,workdir=%s", fd_path(etcfd, buf), upper, work);
                char tbuf[FD_PATH_MAX];
                if (!opts || mount("overlay", fd_path(etcfd, tbuf), "overlay", 0, opts) < 0) {
                        r = log_error_errno(opts ? -errno : -ENOMEM, "Failed to mount the /etc overlay: %m");
                        goto unmount;
                }
                /* Files go through the overlay into its upper layer. */
                _cleanup_close_ int wetc = open_in_root(rootfd, "etc", 0);
                _cleanup_close_ int detc = wetc >= 0 ? openat(wetc, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -EBADF;
                if (detc < 0) {
                        r = log_error_errno(-errno, "Failed to open the /etc overlay: %m");
                        goto unmount;
                }
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        if (!files[i].content)
                                continue;
                        /* Replace whatever is there (a dangling symlink too). */
                        (void) unlinkat(detc, files[i].name, 0);
                        r = write_file_atomic_at(detc, files[i].name, files[i].content,
                                                 strlen(files[i].content), 0644);
                        if (r < 0) {
                                log_error_errno(r, "Failed to write /etc/%s: %m", files[i].name);
                                goto unmount;
                        }
                }
                if (c->read_only) {
                        char rbuf[FD_PATH_MAX];
                        if (mount(NULL, fd_path(wetc, rbuf), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
                                r = log_error_errno(-errno, "Failed to make /etc read-only: %m");
                                goto unmount;
                        }
                }
        } else {
                _cleanup_close_ int sfd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sfd < 0) {
                        r = log_error_errno(-errno, "Failed to open the init layer: %m");
                        goto unmount;
                }
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        if (!files[i].content)
                                continue;
                        char sbuf[FD_PATH_MAX], tbuf[FD_PATH_MAX];
                        r = write_file_atomic_at(sfd, files[i].name, files[i].content,
                                                 strlen(files[i].content), 0644);
                        _cleanup_close_ int s = r >= 0 ? openat(sfd, files[i].name, O_PATH | O_CLOEXEC) : -EBADF;
                        _cleanup_close_ int t = openat(etcfd, files[i].name, O_PATH | O_CLOEXEC | O_NOFOLLOW);
                        if (r < 0 || s < 0 || t < 0 ||
                            mount(fd_path(s, sbuf), fd_path(t, tbuf), NULL, MS_BIND, NULL) < 0) {
                                r = log_error_errno(r < 0 ? r : -errno, "Failed to mount /etc/%s: %m", files[i].name);
                                goto unmount;
                        }
                        if (c->read_only)
                                (void) mount(NULL, fd_path(t, tbuf), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
                }
        }
        r = 0;

unmount:
        /* The binds and the overlay keep the tmpfs alive; its mount point goes. */
        (void) umount2(staging, MNT_DETACH);
        (void) unlinkat(devfd, ".corral-init", AT_REMOVEDIR);
finish:
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                free(files[i].content);
        return r;
}

int init_layer_environment(const RunConfig *c, const ContainerId *id, bool interactive, char ***ret) {
        _cleanup_strv_free_ char **env = NULL;
        char uuid[37];
        int r = 0;

        const char *term = interactive ? (getenv("TERM") ?: "vt220") : NULL;
        _cleanup_free_ char *t = term ? strprintf("TERM=%s", term) : NULL;
        _cleanup_free_ char *u = strprintf("container_uuid=%s", container_id_to_uuid(id, uuid));
        if (!u || (term && !t))
                return -ENOMEM;

        const char *defaults[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/root",
                "USER=root",
                "LOGNAME=root",
                "container=corral",
                u,
                t,
        };
        for (size_t i = 0; i < ELEMENTSOF(defaults) && r >= 0; i++)
                if (defaults[i])
                        r = strv_extend(&env, defaults[i]);
        STRV_FOREACH(e, c->environment)
                if (r >= 0)
                        r = strv_env_set(&env, *e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(env);
        return 0;
}
