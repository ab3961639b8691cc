/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* os-release(5) parsing for a machine's OS: quoting, comments, the
 * PRETTY_NAME > NAME > "Linux" fallback, last assignment wins; and the
 * reader on our own root (/proc/self/root), when the host has the file. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "os-release.h"
#include "string-util.h"

static void check_get(const char *text, const char *key, const char *expected) {
        _cleanup_free_ char *v = NULL;
        assert_int_equal(os_release_get(text, key, &v), 0);
        if (expected)
                assert_string_equal(v, expected);
        else
                assert_null(v);
}

static void test_get(void **state) {
        const char *debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
                             "NAME=\"Debian GNU/Linux\"\n"
                             "VERSION_ID=\"12\"\n"
                             "ID=debian\n"
                             "# PRETTY_NAME=comment\n"
                             "HOME_URL='https://www.debian.org/'\n";
        check_get(debian, "PRETTY_NAME", "Debian GNU/Linux 12 (bookworm)");
        check_get(debian, "ID", "debian");
        check_get(debian, "VERSION_ID", "12");
        check_get(debian, "HOME_URL", "https://www.debian.org/");
        check_get(debian, "VERSION", NULL);
        check_get(debian, "NAM", NULL);
        check_get("ID=a\nID=b", "ID", "b");
        check_get("  ID=\"x\\\"y\"  \n", "ID", "x\"y");
        check_get("ID=\"unterminated\nID=ok\n", "ID", "ok");
        check_get("ID=\n", "ID", NULL);
        check_get("", "ID", NULL);
}

static void check_pretty(const char *text, const char *expected) {
        _cleanup_free_ char *v = NULL;
        assert_int_equal(os_release_pretty_name(text, &v), 0);
        assert_string_equal(v, expected);
}

static void test_pretty(void **state) {
        check_pretty("NAME=Alpine\nPRETTY_NAME=\"Alpine Linux v3.19\"\n", "Alpine Linux v3.19");
        check_pretty("NAME=\"Busybox\"\n", "Busybox");
        check_pretty("ID=foo\n", "Linux");
        check_pretty("PRETTY_NAME=\n NAME=x", "x");
}

static void test_read_self(void **state) {
        _cleanup_free_ char *v = NULL;
        int r = os_release_read_pid(getpid(), &v);
        if (access("/etc/os-release", R_OK) < 0 && access("/usr/lib/os-release", R_OK) < 0) {
                assert_int_equal(r, -ENOENT);
                return;
        }
        assert_int_equal(r, 0);
        assert_non_null(v);
        assert_true(*v);
        assert_int_equal(os_release_read_pid(0x7ffffff0, &v), -ENOENT);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_get),
                cmocka_unit_test(test_pretty),
                cmocka_unit_test(test_read_self),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
