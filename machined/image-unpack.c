/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Safe tar extraction into a layer directory; see image-unpack.h for the
 * rules. Two libarchive readers are chained: the outer one only
 * decompresses (format "raw") and counts/hashes nothing but the bytes it
 * reads from the fd (progress, cancellation); the inner one parses the tar
 * from the outer one's output, which is hashed on the way into the layer's
 * diff_id, so a layer is read exactly once. */

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "image-unpack.h"
#include "log.h"
#include "string-util.h"

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE_NAME ".wh..wh..opq"
#define OUTER_BUFFER_SIZE (256 * 1024)
#define INNER_BUFFER_SIZE (256 * 1024)

int tar_path_normalize(const char *path, char **ret) {
        if (!path)
                return -EINVAL;
        if (strnlen(path, PATH_MAX) >= PATH_MAX)
                return -ENAMETOOLONG;

        _cleanup_free_ char *out = malloc(strlen(path) + 1);
        if (!out)
                return -ENOMEM;
        size_t n = 0;
        const char *p = path;
        while (*p) {
                size_t len = strcspn(p, "/");
                if (len == 0) {
                        p++;
                        continue;
                }
                if (len > NAME_MAX)
                        return -ENAMETOOLONG;
                if (len == 2 && p[0] == '.' && p[1] == '.')
                        return -EINVAL;
                if (!(len == 1 && p[0] == '.')) {
                        if (n > 0)
                                out[n++] = '/';
                        memcpy(out + n, p, len);
                        n += len;
                }
                p += len;
        }
        out[n] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

WhiteoutKind whiteout_classify(const char *path, char **ret_target) {
        const char *slash = strrchr(path, '/');
        const char *base = slash ? slash + 1 : path;
        size_t dirlen = slash ? (size_t) (slash - path) : 0;

        if (!startswith(base, WHITEOUT_PREFIX))
                return WHITEOUT_NONE;

        WhiteoutKind kind;
        char *target;
        if (streq(base, WHITEOUT_OPAQUE_NAME)) {
                kind = WHITEOUT_OPAQUE;
                target = strndup(path, dirlen);
        } else if (startswith(base, WHITEOUT_META_PREFIX))
                return WHITEOUT_UNKNOWN;
        else {
                const char *name = base + strlen(WHITEOUT_PREFIX);
                if (isempty(name) || streq(name, ".") || streq(name, ".."))
                        return WHITEOUT_UNKNOWN;
                kind = WHITEOUT_FILE;
                target = slash ? strprintf("%.*s/%s", (int) dirlen, path, name) : strdup(name);
        }
        if (!ret_target) {
                free(target);
                return kind;
        }
        if (!target)
                return WHITEOUT_UNKNOWN; /* out of memory: treated as "skip", logged by the caller */
        *ret_target = target;
        return kind;
}

bool tar_xattr_allowed(const char *name) {
        /* overlayfs reads its own metadata from these: a layer that brings
         * them could redirect lookups to other layers or fake whiteouts. */
        static const char *const refused_prefixes[] = {
                "trusted.overlay.",
                "user.overlay.",
        };
        if (isempty(name))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(refused_prefixes); i++)
                if (startswith(name, refused_prefixes[i]))
                        return false;
        return true;
}

int openat_beneath(int dirfd, const char *path, int flags) {
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        int fd;
        do
                fd = (int) syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN);
        return fd < 0 ? -errno : fd;
}

int open_dir_beneath(int root_fd, const char *path, bool create) {
        if (isempty(path))
                return RET_NERRNO(fcntl(root_fd, F_DUPFD_CLOEXEC, 3));

        int fd = openat_beneath(root_fd, path, O_PATH | O_DIRECTORY);
        if (fd != -ENOENT || !create)
                return fd;

        /* Walk and create one component at a time, each step again
         * refusing symlinks, so a planted link cannot redirect mkdir. */
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
                        return -errno;
                int next = openat_beneath(cur, c, O_PATH | O_DIRECTORY);
                if (next < 0)
                        return next;
                safe_close(cur);
                cur = next;
        }
        return TAKE_FD(cur);
}

typedef struct DeferredDir {
        char *path;
        struct timespec times[2];
        size_t seq;
} DeferredDir;

