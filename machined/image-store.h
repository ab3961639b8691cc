/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The image store under a --root (DESIGN.md "Files on disk"):
 *
 *   var/lib/corral/layers/sha256/HEX/   one unpacked layer, by diff_id, never
 *                                       written after it is committed
 *   var/lib/corral/images/NAME          JSON: ordered layer digests (bottom
 *                                       first), per-layer sizes, the runtime
 *                                       config, creation time
 *   var/lib/corral/tmp/                 imports in progress (staging), each
 *                                       flock'ed by its import while it lives
 *   var/lib/corral/.lock                serializes commits and removals
 *
 * Layers are shared: a layer's reference count is the number of image
 * files naming it, counted when needed (nothing to drift). An import
 * unpacks into a staging directory and commits with rename(2), so a
 * failed or cancelled import leaves nothing. A user of an image (a
 * running machine) holds a shared flock on its image file; removal takes
 * an exclusive one without waiting and refuses (-EBUSY) unless forced. */

#include <stdint.h>

#include "image-oci.h"
#include "macro.h"
#include "time-util.h"

#define IMAGE_STORE_DIR "var/lib/corral"

typedef struct ImageStore {
        char *root;      /* the --root, absolute */
        char *path;      /* root + /var/lib/corral */
        int dir_fd;      /* var/lib/corral */
} ImageStore;

typedef struct Image {
        char *name;
        char **layers;           /* "sha256:HEX", bottom first */
        uint64_t *layer_sizes;   /* bytes of file data per layer */
        ImageConfig config;
        usec_t created;
        char *source;            /* what it was imported from, informational */
} Image;

/* Names: 1-64 characters of [A-Za-z0-9._-], not starting with '.' or '-'. */
bool image_name_is_valid(const char *name);

int image_store_open(const char *root, ImageStore **ret);
ImageStore *image_store_free(ImageStore *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(ImageStore *, image_store_free);

Image *image_free(Image *i);
DEFINE_TRIVIAL_CLEANUP_FUNC(Image *, image_free);
uint64_t image_size(const Image *i);

/* Serialization of the image file (exposed for unit tests). */
int image_to_json(const Image *i, char **ret);
int image_from_json(const char *name, const char *json, Image **ret);

/* -ENOENT if there is no such image. */
int image_store_get(ImageStore *s, const char *name, Image **ret);
/* All images, sorted by name. */
int image_store_list(ImageStore *s, Image ***ret, size_t *ret_n);
void image_list_free(Image **l, size_t n);

/* Absolute path of a layer directory ("sha256:HEX"). */
int image_store_layer_path(ImageStore *s, const char *digest, char **ret);
/* 1 if the layer is in the store, 0 if not. */
int image_store_has_layer(ImageStore *s, const char *digest);
/* Number of images using the layer. */
int image_store_layer_refs(ImageStore *s, const char *digest);

/* Removes the image and every layer no other image uses. -EBUSY while a
 * user holds it (see image_store_use()) unless force. */
int image_store_remove(ImageStore *s, const char *name, bool force);

/* Marks the image in use for as long as *ret_fd stays open (shared flock
 * on its file; the fd is O_CLOEXEC). Returns the image too when ret is set. */
int image_store_use(ImageStore *s, const char *name, int *ret_fd, Image **ret);

/* Staging: a fresh directory below tmp/, returned relative to the store
 * directory and as an fd. Removed with image_store_discard_staging(). */
int image_store_make_staging(ImageStore *s, char **ret_relpath, int *ret_fd);
int image_store_discard_staging(ImageStore *s, const char *relpath);
/* Removes staging directories of imports that died (SIGKILL, crash): a
 * live import keeps a flock on its staging directory fd. Returns how many. */
int image_store_gc_staging(ImageStore *s);

/* Commits an import: staged[i] is the staging subdirectory (relative to
 * the store directory) holding layer image->layers[i] unpacked, or NULL
 * when that layer was already in the store. Layers already present are
 * not replaced. On failure, layers this call moved in are removed again
 * and no image file exists. -EEXIST if the name is taken. */
int image_store_commit(ImageStore *s, const Image *image, char *const *staged);
