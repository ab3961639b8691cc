/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The supervisor's signal table (DESIGN.md, exit and signal contract). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "macro.h"
#include "signal-action.h"

static void test_actions(void **state) {
        static const int forwarded[] = { SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT };

        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                assert_int_equal(signal_action_of(forwarded[i]), SIGNAL_ACTION_FORWARD);
        assert_int_equal(signal_action_of(SIGRTMIN + 3), SIGNAL_ACTION_STOP);
        assert_int_equal(signal_action_of(SIGRTMIN + 4), SIGNAL_ACTION_STOP);
        assert_int_equal(signal_action_of(SIGINT), SIGNAL_ACTION_REBOOT);
        assert_int_equal(signal_action_of(SIGRTMIN + 5), SIGNAL_ACTION_REBOOT);
        assert_int_equal(signal_action_of(SIGCHLD), SIGNAL_ACTION_REAP);

        assert_int_equal(signal_action_of(SIGKILL), SIGNAL_ACTION_NONE);
        assert_int_equal(signal_action_of(SIGPIPE), SIGNAL_ACTION_NONE);
        assert_int_equal(signal_action_of(SIGTSTP), SIGNAL_ACTION_NONE);
        assert_int_equal(signal_action_of(SIGRTMIN + 6), SIGNAL_ACTION_NONE);
        assert_int_equal(signal_action_of(0), SIGNAL_ACTION_NONE);
}

static void test_handled(void **state) {
        int sigs[SIGNAL_ACTION_N_HANDLED];
        size_t n = signal_action_handled(sigs);

        assert_int_equal(n, SIGNAL_ACTION_N_HANDLED);
        /* Forwarded ones first, in the contract's order. */
        assert_int_equal(sigs[0], SIGTERM);
        assert_int_equal(sigs[6], SIGCONT);
        for (size_t i = 0; i < n; i++) {
                assert_int_not_equal(signal_action_of(sigs[i]), SIGNAL_ACTION_NONE);
                for (size_t j = i + 1; j < n; j++)
                        assert_int_not_equal(sigs[i], sigs[j]);
        }
}

static void test_names(void **state) {
        for (int a = 0; a < _SIGNAL_ACTION_MAX; a++)
                assert_int_equal(signal_action_from_string(signal_action_to_string(a)), a);
        assert_string_equal(signal_action_to_string(SIGNAL_ACTION_FORWARD), "forward");
        assert_null(signal_action_to_string(_SIGNAL_ACTION_MAX));
        assert_int_equal(signal_action_from_string("bogus"), -EINVAL);
}

static void test_block(void **state) {
        sigset_t ss, old;

        sigprocmask(SIG_SETMASK, NULL, &old);
        assert_int_equal(block_all_async_signals(), 0);
        sigprocmask(SIG_SETMASK, NULL, &ss);
        assert_true(sigismember(&ss, SIGTERM));
        assert_true(sigismember(&ss, SIGCHLD));
        assert_true(sigismember(&ss, SIGRTMIN + 4));
        assert_false(sigismember(&ss, SIGSEGV));
        assert_false(sigismember(&ss, SIGBUS));
        assert_false(sigismember(&ss, SIGABRT));
        sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_actions),
                cmocka_unit_test(test_handled),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_block),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
