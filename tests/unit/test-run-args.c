/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-run's command line, bind specs, capability lists and the
 * system call filter policy, without running anything. */

#include <linux/capability.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capability.h"
#include "init-layer.h"
#include "log.h"
#include "run-args.h"
#include "run-config.h"
#include "seccomp-policy.h"
#include "string-util.h"

#define ARGV(...) ((char *[]) { (char *) "corral-run", __VA_ARGS__, NULL })
#define ARGC(...) ((int) (ELEMENTSOF(((char *[]) { (char *) "corral-run", __VA_ARGS__ }))))
#define PARSE(c, ...) run_args_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), c)

static RunConfig *new_config(void) {
        RunConfig *c = NULL;
        assert_int_equal(run_config_new(&c), 0);
        return c;
}

static void test_full_command_line(void **state) {
        _cleanup_run_config_ RunConfig *c = new_config();

        assert_int_equal(PARSE(c, "-D", "/srv/m1", "-b", "--ephemeral", "--read-only", "--hostname", "box",
                               "--bind", "/a:/b", "--bind-ro", "/c", "--bind", "/d:/e:ro", "-E", "A=1",
                               "--capability", "CAP_NET_ADMIN,cap_sys_time", "--drop-capability", "CAP_MKNOD",
                               "--no-new-privileges", "yes", "--system-call-filter", "~@mount kexec_load",
                               "--kill-signal", "SIGUSR2", "--stop-timeout", "3s", "--private-network",
                               "--root", "/tmp/r", "--console", "pipe", "--reboot-exit", "-M", "m1",
                               "--", "/bin/echo", "-n", "x"),
                         1);
        assert_string_equal(c->directory, "/srv/m1");
        assert_true(c->boot && c->ephemeral && c->read_only && c->no_new_privileges);
        assert_true(c->private_network && c->reboot_exit);
        assert_string_equal(c->hostname, "box");
        assert_string_equal(c->machine_name, "m1");
        assert_string_equal(c->root, "/tmp/r");
        assert_int_equal(c->console_mode, CONSOLE_PIPE);
        assert_int_equal(c->kill_signal, SIGUSR2);
        assert_true(c->stop_timeout == 3 * USEC_PER_SEC);
        assert_int_equal(c->n_binds, 3);
        assert_string_equal(c->binds[0].source, "/a");
        assert_string_equal(c->binds[0].destination, "/b");
        assert_false(c->binds[0].read_only);
        assert_string_equal(c->binds[1].destination, "/c");
        assert_true(c->binds[1].read_only);
        assert_true(c->binds[2].read_only);
        assert_string_equal(strv_env_get(c->environment, "A"), "1");
        assert_true(c->cap_add == ((UINT64_C(1) << CAP_NET_ADMIN) | (UINT64_C(1) << CAP_SYS_TIME)));
        assert_true(c->cap_drop == (UINT64_C(1) << CAP_MKNOD));
        assert_int_equal(strv_length(c->syscall_filter), 1);
        assert_int_equal(strv_length(c->argv), 3);
        assert_string_equal(c->argv[2], "x");
}

static void test_defaults(void **state) {
        _cleanup_run_config_ RunConfig *c = new_config();

        assert_int_equal(PARSE(c, "-D", "/var/lib/machines/web-1/"), 1);
        assert_string_equal(c->root, "/");
        assert_null(c->argv);
        assert_int_equal(c->console_mode, CONSOLE_AUTO);
        assert_int_equal(run_config_finalize(c), 0);
        assert_string_equal(c->machine_name, "web-1");
        assert_string_equal(c->hostname, "web-1");
}

static void test_bad_input(void **state) {
        static const char *const bad[][3] = {
                { "--capability", "CAP_FOO" },
                { "--drop-capability", "cap_chown,nope" },
                { "--system-call-filter", "not_a_syscall" },
                { "--system-call-filter", "@nogroup" },
                { "--bind", "relative:/x" },
                { "--bind", "/a:/b:rx" },
                { "--bind", "/a:../etc" },
                { "--bind-ro", "/a:/x/../../etc" },
                { "--kill-signal", "SIGNOPE" },
                { "--stop-timeout", "soon" },
                { "--hostname", "bad..name" },
                { "-M", "bad/name" },
                { "--console", "tty" },
                { "-E", "NOEQUALS" },
                { "--root", "rel" },
                { "--user", "" },
                { "-u", "a:b:c" },
                { "-p", "MemoryMax=lots" },
                { "-p", "NoSuchKey=1" },
                { "--no-such-option", "x" },
        };
        log_set_max_level(LOG_CRIT); /* the one-line errors are expected here */
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_run_config_ RunConfig *c = new_config();
                assert_int_equal(PARSE(c, "-D", "/srv/x", (char *) bad[i][0], (char *) bad[i][1]), -EINVAL);
        }
        /* No root file system at all. */
        _cleanup_run_config_ RunConfig *c = new_config();
        assert_int_equal(PARSE(c, "true"), -EINVAL);
        log_set_max_level(LOG_INFO);
}

static void test_user(void **state) {
        _cleanup_run_config_ RunConfig *c = new_config(), *d = new_config();

        assert_int_equal(PARSE(c, "-D", "/x", "-u", "alice"), 1);
        assert_string_equal(c->user, "alice");
        assert_int_equal(PARSE(d, "-D", "/x", "--user=1000:100", "id"), 1);
        assert_string_equal(d->user, "1000:100");
}

static void test_help(void **state) {
        _cleanup_run_config_ RunConfig *c = new_config();
        assert_int_equal(PARSE(c, "--version"), 0);
}

