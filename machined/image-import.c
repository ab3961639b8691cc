/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Import of rootfs tarballs, OCI layouts/archives and docker-save
 * archives into the image store; see image-import.h.
 *
 * Order of trust: a blob is hashed completely and compared with the digest
 * that names it before any parser sees it (JSON blobs, compressed layers);
 * where the only digest is the diff_id (docker's layer.tar, a rootfs
 * tarball), the uncompressed stream is hashed while it is unpacked into
 * staging and the layer is only committed when it matches. Archives are
 * first unpacked, with the same safe unpacker, into staging. */

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "image-digest.h"
#include "image-import.h"
#include "image-oci.h"
#include "image-unpack.h"
#include "log.h"
#include "string-util.h"

#define MAX_JSON_SIZE (8 * 1024 * 1024)
#define MAX_INDEX_DEPTH 4

static const char *const image_format_table[_IMAGE_FORMAT_MAX] = {
        [IMAGE_FORMAT_AUTO] = "auto",
        [IMAGE_FORMAT_TAR] = "tar",
        [IMAGE_FORMAT_OCI] = "oci",
        [IMAGE_FORMAT_OCI_ARCHIVE] = "oci-archive",
        [IMAGE_FORMAT_DOCKER_ARCHIVE] = "docker-archive",
};

const char *image_format_to_string(ImageFormat f) {
        if (f < 0 || f >= _IMAGE_FORMAT_MAX)
                return NULL;
        return image_format_table[f];
}

ImageFormat image_format_from_string(const char *s) {
        for (int i = 0; s && i < _IMAGE_FORMAT_MAX; i++)
                if (streq(image_format_table[i], s))
                        return (ImageFormat) i;
        return _IMAGE_FORMAT_INVALID;
}

typedef struct Import {
        ImageStore *store;
        const ImportOptions *opts;
        char *staging;     /* relative to the store directory */
        int staging_fd;
        uint64_t done_base; /* bytes finished in earlier steps */
        uint64_t done;
        uint64_t total;
        unsigned n_layers_staged;
} Import;

static int import_on_bytes(uint64_t bytes, void *userdata) {
        Import *im = userdata;
        if (im->opts->cancel && atomic_load(im->opts->cancel))
                return -ECANCELED;
        im->done = im->done_base + bytes;
        if (im->opts->progress)
                im->opts->progress(im->done, MAX(im->total, im->done), im->opts->userdata);
        return 0;
}

/* digest_fd() reports chunk sizes, the unpacker a running count. */
static int import_on_chunk(uint64_t bytes, void *userdata) {
        Import *im = userdata;
        im->done_base += bytes;
        return import_on_bytes(0, userdata);
}

static void import_step_done(Import *im) {
        im->done_base = im->done;
}

int image_detect_format(const char *path, ImageFormat *ret) {
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode)) {
                _cleanup_free_ char *p = strprintf("%s/oci-layout", path);
                if (!p)
                        return -ENOMEM;
                if (access(p, F_OK) < 0)
                        return -EMEDIUMTYPE;
                *ret = IMAGE_FORMAT_OCI;
                return 0;
        }
        if (!S_ISREG(st.st_mode))
                return -EMEDIUMTYPE;

        struct archive *a = archive_read_new();
        if (!a)
                return -ENOMEM;
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        int r = 0;
        bool layout = false, manifest = false;
        if (archive_read_open_filename(a, path, 64 * 1024) != ARCHIVE_OK)
                r = -EMEDIUMTYPE;
        else
                for (;;) {
                        struct archive_entry *e;
                        int k = archive_read_next_header(a, &e);
                        if (k == ARCHIVE_EOF)
                                break;
                        if (k < ARCHIVE_WARN) {
                                r = -EMEDIUMTYPE;
                                break;
                        }
                        _cleanup_free_ char *n = NULL;
                        if (tar_path_normalize(archive_entry_pathname(e), &n) < 0)
                                continue; /* the unpacker refuses it later */
                        if (streq(n, "manifest.json")) {
                                manifest = true;
                                break; /* docker's wins, whatever else is there */
                        }
                        if (streq(n, "oci-layout"))
                                layout = true;
                }
        archive_read_free(a);
        if (r < 0)
                return r;
        *ret = manifest ? IMAGE_FORMAT_DOCKER_ARCHIVE : layout ? IMAGE_FORMAT_OCI_ARCHIVE : IMAGE_FORMAT_TAR;
        return 0;
}

