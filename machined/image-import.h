/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The import driver: detects the format of what it is given, verifies
 * every blob against its sha256 digest before unpacking it, unpacks the
 * layers the store does not have yet into a staging directory, and
 * commits the image; on any failure or cancellation it removes the
 * staging directory so nothing is left behind. It runs synchronously and
 * reports progress through a callback; corrald runs it in a worker and
 * turns the callback into the job's Progress, and the cancel flag into
 * the job's Cancel. */

#include <stdatomic.h>
#include <stdint.h>

#include "image-store.h"

typedef enum ImageFormat {
        IMAGE_FORMAT_AUTO,
        IMAGE_FORMAT_TAR,             /* a rootfs tarball, any compression */
        IMAGE_FORMAT_OCI,             /* an OCI image layout directory */
        IMAGE_FORMAT_OCI_ARCHIVE,     /* a tar of an OCI image layout */
        IMAGE_FORMAT_DOCKER_ARCHIVE,  /* `docker save` output, either form */
        _IMAGE_FORMAT_MAX,
        _IMAGE_FORMAT_INVALID = -EINVAL,
} ImageFormat;

const char *image_format_to_string(ImageFormat f);
ImageFormat image_format_from_string(const char *s);

typedef struct ImportOptions {
        ImageFormat format;
        /* Which image of a multi-image source: an OCI ref name or manifest
         * digest, a docker RepoTag. NULL: the only one. */
        const char *ref;
        /* done and total in bytes read; total may grow while the import
         * learns what it has to read. */
        void (*progress)(uint64_t done, uint64_t total, void *userdata);
        void *userdata;
        /* Checked at least every 256 KiB read and between entries. */
        const atomic_bool *cancel;
} ImportOptions;

/* Detects the format of path (IMAGE_FORMAT_AUTO is never returned). */
int image_detect_format(const char *path, ImageFormat *ret);

/* Imports path as image name. Returns 0, -EEXIST when the name is taken,
 * -ECANCELED when cancelled, -EBADMSG for a digest mismatch or malformed
 * metadata, other -errno; logs the reason once. */
int image_import(ImageStore *s, const char *path, const char *name, const ImportOptions *o);
