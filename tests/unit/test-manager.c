/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corrald's core without a bus and without root: a Manager on a temporary
 * --root with a fake monitor (a shell script that writes state files the
 * way corral-run --monitor does), driven through its sd_event loop.
 * Definitions and refusals, start -> running -> stop, a crash with the
 * restart policy and its backoff, adoption of running, finished and
 * vanished machines, the Enable/Disable override, hooks, and the pure
 * helpers (backoff, kill-whom table). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "fileio.h"
#include "manager.h"
#include "string-util.h"

/* The fake monitor: its behaviour comes from ROOT/mode-NAME. */
static const char fake_monitor[] =
        "#!/bin/sh\n"
        "name=$3; root=$5; d=$root/run/corral/machines/$name\n"
        "mode=$(cat $root/mode-$name 2>/dev/null || echo run)\n"
        "w() { printf 'STATE=%s\\nLEADER=%s\\nMONITOR=%s\\nTIMESTAMP=%s\\nEXIT_STATUS=%s\\nRESTART_COUNT=%s\\n' "
        "\"$1\" \"$2\" $$ 1700000000000000 \"$3\" \"${CORRAL_RESTART_COUNT:-0}\" >$d/state.tmp && mv $d/state.tmp $d/state; }\n"
        "echo $$ >>$root/starts-$name\n"
        "case $mode in\n"
        "crash) w failed 0 3; exit 3 ;;\n"
        "*) trap 'w stopped 0 0; exit 0' TERM; w running $$ -1; while :; do sleep 0.02; done ;;\n"
        "esac\n";

typedef struct Fixture {
        char root[64];
        sd_event *event;
        Manager *manager;
        unsigned n_new, n_removed, n_changed;
} Fixture;

static void on_new(Manager *m, Machine *machine, void *userdata) {
        ((Fixture *) userdata)->n_new++;
}
static void on_removed(Manager *m, Machine *machine, void *userdata) {
        ((Fixture *) userdata)->n_removed++;
}
static void on_changed(Manager *m, Machine *machine, void *userdata) {
        ((Fixture *) userdata)->n_changed++;
}

static void write_file(Fixture *f, const char *rel, const char *text) {
        _cleanup_free_ char *p = strprintf("%s/%s", f->root, rel);
        _cleanup_free_ char *dir = strdup(p);
        assert_non_null(p);
        *strrchr(dir, '/') = 0;
        assert_int_equal(mkdir_p_at(AT_FDCWD, dir, 0755), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, text, strlen(text), 0755), 0);
}

static void define(Fixture *f, const char *name, const char *extra) {
        _cleanup_free_ char *rel = strprintf("etc/corral/machines/%s.machine", name);
        _cleanup_free_ char *text = strprintf("[Machine]\nDirectory=/\n%s[Exec]\nParameters=/bin/true\n", extra);
        write_file(f, rel, text);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);
        _cleanup_free_ char *mon = NULL;

        strcpy(f->root, "/tmp/test-manager.XXXXXX");
        assert_non_null(mkdtemp(f->root));
        write_file(f, "fake-monitor", fake_monitor);
        mon = strprintf("%s/fake-monitor", f->root);
        assert_int_equal(sd_event_new(&f->event), 0);
        assert_int_equal(manager_new(f->event, f->root, &f->manager), 0);
        assert_int_equal(manager_set_corral_run(f->manager, mon), 0);
        f->manager->hooks = (ManagerHooks) { on_new, on_removed, on_changed, f };
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;

        /* Stop every fake monitor still running. */
        for (size_t i = 0; i < f->manager->n_machines; i++)
                if (f->manager->machines[i]->monitor > 0)
                        (void) kill(f->manager->machines[i]->monitor, SIGKILL);
        manager_free(f->manager);
        sd_event_unref(f->event);
        (void) rm_rf_at(AT_FDCWD, f->root);
        free(f);
        return 0;
}

/* Runs the loop until machine name is in state s (or 5 s pass). */
static bool run_until(Fixture *f, const char *name, MachineState s) {
        usec_t deadline = now(CLOCK_MONOTONIC) + 5 * USEC_PER_SEC;

        while (now(CLOCK_MONOTONIC) < deadline) {
                Machine *m = manager_get_machine(f->manager, name);
                if (m && m->state == s)
                        return true;
                (void) sd_event_run(f->event, 10 * USEC_PER_MSEC);
        }
        return false;
}

