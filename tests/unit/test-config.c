/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table-driven INI parser (machined/config.c) on a small table of its
 * own: line numbers, continuation lines, verbatim values, every kind of
 * error with FILE:LINE and the key, and the generic value parsers. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>

#include "config.h"
#include "string-util.h"
#include "time-util.h"

typedef struct Thing {
        char *name;
        bool flag;
        int tri;
        usec_t timeout;
        int sig;
        char **words;
        char *path;
        char *last_any_key;
        char *last_any_value;
} Thing;

static int parse_any(ConfigParser *p, const char *value, int ltype, void *data) {
        Thing *t = data;
        if (streq(p->key, "Forbidden"))
                return -ENOENT;
        free(t->last_any_key);
        free(t->last_any_value);
        t->last_any_key = strdup(p->key);
        t->last_any_value = strdup(value);
        return 0;
}

static const ConfigTableItem table[] = {
        { "Main", "Name", config_parse_string, 0, offsetof(Thing, name) },
        { "Main", "Flag", config_parse_bool, 0, offsetof(Thing, flag) },
        { "Main", "Tri", config_parse_tristate, 0, offsetof(Thing, tri) },
        { "Main", "Timeout", config_parse_sec, 0, offsetof(Thing, timeout) },
        { "Main", "Signal", config_parse_signal, 0, offsetof(Thing, sig) },
        { "Main", "Words", config_parse_strv, 0, offsetof(Thing, words) },
        { "Main", "Path", config_parse_path, 0, offsetof(Thing, path) },
        { "Main", "Old", config_parse_unsupported, 0, 0 },
        { "Any", NULL, parse_any, 0, 0 },
};

static void thing_done(Thing *t) {
        free(t->name);
        strv_free(t->words);
        free(t->path);
        free(t->last_any_key);
        free(t->last_any_value);
}

/* Parses text; returns the result and the joined errors in *ret_errors. */
static int parse(const char *text, Thing *t, char **ret_errors) {
        ConfigParser p;
        *t = (Thing) { .tri = -1 };
        config_parser_init(&p, "test.conf", t);
        int r = config_parse_buffer(&p, text, strlen(text), table, ELEMENTSOF(table));
        *ret_errors = config_errors_join(&p);
        config_parser_done(&p);
        return r;
}

static void test_good(void **state) {
        Thing t;
        _cleanup_free_ char *e = NULL;
        const char *text = "# comment\n"
                           "; also a comment\n"
                           "\n"
                           "[Main]\n"
                           "Name = hello world  \n"
                           "  Flag=yes\n"
                           "Tri=off\n"
                           "Timeout=1min 30s\n"
                           "Signal=SIGRTMIN+3\n"
                           "Words=a 'b c'\n"
                           "Words=d ; not a comment for us\n"
                           "Path=//usr//lib/\n"
                           "[Any]\n"
                           "Whatever=x=y\n";
        assert_int_equal(parse(text, &t, &e), 0);
        assert_null(e);
        assert_string_equal(t.name, "hello world");
        assert_true(t.flag);
        assert_int_equal(t.tri, 0);
        assert_true(t.timeout == 90 * USEC_PER_SEC);
        assert_int_equal(t.sig, SIGRTMIN + 3);
        assert_int_equal(strv_length(t.words), 9);
        assert_string_equal(t.words[1], "b c");
        assert_string_equal(t.words[3], ";");
        assert_string_equal(t.path, "/usr/lib");
        assert_string_equal(t.last_any_key, "Whatever");
        assert_string_equal(t.last_any_value, "x=y");
        thing_done(&t);
}

static void test_reset_and_continuation(void **state) {
        Thing t;
        _cleanup_free_ char *e = NULL;
        const char *text = "[Main]\r\n"
                           "Words=a b\r\n"
                           "Words=\r\n"
                           "Words=c \\\n"
                           "  d \\\n"
                           "  e\n"
                           "Name=x\n"
                           "Name=\n"
                           "Flag=\\\n"
                           "nope\n";
        /* The continued Flag= is on line 9 even though it spans two. */
        assert_int_equal(parse(text, &t, &e), -EINVAL);
        assert_string_equal(e, "test.conf:9: Invalid boolean for Flag=: 'nope'");
        assert_int_equal(strv_length(t.words), 3);
        assert_string_equal(t.words[2], "e");
        assert_null(t.name);
        thing_done(&t);
}

static void test_long_line(void **state) {
        /* Far beyond inih's 200-byte line buffer: the value stays whole. */
        Thing t;
        _cleanup_free_ char *e = NULL;
        char text[4096];
        int n = snprintf(text, sizeof text, "[Main]\nName=");
        for (int i = 0; i < 3000; i++)
                text[n++] = (char) ('a' + i % 26);
        strcpy(text + n, "\nFlag=yes\n");
        assert_int_equal(parse(text, &t, &e), 0);
        assert_int_equal(strlen(t.name), 3000);
        assert_true(t.flag);
        thing_done(&t);
}

