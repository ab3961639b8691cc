/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI/docker image metadata parsers over json-c; see image-oci.h. Every
 * accessor checks the JSON type: a field of the wrong type is a malformed
 * document (-EBADMSG), never a crash or a silently empty value. */

#include <json-c/json.h>
#include <string.h>

#include "image-digest.h"
#include "image-oci.h"
#include "string-util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct json_object *, json_object_put);

static void oci_descriptor_done(OciDescriptor *d) {
        d->media_type = mfree(d->media_type);
        d->digest = mfree(d->digest);
        d->size = 0;
}

void image_config_done(ImageConfig *c) {
        if (!c)
                return;
        c->entrypoint = strv_free(c->entrypoint);
        c->cmd = strv_free(c->cmd);
        c->env = strv_free(c->env);
        c->working_dir = mfree(c->working_dir);
        c->user = mfree(c->user);
        c->diff_ids = strv_free(c->diff_ids);
}

void oci_manifest_done(OciManifest *m) {
        if (!m)
                return;
        oci_descriptor_done(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                oci_descriptor_done(&m->layers[i]);
        m->layers = mfree(m->layers);
        m->n_layers = 0;
}

void docker_manifest_done(DockerManifest *m) {
        if (!m)
                return;
        m->config = mfree(m->config);
        m->layers = strv_free(m->layers);
}

const char *oci_host_architecture(void) {
#if defined(__x86_64__)
        return "amd64";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__i386__)
        return "386";
#elif defined(__arm__)
        return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64le";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#else
        return "unknown";
#endif
}

static int parse_json(const char *json, struct json_object **ret) {
        if (!json)
                return -EINVAL;
        enum json_tokener_error err;
        struct json_object *o = json_tokener_parse_verbose(json, &err);
        if (!o)
                return -EBADMSG;
        *ret = o;
        return 0;
}

/* A member that is absent or null gives *ret = NULL and 0. */
static int get_member(struct json_object *o, const char *key, json_type type, struct json_object **ret) {
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
                *ret = NULL;
                return 0;
        }
        if (!json_object_is_type(v, type))
                return -EBADMSG;
        *ret = v;
        return 0;
}

static int get_string(struct json_object *o, const char *key, char **ret) {
        struct json_object *v;
        int r = get_member(o, key, json_type_string, &v);
        if (r < 0)
                return r;
        char *s = NULL;
        if (v) {
                s = strdup(json_object_get_string(v));
                if (!s)
                        return -ENOMEM;
        }
        *ret = s;
        return 0;
}