static void test_restart_delay(void **state) {
        assert_int_equal(machine_restart_delay(USEC_PER_SEC, 1), USEC_PER_SEC);
        assert_int_equal(machine_restart_delay(USEC_PER_SEC, 2), 2 * USEC_PER_SEC);
        assert_int_equal(machine_restart_delay(USEC_PER_SEC, 4), 8 * USEC_PER_SEC);
        assert_int_equal(machine_restart_delay(USEC_PER_SEC, 7), MACHINE_RESTART_MAX_USEC);
        assert_int_equal(machine_restart_delay(USEC_PER_SEC, 100000), MACHINE_RESTART_MAX_USEC);
        assert_int_equal(machine_restart_delay(0, 1), MACHINE_RESTART_MIN_USEC);
        assert_int_equal(machine_restart_delay(0, 3), 4 * MACHINE_RESTART_MIN_USEC);
        assert_int_equal(machine_restart_delay(10 * USEC_PER_MINUTE, 1), MACHINE_RESTART_MAX_USEC);
}

static void test_kill_whom(void **state) {
        assert_int_equal(kill_whom_from_string("leader"), KILL_LEADER);
        assert_int_equal(kill_whom_from_string("all"), KILL_ALL);
        assert_int_equal(kill_whom_from_string("some"), _KILL_WHOM_INVALID);
        assert_int_equal(kill_whom_from_string(NULL), _KILL_WHOM_INVALID);
        assert_string_equal(kill_whom_to_string(KILL_ALL), "all");
        assert_null(kill_whom_to_string(_KILL_WHOM_MAX));
}

static void test_definitions(void **state) {
        Fixture *f = *state;

        define(f, "alpha", "");
        define(f, "beta", "Autostart=yes\n");
        write_file(f, "etc/corral/machines/broken.machine", "[Machine]\nDirectory=/\nNoSuchKey=1\n");
        assert_int_equal(manager_load_definitions(f->manager), 0);
        assert_int_equal(f->manager->n_machines, 2);
        assert_int_equal(f->n_new, 2);
        assert_non_null(manager_get_machine(f->manager, "alpha"));
        assert_null(manager_get_machine(f->manager, "broken"));
        const RefusedDefinition *r = manager_get_refused(f->manager, "broken");
        assert_non_null(r);
        assert_non_null(strstr(r->error, "broken.machine:3"));
        assert_non_null(strstr(r->error, "NoSuchKey"));
        assert_false(machine_get_autostart(manager_get_machine(f->manager, "alpha")));
        assert_true(machine_get_autostart(manager_get_machine(f->manager, "beta")));
        assert_string_equal(manager_get_machine(f->manager, "alpha")->path, "/org/corral/machine1/machine/alpha");

        /* A definition removed: the stopped machine goes. */
        _cleanup_free_ char *p = strprintf("%s/etc/corral/machines/alpha.machine", f->root);
        assert_int_equal(unlink(p), 0);
        assert_int_equal(manager_load_definitions(f->manager), 0);
        assert_null(manager_get_machine(f->manager, "alpha"));
        assert_int_equal(f->n_removed, 1);
}

/* The registry stays sorted by name (lookups are binary searches)
 * whatever order machines come in, and a Reload signals a change only
 * where the definition decides one (Autostart=). */
