/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-run --machine: a definition into a RunConfig. Every field that
 * has a home in RunConfig, the command line winning, the refusal of what
 * corral-run cannot honour, and lookup by name below a --root. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>

#include "cgroup.h"
#include "fileio.h"
#include "run-config-definition.h"
#include "string-util.h"

static MachineDefinition *parse(const char *name, bool nspawn, const char *text) {
        MachineDefinition *d = NULL;
        _cleanup_free_ char *e = NULL;
        if (machine_definition_parse_buffer(name, "t.machine", nspawn, text, strlen(text), &d, &e) < 0)
                fail_msg("parse failed: %s", strempty(e));
        return d;
}

static void test_apply(void **state) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = parse("web", false,
                "[Machine]\nDirectory=/srv/web\nStopTimeoutSec=20s\n"
                "[Exec]\nBoot=yes\nParameters=--log-level=debug\nEnvironment=A=1 B=2\nUser=www\n"
                "WorkingDirectory=/srv\nHostname=webhost\nKillSignal=SIGUSR2\nCapability=CAP_NET_ADMIN\n"
                "DropCapability=CAP_MKNOD\nNoNewPrivileges=yes\nSystemCallFilter=~@clock\nPrivateUsers=pick\n"
                "NotifyReady=yes\nEphemeral=yes\n"
                "[Files]\nReadOnly=yes\nBind=/srv/data:/data\nBindReadOnly=/etc/ssl\n"
                "[Network]\nZone=web\nPort=8080:80\nAddress=10.0.0.5/24\n"
                "[Resources]\nMemoryMax=64M\nTasksMax=32\n");
        _cleanup_run_config_ RunConfig *c = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(run_config_new(&c), 0);
        assert_int_equal(run_config_apply_definition(c, d, &e), 0);
        assert_null(e);
        assert_string_equal(c->machine_name, "web");
        assert_string_equal(c->directory, "/srv/web");
        assert_null(c->image);
        assert_true(c->boot);
        assert_true(c->ephemeral);
        assert_true(c->read_only);
        assert_string_equal(c->argv[0], "--log-level=debug");
        assert_string_equal(strv_env_get(c->environment, "B"), "2");
        assert_string_equal(c->user, "www");
        assert_string_equal(c->working_directory, "/srv");
        assert_string_equal(c->hostname, "webhost");
        assert_int_equal(c->kill_signal, SIGUSR2);
        assert_true(c->stop_timeout == 20 * USEC_PER_SEC);
        assert_true(c->cap_add == UINT64_C(1) << 12);
        assert_true(c->cap_drop == UINT64_C(1) << 27);
        assert_true(c->no_new_privileges);
        assert_string_equal(c->syscall_filter[0], "~@clock");
        assert_int_equal(c->private_users, USER_NAMESPACE_PICK);
        assert_true(c->notify_ready);
        assert_int_equal(c->n_binds, 2);
        assert_string_equal(c->binds[0].source, "/srv/data");
        assert_string_equal(c->binds[0].destination, "/data");
        assert_false(c->binds[0].read_only);
        assert_string_equal(c->binds[1].destination, "/etc/ssl");
        assert_true(c->binds[1].read_only);
        assert_string_equal(c->network_zone, "web");
        assert_true(c->network_veth);
        assert_true(c->private_network);
        assert_string_equal(c->ports[0], "tcp:8080:80");
        assert_string_equal(c->network_address, "10.0.0.5/24");
        assert_non_null(c->limits);
        assert_true(c->limits->memory_max == 64ULL << 20);
        assert_true(cgroup_limits_has(c->limits, CGROUP_LIMIT_TASKS_MAX));
}

static void test_command_line_wins(void **state) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = parse("app", false,
                "[Machine]\nImage=alpine\n"
                "[Exec]\nParameters=/bin/app --serve\nEnvironment=A=file B=file\nKillSignal=SIGUSR2\n"
                "Capability=CAP_SYS_TIME\n[Files]\nBind=/a\n[Resources]\nMemoryMax=64M\nTasksMax=32\n");
        _cleanup_run_config_ RunConfig *c = NULL;

        assert_int_equal(run_config_new(&c), 0);
        /* What corral-run's command line would have set. */
        c->directory = strdup("/cmdline-root");
        c->argv = strv_copy((char *[]) { "/bin/sh", NULL });
        assert_int_equal(strv_env_set(&c->environment, "A=cmdline"), 0);
        c->kill_signal = SIGTERM;
        c->cap_add = UINT64_C(1) << 12;
        assert_int_equal(run_config_add_bind(c, "/b", false), 0);
        assert_int_equal(cgroup_limits_new(&c->limits), 0);
        assert_int_equal(cgroup_limits_set(c->limits, "MemoryMax", "1G"), 0);

        assert_int_equal(run_config_apply_definition(c, d, NULL), 0);
        assert_string_equal(c->directory, "/cmdline-root");
        assert_null(c->image); /* one root file system, the command line's */
        assert_int_equal(strv_length(c->argv), 1);
        assert_string_equal(strv_env_get(c->environment, "A"), "cmdline");
        assert_string_equal(strv_env_get(c->environment, "B"), "file");
        assert_int_equal(c->kill_signal, SIGTERM);
        assert_true(c->cap_add == ((UINT64_C(1) << 12) | (UINT64_C(1) << 25)));
        assert_int_equal(c->n_binds, 2);
        assert_string_equal(c->binds[0].source, "/b");
        assert_string_equal(c->binds[1].source, "/a");
        assert_true(c->limits->memory_max == 1ULL << 30);
        assert_true(cgroup_limits_has(c->limits, CGROUP_LIMIT_TASKS_MAX));
        assert_string_equal(c->machine_name, "app");
}