static void test_capabilities(void **state) {
        uint64_t d = capability_default_set(false), m = 0;
        _cleanup_free_ char *bad = NULL;

        assert_true(d & (UINT64_C(1) << CAP_SYS_ADMIN));
        assert_true(d & (UINT64_C(1) << CAP_MKNOD));
        assert_false(d & (UINT64_C(1) << CAP_SYS_MODULE));
        assert_false(d & (UINT64_C(1) << CAP_NET_ADMIN));
        assert_false(d & (UINT64_C(1) << CAP_SYS_TIME));
        assert_true(capability_default_set(true) & (UINT64_C(1) << CAP_NET_ADMIN));

        assert_int_equal(capability_parse_list("cap_kill,CAP_SYSLOG", &m, NULL), 0);
        assert_true(m == ((UINT64_C(1) << CAP_KILL) | (UINT64_C(1) << CAP_SYSLOG)));
        assert_int_equal(capability_parse_list("all", &m, NULL), 0);
        assert_true(m & (UINT64_C(1) << CAP_SYS_MODULE));
        m = 0;
        assert_int_equal(capability_parse_list("CAP_KILL,CAP_BOGUS", &m, &bad), -EINVAL);
        assert_string_equal(bad, "CAP_BOGUS");
        assert_true(m == 0);
}

static void test_seccomp_policy(void **state) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *p = NULL;
        _cleanup_(seccomp_policy_freep) SeccompPolicy *q = NULL;
        _cleanup_free_ char *bad = NULL;

        assert_int_equal(seccomp_policy_new(capability_default_set(false), &p), 0);
        assert_int_equal(seccomp_policy_denies(p, "kexec_load"), 1);
        assert_int_equal(seccomp_policy_denies(p, "init_module"), 1);
        assert_int_equal(seccomp_policy_denies(p, "swapon"), 1);
        assert_int_equal(seccomp_policy_denies(p, "open_by_handle_at"), 1);
        assert_int_equal(seccomp_policy_denies(p, "clock_settime"), 1);
        assert_int_equal(seccomp_policy_denies(p, "mount"), 0);
        assert_int_equal(seccomp_policy_denies(p, "reboot"), 0);
        assert_int_equal(seccomp_policy_denies(p, "read"), 0);
        assert_int_equal(seccomp_policy_denies(p, "no_such_call"), -EINVAL);

        /* nspawn syntax: a plain list allows, "~" denies, groups expand. */
        assert_int_equal(seccomp_policy_add_filter(p, "swapon swapoff", NULL), 0);
        assert_int_equal(seccomp_policy_denies(p, "swapon"), 0);
        assert_int_equal(seccomp_policy_add_filter(p, "~@mount", NULL), 0);
        assert_int_equal(seccomp_policy_denies(p, "mount"), 1);
        assert_int_equal(seccomp_policy_denies(p, "pivot_root"), 1);
        assert_int_equal(seccomp_policy_add_filter(p, "~@mount bogus_call", &bad), -EINVAL);
        assert_string_equal(bad, "bogus_call");

        /* A capability granted on top re-allows its calls. */
        assert_int_equal(seccomp_policy_new(capability_default_set(false) | (UINT64_C(1) << CAP_SYS_TIME), &q), 0);
        assert_int_equal(seccomp_policy_denies(q, "clock_settime"), 0);
        assert_int_equal(seccomp_policy_denies(q, "init_module"), 1);

        assert_int_equal(seccomp_filter_validate("@clock ~x", NULL), -EINVAL);
        assert_int_equal(seccomp_filter_validate("~@clock,@swap", NULL), 0);
}

static void test_console_mode_table(void **state) {
        for (int m = 0; m < _CONSOLE_MODE_MAX; m++)
                assert_int_equal(console_mode_from_string(console_mode_to_string(m)), m);
        assert_int_equal(console_mode_from_string("nope"), -EINVAL);
}

static void test_container_id(void **state) {
        ContainerId id = { .bytes = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0x4e, 0xf0,
                                      0x81, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef } };
        char hex[33], uuid[37];
        assert_string_equal(container_id_to_hex(&id, hex), "123456789abc4ef08123456789abcdef");
        assert_string_equal(container_id_to_uuid(&id, uuid), "12345678-9abc-4ef0-8123-456789abcdef");
        assert_int_equal(container_id_random(&id), 0);
        assert_int_equal(id.bytes[6] >> 4, 4);
        assert_int_equal(id.bytes[8] >> 6, 2);
}

static void test_environment(void **state) {
        _cleanup_run_config_ RunConfig *c = new_config();
        _cleanup_strv_free_ char **env = NULL;
        ContainerId id = {};

        assert_int_equal(PARSE(c, "-D", "/x", "-E", "HOME=/home/a", "-E", "FOO=bar"), 1);
        assert_int_equal(init_layer_environment(c, &id, false, &env), 0);
        assert_string_equal(strv_env_get(env, "container"), "corral");
        assert_string_equal(strv_env_get(env, "container_uuid"), "00000000-0000-0000-0000-000000000000");
        assert_string_equal(strv_env_get(env, "HOME"), "/home/a");
        assert_string_equal(strv_env_get(env, "FOO"), "bar");
        assert_null(strv_env_get(env, "TERM"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_command_line),
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_bad_input),
                cmocka_unit_test(test_user),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_capabilities),
                cmocka_unit_test(test_seccomp_policy),
                cmocka_unit_test(test_console_mode_table),
                cmocka_unit_test(test_container_id),
                cmocka_unit_test(test_environment),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