static void test_registry_reload(void **state) {
        Fixture *f = *state;
        static const char *const names[] = { "m5", "m1", "m9", "m3", "m7" };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                define(f, names[i], "");
        assert_int_equal(manager_load_definitions(f->manager), 0);
        define(f, "m0", "");
        define(f, "m4", "");
        define(f, "z", "");
        assert_int_equal(manager_load_definitions(f->manager), 0);
        assert_int_equal(f->manager->n_machines, 8);
        for (size_t i = 1; i < f->manager->n_machines; i++)
                assert_true(strcmp(f->manager->machines[i - 1]->name, f->manager->machines[i]->name) < 0);
        for (size_t i = 0; i < f->manager->n_machines; i++) {
                const char *n = f->manager->machines[i]->name;
                assert_ptr_equal(manager_get_machine(f->manager, n), f->manager->machines[i]);
        }
        assert_null(manager_get_machine(f->manager, "m2"));
        assert_null(manager_get_machine(f->manager, "zz"));
        assert_null(manager_get_machine(f->manager, ""));

        /* Unchanged: no PropertiesChanged. Autostart= changed: one. */
        unsigned changed = f->n_changed;
        assert_int_equal(manager_load_definitions(f->manager), 0);
        assert_int_equal(f->n_changed, changed);
        define(f, "m3", "Autostart=yes\n");
        assert_int_equal(manager_load_definitions(f->manager), 0);
        assert_int_equal(f->n_changed, changed + 1);
        assert_true(machine_get_autostart(manager_get_machine(f->manager, "m3")));
}

static void test_start_stop(void **state) {
        Fixture *f = *state;
        Machine *m;

        define(f, "web", "");
        assert_int_equal(manager_load_definitions(f->manager), 0);
        m = manager_get_machine(f->manager, "web");
        assert_int_equal(machine_start(m), 0);
        assert_int_equal(m->state, MACHINE_STARTING);
        assert_int_equal(machine_start(m), -EALREADY);
        assert_true(run_until(f, "web", MACHINE_RUNNING));
        assert_true(m->leader > 0);
        assert_int_equal(m->timestamp, UINT64_C(1700000000000000));
        assert_true(f->n_changed >= 2);

        assert_int_equal(machine_stop(m), 0);
        assert_int_equal(m->state, MACHINE_STOPPING);
        assert_true(run_until(f, "web", MACHINE_STOPPED));
        assert_int_equal(m->exit_status, 0);
        assert_int_equal(m->leader, 0);
        assert_int_equal(machine_stop(m), -EALREADY);
        _cleanup_free_ char *p = strprintf("%s/run/corral/machines/web/state", f->root);
        assert_int_equal(access(p, F_OK), -1);
}

static void test_crash_restart(void **state) {
        Fixture *f = *state;
        Machine *m;

        define(f, "crash", "Restart=on-failure\nRestartSec=10ms\n");
        write_file(f, "mode-crash", "crash\n");
        assert_int_equal(manager_load_definitions(f->manager), 0);
        m = manager_get_machine(f->manager, "crash");
        assert_int_equal(machine_start(m), 0);
        assert_true(run_until(f, "crash", MACHINE_FAILED));
        assert_int_equal(m->exit_status, 3);
        assert_non_null(m->error);
        assert_true(m->restart_pending);
        /* The backoff doubles: 100 ms (the floor), 200 ms, ... */
        usec_t deadline = now(CLOCK_MONOTONIC) + 3 * USEC_PER_SEC;
        while (m->restart_count < 3 && now(CLOCK_MONOTONIC) < deadline)
                (void) sd_event_run(f->event, 10 * USEC_PER_MSEC);
        assert_true(m->restart_count >= 3);
        assert_true(m->failures >= 3);

        /* Stop cancels the pending restart. */
        assert_true(run_until(f, "crash", MACHINE_FAILED));
        assert_int_equal(machine_stop(m), 0);
        assert_int_equal(m->state, MACHINE_STOPPED);
        assert_false(m->restart_pending);
        unsigned c = m->restart_count;
        deadline = now(CLOCK_MONOTONIC) + 500 * USEC_PER_MSEC;
        while (now(CLOCK_MONOTONIC) < deadline)
                (void) sd_event_run(f->event, 10 * USEC_PER_MSEC);
        assert_int_equal(m->restart_count, c);
}

static pid_t spawn_sleeper(void) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                execl("/bin/sleep", "sleep", "30", NULL);
                _exit(127);
        }
        return pid;
}

