/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for the image metadata parsers (image-oci.c, the store's
 * image file in image-store.c): the same bytes go through every parser,
 * which must each return a result or an error and never crash or leak.
 * The first byte picks the ref to look up. Built for libFuzzer with clang,
 * and run over the corpus by fuzz-driver.c in the unit suite. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image-oci.h"
#include "image-store.h"
#include "string-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static const char *const refs[] = { NULL, "latest", "t", "corral/fixture:latest" };
        if (size < 1 || size > 256 * 1024)
                return 0;
        const char *ref = refs[data[0] % ELEMENTSOF(refs)];
        char *json = strndup((const char *) data + 1, size - 1);
        if (!json)
                return 0;

        OciDescriptor d = {};
        if (oci_index_pick(json, ref, &d) >= 0) {
                if (!d.digest)
                        __builtin_trap();
                free(d.digest);
                free(d.media_type);
        }
        OciManifest m = {};
        if (oci_manifest_parse(json, &m) >= 0) {
                if (!m.config.digest)
                        __builtin_trap();
                oci_manifest_done(&m);
        }
        ImageConfig c = {};
        if (image_config_parse(json, &c) >= 0) {
                if (!c.diff_ids)
                        __builtin_trap();
                image_config_done(&c);
        }
        DockerManifest dm = {};
        if (docker_manifest_parse(json, ref, &dm) >= 0) {
                if (!dm.config || !dm.layers)
                        __builtin_trap();
                docker_manifest_done(&dm);
        }
        Image *i = NULL;
        if (image_from_json("fuzz", json, &i) >= 0) {
                /* What was read must write back and read again the same. */
                char *again = NULL;
                Image *j = NULL;
                if (image_to_json(i, &again) < 0 || image_from_json("fuzz", again, &j) < 0 ||
                    strv_length(i->layers) != strv_length(j->layers))
                        __builtin_trap();
                image_free(j);
                free(again);
                image_free(i);
        }
        free(json);
        return 0;
}