static void test_errors(void **state) {
        Thing t;
        _cleanup_free_ char *e = NULL;
        const char *text = "Name=outside\n"        /* 1 */
                           "[Main]\n"              /* 2 */
                           "Flag=maybe\n"          /* 3 */
                           "Nonsense=1\n"          /* 4 */
                           "no equals sign\n"      /* 5 */
                           "[Bogus]\n"             /* 6 */
                           "Key=ignored\n"         /* 7: not reported twice */
                           "[Main\n"               /* 8 */
                           "[Main]\n"              /* 9 */
                           "Timeout=soon\n"        /* 10 */
                           "Signal=SIGFOO\n"       /* 11 */
                           "Path=relative/p\n"     /* 12 */
                           "Path=/a/../b\n"        /* 13 */
                           "Words=a 'b\n"          /* 14 */
                           "Old=1\n"               /* 15 */
                           "Key:colon=1\n"         /* 16 */
                           "[Any]\n"               /* 17 */
                           "Forbidden=1\n"         /* 18 */
                           "=novalue\n";           /* 19 */
        assert_int_equal(parse(text, &t, &e), -EINVAL);
        const char *expected =
                "test.conf:1: Assignment to Name= outside of any section\n"
                "test.conf:3: Invalid boolean for Flag=: 'maybe'\n"
                "test.conf:4: Unknown key Nonsense= in section [Main]\n"
                "test.conf:5: Invalid line 'no equals sign', expected KEY=VALUE or [Section]\n"
                "test.conf:6: Unknown section '[Bogus]'\n"
                "test.conf:8: Invalid section header '[Main'\n"
                "test.conf:10: Invalid time span for Timeout=: 'soon'\n"
                "test.conf:11: Invalid signal for Signal=: 'SIGFOO'\n"
                "test.conf:12: Path= wants an absolute path without '.' or '..': 'relative/p'\n"
                "test.conf:13: Path= wants an absolute path without '.' or '..': '/a/../b'\n"
                "test.conf:14: Invalid quoting in Words=: 'a 'b'\n"
                "test.conf:15: Old= (in [Main]) is a systemd-nspawn setting that corral does not support\n"
                "test.conf:16: Invalid line 'Key:colon=1', expected KEY=VALUE or [Section]\n"
                "test.conf:18: Unknown key Forbidden= in section [Any]\n"
                "test.conf:19: Invalid line '=novalue', expected KEY=VALUE or [Section]";
        assert_string_equal(e, expected);
        thing_done(&t);
}

static void test_nul_and_bom(void **state) {
        Thing t;
        ConfigParser p;
        const char text[] = "\xEF\xBB\xBF[Main]\nName=a\0b\nFlag=1\n";

        t = (Thing) { .tri = -1 };
        config_parser_init(&p, "nul.conf", &t);
        assert_int_equal(config_parse_buffer(&p, text, sizeof text - 1, table, ELEMENTSOF(table)), -EINVAL);
        assert_int_equal(p.n_errors, 1);
        assert_int_equal(p.errors[0].line, 2);
        _cleanup_free_ char *m = config_error_format(&p, 0);
        assert_string_equal(m, "nul.conf:2: Line contains a NUL byte, ignoring the line");
        assert_true(t.flag);
        config_parser_done(&p);
        thing_done(&t);
}

static void test_file(void **state) {
        char path[] = "/tmp/test-config-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        const char *text = "[Main]\nName=from file\n";
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);

        Thing t = { .tri = -1 };
        ConfigParser p;
        config_parser_init(&p, path, &t);
        assert_int_equal(config_parse_file(&p, path, table, ELEMENTSOF(table)), 0);
        assert_string_equal(t.name, "from file");
        config_parser_done(&p);
        unlink(path);
        assert_int_equal(config_parse_file(&p, path, table, ELEMENTSOF(table)), -ENOENT);
        thing_done(&t);
}

static void test_path_normalize(void **state) {
        char *s;
        assert_int_equal(path_normalize_absolute("/", &s), 0);
        assert_string_equal(s, "/");
        free(s);
        assert_int_equal(path_normalize_absolute("///a//b/./", &s), -EINVAL);
        assert_int_equal(path_normalize_absolute("///a//b.c//", &s), 0);
        assert_string_equal(s, "/a/b.c");
        free(s);
        assert_int_equal(path_normalize_absolute("/a/..b", &s), 0);
        assert_string_equal(s, "/a/..b");
        free(s);
        assert_int_equal(path_normalize_absolute("a", &s), -EINVAL);
        assert_int_equal(path_normalize_absolute("", &s), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),        cmocka_unit_test(test_reset_and_continuation),
                cmocka_unit_test(test_long_line),   cmocka_unit_test(test_errors),
                cmocka_unit_test(test_nul_and_bom), cmocka_unit_test(test_file),
                cmocka_unit_test(test_path_normalize),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