/* Reads a small JSON file below dir_fd (path from untrusted metadata),
 * checking it against expect_digest when given. */
static int read_json_verified(int dir_fd, const char *path, const char *expect_digest, char **ret) {
        _cleanup_free_ char *norm = NULL;
        int r = tar_path_normalize(path, &norm);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = openat_beneath(dir_fd, norm, O_RDONLY);
        if (fd < 0)
                return fd;
        char p[64];
        snprintf(p, sizeof(p), "/proc/self/fd/%i", fd);
        _cleanup_free_ char *buf = NULL;
        size_t size;
        r = read_full_file_at(AT_FDCWD, p, MAX_JSON_SIZE, &buf, &size);
        if (r < 0)
                return r;
        if (expect_digest) {
                const char *hex;
                char got[SHA256_HEX_LEN + 1];
                _cleanup_(digest_context_freep) DigestContext *c = NULL;
                if (digest_parse(expect_digest, &hex) < 0)
                        return -EBADMSG;
                if ((r = digest_context_new(&c)) < 0 || (r = digest_context_update(c, buf, size)) < 0 ||
                    (r = digest_context_final(c, got)) < 0)
                        return r;
                if (!streq(got, hex))
                        return log_error_errno(-EBADMSG, "Blob '%s' does not match its digest (content is sha256:%s).",
                                               expect_digest, got);
        }
        if (strlen(buf) != size)
                return -EBADMSG; /* a NUL inside JSON */
        *ret = TAKE_PTR(buf);
        return 0;
}

static int blob_path(const char *digest, char **ret) {
        const char *hex;
        if (digest_parse(digest, &hex) < 0)
                return -EBADMSG;
        char *p = strprintf("blobs/sha256/%s", hex);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}

/* The digest a docker-archive path names: "blobs/sha256/HEX" or "HEX.json". */
static char *digest_from_path(const char *path) {
        const char *hex = startswith(path, "blobs/sha256/");
        if (hex && digest_hex_is_valid(hex))
                return strprintf("sha256:%s", hex);
        if (endswith(path, ".json") && strlen(path) == SHA256_HEX_LEN + 5) {
                _cleanup_free_ char *h = strndup(path, SHA256_HEX_LEN);
                if (h && digest_hex_is_valid(h))
                        return strprintf("sha256:%s", h);
        }
        return NULL;
}

/* One layer: verify the blob (when a digest names it), unpack it into
 * staging (unless the store has diff_id already), check the diff_id. */
