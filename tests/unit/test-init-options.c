/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-init's command line and the LISTEN_FDS pick-up. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>

#include "exit-status.h"
#include "init-options.h"
#include "log.h"

#define PARSE(o, ...)                                                          \
        ({                                                                     \
                char *_argv[] = { (char *) "corral-init", __VA_ARGS__, NULL }; \
                init_options_parse((int) (sizeof _argv / sizeof _argv[0]) - 1, _argv, (o)); \
        })

static void test_plain(void **state) {
        InitOptions o;

        assert_int_equal(PARSE(&o, "sleep", "10"), 0);
        assert_string_equal(o.config.argv[0], "sleep");
        assert_string_equal(o.config.argv[1], "10");
        assert_null(o.config.argv[2]);
        assert_false(o.config.process_group);
        assert_int_equal(o.config.kill_signal, 0);
        assert_int_equal(o.config.stop_timeout, 0);
}

static void test_all(void **state) {
        InitOptions o;

        assert_int_equal(PARSE(&o, "-g", "-e", "3", "--remap-exit=143", "--stop-timeout", "2s",
                               "--kill-signal", "SIGUSR2", "--wait-ready", "-s", "-vv", "--", "cmd", "-g"),
                         0);
        assert_true(o.config.process_group);
        assert_true(exit_status_remap_test(o.config.remap_exit, 3));
        assert_true(exit_status_remap_test(o.config.remap_exit, 143));
        assert_false(exit_status_remap_test(o.config.remap_exit, 4));
        assert_int_equal(o.config.stop_timeout, 2 * USEC_PER_SEC);
        assert_int_equal(o.config.kill_signal, SIGUSR2);
        assert_true(o.config.wait_ready);
        assert_true(o.config.require_subreaper);
        assert_int_equal(o.verbose, 2);
        /* Options after the command belong to the command. */
        assert_string_equal(o.config.argv[0], "cmd");
        assert_string_equal(o.config.argv[1], "-g");
}

static void test_stops_at_command(void **state) {
        InitOptions o;

        assert_int_equal(PARSE(&o, "-g", "ls", "-e", "x"), 0);
        assert_true(o.config.process_group);
        assert_string_equal(o.config.argv[0], "ls");
        assert_string_equal(o.config.argv[1], "-e");
}

static void test_kill_signal_forms(void **state) {
        InitOptions o;

        assert_int_equal(PARSE(&o, "--kill-signal", "RTMIN+3", "x"), 0);
        assert_int_equal(o.config.kill_signal, SIGRTMIN + 3);
        assert_int_equal(PARSE(&o, "--kill-signal=9", "x"), 0);
        assert_int_equal(o.config.kill_signal, SIGKILL);
}

static void test_zero_timeout(void **state) {
        InitOptions o;

        /* 0 means "at once", which must not fall back to the 10 s default. */
        assert_int_equal(PARSE(&o, "--stop-timeout", "0", "x"), 0);
        assert_true(o.config.stop_timeout > 0);
        assert_true(o.config.stop_timeout < USEC_PER_MSEC);
        assert_int_equal(PARSE(&o, "--stop-timeout", "infinity", "x"), 0);
        assert_true(o.config.stop_timeout == USEC_INFINITY);
}

static void test_help_version(void **state) {
        InitOptions o;

        assert_int_equal(PARSE(&o, "--help"), 0);
        assert_true(o.help);
        assert_int_equal(PARSE(&o, "-V"), 0);
        assert_true(o.version);
}

static void test_errors(void **state) {
        InitOptions o;

        assert_int_equal(PARSE(&o, "--bogus", "x"), -EINVAL);
        assert_int_equal(PARSE(&o, "-x", "x"), -EINVAL);
        assert_int_equal(PARSE(&o, "-e", "256", "x"), -EINVAL);
        assert_int_equal(PARSE(&o, "-e", "-1", "x"), -EINVAL);
        assert_int_equal(PARSE(&o, "-e", "abc", "x"), -EINVAL);
        assert_int_equal(PARSE(&o, "--kill-signal", "SIGBOGUS", "x"), -EINVAL);
        assert_int_equal(PARSE(&o, "--stop-timeout", "soon", "x"), -EINVAL);
        assert_int_equal(PARSE(&o, "-g"), -EINVAL);   /* no command */
        assert_int_equal(PARSE(&o, "--"), -EINVAL);
        assert_int_equal(PARSE(&o, "-e"), -EINVAL);   /* missing argument */
        assert_int_equal(PARSE(&o, "--stop-timeout"), -EINVAL);
}

static void test_listen_fds(void **state) {
        unsigned n = 99;

        assert_int_equal(listen_fds_from_env(NULL, NULL, 42, &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(listen_fds_from_env("42", "3", 42, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(listen_fds_from_env("41", "3", 42, &n), 0);
        assert_int_equal(n, 0);
        assert_int_equal(listen_fds_from_env("x", "3", 42, &n), -EINVAL);
        assert_int_equal(listen_fds_from_env("42", "-1", 42, &n), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_all),
                cmocka_unit_test(test_stops_at_command),
                cmocka_unit_test(test_kill_signal_forms),
                cmocka_unit_test(test_zero_timeout),
                cmocka_unit_test(test_help_version),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_listen_fds),
        };
        /* The parser logs why it refuses; keep the TAP stream readable. */
        log_set_max_level(LOG_CRIT);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
