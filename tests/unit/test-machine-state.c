/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Machine states and the state file: string table, format/parse round
 * trip, tolerance for newer keys, refusal of malformed files, atomic
 * write and read in a directory, process identity by start time. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "fileio.h"
#include "machine-state.h"
#include "string-util.h"

static void test_table(void **state) {
        static const char *const names[] = { "stopped", "starting", "running", "stopping", "failed" };
        assert_int_equal(ELEMENTSOF(names), _MACHINE_STATE_MAX);
        for (int i = 0; i < _MACHINE_STATE_MAX; i++) {
                assert_string_equal(machine_state_to_string(i), names[i]);
                assert_int_equal(machine_state_from_string(names[i]), i);
        }
        assert_null(machine_state_to_string(_MACHINE_STATE_MAX));
        assert_null(machine_state_to_string(-1));
        assert_int_equal(machine_state_from_string("Running"), _MACHINE_STATE_INVALID);
        assert_int_equal(machine_state_from_string(NULL), _MACHINE_STATE_INVALID);
}

/* Field by field: the struct has padding, which memcmp would compare too. */
static void assert_state_equal(const MachineStateFile *a, const MachineStateFile *b) {
        assert_int_equal(a->state, b->state);
        assert_int_equal(a->leader, b->leader);
        assert_true(a->leader_starttime == b->leader_starttime);
        assert_int_equal(a->monitor, b->monitor);
        assert_true(a->timestamp == b->timestamp);
        assert_int_equal(a->exit_status, b->exit_status);
        assert_int_equal(a->restart_count, b->restart_count);
}

static void test_round_trip(void **state) {
        MachineStateFile f = {
                .state = MACHINE_RUNNING,
                .leader = 4242,
                .leader_starttime = 987654321ULL,
                .monitor = 4240,
                .timestamp = 1764070000123456ULL,
                .exit_status = -1,
                .restart_count = 7,
        }, g;
        _cleanup_free_ char *text = NULL;

        assert_int_equal(machine_state_file_format(&f, &text), 0);
        assert_string_equal(text, "STATE=running\nLEADER=4242\nLEADER_STARTTIME=987654321\nMONITOR=4240\n"
                                  "TIMESTAMP=1764070000123456\nEXIT_STATUS=-1\nRESTART_COUNT=7\n");
        assert_int_equal(machine_state_file_parse(text, &g), 0);
        assert_state_equal(&f, &g);

        for (int s = 0; s < _MACHINE_STATE_MAX; s++) {
                _cleanup_free_ char *t = NULL;
                f.state = s;
                f.exit_status = s == MACHINE_FAILED ? 143 : 0;
                assert_int_equal(machine_state_file_format(&f, &t), 0);
                assert_int_equal(machine_state_file_parse(t, &g), 0);
                assert_state_equal(&f, &g);
        }

        f.state = _MACHINE_STATE_MAX;
        char *t = NULL;
        assert_int_equal(machine_state_file_format(&f, &t), -EINVAL);
        assert_null(t);
}

static void test_parse(void **state) {
        MachineStateFile f;

        /* Only STATE= is needed; the rest keeps the defaults. */
        assert_int_equal(machine_state_file_parse("STATE=starting\n", &f), 0);
        assert_int_equal(f.state, MACHINE_STARTING);
        assert_int_equal(f.leader, 0);
        assert_int_equal(f.exit_status, -1);

        /* Comments, blanks, no final newline, and keys of a newer writer. */
        assert_int_equal(machine_state_file_parse("# written by corral-run\n\n  STATE=stopping \n"
                                                  "FUTURE_KEY=whatever\nLEADER=12",
                                                  &f),
                         0);
        assert_int_equal(f.state, MACHINE_STOPPING);
        assert_int_equal(f.leader, 12);

        f.leader = 99;
        static const char *const bad[] = {
                "",
                "LEADER=1\n",                       /* no STATE= */
                "STATE=dancing\n",
                "STATE=running\nLEADER=-5\n",
                "STATE=running\nLEADER=abc\n",
                "STATE=running\nMONITOR=1x\n",
                "STATE=running\nEXIT_STATUS=256\n",
                "STATE=running\nEXIT_STATUS=-2\n",
                "STATE=running\nRESTART_COUNT=99999999999\n",
                "STATE=running\nTIMESTAMP=soon\n",
                "STATE=running\njunk line\n",
                "=running\n",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (machine_state_file_parse(bad[i], &f) != -EBADMSG)
                        fail_msg("accepted: '%s'", bad[i]);
        assert_int_equal(f.leader, 99); /* untouched on failure */
}

static void test_file(void **state) {
        char dir[] = "/tmp/test-machine-state-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_close_ int dfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        assert_true(dfd >= 0);

        MachineStateFile f, g;
        assert_int_equal(machine_state_file_read(dfd, &g), -ENOENT);

        machine_state_file_init(&f);
        f.state = MACHINE_FAILED;
        f.exit_status = 133;
        f.restart_count = 2;
        assert_int_equal(machine_state_file_write(dfd, &f), 0);
        assert_int_equal(machine_state_file_read(dfd, &g), 0);
        assert_state_equal(&f, &g);

        /* Replaced as a whole, and no temporary file left behind. */
        f.state = MACHINE_RUNNING;
        f.exit_status = -1;
        assert_int_equal(machine_state_file_write(dfd, &f), 0);
        assert_int_equal(machine_state_file_read(dfd, &g), 0);
        assert_int_equal(g.state, MACHINE_RUNNING);
        struct stat st;
        assert_int_equal(fstatat(dfd, "state", &st, 0), 0);
        assert_int_equal(st.st_mode & 07777, 0644);
        _cleanup_free_ char *cmd = strprintf("test $(ls -A %s | wc -l) = 1", dir);
        assert_int_equal(system(cmd), 0);

        /* A file with a NUL byte in it is malformed, not truncated. */
        assert_int_equal(write_file_atomic_at(dfd, "state", "STATE=running\0x\n", 16, 0644), 0);
        assert_int_equal(machine_state_file_read(dfd, &g), -EBADMSG);

        assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static void test_starttime(void **state) {
        uint64_t self, again;
        assert_int_equal(process_get_starttime(getpid(), &self), 0);
        assert_true(self > 0);
        assert_int_equal(process_get_starttime(getpid(), &again), 0);
        assert_true(self == again);
        assert_int_equal(process_is_same(getpid(), self), 1);
        assert_int_equal(process_is_same(getpid(), 0), 1);
        assert_int_equal(process_is_same(getpid(), self + 1), 0);
        assert_int_equal(process_get_starttime(0, &again), -EINVAL);

        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                pause();
                _exit(0);
        }
        uint64_t child;
        assert_int_equal(process_get_starttime(pid, &child), 0);
        assert_true(child >= self);
        assert_int_equal(process_is_same(pid, child), 1);
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, NULL, 0), pid);
        assert_int_equal(process_is_same(pid, child), 0);
        assert_int_equal(process_get_starttime(pid, &child), -ESRCH);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table), cmocka_unit_test(test_round_trip), cmocka_unit_test(test_parse),
                cmocka_unit_test(test_file),  cmocka_unit_test(test_starttime),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
