/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The on-disk image store: image files, shared layers, staging, commit
 * and removal with reference counting; see image-store.h. */

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "image-digest.h"
#include "image-store.h"
#include "log.h"
#include "string-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

bool image_name_is_valid(const char *name) {
        if (isempty(name) || strlen(name) > 64 || name[0] == '.' || name[0] == '-')
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      IN_SET(*p, '.', '_', '-')))
                        return false;
        return true;
}

int image_store_open(const char *root, ImageStore **ret) {
        if (isempty(root) || root[0] != '/')
                return -EINVAL;
        _cleanup_(image_store_freep) ImageStore *s = calloc(1, sizeof(ImageStore));
        if (!s)
                return -ENOMEM;
        s->dir_fd = -EBADF;
        s->root = strdup(root);
        s->path = strprintf("%s%s" IMAGE_STORE_DIR, root, endswith(root, "/") ? "" : "/");
        if (!s->root || !s->path)
                return -ENOMEM;

        int r = mkdir_p_at(AT_FDCWD, s->path, 0755);
        if (r < 0)
                return r;
        s->dir_fd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->dir_fd < 0)
                return -errno;
        static const char *const subdirs[] = { "layers/sha256", "images", "tmp" };
        for (size_t i = 0; i < ELEMENTSOF(subdirs); i++) {
                r = mkdir_p_at(s->dir_fd, subdirs[i], 0700);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(s);
        return 0;
}

ImageStore *image_store_free(ImageStore *s) {
        if (!s)
                return NULL;
        safe_close(s->dir_fd);
        free(s->root);
        free(s->path);
        return mfree(s);
}

Image *image_free(Image *i) {
        if (!i)
                return NULL;
        free(i->name);
        strv_free(i->layers);
        free(i->layer_sizes);
        image_config_done(&i->config);
        free(i->source);
        return mfree(i);
}

uint64_t image_size(const Image *i) {
        uint64_t sum = 0;
        size_t n = strv_length(i->layers);
        for (size_t k = 0; i->layer_sizes && k < n; k++)
                sum += i->layer_sizes[k];
        return sum;
}

void image_list_free(Image **l, size_t n) {
        for (size_t i = 0; l && i < n; i++)
                image_free(l[i]);
        free(l);
}