typedef struct Unpacker {
        int root_fd;
        const UnpackOptions *opts;

        struct archive *outer;
        struct archive *inner;
        int input_fd;
        uint64_t input_bytes;
        DigestContext *digest;
        char *outer_buf;
        char *inner_buf;
        int stream_error;  /* a negative errno from a callback (cancel, I/O) */

        /* The last parent directory opened, since tar entries come grouped
         * by directory. Dropped when an entry replaces it or an ancestor. */
        char *cached_dir;
        int cached_fd;

        DeferredDir *dirs;
        size_t n_dirs;

        UnpackResult result;
} Unpacker;

static void unpacker_done(Unpacker *u) {
        if (u->inner)
                archive_read_free(u->inner);
        if (u->outer)
                archive_read_free(u->outer);
        digest_context_free(u->digest);
        free(u->outer_buf);
        free(u->inner_buf);
        free(u->cached_dir);
        safe_close(u->cached_fd);
        for (size_t i = 0; i < u->n_dirs; i++)
                free(u->dirs[i].path);
        free(u->dirs);
}

static int unpacker_check(Unpacker *u) {
        if (u->opts->on_bytes)
                return u->opts->on_bytes(u->input_bytes, u->opts->userdata);
        return 0;
}

static la_ssize_t outer_read(struct archive *a, void *userdata, const void **ret_buf) {
        Unpacker *u = userdata;
        for (;;) {
                ssize_t k = read(u->input_fd, u->outer_buf, OUTER_BUFFER_SIZE);
                if (k < 0 && errno == EINTR) {
                        /* A signal may have asked to cancel while the
                         * source (a pipe) was slow: look before waiting on. */
                        int r = unpacker_check(u);
                        if (r < 0) {
                                u->stream_error = r;
                                archive_set_error(a, ECANCELED, "stopped");
                                return -1;
                        }
                        continue;
                }
                if (k < 0) {
                        u->stream_error = -errno;
                        archive_set_error(a, errno, "read failed");
                        return -1;
                }
                u->input_bytes += (uint64_t) k;
                if (u->opts->on_bytes) {
                        int r = u->opts->on_bytes(u->input_bytes, u->opts->userdata);
                        if (r < 0) {
                                u->stream_error = r;
                                archive_set_error(a, ECANCELED, "stopped");
                                return -1;
                        }
                }
                *ret_buf = u->outer_buf;
                return k;
        }
}

static la_ssize_t inner_read(struct archive *a, void *userdata, const void **ret_buf) {
        Unpacker *u = userdata;
        la_ssize_t k = archive_read_data(u->outer, u->inner_buf, INNER_BUFFER_SIZE);
        if (k < 0) {
                if (u->stream_error == 0)
                        u->stream_error = -EBADMSG;
                archive_set_error(a, EIO, "%s", archive_error_string(u->outer) ?: "decompression failed");
                return -1;
        }
        if (digest_context_update(u->digest, u->inner_buf, (size_t) k) < 0) {
                u->stream_error = -EIO;
                return -1;
        }
        *ret_buf = u->inner_buf;
        return k;
}

static int defer_times(Unpacker *u, const char *path, const struct timespec ts[2]) {
        DeferredDir *n = realloc(u->dirs, (u->n_dirs + 1) * sizeof(DeferredDir));
        if (!n)
                return -ENOMEM;
        u->dirs = n;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        u->dirs[u->n_dirs].path = p;
        u->dirs[u->n_dirs].times[0] = ts[0];
        u->dirs[u->n_dirs].times[1] = ts[1];
        u->n_dirs++;
        return 0;
}

/* A directory this layer needs but its tar does not list (a parent of an
 * entry, of a whiteout) would, as the topmost copy in the overlay, decide
 * the merged directory's owner, mode and times. So it takes them from the
 * nearest lower layer that has the path (as unpacking all layers into one
 * tree would leave them); only if none has it, the defaults stay. */
