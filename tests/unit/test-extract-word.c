/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Quoted word splitting (systemd rules), host/machine names and
 * capability names: the small basic/ helpers machine definitions use. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capability-util.h"
#include "hostname-util.h"
#include "string-util.h"

static void check_split(const char *s, const char *const *expected) {
        _cleanup_strv_free_ char **l = NULL;
        assert_int_equal(strv_split_quoted(s, &l), 0);
        size_t n = 0;
        for (; expected[n]; n++) {
                assert_non_null(l[n]);
                assert_string_equal(l[n], expected[n]);
        }
        assert_null(l[n]);
}

static void test_split(void **state) {
        check_split("", (const char *const[]){ NULL });
        check_split("   \t ", (const char *const[]){ NULL });
        check_split("/bin/sh -c 'echo hi; exit 3'",
                    (const char *const[]){ "/bin/sh", "-c", "echo hi; exit 3", NULL });
        check_split("  a  \"b c\"  d ", (const char *const[]){ "a", "b c", "d", NULL });
        check_split("a'b c'd", (const char *const[]){ "ab cd", NULL });
        check_split("\"\" x", (const char *const[]){ "", "x", NULL });
        check_split("FOO=\"a b\" BAR='c \"d\"'", (const char *const[]){ "FOO=a b", "BAR=c \"d\"", NULL });
        check_split("a\\ b c\\tq", (const char *const[]){ "a b", "c\tq", NULL });
        check_split("\"x\\\"y\"", (const char *const[]){ "x\"y", NULL });
        check_split("\\x41\\x62", (const char *const[]){ "Ab", NULL });
        check_split("\\\\server", (const char *const[]){ "\\server", NULL });
}

static void test_split_retain(void **state) {
        _cleanup_strv_free_ char **l = NULL;
        assert_int_equal(strv_split_quoted_full("a\\ b \"c \\\" d\" 'e\\n' \\q", EXTRACT_RETAIN_ESCAPE, &l), 0);
        assert_int_equal(strv_length(l), 4);
        assert_string_equal(l[0], "a\\ b");
        assert_string_equal(l[1], "c \\\" d");
        assert_string_equal(l[2], "e\\n");
        assert_string_equal(l[3], "\\q");
        char **bad = NULL;
        assert_int_equal(strv_split_quoted_full("x\\", EXTRACT_RETAIN_ESCAPE, &bad), -EINVAL);
        assert_int_equal(strv_split_quoted_full("'x", EXTRACT_RETAIN_ESCAPE, &bad), -EINVAL);
        assert_null(bad);
}

static void test_split_bad(void **state) {
        char **l = NULL;
        assert_int_equal(strv_split_quoted("a 'b", &l), -EINVAL);
        assert_int_equal(strv_split_quoted("\"unterminated", &l), -EINVAL);
        assert_int_equal(strv_split_quoted("trailing\\", &l), -EINVAL);
        assert_int_equal(strv_split_quoted("bad\\q", &l), -EINVAL);
        assert_int_equal(strv_split_quoted("\\x4", &l), -EINVAL);
        assert_int_equal(strv_split_quoted("\\x00", &l), -EINVAL);
        assert_null(l);
}

static void test_extract_cursor(void **state) {
        const char *p = "one  'two three' four";
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL;
        char *d = NULL;
        assert_int_equal(extract_first_word(&p, &a), 1);
        assert_string_equal(a, "one");
        assert_int_equal(extract_first_word(&p, &b), 1);
        assert_string_equal(b, "two three");
        assert_int_equal(extract_first_word(&p, &c), 1);
        assert_string_equal(c, "four");
        assert_int_equal(extract_first_word(&p, &d), 0);
        assert_null(d);

        const char *bad = "'x";
        assert_int_equal(extract_first_word(&bad, &d), -EINVAL);
        assert_string_equal(bad, "'x"); /* cursor untouched on failure */
}

static void test_join(void **state) {
        char *abc[] = { "a", "bc", "", "d", NULL }, *none[] = { NULL }, *lead[] = { "", "x", NULL };
        _cleanup_free_ char *j1 = strv_join(abc, ", "), *j2 = strv_join(none, "x"), *j3 = strv_join(abc, ""),
                            *j4 = strv_join(lead, "/");
        assert_string_equal(j1, "a, bc, , d");
        assert_string_equal(j2, "");
        assert_string_equal(j3, "abcd");
        assert_string_equal(j4, "/x");
}

static void test_hostname(void **state) {
        assert_true(hostname_is_valid("web"));
        assert_true(hostname_is_valid("debian-12"));
        assert_true(hostname_is_valid("a.b.c"));
        assert_true(hostname_is_valid("0"));
        assert_false(hostname_is_valid(""));
        assert_false(hostname_is_valid(NULL));
        assert_false(hostname_is_valid(".a"));
        assert_false(hostname_is_valid("a."));
        assert_false(hostname_is_valid("a..b"));
        assert_false(hostname_is_valid("a b"));
        assert_false(hostname_is_valid("a/b"));
        assert_false(hostname_is_valid("under_score"));
        assert_false(hostname_is_valid("caf\xc3\xa9"));
        char buf[80];
        memset(buf, 'x', 64);
        buf[64] = 0;
        assert_true(hostname_is_valid(buf));
        buf[64] = 'x';
        buf[65] = 0;
        assert_false(hostname_is_valid(buf));
        assert_false(machine_name_is_valid("../etc"));
}

static void test_capability(void **state) {
        assert_int_equal(capability_from_name("CAP_SYS_ADMIN"), 21);
        assert_int_equal(capability_from_name("cap_chown"), 0);
        assert_int_equal(capability_from_name("Cap_Net_Raw"), 13);
        assert_int_equal(capability_from_name("40"), 40);
        assert_int_equal(capability_from_name("64"), -EINVAL);
        assert_int_equal(capability_from_name("sys_admin"), -EINVAL);
        assert_int_equal(capability_from_name(""), -EINVAL);
        assert_string_equal(capability_to_name(21), "cap_sys_admin");
        assert_null(capability_to_name(-1));
        assert_null(capability_to_name(63));
        for (int i = 0; capability_to_name(i); i++) {
                assert_int_equal(capability_from_name(capability_to_name(i)), i);
                assert_true(capability_mask_all() & (UINT64_C(1) << i));
        }
        assert_true(capability_mask_all() == (UINT64_C(1) << 41) - 1);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_split),          cmocka_unit_test(test_split_bad),
                cmocka_unit_test(test_split_retain),
                cmocka_unit_test(test_extract_cursor), cmocka_unit_test(test_hostname),
                cmocka_unit_test(test_capability),     cmocka_unit_test(test_join),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