static int import_layer(Import *im, int dir_fd, const char *path, const char *blob_digest, const char *diff_id,
                        const int *lower_fds, size_t n_lower_fds, char **ret_staged, char **ret_diff_id,
                        uint64_t *ret_size) {
        _cleanup_free_ char *norm = NULL;
        int r = tar_path_normalize(path, &norm);
        if (r < 0)
                return log_error_errno(r, "Invalid layer path '%s'.", path);
        _cleanup_close_ int fd = openat_beneath(dir_fd, norm, O_RDONLY);
        if (fd < 0)
                return log_error_errno(fd, "Failed to open layer '%s': %m", path);

        if (diff_id) {
                r = image_store_has_layer(im->store, diff_id);
                if (r < 0)
                        return log_error_errno(r, "Failed to look up layer '%s': %m", diff_id);
                if (r > 0) {
                        log_debug("Layer %s is in the store already, not unpacking it again.", diff_id);
                        *ret_staged = NULL;
                        *ret_diff_id = strdup(diff_id);
                        *ret_size = UINT64_MAX; /* filled in from the image that has it */
                        return *ret_diff_id ? 0 : log_oom();
                }
        }

        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "Failed to stat layer '%s': %m", path);
        im->total += (uint64_t) st.st_size * (blob_digest ? 2 : 1);

        if (blob_digest) {
                const char *hex;
                char got[SHA256_HEX_LEN + 1];
                if (digest_parse(blob_digest, &hex) < 0)
                        return log_error_errno(-EBADMSG, "Invalid digest '%s'.", blob_digest);
                r = digest_fd(fd, import_on_chunk, im, got);
                if (r == -ECANCELED)
                        return r;
                if (r < 0)
                        return log_error_errno(r, "Failed to read layer '%s': %m", path);
                if (!streq(got, hex))
                        return log_error_errno(-EBADMSG, "Blob '%s' does not match its digest (content is sha256:%s).",
                                               blob_digest, got);
                if (lseek(fd, 0, SEEK_SET) < 0)
                        return log_error_errno(-errno, "Failed to rewind layer '%s': %m", path);
                import_step_done(im);
        }

        _cleanup_free_ char *staged = strprintf("%s/layer-%u", im->staging, im->n_layers_staged);
        _cleanup_free_ char *name = strprintf("layer-%u", im->n_layers_staged);
        if (!staged || !name)
                return log_oom();
        if (mkdirat(im->staging_fd, name, 0755) < 0)
                return log_error_errno(-errno, "Failed to create '%s': %m", staged);
        im->n_layers_staged++;
        _cleanup_close_ int layer_fd = openat(im->staging_fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (layer_fd < 0)
                return log_error_errno(-errno, "Failed to open '%s': %m", staged);

        UnpackOptions uo = {
                .whiteouts = true,
                .lower_fds = lower_fds,
                .n_lower_fds = n_lower_fds,
                .on_bytes = import_on_bytes,
                .userdata = im,
        };
        UnpackResult res;
        _cleanup_free_ char *bad = NULL;
        r = image_unpack_fd(fd, layer_fd, &uo, &res, &bad);
        if (r == -ECANCELED)
                return r;
        if (r < 0)
                return log_error_errno(r, "Refusing layer '%s'%s%s%s: %m", path, bad ? ", entry '" : "",
                                       strempty(bad), bad ? "'" : "");
        import_step_done(im);

        _cleanup_free_ char *got = strprintf("sha256:%s", res.diff_id);
        if (!got)
                return log_oom();
        if (diff_id && !streq(got, diff_id))
                return log_error_errno(-EBADMSG, "Layer '%s' does not match its diff_id '%s' (content is %s).", path,
                                       diff_id, got);
        log_debug("Unpacked layer %s: %" PRIu64 " entries, %" PRIu64 " bytes, %" PRIu64 " skipped.", got,
                  res.entries, res.bytes, res.skipped);
        *ret_staged = TAKE_PTR(staged);
        *ret_diff_id = TAKE_PTR(got);
        *ret_size = res.bytes;
        return 0;
}