static int json_add(struct json_object *o, const char *key, struct json_object *v) {
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int image_to_json(const Image *i, char **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        struct json_object *layers = json_object_new_array();
        int r = json_add(o, "layers", layers);
        if (!o || r < 0)
                return -ENOMEM;
        struct json_object *sizes = json_object_new_array();
        r = json_add(o, "layerSizes", sizes);
        if (r < 0)
                return r;
        size_t k = 0;
        STRV_FOREACH(l, i->layers) {
                if (json_object_array_add(layers, json_object_new_string(*l)) < 0 ||
                    json_object_array_add(sizes, json_object_new_int64(
                                                  (int64_t) (i->layer_sizes ? i->layer_sizes[k] : 0))) < 0)
                        return -ENOMEM;
                k++;
        }
        struct json_object *config;
        r = image_config_to_object(&i->config, &config);
        if (r < 0)
                return r;
        if ((r = json_add(o, "config", config)) < 0 ||
            (r = json_add(o, "created", json_object_new_int64((int64_t) i->created))) < 0)
                return r;
        if (i->source && (r = json_add(o, "source", json_object_new_string(i->source))) < 0)
                return r;

        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *copy = s ? strprintf("%s\n", s) : NULL;
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

int image_from_json(const char *name, const char *json, Image **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_tokener_parse(json);
        if (!o || !json_object_is_type(o, json_type_object))
                return -EBADMSG;
        _cleanup_(image_freep) Image *i = calloc(1, sizeof(Image));
        if (!i)
                return -ENOMEM;
        i->name = strdup(name);
        if (!i->name)
                return -ENOMEM;

        struct json_object *layers, *sizes, *config, *created, *source;
        if (!json_object_object_get_ex(o, "layers", &layers) || !json_object_is_type(layers, json_type_array))
                return -EBADMSG;
        size_t n = json_object_array_length(layers);
        i->layers = calloc(n + 1, sizeof(char *));
        i->layer_sizes = calloc(n ?: 1, sizeof(uint64_t));
        if (!i->layers || !i->layer_sizes)
                return -ENOMEM;
        bool have_sizes = json_object_object_get_ex(o, "layerSizes", &sizes) &&
                          json_object_is_type(sizes, json_type_array) && json_object_array_length(sizes) == n;
        for (size_t k = 0; k < n; k++) {
                struct json_object *l = json_object_array_get_idx(layers, k);
                if (!json_object_is_type(l, json_type_string) || !digest_is_valid(json_object_get_string(l)))
                        return -EBADMSG;
                i->layers[k] = strdup(json_object_get_string(l));
                if (!i->layers[k])
                        return -ENOMEM;
                if (have_sizes)
                        i->layer_sizes[k] = (uint64_t) json_object_get_int64(json_object_array_get_idx(sizes, k));
        }
        int r = image_config_from_object(json_object_object_get_ex(o, "config", &config) ? config : NULL,
                                         &i->config);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "created", &created))
                i->created = (usec_t) json_object_get_int64(created);
        if (json_object_object_get_ex(o, "source", &source) && json_object_is_type(source, json_type_string)) {
                i->source = strdup(json_object_get_string(source));
                if (!i->source)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(i);
        return 0;
}

static int read_image_fd(int fd, const char *name, Image **ret) {
        _cleanup_free_ char *json = NULL;
        char p[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%i", fd);
        int r = read_full_file_at(AT_FDCWD, p, 0, &json, NULL);
        if (r < 0)
                return r;
        return image_from_json(name, json, ret);
}

int image_store_get(ImageStore *s, const char *name, Image **ret) {
        if (!image_name_is_valid(name))
                return -EINVAL;
        _cleanup_free_ char *p = strprintf("images/%s", name);
        if (!p)
                return -ENOMEM;
        _cleanup_free_ char *json = NULL;
        int r = read_full_file_at(s->dir_fd, p, 0, &json, NULL);
        if (r < 0)
                return r;
        return image_from_json(name, json, ret);
}

static int cmp_image(const void *a, const void *b) {
        return strcmp((*(Image *const *) a)->name, (*(Image *const *) b)->name);
}

int image_store_list(ImageStore *s, Image ***ret, size_t *ret_n) {
        int fd = openat(s->dir_fd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return -errno;
        }
        Image **l = NULL;
        size_t n = 0;
        int r = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!image_name_is_valid(de->d_name))
                        continue; /* ".", "..", temporary files of write_file_atomic_at() */
                Image *i;
                r = image_store_get(s, de->d_name, &i);
                if (r == -ENOENT)
                        continue; /* removed meanwhile */
                if (r < 0) {
                        log_debug_errno(r, "Failed to read image '%s', ignoring: %m", de->d_name);
                        r = 0;
                        continue;
                }
                Image **nl = realloc(l, (n + 1) * sizeof(Image *));
                if (!nl) {
                        image_free(i);
                        r = -ENOMEM;
                        break;
                }
                l = nl;
                l[n++] = i;
        }
        closedir(d);
        if (r < 0) {
                image_list_free(l, n);
                return r;
        }
        if (n > 0)
                qsort(l, n, sizeof(Image *), cmp_image);
        *ret = l;
        *ret_n = n;
        return 0;
}

