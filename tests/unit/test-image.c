/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Image store pure parts: tar path checks, whiteout decisions, xattr
 * filter, overlay option strings, OCI/docker JSON parsing on fixtures made
 * here, the image file round trip, names and digests; plus the unpacker's
 * refusal of a ".." entry from a tar built in memory (no root needed: it
 * fails before anything is created). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "fd-util.h"
#include "fileio.h"
#include "image-digest.h"
#include "image-oci.h"
#include "image-store.h"
#include "image-unpack.h"
#include "overlay.h"
#include "string-util.h"

static void check_norm(const char *in, const char *expect) {
        _cleanup_free_ char *out = NULL;
        assert_int_equal(tar_path_normalize(in, &out), 0);
        assert_string_equal(out, expect);
}

static void test_path_normalize(void **state) {
        check_norm("etc/passwd", "etc/passwd");
        check_norm("./etc//passwd", "etc/passwd");
        check_norm("/etc/passwd", "etc/passwd");       /* absolute: made relative */
        check_norm("///a/./b/.", "a/b");
        check_norm("./", "");
        check_norm(".", "");
        check_norm("a/..b/c..", "a/..b/c..");         /* only a whole ".." component is special */

        char *out = (char *) 0x1;
        assert_int_equal(tar_path_normalize("../etc", &out), -EINVAL);
        assert_int_equal(tar_path_normalize("a/../../etc", &out), -EINVAL);
        assert_int_equal(tar_path_normalize("a/..", &out), -EINVAL);
        assert_int_equal(tar_path_normalize("/..", &out), -EINVAL);
        assert_ptr_equal(out, (char *) 0x1); /* untouched on failure */

        char longname[PATH_MAX + 10];
        memset(longname, 'a', sizeof(longname) - 1);
        for (size_t i = 100; i < sizeof(longname) - 1; i += 100)
                longname[i] = '/';
        longname[sizeof(longname) - 1] = 0;
        assert_int_equal(tar_path_normalize(longname, &out), -ENAMETOOLONG);

        char comp[NAME_MAX + 2];
        memset(comp, 'b', sizeof(comp) - 1);
        comp[sizeof(comp) - 1] = 0;
        assert_int_equal(tar_path_normalize(comp, &out), -ENAMETOOLONG);
        comp[NAME_MAX] = 0; /* exactly NAME_MAX is fine */
        _cleanup_free_ char *ok = NULL;
        assert_int_equal(tar_path_normalize(comp, &ok), 0);
}

static void check_whiteout(const char *path, WhiteoutKind kind, const char *target) {
        _cleanup_free_ char *t = NULL;
        assert_int_equal(whiteout_classify(path, &t), kind);
        if (target)
                assert_string_equal(t, target);
        else
                assert_null(t);
}

static void test_whiteout(void **state) {
        check_whiteout("etc/passwd", WHITEOUT_NONE, NULL);
        check_whiteout("etc/.wh.passwd", WHITEOUT_FILE, "etc/passwd");
        check_whiteout(".wh.top", WHITEOUT_FILE, "top");
        check_whiteout("a/b/.wh..hidden", WHITEOUT_FILE, "a/b/.hidden");
        check_whiteout("a/b/.wh..wh..opq", WHITEOUT_OPAQUE, "a/b");
        check_whiteout(".wh..wh..opq", WHITEOUT_OPAQUE, "");
        check_whiteout("a/.wh..wh.plnk", WHITEOUT_UNKNOWN, NULL);   /* AUFS hard-link metadata */
        check_whiteout("a/.wh.", WHITEOUT_UNKNOWN, NULL);
        check_whiteout("a/.wh...", WHITEOUT_UNKNOWN, NULL);          /* would hide ".." */
        check_whiteout("a/.wh..", WHITEOUT_UNKNOWN, NULL);
        check_whiteout("a/x.wh.y", WHITEOUT_NONE, NULL);
        check_whiteout(".wh.dir/file", WHITEOUT_NONE, NULL);         /* only the last component counts */
        assert_int_equal(whiteout_classify("d/.wh.f", NULL), WHITEOUT_FILE);
}