static void test_refused(void **state) {
        _cleanup_(machine_definition_unrefp) MachineDefinition *d = parse("x", false,
                "[Machine]\nDirectory=/x\n"
                "[Exec]\nLimitNOFILE=1024\nTimezone=copy\nPrivateUsers=identity\nOOMScoreAdjust=5\n"
                "[Files]\nVolatile=state\nTemporaryFileSystem=/tmp\nBind=+/in:/out\nBindReadOnly=/a:/b:norbind\n"
                "[Network]\nAddress=10.0.0.1\nAddress=10.0.0.2\n");
        _cleanup_run_config_ RunConfig *c = NULL;
        _cleanup_free_ char *e = NULL;

        assert_int_equal(run_config_new(&c), 0);
        assert_int_equal(run_config_apply_definition(c, d, &e), -EOPNOTSUPP);
        assert_string_equal(e,
                "x: [Exec] LimitNOFILE= is not supported by corral-run yet\n"
                "x: [Exec] OOMScoreAdjust= is not supported by corral-run yet\n"
                "x: [Exec] Timezone=copy is not supported by corral-run yet\n"
                "x: [Files] Volatile=state is not supported by corral-run yet\n"
                "x: [Files] TemporaryFileSystem= is not supported by corral-run yet\n"
                "x: [Files] Bind=+/in: sources inside the container are not supported by corral-run yet\n"
                "x: [Files] BindReadOnly=...:norbind is not supported by corral-run (binds are recursive)\n"
                "x: [Exec] PrivateUsers=identity is not supported by corral-run\n"
                "x: [Network] Address=: corral-run supports one address per machine");
        /* Nothing was applied. */
        assert_null(c->directory);
        assert_null(c->machine_name);
}

static void test_load_machine(void **state) {
        char root[] = "/tmp/test-run-config-definition-XXXXXX";
        assert_non_null(mkdtemp(root));
        _cleanup_free_ char *dir = strprintf("%s/run/corral/machines", root),
                            *good = strprintf("%s/good.machine", dir), *bad = strprintf("%s/bad.machine", dir),
                            *nsp = strprintf("%s/usr/lib/corral/machines/old.nspawn", root),
                            *nspdir = strprintf("%s/usr/lib/corral/machines", root);
        assert_int_equal(mkdir_p_at(AT_FDCWD, dir, 0755), 0);
        assert_int_equal(mkdir_p_at(AT_FDCWD, nspdir, 0755), 0);
        const char *g = "[Machine]\nDirectory=/srv/good\n[Exec]\nParameters=/bin/true\n";
        const char *b = "[Machine]\nDirectory=/srv/bad\n[Exec]\nLimitCORE=0\n";
        const char *n = "[Exec]\nBoot=yes\n";
        assert_int_equal(write_file_atomic_at(AT_FDCWD, good, g, strlen(g), 0644), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, bad, b, strlen(b), 0644), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, nsp, n, strlen(n), 0644), 0);

        _cleanup_run_config_ RunConfig *c1 = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL, *c5 = NULL;
        assert_int_equal(run_config_new(&c1), 0);
        free(c1->root);
        c1->root = strdup(root);
        c1->machine = strdup("good");
        assert_int_equal(run_config_load_machine(c1), 0);
        assert_string_equal(c1->directory, "/srv/good");
        assert_string_equal(c1->argv[0], "/bin/true");

        /* A path instead of a name. */
        assert_int_equal(run_config_new(&c2), 0);
        c2->machine = strdup(good);
        assert_int_equal(run_config_load_machine(c2), 0);
        assert_string_equal(c2->machine_name, "good");

        /* An nspawn file without [Machine]: the machine's directory below --root. */
        assert_int_equal(run_config_new(&c3), 0);
        free(c3->root);
        c3->root = strdup(root);
        c3->machine = strdup("old");
        assert_int_equal(run_config_load_machine(c3), 0);
        _cleanup_free_ char *want = strprintf("%s/var/lib/machines/old", root);
        assert_string_equal(c3->directory, want);
        assert_true(c3->boot);

        assert_int_equal(run_config_new(&c4), 0);
        free(c4->root);
        c4->root = strdup(root);
        c4->machine = strdup("bad");
        assert_int_equal(run_config_load_machine(c4), -EOPNOTSUPP);

        assert_int_equal(run_config_new(&c5), 0);
        free(c5->root);
        c5->root = strdup(root);
        c5->machine = strdup("missing");
        assert_int_equal(run_config_load_machine(c5), -ENOENT);

        assert_int_equal(rm_rf_at(AT_FDCWD, root), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_apply),
                cmocka_unit_test(test_command_line_wins),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_load_machine),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