int image_store_layer_path(ImageStore *s, const char *digest, char **ret) {
        const char *hex;
        if (digest_parse(digest, &hex) < 0)
                return -EINVAL;
        char *p = strprintf("%s/layers/sha256/%s", s->path, hex);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

static int layer_relpath(const char *digest, char **ret) {
        const char *hex;
        if (digest_parse(digest, &hex) < 0)
                return -EINVAL;
        char *p = strprintf("layers/sha256/%s", hex);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

int image_store_has_layer(ImageStore *s, const char *digest) {
        _cleanup_free_ char *p = NULL;
        int r = layer_relpath(digest, &p);
        if (r < 0)
                return r;
        struct stat st;
        if (fstatat(s->dir_fd, p, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        return S_ISDIR(st.st_mode);
}

int image_store_layer_refs(ImageStore *s, const char *digest) {
        Image **l;
        size_t n;
        int r = image_store_list(s, &l, &n);
        if (r < 0)
                return r;
        int refs = 0;
        for (size_t i = 0; i < n; i++)
                if (strv_contains(l[i]->layers, digest))
                        refs++;
        image_list_free(l, n);
        return refs;
}

/* Serializes commits and removals against each other (blocking). */
static int lock_store(ImageStore *s) {
        int fd = openat(s->dir_fd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                safe_close(fd);
                return -errno;
        }
        return fd;
}

/* Removes the layers of digests that no image names any more. */
static int prune_layers(ImageStore *s, char **digests) {
        int ret = 0;
        STRV_FOREACH(d, digests) {
                int refs = image_store_layer_refs(s, *d);
                if (refs < 0)
                        return refs;
                if (refs > 0)
                        continue;
                _cleanup_free_ char *p = NULL;
                int r = layer_relpath(*d, &p);
                if (r >= 0)
                        r = rm_rf_at(s->dir_fd, p);
                if (r < 0 && ret >= 0)
                        ret = r;
        }
        return ret;
}

int image_store_remove(ImageStore *s, const char *name, bool force) {
        if (!image_name_is_valid(name))
                return -EINVAL;
        _cleanup_close_ int lock = lock_store(s);
        if (lock < 0)
                return lock;

        _cleanup_free_ char *p = strprintf("images/%s", name);
        if (!p)
                return -ENOMEM;
        _cleanup_close_ int fd = openat(s->dir_fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno != EWOULDBLOCK)
                        return -errno;
                if (!force)
                        return -EBUSY;
        }
        _cleanup_(image_freep) Image *i = NULL;
        int r = read_image_fd(fd, name, &i);
        if (r < 0)
                return r;
        if (unlinkat(s->dir_fd, p, 0) < 0)
                return -errno;
        return prune_layers(s, i->layers);
}

int image_store_use(ImageStore *s, const char *name, int *ret_fd, Image **ret) {
        if (!image_name_is_valid(name))
                return -EINVAL;
        _cleanup_free_ char *p = strprintf("images/%s", name);
        if (!p)
                return -ENOMEM;
        for (;;) {
                _cleanup_close_ int fd = openat(s->dir_fd, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
                if (fd < 0)
                        return -errno;
                if (flock(fd, LOCK_SH) < 0)
                        return -errno;
                /* A removal may have unlinked the file between our open and
                 * our lock: then the lock protects nothing, look again. */
                struct stat st;
                if (fstat(fd, &st) < 0)
                        return -errno;
                if (st.st_nlink == 0)
                        continue;
                if (ret) {
                        int r = read_image_fd(fd, name, ret);
                        if (r < 0)
                                return r;
                }
                *ret_fd = TAKE_FD(fd);
                return 0;
        }
}

int image_store_gc_staging(ImageStore *s) {
        _cleanup_close_ int fd = openat(s->dir_fd, "tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!startswith(de->d_name, "import-"))
                        continue;
                /* An import in progress holds its directory locked; one that
                 * was killed does not, and its leftovers go now. */
                _cleanup_close_ int sfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (sfd < 0 || flock(sfd, LOCK_EX | LOCK_NB) < 0)
                        continue;
                int r = rm_rf_at(dirfd(d), de->d_name);
                if (r < 0)
                        log_debug_errno(r, "Failed to remove stale staging '%s', ignoring: %m", de->d_name);
                else
                        n++;
        }
        closedir(d);
        return n;
}

int image_store_make_staging(ImageStore *s, char **ret_relpath, int *ret_fd) {
        _cleanup_free_ char *abs = strprintf("%s/tmp/import-XXXXXX", s->path);
        if (!abs)
                return -ENOMEM;
        if (!mkdtemp(abs))
                return -errno;
        _cleanup_free_ char *rel = strdup(abs + strlen(s->path) + 1);
        if (!rel)
                return -ENOMEM;
        int fd = openat(s->dir_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int r = -errno;
                safe_close(fd);
                (void) rm_rf_at(s->dir_fd, rel);
                return r;
        }
        *ret_relpath = TAKE_PTR(rel);
        *ret_fd = fd;
        return 0;
}

int image_store_discard_staging(ImageStore *s, const char *relpath) {
        if (isempty(relpath) || !startswith(relpath, "tmp/"))
                return -EINVAL;
        return rm_rf_at(s->dir_fd, relpath);
}

int image_store_commit(ImageStore *s, const Image *image, char *const *staged) {
        if (!image_name_is_valid(image->name))
                return -EINVAL;
        _cleanup_close_ int lock = lock_store(s);
        if (lock < 0)
                return lock;

        _cleanup_free_ char *p = strprintf("images/%s", image->name);
        if (!p)
                return -ENOMEM;
        if (faccessat(s->dir_fd, p, F_OK, AT_SYMLINK_NOFOLLOW) >= 0)
                return -EEXIST;

        _cleanup_free_ char *json = NULL, *tmp = NULL;
        int r = image_to_json(image, &json);
        if (r < 0)
                return r;

        _cleanup_strv_free_ char **moved = NULL;
        size_t n = strv_length(image->layers);
        for (size_t k = 0; k < n; k++) {
                _cleanup_free_ char *dest = NULL;
                r = layer_relpath(image->layers[k], &dest);
                if (r < 0)
                        goto fail;
                if (!staged || !staged[k]) {
                        /* Shared: it must be there, and stays there because
                         * removals take the same lock. */
                        r = image_store_has_layer(s, image->layers[k]);
                        if (r == 0)
                                r = -ENOENT;
                        if (r < 0)
                                goto fail;
                        continue;
                }
                if (renameat2(s->dir_fd, staged[k], s->dir_fd, dest, RENAME_NOREPLACE) < 0) {
                        if (errno != EEXIST) {
                                r = -errno;
                                goto fail;
                        }
                        /* Committed by a concurrent import (or twice in this
                         * image): the existing copy is identical by digest. */
                        continue;
                }
                r = strv_extend(&moved, image->layers[k]);
                if (r < 0)
                        goto fail;
        }

        /* The layers reach the disk before an image file names them, so a
         * crash never leaves an image over half-written layers. */
        if (syncfs(s->dir_fd) < 0) {
                r = -errno;
                goto fail;
        }

        /* Written under tmp/ and renamed into images/: a half-written file
         * never carries a valid image name there (write_file_atomic_at()'s
         * own temporary name would), and RENAME_NOREPLACE keeps the name
         * check and the creation one step. */
        tmp = strprintf("tmp/image-%s.%d", image->name, (int) getpid());
        if (!tmp) {
                r = -ENOMEM;
                goto fail;
        }
        r = write_file_atomic_at(s->dir_fd, tmp, json, strlen(json), 0644);
        if (r < 0)
                goto fail;
        if (renameat2(s->dir_fd, tmp, s->dir_fd, p, RENAME_NOREPLACE) < 0) {
                r = -errno;
                (void) unlinkat(s->dir_fd, tmp, 0);
                goto fail;
        }
        return 0;

fail:
        (void) prune_layers(s, moved);
        return r;
}
