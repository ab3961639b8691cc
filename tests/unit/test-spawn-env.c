/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's environment: NOTIFY_SOCKET and LISTEN_* rewriting. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>

#include "spawn.h"
#include "string-util.h"

static void test_plain(void **state) {
        char *envp[] = { (char *) "PATH=/bin", (char *) "NOTIFY_SOCKET=/run/x",
                         (char *) "LISTEN_PID=7", (char *) "LISTEN_FDS=2",
                         (char *) "LISTEN_FDNAMES=a:b", (char *) "HOME=/root", NULL };
        SupervisorConfig c = { .envp = envp };
        _cleanup_strv_free_ char **env = NULL;
        char *lp = (char *) "unset";

        assert_int_equal(payload_build_env(&c, NULL, &env, &lp), 0);
        assert_null(lp);
        assert_string_equal(strv_env_get(env, "PATH"), "/bin");
        assert_string_equal(strv_env_get(env, "HOME"), "/root");
        assert_null(strv_env_get(env, "NOTIFY_SOCKET"));
        assert_null(strv_env_get(env, "LISTEN_PID"));
        assert_null(strv_env_get(env, "LISTEN_FDS"));
        assert_null(strv_env_get(env, "LISTEN_FDNAMES"));
        assert_int_equal(strv_length(env), 2);
        /* The caller's block is untouched. */
        assert_string_equal(envp[1], "NOTIFY_SOCKET=/run/x");
}

static void test_notify_and_listen(void **state) {
        char *envp[] = { (char *) "NOTIFY_SOCKET=/run/x", (char *) "LISTEN_PID=7",
                         (char *) "LISTEN_FDS=9", (char *) "LISTEN_FDNAMES=web", NULL };
        SupervisorConfig c = { .envp = envp, .n_listen_fds = 1 };
        _cleanup_strv_free_ char **env = NULL;
        char *lp = NULL;

        assert_int_equal(payload_build_env(&c, "@abcde", &env, &lp), 0);
        assert_string_equal(strv_env_get(env, "NOTIFY_SOCKET"), "@abcde");
        assert_string_equal(strv_env_get(env, "LISTEN_FDS"), "1");
        assert_string_equal(strv_env_get(env, "LISTEN_FDNAMES"), "web");
        assert_non_null(lp);
        /* The child writes its PID into the entry in place. */
        snprintf(lp, 32, "LISTEN_PID=%d", 12345);
        assert_string_equal(strv_env_get(env, "LISTEN_PID"), "12345");
        assert_int_equal(strv_length(env), 4);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain),
                cmocka_unit_test(test_notify_and_listen),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