static int get_strv(struct json_object *o, const char *key, char ***ret) {
        struct json_object *v;
        int r = get_member(o, key, json_type_array, &v);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **l = NULL;
        if (v) {
                /* An empty array is an explicit empty list, not "unset". */
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
                size_t n = json_object_array_length(v);
                for (size_t i = 0; i < n; i++) {
                        struct json_object *e = json_object_array_get_idx(v, i);
                        if (!json_object_is_type(e, json_type_string))
                                return -EBADMSG;
                        r = strv_extend(&l, json_object_get_string(e));
                        if (r < 0)
                                return r;
                }
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static int parse_descriptor(struct json_object *o, OciDescriptor *ret) {
        if (!json_object_is_type(o, json_type_object))
                return -EBADMSG;
        OciDescriptor d = {};
        int r = get_string(o, "mediaType", &d.media_type);
        if (r < 0)
                return r;
        r = get_string(o, "digest", &d.digest);
        if (r < 0 || !d.digest || !digest_is_valid(d.digest)) {
                oci_descriptor_done(&d);
                return r < 0 ? r : -EBADMSG;
        }
        struct json_object *size;
        r = get_member(o, "size", json_type_int, &size);
        if (r < 0 || (size && json_object_get_int64(size) < 0)) {
                oci_descriptor_done(&d);
                return -EBADMSG;
        }
        d.size = size ? (uint64_t) json_object_get_int64(size) : 0;
        *ret = d;
        return 0;
}

static bool descriptor_matches_platform(struct json_object *o) {
        struct json_object *platform, *arch, *os;
        if (get_member(o, "platform", json_type_object, &platform) < 0 || !platform)
                return false;
        if (get_member(platform, "architecture", json_type_string, &arch) < 0 || !arch ||
            get_member(platform, "os", json_type_string, &os) < 0 || !os)
                return false;
        return streq(json_object_get_string(arch), oci_host_architecture()) &&
               streq(json_object_get_string(os), "linux");
}

int oci_index_pick(const char *json, const char *ref, OciDescriptor *ret) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        int r = parse_json(json, &root);
        if (r < 0)
                return r;
        struct json_object *manifests;
        r = get_member(root, "manifests", json_type_array, &manifests);
        if (r < 0)
                return r;
        if (!manifests)
                return -ENOENT;

        size_t n = json_object_array_length(manifests);
        ssize_t found = -1;
        unsigned n_found = 0;
        for (size_t i = 0; i < n; i++) {
                struct json_object *m = json_object_array_get_idx(manifests, i);
                if (!json_object_is_type(m, json_type_object))
                        return -EBADMSG;
                bool match;
                if (ref) {
                        struct json_object *annotations, *name, *digest;
                        if (get_member(m, "annotations", json_type_object, &annotations) < 0 ||
                            get_member(m, "digest", json_type_string, &digest) < 0)
                                return -EBADMSG;
                        name = NULL;
                        if (annotations && get_member(annotations, OCI_REF_NAME_ANNOTATION, json_type_string, &name) < 0)
                                return -EBADMSG;
                        match = (name && streq(json_object_get_string(name), ref)) ||
                                (digest && streq(json_object_get_string(digest), ref));
                } else
                        match = n == 1 || descriptor_matches_platform(m);
                if (match) {
                        if (n_found++ == 0)
                                found = (ssize_t) i;
                }
        }
        if (n_found == 0)
                return -ENOENT;
        if (n_found > 1)
                return -ENOTUNIQ;
        return parse_descriptor(json_object_array_get_idx(manifests, (size_t) found), ret);
}

int oci_manifest_parse(const char *json, OciManifest *ret) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        int r = parse_json(json, &root);
        if (r < 0)
                return r;
        if (!json_object_is_type(root, json_type_object))
                return -EBADMSG;

        struct json_object *config, *layers;
        r = get_member(root, "config", json_type_object, &config);
        if (r < 0)
                return r;
        r = get_member(root, "layers", json_type_array, &layers);
        if (r < 0)
                return r;
        if (!config || !layers)
                return -EBADMSG;

        _cleanup_(oci_manifest_done) OciManifest m = {};
        r = parse_descriptor(config, &m.config);
        if (r < 0)
                return r;
        size_t n = json_object_array_length(layers);
        m.layers = calloc(n ?: 1, sizeof(OciDescriptor));
        if (!m.layers)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                r = parse_descriptor(json_object_array_get_idx(layers, i), &m.layers[i]);
                if (r < 0)
                        return r;
                m.n_layers++;
        }
        *ret = m;
        m = (OciManifest) {};
        return 0;
}

int image_config_from_object(struct json_object *o, ImageConfig *ret) {
        _cleanup_(image_config_done) ImageConfig c = {};
        int r;
        if (o) {
                if (!json_object_is_type(o, json_type_object))
                        return -EBADMSG;
                if ((r = get_strv(o, "Entrypoint", &c.entrypoint)) < 0 ||
                    (r = get_strv(o, "Cmd", &c.cmd)) < 0 ||
                    (r = get_strv(o, "Env", &c.env)) < 0 ||
                    (r = get_string(o, "WorkingDir", &c.working_dir)) < 0 ||
                    (r = get_string(o, "User", &c.user)) < 0)
                        return r;
                /* "" means unset in docker's configs. */
                if (isempty(c.working_dir))
                        c.working_dir = mfree(c.working_dir);
                if (isempty(c.user))
                        c.user = mfree(c.user);
        }
        *ret = c;
        c = (ImageConfig) {};
        return 0;
}