static void test_xattr_filter(void **state) {
        assert_true(tar_xattr_allowed("user.corral"));
        assert_true(tar_xattr_allowed("security.capability"));
        assert_true(tar_xattr_allowed("trusted.other"));
        assert_false(tar_xattr_allowed("trusted.overlay.opaque"));
        assert_false(tar_xattr_allowed("trusted.overlay.redirect"));
        assert_false(tar_xattr_allowed("user.overlay.metacopy"));
        assert_false(tar_xattr_allowed(""));
}

static void test_overlay_options(void **state) {
        _cleanup_free_ char *o = NULL;
        char *lowers[] = { (char *) "/l/top", (char *) "/l/mid", (char *) "/l/bottom", NULL };
        assert_int_equal(overlay_build_options(lowers, "/m/upper", "/m/work", &o), 0);
        assert_string_equal(o, "lowerdir=/l/top:/l/mid:/l/bottom,upperdir=/m/upper,workdir=/m/work");
        o = mfree(o);
        assert_int_equal(overlay_build_options(lowers, NULL, NULL, &o), 0);
        assert_string_equal(o, "lowerdir=/l/top:/l/mid:/l/bottom");
        o = mfree(o);

        char *odd[] = { (char *) "/a,b", (char *) "/c:d", (char *) "/e\\f", NULL };
        assert_int_equal(overlay_build_options(odd, "/u:1", "/w,1", &o), 0);
        assert_string_equal(o, "lowerdir=/a\\,b:/c\\:d:/e\\\\f,upperdir=/u\\:1,workdir=/w\\,1");

        char *none[] = { NULL };
        assert_int_equal(overlay_build_options(none, NULL, NULL, &o), -EINVAL);
        assert_int_equal(overlay_build_options(lowers, "/u", NULL, &o), -EINVAL);
        assert_true(overlay_max_options_length() >= 4095);
}

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static void test_oci_index(void **state) {
        static const char index[] =
                "{\"schemaVersion\":2,\"manifests\":["
                "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\",\"digest\":\"" D("a") "\",\"size\":10,"
                " \"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}},"
                "{\"mediaType\":\"" OCI_MEDIA_TYPE_MANIFEST "\",\"digest\":\"" D("b") "\",\"size\":20,"
                " \"annotations\":{\"org.opencontainers.image.ref.name\":\"v2\"},"
                " \"platform\":{\"architecture\":\"nope\",\"os\":\"linux\"}}]}";
        OciDescriptor d = {};
        assert_int_equal(oci_index_pick(index, "v2", &d), 0);
        assert_string_equal(d.digest, D("b"));
        assert_true(d.size == 20);
        free(d.digest);
        free(d.media_type);
        assert_int_equal(oci_index_pick(index, D("a"), &d), 0); /* by digest */
        assert_string_equal(d.digest, D("a"));
        free(d.digest);
        free(d.media_type);
        assert_int_equal(oci_index_pick(index, "v3", &d), -ENOENT);
        assert_int_equal(oci_index_pick(index, NULL, &d), -ENOENT); /* two, none for this platform */

        static const char one[] = "{\"manifests\":[{\"digest\":\"" D("c") "\",\"size\":1}]}";
        assert_int_equal(oci_index_pick(one, NULL, &d), 0);
        assert_string_equal(d.digest, D("c"));
        assert_null(d.media_type);
        free(d.digest);

        assert_int_equal(oci_index_pick("{\"manifests\":[{\"digest\":\"md5:00\"}]}", NULL, &d), -EBADMSG);
        assert_int_equal(oci_index_pick("{\"manifests\":{}}", NULL, &d), -EBADMSG);
        assert_int_equal(oci_index_pick("not json", NULL, &d), -EBADMSG);
        assert_int_equal(oci_index_pick("{}", NULL, &d), -ENOENT);
}

static void test_oci_manifest(void **state) {
        static const char m[] =
                "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\"" D("c") "\",\"size\":3},"
                "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D("1") "\",\"size\":5},"
                "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" D("2") "\",\"size\":6}]}";
        OciManifest man = {};
        assert_int_equal(oci_manifest_parse(m, &man), 0);
        assert_string_equal(man.config.digest, D("c"));
        assert_int_equal(man.n_layers, 2);
        assert_string_equal(man.layers[0].digest, D("1"));
        assert_string_equal(man.layers[1].digest, D("2"));
        assert_true(man.layers[1].size == 6);
        oci_manifest_done(&man);

        assert_int_equal(oci_manifest_parse("{\"layers\":[]}", &man), -EBADMSG);
        assert_int_equal(oci_manifest_parse("{\"config\":{\"digest\":\"" D("c") "\"},\"layers\":[{\"digest\":\"sha256:xyz\"}]}", &man),
                         -EBADMSG);
        assert_int_equal(oci_manifest_parse("{\"config\":{\"digest\":\"" D("c") "\",\"size\":-1},\"layers\":[]}", &man),
                         -EBADMSG);
}

