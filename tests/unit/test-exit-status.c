/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exit status contract: exit codes, 128+N, exec errors, -e remapping. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "exit-status.h"
#include "macro.h"

static siginfo_t si_of(int code, int status) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        si.si_code = code;
        si.si_status = status;
        return si;
}

static void test_exited(void **state) {
        for (int code = 0; code <= 255; code++) {
                siginfo_t si = si_of(CLD_EXITED, code);
                assert_int_equal(exit_status_from_siginfo(&si), code);
        }
}

static void test_killed(void **state) {
        siginfo_t si = si_of(CLD_KILLED, SIGTERM);
        assert_int_equal(exit_status_from_siginfo(&si), 143);
        si = si_of(CLD_KILLED, SIGKILL);
        assert_int_equal(exit_status_from_siginfo(&si), 137);
        si = si_of(CLD_DUMPED, SIGSEGV);
        assert_int_equal(exit_status_from_siginfo(&si), 139);
        si = si_of(CLD_KILLED, SIGRTMIN + 4);
        assert_int_equal(exit_status_from_siginfo(&si), 128 + SIGRTMIN + 4);
}

static void test_not_an_end(void **state) {
        siginfo_t si = si_of(CLD_STOPPED, SIGSTOP);
        assert_int_equal(exit_status_from_siginfo(&si), -EINVAL);
        si = si_of(CLD_CONTINUED, SIGCONT);
        assert_int_equal(exit_status_from_siginfo(&si), -EINVAL);
}

static void test_exec_errno(void **state) {
        assert_int_equal(exit_status_from_exec_errno(ENOENT), 127);
        assert_int_equal(exit_status_from_exec_errno(-ENOENT), 127);
        assert_int_equal(exit_status_from_exec_errno(ENOTDIR), 127);
        assert_int_equal(exit_status_from_exec_errno(EACCES), 126);
        assert_int_equal(exit_status_from_exec_errno(-ENOEXEC), 126);
        assert_int_equal(exit_status_from_exec_errno(EPERM), 126);
}

static void test_remap(void **state) {
        uint8_t map[32] = {};

        for (int c = 0; c <= 255; c++)
                assert_int_equal(exit_status_remap(map, c), c);

        exit_status_remap_add(map, 3);
        exit_status_remap_add(map, 143);
        exit_status_remap_add(map, 255);
        assert_true(exit_status_remap_test(map, 3));
        assert_true(exit_status_remap_test(map, 255));
        assert_false(exit_status_remap_test(map, 4));
        assert_false(exit_status_remap_test(map, -1));
        assert_false(exit_status_remap_test(map, 256));

        for (int c = 0; c <= 255; c++)
                assert_int_equal(exit_status_remap(map, c), IN_SET(c, 3, 143, 255) ? 0 : c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exited),
                cmocka_unit_test(test_killed),
                cmocka_unit_test(test_not_an_end),
                cmocka_unit_test(test_exec_errno),
                cmocka_unit_test(test_remap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
