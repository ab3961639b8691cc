/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The metadata of OCI and docker images, parsed with json-c: an OCI
 * layout's index.json (picking a manifest by tag, by digest or the only
 * one), image manifests, image configs (the runtime defaults Entrypoint,
 * Cmd, Env, WorkingDir, User and the layers' diff_ids), and the
 * manifest.json of a `docker save` archive. Pure parsers over buffers, so
 * that they can be unit tested and fuzzed; reading blobs and checking
 * their digests is image-import.c's job. */

#include <stdint.h>

#include "macro.h"

struct json_object;

#define OCI_MEDIA_TYPE_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_TYPE_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define DOCKER_MEDIA_TYPE_MANIFEST_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define OCI_REF_NAME_ANNOTATION "org.opencontainers.image.ref.name"

typedef struct ImageConfig {
        char **entrypoint;
        char **cmd;
        char **env;
        char *working_dir;
        char *user;
        char **diff_ids;      /* "sha256:HEX", bottom layer first */
} ImageConfig;

void image_config_done(ImageConfig *c);

typedef struct OciDescriptor {
        char *media_type;
        char *digest;
        uint64_t size;
} OciDescriptor;

typedef struct OciManifest {
        OciDescriptor config;
        OciDescriptor *layers;  /* bottom first */
        size_t n_layers;
} OciManifest;

void oci_manifest_done(OciManifest *m);

typedef struct DockerManifest {
        char *config;      /* path of the config inside the archive */
        char **layers;     /* paths of the layer tars, bottom first */
} DockerManifest;

void docker_manifest_done(DockerManifest *m);

/* Picks a descriptor from an OCI index: with ref, the one whose
 * org.opencontainers.image.ref.name annotation is ref, or whose digest is
 * ref; without, the only one (several: the one for this host's
 * architecture, if exactly one matches). -ENOENT when nothing matches,
 * -ENOTUNIQ when the choice is ambiguous, -EBADMSG for malformed JSON. */
int oci_index_pick(const char *json, const char *ref, OciDescriptor *ret);

/* An image manifest: config descriptor and layer descriptors. */
int oci_manifest_parse(const char *json, OciManifest *ret);

/* An image config blob (OCI and docker share the shape): the runtime
 * defaults from its "config" object and rootfs.diff_ids. */
int image_config_parse(const char *json, ImageConfig *ret);

/* Only the runtime defaults, from a json-c object shaped like the
 * "config" member of an image config (as the image store keeps it). */
int image_config_from_object(struct json_object *o, ImageConfig *ret);
/* And back: a new object with the runtime defaults of c. */
int image_config_to_object(const ImageConfig *c, struct json_object **ret);

/* A docker-save manifest.json: with ref, the entry listing ref among its
 * RepoTags ("name:tag", or just "tag" if that is unambiguous); without,
 * the only entry. */
int docker_manifest_parse(const char *json, const char *ref, DockerManifest *ret);

/* Architecture name as OCI spells it ("amd64", "arm64", ...) for this build. */
const char *oci_host_architecture(void);