static void test_image_config(void **state) {
        static const char c[] =
                "{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"],"
                "\"Env\":[\"PATH=/bin\",\"A=1\"],\"WorkingDir\":\"/srv\",\"User\":\"1000:1000\"},"
                "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D("1") "\",\"" D("2") "\"]}}";
        ImageConfig ic = {};
        assert_int_equal(image_config_parse(c, &ic), 0);
        assert_int_equal(strv_length(ic.entrypoint), 2);
        assert_string_equal(ic.entrypoint[1], "-c");
        assert_string_equal(ic.cmd[0], "echo hi");
        assert_string_equal(strv_env_get(ic.env, "A"), "1");
        assert_string_equal(ic.working_dir, "/srv");
        assert_string_equal(ic.user, "1000:1000");
        assert_int_equal(strv_length(ic.diff_ids), 2);
        image_config_done(&ic);

        /* docker writes nulls and empty strings for "unset". */
        assert_int_equal(image_config_parse("{\"config\":{\"Entrypoint\":null,\"Cmd\":[],\"WorkingDir\":\"\",\"User\":\"\"},"
                                            "\"rootfs\":{\"diff_ids\":[]}}",
                                            &ic),
                         0);
        assert_null(ic.entrypoint);
        assert_non_null(ic.cmd);
        assert_int_equal(strv_length(ic.cmd), 0);
        assert_null(ic.working_dir);
        assert_null(ic.user);
        image_config_done(&ic);

        assert_int_equal(image_config_parse("{\"config\":{}}", &ic), -EBADMSG);                          /* no rootfs */
        assert_int_equal(image_config_parse("{\"config\":{\"Cmd\":\"sh\"},\"rootfs\":{\"diff_ids\":[]}}", &ic), -EBADMSG);
        assert_int_equal(image_config_parse("{\"config\":{\"Env\":[1]},\"rootfs\":{\"diff_ids\":[]}}", &ic), -EBADMSG);
        assert_int_equal(image_config_parse("{\"rootfs\":{\"diff_ids\":[\"sha256:12\"]}}", &ic), -EBADMSG);
}

static void test_docker_manifest(void **state) {
        static const char m[] =
                "[{\"Config\":\"" "aaaa.json\",\"RepoTags\":[\"corral/a:latest\",\"corral/a:1\"],\"Layers\":[\"x/layer.tar\"]},"
                " {\"Config\":\"blobs/sha256/bb\",\"RepoTags\":[\"registry:5000/corral/b:2\"],\"Layers\":[\"blobs/sha256/l1\",\"blobs/sha256/l2\"]}]";
        DockerManifest d = {};
        assert_int_equal(docker_manifest_parse(m, "corral/a:1", &d), 0);
        assert_string_equal(d.config, "aaaa.json");
        assert_string_equal(d.layers[0], "x/layer.tar");
        docker_manifest_done(&d);
        assert_int_equal(docker_manifest_parse(m, "2", &d), 0); /* bare tag, unique */
        assert_int_equal(strv_length(d.layers), 2);
        docker_manifest_done(&d);
        assert_int_equal(docker_manifest_parse(m, "5000/corral/b:2", &d), -ENOENT);
        assert_int_equal(docker_manifest_parse(m, NULL, &d), -ENOTUNIQ);
        assert_int_equal(docker_manifest_parse(m, "nope", &d), -ENOENT);
        assert_int_equal(docker_manifest_parse("{}", NULL, &d), -EBADMSG);
        assert_int_equal(docker_manifest_parse("[{\"Config\":\"c.json\",\"Layers\":[]}]", NULL, &d), 0);
        docker_manifest_done(&d);
}

