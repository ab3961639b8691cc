/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signal name tables in both directions. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "signal-util.h"

static void test_names(void **state) {
        char buf[16];
        assert_string_equal(signal_to_string(SIGTERM, buf), "SIGTERM");
        assert_string_equal(signal_to_string(SIGRTMIN + 3, buf), "SIGRTMIN+3");
        assert_string_equal(signal_to_string(SIGRTMIN, buf), "SIGRTMIN");
        assert_null(signal_to_string(0, buf));
        assert_null(signal_to_string(200, buf));

        assert_int_equal(signal_from_string("SIGTERM"), SIGTERM);
        assert_int_equal(signal_from_string("term"), SIGTERM);
        assert_int_equal(signal_from_string("USR2"), SIGUSR2);
        assert_int_equal(signal_from_string("9"), SIGKILL);
        assert_int_equal(signal_from_string("SIGRTMIN+4"), SIGRTMIN + 4);
        assert_int_equal(signal_from_string("RTMIN+5"), SIGRTMIN + 5);
        assert_int_equal(signal_from_string("SIGRTMAX-1"), SIGRTMAX - 1);
        assert_int_equal(signal_from_string("SIGFOO"), -EINVAL);
        assert_int_equal(signal_from_string("RTMIN+99"), -EINVAL);
        assert_int_equal(signal_from_string("0"), -EINVAL);
        assert_int_equal(signal_from_string(""), -EINVAL);
}

static void test_round_trip(void **state) {
        char buf[16];
        for (int sig = 1; sig <= SIGRTMAX; sig++) {
                const char *n = signal_to_string(sig, buf);
                if (!n)
                        continue;
                assert_int_equal(signal_from_string(n), sig);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