/* Imports the layers at paths (bottom first) and commits the image. */
static int import_layers_and_commit(Import *im, int dir_fd, const char *name, const char *source, ImageConfig *config,
                                    char *const *paths, char *const *blob_digests) {
        size_t n = strv_length(paths);
        if (config->diff_ids && strv_length(config->diff_ids) != n)
                return log_error_errno(-EBADMSG, "The image config lists %zu layers, the manifest %zu.",
                                       strv_length(config->diff_ids), n);

        _cleanup_(image_freep) Image *image = calloc(1, sizeof(Image));
        if (!image)
                return log_oom();
        image->name = strdup(name);
        image->source = strdup(source);
        image->layers = calloc(n + 1, sizeof(char *));
        image->layer_sizes = calloc(n ?: 1, sizeof(uint64_t));
        _cleanup_strv_free_ char **staged = calloc(n + 1, sizeof(char *));
        if (!image->name || !image->source || !image->layers || !image->layer_sizes || !staged)
                return log_oom();
        image->config = *config;
        *config = (ImageConfig) {};
        image->created = now(CLOCK_REALTIME);

        /* Directory fds of the layers done so far, bottom first, and the
         * same top first for the unpacker. */
        _cleanup_free_ int *fds = calloc(n ?: 1, sizeof(int)), *lowers = calloc(n ?: 1, sizeof(int));
        if (!fds || !lowers)
                return log_oom();
        size_t n_fds = 0;
        int r = 0;
        for (size_t k = 0; k < n; k++) {
                if (im->opts->cancel && atomic_load(im->opts->cancel)) {
                        r = -ECANCELED;
                        break;
                }
                for (size_t j = 0; j < n_fds; j++)
                        lowers[j] = fds[n_fds - 1 - j];
                char *s = NULL;
                r = import_layer(im, dir_fd, paths[k], blob_digests ? blob_digests[k] : NULL,
                                 image->config.diff_ids ? image->config.diff_ids[k] : NULL, lowers, n_fds, &s,
                                 &image->layers[k], &image->layer_sizes[k]);
                if (r < 0)
                        break;
                /* strv semantics need no holes: keep "" for "not staged". */
                staged[k] = s ?: strdup("");
                if (!staged[k]) {
                        r = log_oom();
                        break;
                }
                _cleanup_free_ char *where = s ? strprintf("%s/%s", im->store->path, s) : NULL;
                if (!s && image_store_layer_path(im->store, image->layers[k], &where) < 0)
                        where = NULL;
                if (!where) {
                        r = log_oom();
                        break;
                }
                fds[n_fds] = open(where, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (fds[n_fds] < 0) {
                        r = log_error_errno(-errno, "Failed to open layer '%s': %m", where);
                        break;
                }
                n_fds++;
        }
        close_many(fds, n_fds);
        if (r < 0)
                return r;
        for (size_t k = 0; k < n; k++) {
                if (isempty(staged[k]))
                        staged[k] = mfree(staged[k]);
                if (image->layer_sizes[k] != UINT64_MAX)
                        continue;
                /* A shared layer: take its size from an image that has it. */
                Image **l;
                size_t nl;
                image->layer_sizes[k] = 0;
                if (image_store_list(im->store, &l, &nl) >= 0) {
                        for (size_t i = 0; i < nl; i++)
                                for (size_t j = 0; l[i]->layers[j]; j++)
                                        if (streq(l[i]->layers[j], image->layers[k]))
                                                image->layer_sizes[k] = l[i]->layer_sizes[j];
                        image_list_free(l, nl);
                }
        }
        if (im->opts->cancel && atomic_load(im->opts->cancel))
                return -ECANCELED;

        /* staged[] may now have NULL holes; commit indexes it by layer. */
        r = image_store_commit(im->store, image, staged);
        for (size_t k = 0; k < n; k++)
                staged[k] = mfree(staged[k]);
        if (r == -EEXIST)
                return log_error_errno(r, "An image '%s' exists already.", name);
        if (r < 0)
                return log_error_errno(r, "Failed to commit image '%s': %m", name);
        return 0;
}

static int import_oci_layout(Import *im, int dir_fd, const char *name, const char *source) {
        _cleanup_free_ char *json = NULL;
        int r = read_json_verified(dir_fd, "index.json", NULL, &json);
        if (r < 0)
                return log_error_errno(r, "Failed to read the OCI layout's index.json: %m");

        _cleanup_free_ char *manifest_json = NULL;
        const char *ref = im->opts->ref;
        for (unsigned depth = 0;; depth++) {
                OciDescriptor d = {};
                r = oci_index_pick(json, ref, &d);
                if (r == -ENOENT)
                        return log_error_errno(r, "No image '%s' in the OCI layout.", strempty(ref));
                if (r == -ENOTUNIQ)
                        return log_error_errno(r, "The OCI layout holds several images, name one%s%s.",
                                               ref ? " other than " : "", strempty(ref));
                if (r < 0)
                        return log_error_errno(r, "Malformed OCI index: %m");
                _cleanup_free_ char *bp = NULL;
                _cleanup_free_ char *blob = NULL;
                r = blob_path(d.digest, &bp);
                if (r >= 0)
                        r = read_json_verified(dir_fd, bp, d.digest, &blob);
                bool nested = d.media_type &&
                              (streq(d.media_type, OCI_MEDIA_TYPE_INDEX) || streq(d.media_type, DOCKER_MEDIA_TYPE_MANIFEST_LIST));
                free(d.media_type);
                free(d.digest);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the image manifest: %m");
                free(json);
                json = TAKE_PTR(blob);
                if (!nested)
                        break;
                if (depth >= MAX_INDEX_DEPTH)
                        return log_error_errno(-ELOOP, "OCI indexes nested too deeply.");
                ref = NULL; /* inside a named index: the one for this platform */
        }
        manifest_json = TAKE_PTR(json);

        _cleanup_(oci_manifest_done) OciManifest m = {};
        r = oci_manifest_parse(manifest_json, &m);
        if (r < 0)
                return log_error_errno(r, "Malformed OCI image manifest: %m");

        _cleanup_free_ char *cp = NULL, *config_json = NULL;
        r = blob_path(m.config.digest, &cp);
        if (r >= 0)
                r = read_json_verified(dir_fd, cp, m.config.digest, &config_json);
        if (r < 0)
                return log_error_errno(r, "Failed to read the image config: %m");
        _cleanup_(image_config_done) ImageConfig config = {};
        r = image_config_parse(config_json, &config);
        if (r < 0)
                return log_error_errno(r, "Malformed image config: %m");

        _cleanup_strv_free_ char **paths = NULL, **digests = NULL;
        for (size_t k = 0; k < m.n_layers; k++) {
                char *p;
                if (blob_path(m.layers[k].digest, &p) < 0 || strv_consume(&paths, p) < 0 ||
                    strv_extend(&digests, m.layers[k].digest) < 0)
                        return log_oom();
        }
        if (!paths && !(paths = calloc(1, sizeof(char *))))
                return log_oom();
        return import_layers_and_commit(im, dir_fd, name, source, &config, paths, digests);
}

static int import_docker(Import *im, int dir_fd, const char *name, const char *source) {
        _cleanup_free_ char *json = NULL;
        int r = read_json_verified(dir_fd, "manifest.json", NULL, &json);
        if (r < 0)
                return log_error_errno(r, "Failed to read the archive's manifest.json: %m");
        _cleanup_(docker_manifest_done) DockerManifest m = {};
        r = docker_manifest_parse(json, im->opts->ref, &m);
        if (r == -ENOENT)
                return log_error_errno(r, "No image '%s' in the docker archive.", strempty(im->opts->ref));
        if (r == -ENOTUNIQ)
                return log_error_errno(r, "The docker archive holds several images, name one.");
        if (r < 0)
                return log_error_errno(r, "Malformed manifest.json: %m");

        _cleanup_free_ char *config_digest = digest_from_path(m.config);
        _cleanup_free_ char *config_json = NULL;
        if (!config_digest)
                return log_error_errno(-EBADMSG, "The config path '%s' names no digest.", m.config);
        r = read_json_verified(dir_fd, m.config, config_digest, &config_json);
        if (r < 0)
                return log_error_errno(r, "Failed to read the image config: %m");
        _cleanup_(image_config_done) ImageConfig config = {};
        r = image_config_parse(config_json, &config);
        if (r < 0)
                return log_error_errno(r, "Malformed image config: %m");

        /* Layers named by blob digest (the OCI-in-docker form) are checked
         * as blobs; old "ID/layer.tar" ones through their diff_id. */
        size_t n = strv_length(m.layers);
        _cleanup_strv_free_ char **digests = calloc(n + 1, sizeof(char *));
        if (!digests)
                return log_oom();
        for (size_t k = 0; k < n; k++) {
                digests[k] = digest_from_path(m.layers[k]);
                if (!digests[k] && !(digests[k] = strdup("")))
                        return log_oom();
        }
        _cleanup_free_ char **digest_ptrs = calloc(n + 1, sizeof(char *));
        if (!digest_ptrs)
                return log_oom();
        for (size_t k = 0; k < n; k++)
                digest_ptrs[k] = isempty(digests[k]) ? NULL : digests[k];
        return import_layers_and_commit(im, dir_fd, name, source, &config, m.layers, digest_ptrs);
}

static int import_tarball(Import *im, const char *path, const char *name) {
        /* The user named this file: open its directory and take the file
         * by its last component, so that the layer code opens it beneath. */
        _cleanup_free_ char *copy = strdup(path), *dir = NULL;
        if (!copy)
                return log_oom();
        char *slash = strrchr(copy, '/');
        const char *base = slash ? slash + 1 : copy;
        if (slash)
                dir = strndup(copy, (size_t) (slash - copy) ?: 1);
        _cleanup_close_ int dir_fd = open(dir ?: ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return log_error_errno(-errno, "Failed to open the directory of '%s': %m", path);
        _cleanup_(image_config_done) ImageConfig config = {};
        char *paths[] = { (char *) base, NULL };
        return import_layers_and_commit(im, dir_fd, name, path, &config, paths, NULL);
}

/* Unpacks an OCI/docker archive into staging/outer, as a directory. */
static int unpack_outer(Import *im, const char *path, int *ret_fd) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to open '%s': %m", path);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "Failed to stat '%s': %m", path);
        im->total += (uint64_t) st.st_size;
        if (mkdirat(im->staging_fd, "outer", 0700) < 0)
                return log_error_errno(-errno, "Failed to create staging directory: %m");
        _cleanup_close_ int out = openat(im->staging_fd, "outer", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (out < 0)
                return log_error_errno(-errno, "Failed to open staging directory: %m");
        UnpackOptions uo = { .on_bytes = import_on_bytes, .userdata = im };
        _cleanup_free_ char *bad = NULL;
        int r = image_unpack_fd(fd, out, &uo, NULL, &bad);
        if (r == -ECANCELED)
                return r;
        if (r < 0)
                return log_error_errno(r, "Refusing archive '%s'%s%s%s: %m", path, bad ? ", entry '" : "",
                                       strempty(bad), bad ? "'" : "");
        import_step_done(im);
        *ret_fd = TAKE_FD(out);
        return 0;
}

int image_import(ImageStore *s, const char *path, const char *name, const ImportOptions *o) {
        static const ImportOptions defaults = {};
        if (!o)
                o = &defaults;
        if (!image_name_is_valid(name))
                return log_error_errno(-EINVAL, "Invalid image name '%s'.", strempty(name));

        _cleanup_(image_freep) Image *existing = NULL;
        int r = image_store_get(s, name, &existing);
        if (r >= 0)
                return log_error_errno(-EEXIST, "An image '%s' exists already.", name);
        if (r != -ENOENT)
                return log_error_errno(r, "Failed to look up image '%s': %m", name);

        ImageFormat format = o->format;
        if (format == IMAGE_FORMAT_AUTO) {
                r = image_detect_format(path, &format);
                if (r < 0)
                        return log_error_errno(r, "Failed to recognize '%s' as an image: %m", path);
        }
        log_debug("Importing '%s' as %s image '%s'.", path, image_format_to_string(format), name);

        r = image_store_gc_staging(s);
        if (r > 0)
                log_debug("Removed %i stale staging directories of killed imports.", r);

        Import im = { .store = s, .opts = o, .staging_fd = -EBADF };
        r = image_store_make_staging(s, &im.staging, &im.staging_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to create a staging directory: %m");

        _cleanup_close_ int dir_fd = -EBADF;
        switch (format) {
        case IMAGE_FORMAT_TAR:
                r = import_tarball(&im, path, name);
                break;
        case IMAGE_FORMAT_OCI:
                dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = dir_fd < 0 ? log_error_errno(-errno, "Failed to open '%s': %m", path)
                               : import_oci_layout(&im, dir_fd, name, path);
                break;
        case IMAGE_FORMAT_OCI_ARCHIVE:
        case IMAGE_FORMAT_DOCKER_ARCHIVE:
                r = unpack_outer(&im, path, &dir_fd);
                if (r >= 0)
                        r = format == IMAGE_FORMAT_OCI_ARCHIVE ? import_oci_layout(&im, dir_fd, name, path)
                                                               : import_docker(&im, dir_fd, name, path);
                break;
        default:
                r = log_error_errno(-EINVAL, "Unknown image format.");
        }
        if (r == -ECANCELED)
                log_info("Import of '%s' cancelled.", path);

        im.staging_fd = safe_close(im.staging_fd);
        int k = image_store_discard_staging(s, im.staging);
        if (k < 0)
                log_warning_errno(k, "Failed to remove staging directory '%s', ignoring: %m", im.staging);
        free(im.staging);
        return r;
}