int image_config_parse(const char *json, ImageConfig *ret) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        int r = parse_json(json, &root);
        if (r < 0)
                return r;
        if (!json_object_is_type(root, json_type_object))
                return -EBADMSG;

        struct json_object *config, *rootfs;
        if ((r = get_member(root, "config", json_type_object, &config)) < 0 ||
            (r = get_member(root, "rootfs", json_type_object, &rootfs)) < 0)
                return r;
        if (!rootfs)
                return -EBADMSG;

        _cleanup_(image_config_done) ImageConfig c = {};
        r = image_config_from_object(config, &c);
        if (r < 0)
                return r;
        r = get_strv(rootfs, "diff_ids", &c.diff_ids);
        if (r < 0)
                return r;
        if (!c.diff_ids)
                return -EBADMSG;
        STRV_FOREACH(d, c.diff_ids)
                if (!digest_is_valid(*d))
                        return -EBADMSG;
        *ret = c;
        c = (ImageConfig) {};
        return 0;
}

static int add_strv(struct json_object *o, const char *key, char **l) {
        if (!l)
                return 0;
        struct json_object *a = json_object_new_array();
        if (!a)
                return -ENOMEM;
        STRV_FOREACH(s, l) {
                struct json_object *v = json_object_new_string(*s);
                if (!v || json_object_array_add(a, v) < 0) {
                        json_object_put(v);
                        json_object_put(a);
                        return -ENOMEM;
                }
        }
        if (json_object_object_add(o, key, a) < 0) {
                json_object_put(a);
                return -ENOMEM;
        }
        return 0;
}

static int add_string(struct json_object *o, const char *key, const char *s) {
        if (!s)
                return 0;
        struct json_object *v = json_object_new_string(s);
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

int image_config_to_object(const ImageConfig *c, struct json_object **ret) {
        _cleanup_(json_object_putp) struct json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        int r;
        if ((r = add_strv(o, "Entrypoint", c->entrypoint)) < 0 ||
            (r = add_strv(o, "Cmd", c->cmd)) < 0 ||
            (r = add_strv(o, "Env", c->env)) < 0 ||
            (r = add_string(o, "WorkingDir", c->working_dir)) < 0 ||
            (r = add_string(o, "User", c->user)) < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

static bool repo_tag_matches(const char *tag, const char *ref) {
        if (streq(tag, ref))
                return true;
        /* "tag" alone against "name:tag" (the last colon separates the
         * tag; a registry port has a slash after it). */
        const char *colon = strrchr(tag, ':');
        return !strchr(ref, ':') && colon && !strchr(colon, '/') && streq(colon + 1, ref);
}

int docker_manifest_parse(const char *json, const char *ref, DockerManifest *ret) {
        _cleanup_(json_object_putp) struct json_object *root = NULL;
        int r = parse_json(json, &root);
        if (r < 0)
                return r;
        if (!json_object_is_type(root, json_type_array))
                return -EBADMSG;

        size_t n = json_object_array_length(root);
        struct json_object *found = NULL;
        unsigned n_found = 0;
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(root, i);
                if (!json_object_is_type(e, json_type_object))
                        return -EBADMSG;
                bool match = !ref && n == 1;
                if (ref) {
                        _cleanup_strv_free_ char **tags = NULL;
                        r = get_strv(e, "RepoTags", &tags);
                        if (r < 0)
                                return r;
                        STRV_FOREACH(t, tags)
                                if (repo_tag_matches(*t, ref))
                                        match = true;
                }
                if (match && n_found++ == 0)
                        found = e;
        }
        if (n_found == 0)
                return n > 1 && !ref ? -ENOTUNIQ : -ENOENT;
        if (n_found > 1)
                return -ENOTUNIQ;

        _cleanup_(docker_manifest_done) DockerManifest m = {};
        if ((r = get_string(found, "Config", &m.config)) < 0 ||
            (r = get_strv(found, "Layers", &m.layers)) < 0)
                return r;
        if (!m.config || !m.layers)
                return -EBADMSG;
        *ret = m;
        m = (DockerManifest) {};
        return 0;
}