static int inherit_from_lowers(Unpacker *u, const char *path, int dir_fd) {
        for (size_t i = 0; i < u->opts->n_lower_fds; i++) {
                int lfd = isempty(path) ? fcntl(u->opts->lower_fds[i], F_DUPFD_CLOEXEC, 3)
                                        : openat_beneath(u->opts->lower_fds[i], path, O_PATH | O_NOFOLLOW);
                if (lfd == -ENOENT)
                        continue;
                if (lfd < 0)
                        return 0; /* a symlink on the way, or else: not a directory there */
                _cleanup_close_ int pfd = lfd;
                struct stat st;
                if (fstat(pfd, &st) < 0)
                        return -errno;
                if (!S_ISDIR(st.st_mode))
                        return 0; /* a whiteout or a file hides what is further down */
                /* xattrs need a real fd; only now that it is a directory. */
                _cleanup_close_ int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                if (fchown(dir_fd, st.st_uid, st.st_gid) < 0 || fchmod(dir_fd, st.st_mode & 07777) < 0)
                        return -errno;
                char names[4096];
                ssize_t n = flistxattr(fd, names, sizeof(names));
                for (ssize_t k = 0; k < n; k += (ssize_t) strlen(names + k) + 1) {
                        char value[4096];
                        /* Opaqueness belongs to the lower copy, not to ours. */
                        if (!tar_xattr_allowed(names + k))
                                continue;
                        ssize_t v = fgetxattr(fd, names + k, value, sizeof(value));
                        if (v >= 0 && fsetxattr(dir_fd, names + k, value, (size_t) v, 0) < 0)
                                return -errno;
                }
                struct timespec ts[2] = { st.st_atim, st.st_mtim };
                return defer_times(u, path, ts);
        }
        return 0;
}

/* open_dir_beneath(..., true), with metadata for what it creates. */
static int open_dir_creating(Unpacker *u, const char *path) {
        if (u->opts->n_lower_fds == 0)
                return open_dir_beneath(u->root_fd, path, true);
        int fd = open_dir_beneath(u->root_fd, path, false);
        if (fd != -ENOENT)
                return fd;

        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        _cleanup_close_ int cur = fcntl(u->root_fd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        for (char *c = copy;;) {
                char *slash = strchr(c, '/');
                if (slash)
                        *slash = 0;
                bool made = mkdirat(cur, c, 0755) >= 0;
                if (!made && errno != EEXIST)
                        return -errno;
                int next = openat_beneath(cur, c, (made ? O_RDONLY : O_PATH) | O_DIRECTORY);
                if (next < 0)
                        return next;
                safe_close(cur);
                cur = next;
                if (made) {
                        int r = inherit_from_lowers(u, copy, cur); /* copy ends at c here */
                        if (r < 0)
                                return r;
                }
                if (!slash)
                        break;
                *slash = '/';
                c = slash + 1;
        }
        return TAKE_FD(cur);
}

/* Splits path into a parent directory fd (created as needed) and the leaf
 * name inside path. */
static int open_parent(Unpacker *u, const char *path, int *ret_fd, const char **ret_name) {
        const char *slash = strrchr(path, '/');
        *ret_name = slash ? slash + 1 : path;
        _cleanup_free_ char *dir = strndup(path, slash ? (size_t) (slash - path) : 0);
        if (!dir)
                return -ENOMEM;

        if (u->cached_fd < 0 || !streq_ptr(u->cached_dir, dir)) {
                int fd = open_dir_creating(u, dir);
                if (fd < 0)
                        return fd;
                safe_close(u->cached_fd);
                free(u->cached_dir);
                u->cached_fd = fd;
                u->cached_dir = TAKE_PTR(dir);
        }
        *ret_fd = u->cached_fd;
        return 0;
}

/* An entry at path may replace a directory that the cache points into. */
static void invalidate_cache(Unpacker *u, const char *path) {
        if (!u->cached_dir)
                return;
        const char *rest = startswith(u->cached_dir, path);
        if (isempty(path) || (rest && (*rest == 0 || *rest == '/'))) {
                u->cached_fd = safe_close(u->cached_fd);
                u->cached_dir = mfree(u->cached_dir);
        }
}

/* Removes whatever is at parent/name unless both it and the new entry are
 * directories. Returns 1 when an existing directory is kept. */
static int clear_leaf(int parent_fd, const char *name, bool new_is_dir) {
        struct stat st;
        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (S_ISDIR(st.st_mode)) {
                if (new_is_dir)
                        return 1;
                return rm_rf_at(parent_fd, name);
        }
        return RET_NERRNO(unlinkat(parent_fd, name, 0));
}

static int apply_xattrs(struct archive_entry *e, int fd) {
        const char *name;
        const void *value;
        size_t size;
        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (!tar_xattr_allowed(name)) {
                        log_debug("Dropping xattr '%s' from layer", name);
                        continue;
                }
                if (fsetxattr(fd, name, value, size, 0) < 0)
                        return -errno;
        }
        return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2]) {
        ts[1] = (struct timespec) { archive_entry_mtime(e), archive_entry_mtime_nsec(e) };
        if (archive_entry_atime_is_set(e))
                ts[0] = (struct timespec) { archive_entry_atime(e), archive_entry_atime_nsec(e) };
        else
                ts[0] = ts[1];
}

