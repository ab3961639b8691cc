/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Value parsers shared by command lines and machine definitions. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "parse-util.h"
#include "time-util.h"

static void test_boolean(void **state) {
        assert_int_equal(parse_boolean("yes"), 1);
        assert_int_equal(parse_boolean("On"), 1);
        assert_int_equal(parse_boolean("0"), 0);
        assert_int_equal(parse_boolean("false"), 0);
        assert_int_equal(parse_boolean("maybe"), -EINVAL);
        assert_int_equal(parse_boolean(""), -EINVAL);
}

static void test_size(void **state) {
        uint64_t v = 0;
        assert_int_equal(parse_size("32M", &v), 0);
        assert_int_equal(v, 32ULL << 20);
        assert_int_equal(parse_size("1.5G", &v), 0);
        assert_int_equal(v, 3ULL << 29);
        assert_int_equal(parse_size("4096", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(parse_size("2KB", &v), 0);
        assert_int_equal(v, 2048);
        assert_int_equal(parse_size("infinity", &v), 0);
        assert_true(v == UINT64_MAX);
        v = 7;
        assert_int_equal(parse_size("12Q", &v), -EINVAL);
        assert_int_equal(parse_size("-1", &v), -EINVAL);
        assert_int_equal(parse_size("1.5", &v), -EINVAL);
        assert_int_equal(parse_size("", &v), -EINVAL);
        assert_int_equal(parse_size("99999E", &v), -ERANGE);
        assert_int_equal(v, 7); /* untouched on failure */
        assert_int_equal(parse_size("0.5K", &v), 0);
        assert_int_equal(v, 512);
        assert_int_equal(parse_size("15E", &v), 0);
        assert_int_equal(v, UINT64_C(15) << 60);
}

static void test_permyriad(void **state) {
        uint32_t v;
        assert_int_equal(parse_permyriad("20%", &v), 0);
        assert_int_equal(v, 2000);
        assert_int_equal(parse_permyriad("12.5%", &v), 0);
        assert_int_equal(v, 1250);
        assert_int_equal(parse_permyriad("200%", &v), 0);
        assert_int_equal(v, 20000);
        assert_int_equal(parse_permyriad("0.125%", &v), 0);
        assert_int_equal(v, 13); /* half rounds up */
        assert_int_equal(parse_permyriad("0.004%", &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_permyriad("20", &v), -EINVAL);
        assert_int_equal(parse_permyriad("%", &v), -EINVAL);
}

static void test_ints(void **state) {
        int i;
        uint64_t u;
        pid_t p;
        assert_int_equal(parse_int("-12", &i), 0);
        assert_int_equal(i, -12);
        assert_int_equal(parse_int("12x", &i), -EINVAL);
        assert_int_equal(parse_int("99999999999", &i), -ERANGE);
        assert_int_equal(parse_uint64("18446744073709551615", &u), 0);
        assert_int_equal(parse_uint64("-1", &u), -EINVAL);
        assert_int_equal(parse_pid("0", &p), -ERANGE);
        assert_int_equal(parse_pid("42", &p), 0);
        assert_int_equal(p, 42);
}

static void test_sec(void **state) {
        usec_t t;
        assert_int_equal(parse_sec("10", &t), 0);
        assert_true(t == 10 * USEC_PER_SEC);
        assert_int_equal(parse_sec("10s", &t), 0);
        assert_true(t == 10 * USEC_PER_SEC);
        assert_int_equal(parse_sec("500ms", &t), 0);
        assert_true(t == 500 * USEC_PER_MSEC);
        assert_int_equal(parse_sec("1min 30s", &t), 0);
        assert_true(t == 90 * USEC_PER_SEC);
        assert_int_equal(parse_sec("2h", &t), 0);
        assert_true(t == 2 * USEC_PER_HOUR);
        assert_int_equal(parse_sec("1.5s", &t), 0);
        assert_true(t == 1500 * USEC_PER_MSEC);
        assert_int_equal(parse_sec("infinity", &t), 0);
        assert_true(t == USEC_INFINITY);
        assert_int_equal(parse_sec("ten", &t), -EINVAL);
        assert_int_equal(parse_sec("10 parsecs", &t), -EINVAL);
        assert_int_equal(parse_sec("", &t), -EINVAL);

        char buf[32];
        assert_string_equal(format_timespan(buf, sizeof buf, 90 * USEC_PER_SEC), "1min 30s");
        assert_string_equal(format_timespan(buf, sizeof buf, 250 * USEC_PER_MSEC), "250.0ms");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_boolean), cmocka_unit_test(test_size),
                cmocka_unit_test(test_permyriad), cmocka_unit_test(test_ints),
                cmocka_unit_test(test_sec),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
