/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding and signalling the processes below us through /proc (the
 * subreaper case; no root needed): parsing of /proc/PID/stat and a real
 * tree of children and grandchildren. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kill-all.h"

static void test_proc_stat(void **state) {
        pid_t ppid;

        assert_int_equal(proc_stat_parse_ppid("42 (sleep) S 7 42 42 0 -1", &ppid), 0);
        assert_int_equal(ppid, 7);
        /* comm may hold spaces and parentheses. */
        assert_int_equal(proc_stat_parse_ppid("42 (a) b (c) R 1234 1 1", &ppid), 0);
        assert_int_equal(ppid, 1234);
        assert_int_equal(proc_stat_parse_ppid("42 sleep S 7", &ppid), -EINVAL);
        assert_int_equal(proc_stat_parse_ppid("42 (x)", &ppid), -EINVAL);
}

static pid_t spawn_sleeper(int ready_fd, bool with_grandchild) {
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0) {
                /* Should the test fail half-way, nothing outlives it. */
                (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (with_grandchild && fork() == 0) {
                        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
                        (void) !write(ready_fd, "g", 1);
                        for (;;)
                                pause();
                }
                (void) !write(ready_fd, "c", 1);
                for (;;)
                        pause();
        }
        return pid;
}

static void test_tree(void **state) {
        int p[2];
        char buf[8];
        size_t got = 0;
        int r, reaped = 0;

        /* Grandchildren must come back to us once their parent dies. */
        assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
        assert_int_equal(pipe(p), 0);
        (void) spawn_sleeper(p[1], true);
        (void) spawn_sleeper(p[1], false);
        while (got < 3) {
                ssize_t n = read(p[0], buf, sizeof buf);
                assert_true(n > 0);
                got += (size_t) n;
        }

        r = kill_all_descendants(getpid(), SIGKILL, false);
        assert_int_equal(r, 3);

        for (;;) {
                pid_t w = waitpid(-1, NULL, 0);
                if (w < 0) {
                        assert_int_equal(errno, ECHILD);
                        break;
                }
                reaped++;
        }
        assert_int_equal(reaped, 3);

        /* Nothing left below us. */
        assert_int_equal(kill_all_descendants(getpid(), SIGKILL, false), 0);
        close(p[0]);
        close(p[1]);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_proc_stat),
                cmocka_unit_test(test_tree),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