/* Owner, then mode (chown clears setuid bits), xattrs, times, on an fd. */
static int apply_metadata_fd(struct archive_entry *e, int fd, bool times) {
        if (fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) < 0)
                return -errno;
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return -errno;
        int r = apply_xattrs(e, fd);
        if (r < 0)
                return r;
        if (times) {
                struct timespec ts[2];
                entry_times(e, ts);
                if (futimens(fd, ts) < 0)
                        return -errno;
        }
        return 0;
}

static int write_data(Unpacker *u, int fd, struct archive_entry *e) {
        const void *buf;
        size_t size;
        la_int64_t offset;
        for (;;) {
                int a = archive_read_data_block(u->inner, &buf, &size, &offset);
                if (a == ARCHIVE_EOF)
                        break;
                if (a < ARCHIVE_WARN)
                        return u->stream_error ?: -EBADMSG;
                const char *p = buf;
                while (size > 0) {
                        ssize_t k = pwrite(fd, p, size, offset);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        p += k;
                        size -= (size_t) k;
                        offset += k;
                        u->result.bytes += (uint64_t) k;
                }
        }
        /* Sparse files end in a hole that no data block covers. */
        if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
                return -errno;
        return 0;
}

static int unpack_hardlink(Unpacker *u, int parent_fd, const char *name, const char *target_raw) {
        _cleanup_free_ char *target = NULL;
        int r = tar_path_normalize(target_raw, &target);
        if (r < 0)
                return r;
        if (isempty(target))
                return -EPERM;
        const char *slash = strrchr(target, '/');
        _cleanup_free_ char *tdir = strndup(target, slash ? (size_t) (slash - target) : 0);
        if (!tdir)
                return -ENOMEM;
        _cleanup_close_ int tfd = open_dir_beneath(u->root_fd, tdir, false);
        if (tfd < 0)
                return tfd == -ENOENT ? -EPERM : tfd;
        const char *tname = slash ? slash + 1 : target;
        struct stat st;
        if (fstatat(tfd, tname, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? -EPERM : -errno;
        if (S_ISDIR(st.st_mode))
                return -EPERM;
        if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) >= 0 && !S_ISDIR(st.st_mode) &&
            unlinkat(parent_fd, name, 0) < 0)
                return -errno;
        /* No AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself. */
        return RET_NERRNO(linkat(tfd, tname, parent_fd, name, 0));
}

static int unpack_whiteout(Unpacker *u, WhiteoutKind kind, const char *target) {
        if (kind == WHITEOUT_OPAQUE) {
                _cleanup_close_ int dfd = -EBADF;
                _cleanup_close_ int pfd = open_dir_creating(u, target);
                if (pfd < 0)
                        return pfd;
                /* fsetxattr needs a real fd, not the O_PATH one. */
                dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        return -errno;
                return RET_NERRNO(fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0));
        }

        int parent_fd;
        const char *name;
        int r = open_parent(u, target, &parent_fd, &name);
        if (r < 0)
                return r;
        r = clear_leaf(parent_fd, name, false);
        if (r < 0)
                return r;
        return RET_NERRNO(mknodat(parent_fd, name, S_IFCHR | 0, makedev(0, 0)));
}

static int defer_dir_times(Unpacker *u, const char *path, struct archive_entry *e) {
        struct timespec ts[2];
        entry_times(e, ts);
        return defer_times(u, path, ts);
}