static void test_adopt(void **state) {
        Fixture *f = *state;
        pid_t live = spawn_sleeper();
        _cleanup_free_ char *running = NULL;
        Machine *m;

        define(f, "alive", "");
        define(f, "ended", "");
        define(f, "vanished", "");
        running = strprintf("STATE=running\nLEADER=%d\nMONITOR=%d\nTIMESTAMP=1234\nEXIT_STATUS=-1\nRESTART_COUNT=4\n",
                            (int) live, (int) live);
        write_file(f, "run/corral/machines/alive/state", running);
        /* PID 1 is nobody's monitor: its "monitor" below counts as gone. */
        write_file(f, "run/corral/machines/ended/state",
                   "STATE=failed\nLEADER=0\nMONITOR=999999\nTIMESTAMP=1\nEXIT_STATUS=5\nRESTART_COUNT=0\n");
        write_file(f, "run/corral/machines/vanished/state",
                   "STATE=running\nLEADER=999998\nMONITOR=999999\nTIMESTAMP=1\nEXIT_STATUS=-1\nRESTART_COUNT=0\n");
        write_file(f, "run/corral/machines/orphan/state", running);

        assert_int_equal(manager_load_definitions(f->manager), 0);
        assert_int_equal(manager_adopt_all(f->manager), 0);

        m = manager_get_machine(f->manager, "alive");
        assert_int_equal(m->state, MACHINE_RUNNING);
        assert_int_equal(m->leader, live);
        assert_int_equal(m->timestamp, 1234);
        assert_int_equal(m->restart_count, 4);
        assert_false(m->monitor_is_child);

        m = manager_get_machine(f->manager, "ended");
        assert_int_equal(m->state, MACHINE_FAILED);
        assert_int_equal(m->exit_status, 5);

        m = manager_get_machine(f->manager, "vanished");
        assert_int_equal(m->state, MACHINE_FAILED);
        _cleanup_free_ char *p = strprintf("%s/run/corral/machines/vanished/state", f->root);
        assert_int_equal(access(p, F_OK), -1);

        /* Running without a definition: kept until it stops. */
        m = manager_get_machine(f->manager, "orphan");
        assert_non_null(m);
        assert_null(m->definition);

        /* The adopted monitor ends: seen through its pidfd. */
        assert_int_equal(kill(live, SIGKILL), 0);
        assert_int_equal(waitpid(live, NULL, 0), live);
        assert_true(run_until(f, "alive", MACHINE_FAILED));
        usec_t deadline = now(CLOCK_MONOTONIC) + 2 * USEC_PER_SEC;
        while (manager_get_machine(f->manager, "orphan") && now(CLOCK_MONOTONIC) < deadline)
                (void) sd_event_run(f->event, 10 * USEC_PER_MSEC);
        assert_null(manager_get_machine(f->manager, "orphan"));
}

static void test_enable_disable(void **state) {
        Fixture *f = *state;
        Machine *m;

        define(f, "svc", "Autostart=yes\n");
        assert_int_equal(manager_load_definitions(f->manager), 0);
        m = manager_get_machine(f->manager, "svc");
        assert_int_equal(manager_get_autostart_override(f->manager, "svc"), -ENOENT);
        assert_int_equal(manager_set_autostart(f->manager, m, false), 0);
        assert_false(machine_get_autostart(m));
        assert_int_equal(manager_autostart(f->manager), 0);
        assert_int_equal(m->state, MACHINE_STOPPED);
        assert_int_equal(manager_set_autostart(f->manager, m, true), 0);
        assert_int_equal(manager_get_autostart_override(f->manager, "svc"), 1);
        assert_int_equal(manager_autostart(f->manager), 0);
        assert_int_equal(m->state, MACHINE_STARTING);
        assert_true(run_until(f, "svc", MACHINE_RUNNING));
        assert_int_equal(machine_terminate(m), 0);
        assert_true(run_until(f, "svc", MACHINE_STOPPED));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_restart_delay),
                cmocka_unit_test(test_kill_whom),
                cmocka_unit_test_setup_teardown(test_definitions, setup, teardown),
                cmocka_unit_test_setup_teardown(test_registry_reload, setup, teardown),
                cmocka_unit_test_setup_teardown(test_start_stop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_crash_restart, setup, teardown),
                cmocka_unit_test_setup_teardown(test_adopt, setup, teardown),
                cmocka_unit_test_setup_teardown(test_enable_disable, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