static void test_image_json_roundtrip(void **state) {
        char *layers[] = { (char *) D("1"), (char *) D("2"), NULL };
        uint64_t sizes[] = { 100, 23 };
        char *ep[] = { (char *) "/init", NULL };
        char *env[] = { (char *) "A=1", NULL };
        Image in = {
                .name = (char *) "img",
                .layers = layers,
                .layer_sizes = sizes,
                .config = { .entrypoint = ep, .env = env, .working_dir = (char *) "/w" },
                .created = 1234567,
                .source = (char *) "/src/x.tar",
        };
        _cleanup_free_ char *json = NULL;
        assert_int_equal(image_to_json(&in, &json), 0);
        _cleanup_(image_freep) Image *out = NULL;
        assert_int_equal(image_from_json("img", json, &out), 0);
        assert_string_equal(out->name, "img");
        assert_int_equal(strv_length(out->layers), 2);
        assert_string_equal(out->layers[1], D("2"));
        assert_true(out->layer_sizes[0] == 100 && image_size(out) == 123);
        assert_string_equal(out->config.entrypoint[0], "/init");
        assert_null(out->config.cmd);
        assert_string_equal(out->config.env[0], "A=1");
        assert_string_equal(out->config.working_dir, "/w");
        assert_null(out->config.user);
        assert_true(out->created == 1234567);
        assert_string_equal(out->source, "/src/x.tar");

        Image *bad = NULL;
        assert_int_equal(image_from_json("x", "{\"layers\":[\"md5:1\"]}", &bad), -EBADMSG);
        assert_int_equal(image_from_json("x", "[]", &bad), -EBADMSG);
        assert_null(bad);
}

static void test_names_and_digests(void **state) {
        assert_true(image_name_is_valid("busybox"));
        assert_true(image_name_is_valid("my_image-1.2"));
        assert_false(image_name_is_valid(""));
        assert_false(image_name_is_valid(".hidden"));
        assert_false(image_name_is_valid("-opt"));
        assert_false(image_name_is_valid("a/b"));
        assert_false(image_name_is_valid(".."));
        assert_false(image_name_is_valid("a:b"));
        char longname[70];
        memset(longname, 'x', sizeof(longname) - 1);
        longname[sizeof(longname) - 1] = 0;
        assert_false(image_name_is_valid(longname));

        const char *hex = NULL;
        assert_int_equal(digest_parse(D("a"), &hex), 0);
        assert_int_equal(strlen(hex), SHA256_HEX_LEN);
        assert_int_equal(digest_parse("sha256:ABC", &hex), -EINVAL);
        assert_int_equal(digest_parse("sha512:" "aa", &hex), -EINVAL);
        assert_false(digest_is_valid(D("A"))); /* upper case is not how digests are written */

        /* sha256("abc"), the FIPS 180-2 example. */
        DigestContext *c = NULL;
        char out[SHA256_HEX_LEN + 1];
        assert_int_equal(digest_context_new(&c), 0);
        assert_int_equal(digest_context_update(c, "abc", 3), 0);
        assert_int_equal(digest_context_final(c, out), 0);
        digest_context_free(c);
        assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* A tar with one entry named name, in a memfd. */
static int memfd_tar(const char *name) {
        int fd = memfd_create("tar", MFD_CLOEXEC);
        assert_true(fd >= 0);
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 3);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        assert_int_equal(archive_write_data(a, "hi\n", 3), 3);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static void test_unpack_refuses_dotdot(void **state) {
        char dir[] = "/tmp/test-image-XXXXXX";
        assert_non_null(mkdtemp(dir));
        int root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(root >= 0);
        int fd = memfd_tar("a/../../escaped");
        _cleanup_free_ char *bad = NULL;
        UnpackResult res;
        assert_int_equal(image_unpack_fd(fd, root, NULL, &res, &bad), -EINVAL);
        assert_string_equal(bad, "a/../../escaped");
        struct stat st;
        assert_int_equal(fstatat(root, "a", &st, 0), -1); /* nothing created, not even "a" */
        safe_close(fd);
        safe_close(root);
        assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_normalize),   cmocka_unit_test(test_whiteout),
                cmocka_unit_test(test_xattr_filter),     cmocka_unit_test(test_overlay_options),
                cmocka_unit_test(test_oci_index),        cmocka_unit_test(test_oci_manifest),
                cmocka_unit_test(test_image_config),     cmocka_unit_test(test_docker_manifest),
                cmocka_unit_test(test_image_json_roundtrip), cmocka_unit_test(test_names_and_digests),
                cmocka_unit_test(test_unpack_refuses_dotdot),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