static int unpack_entry(Unpacker *u, struct archive_entry *e, const char *path) {
        mode_t type = archive_entry_filetype(e);
        const char *hardlink = archive_entry_hardlink(e);
        int r;

        if (u->opts->whiteouts) {
                _cleanup_free_ char *target = NULL;
                WhiteoutKind kind = whiteout_classify(path, &target);
                if (kind == WHITEOUT_UNKNOWN) {
                        log_debug("Skipping whiteout metadata entry '%s'", path);
                        u->result.skipped++;
                        return 0;
                }
                if (kind != WHITEOUT_NONE) {
                        invalidate_cache(u, target);
                        return unpack_whiteout(u, kind, target);
                }
        }

        invalidate_cache(u, path);

        if (isempty(path)) {
                /* The top directory itself ("./"): its metadata only. */
                if (type != AE_IFDIR || hardlink)
                        return -EINVAL;
                _cleanup_close_ int fd = openat(u->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                r = apply_metadata_fd(e, fd, false);
                return r < 0 ? r : defer_dir_times(u, path, e);
        }

        int parent_fd;
        const char *name;
        r = open_parent(u, path, &parent_fd, &name);
        if (r < 0)
                return r;

        if (hardlink)
                return unpack_hardlink(u, parent_fd, name, hardlink);

        if (IN_SET(type, AE_IFCHR, AE_IFBLK) && !u->opts->allow_devices) {
                log_debug("Skipping device node '%s'", path);
                u->result.skipped++;
                return 0;
        }
        if (type == AE_IFSOCK) {
                u->result.skipped++;
                return 0;
        }

        r = clear_leaf(parent_fd, name, type == AE_IFDIR);
        if (r < 0)
                return r;

        struct timespec ts[2];
        entry_times(e, ts);

        switch (type) {
        case AE_IFREG: {
                _cleanup_close_ int fd = openat(parent_fd, name,
                                                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return -errno;
                r = write_data(u, fd, e);
                if (r < 0)
                        return r;
                return apply_metadata_fd(e, fd, true);
        }
        case AE_IFDIR: {
                if (r == 0 && mkdirat(parent_fd, name, 0700) < 0)
                        return -errno;
                _cleanup_close_ int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                r = apply_metadata_fd(e, fd, false);
                if (r < 0)
                        return r;
                return defer_dir_times(u, path, e);
        }
        case AE_IFLNK: {
                const char *target = archive_entry_symlink(e);
                if (!target || strnlen(target, PATH_MAX) >= PATH_MAX)
                        return -ENAMETOOLONG;
                /* The target is stored as given: it is only ever resolved
                 * inside the container, and never by us while unpacking. */
                if (symlinkat(target, parent_fd, name) < 0)
                        return -errno;
                if (fchownat(parent_fd, name, archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                return RET_NERRNO(utimensat(parent_fd, name, ts, AT_SYMLINK_NOFOLLOW));
        }
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO: {
                dev_t dev = type == AE_IFIFO ? 0 : makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
                if (mknodat(parent_fd, name, type | 0600, dev) < 0)
                        return -errno;
                /* Nodes cannot be opened for metadata without side effects:
                 * use O_PATH plus the *at() forms. */
                if (fchownat(parent_fd, name, archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0 ||
                    fchmodat(parent_fd, name, archive_entry_perm(e) & 07777, 0) < 0)
                        return -errno;
                return RET_NERRNO(utimensat(parent_fd, name, ts, AT_SYMLINK_NOFOLLOW));
        }
        default:
                log_debug("Skipping entry '%s' of unknown type 0%o", path, (unsigned) type);
                u->result.skipped++;
                return 0;
        }
}

static size_t path_depth(const char *p) {
        size_t n = isempty(p) ? 0 : 1;
        for (; *p; p++)
                n += *p == '/';
        return n;
}

static int cmp_deferred(const void *a, const void *b) {
        const DeferredDir *x = a, *y = b;
        size_t dx = path_depth(x->path), dy = path_depth(y->path);
        if (dx != dy)
                return dx < dy ? 1 : -1;
        int c = strcmp(x->path, y->path);
        if (c != 0)
                return c;
        return x->seq < y->seq ? 1 : -1; /* the latest first */
}

static int apply_deferred_dirs(Unpacker *u) {
        /* Children before parents, so that a parent's time is not touched
         * again by work on its children; of several records for one path
         * (inherited, then listed in the tar) the latest wins. */
        for (size_t i = 0; i < u->n_dirs; i++)
                u->dirs[i].seq = i;
        if (u->n_dirs > 1)
                qsort(u->dirs, u->n_dirs, sizeof(DeferredDir), cmp_deferred);
        for (size_t i = 0; i < u->n_dirs; i++) {
                DeferredDir *d = &u->dirs[i];
                if (i > 0 && streq(d->path, u->dirs[i - 1].path))
                        continue;
                _cleanup_close_ int pfd = open_dir_beneath(u->root_fd, d->path, false);
                if (pfd == -ENOENT || pfd == -ELOOP || pfd == -ENOTDIR)
                        continue; /* replaced by a later entry */
                if (pfd < 0)
                        return pfd;
                _cleanup_close_ int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return -errno;
                if (futimens(fd, d->times) < 0)
                        return -errno;
        }
        return 0;
}

int image_unpack_fd(int fd, int root_fd, const UnpackOptions *o, UnpackResult *ret, char **ret_failed_path) {
        static const UnpackOptions defaults = {};
        Unpacker u = {
                .root_fd = root_fd,
                .opts = o ?: &defaults,
                .input_fd = fd,
                .cached_fd = -EBADF,
        };
        _cleanup_free_ char *path = NULL;
        int r;

        u.outer_buf = malloc(OUTER_BUFFER_SIZE);
        u.inner_buf = malloc(INNER_BUFFER_SIZE);
        u.outer = archive_read_new();
        u.inner = archive_read_new();
        if (!u.outer_buf || !u.inner_buf || !u.outer || !u.inner) {
                r = -ENOMEM;
                goto finish;
        }
        r = digest_context_new(&u.digest);
        if (r < 0)
                goto finish;

        archive_read_support_filter_all(u.outer);
        archive_read_support_format_raw(u.outer);
        if (archive_read_open(u.outer, &u, NULL, outer_read, NULL) != ARCHIVE_OK) {
                r = u.stream_error ?: -EBADMSG;
                goto finish;
        }
        struct archive_entry *raw;
        if (archive_read_next_header(u.outer, &raw) != ARCHIVE_OK) {
                r = u.stream_error ?: -EBADMSG;
                goto finish;
        }

        /* Only tar formats (ustar, pax, GNU): an image layer is nothing else. */
        archive_read_support_format_tar(u.inner);
        archive_read_support_format_gnutar(u.inner);
        if (archive_read_open(u.inner, &u, NULL, inner_read, NULL) != ARCHIVE_OK) {
                r = u.stream_error ?: -EBADMSG;
                goto finish;
        }

        /* The layer's top directory, unless the tar lists "./" itself. */
        r = inherit_from_lowers(&u, "", root_fd);
        if (r < 0)
                goto finish;

        for (;;) {
                struct archive_entry *e;
                int a = archive_read_next_header(u.inner, &e);
                if (a == ARCHIVE_EOF)
                        break;
                if (a < ARCHIVE_WARN) {
                        log_debug("Corrupt tar stream: %s", archive_error_string(u.inner) ?: "unknown error");
                        r = u.stream_error ?: -EBADMSG;
                        goto finish;
                }
                r = unpacker_check(&u);
                if (r < 0)
                        goto finish;

                path = mfree(path);
                const char *name = archive_entry_pathname(e);
                r = tar_path_normalize(name, &path);
                if (r < 0) {
                        path = strdup(name ?: "");
                        goto finish;
                }
                r = unpack_entry(&u, e, path);
                if (r < 0)
                        goto finish;
                u.result.entries++;
        }
        path = mfree(path);

        /* The tar reader stops at the end-of-archive blocks; the diff_id
         * covers the whole uncompressed stream, padding included. */
        for (;;) {
                const void *buf;
                la_ssize_t k = inner_read(u.inner, &u, &buf);
                if (k < 0) {
                        r = u.stream_error ?: -EBADMSG;
                        goto finish;
                }
                if (k == 0)
                        break;
        }
        r = digest_context_final(u.digest, u.result.diff_id);
        if (r < 0)
                goto finish;

        r = apply_deferred_dirs(&u);
        if (r < 0)
                goto finish;

        if (ret)
                *ret = u.result;
        r = 0;
finish:
        if (r < 0 && ret_failed_path && path)
                *ret_failed_path = TAKE_PTR(path);
        unpacker_done(&u);
        return r;
}
