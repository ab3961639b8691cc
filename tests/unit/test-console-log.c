/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console log's size rotation (log -> log.1 -> log.2, the oldest
 * dropped, writes larger than a file split) and the container passwd and
 * group parsing that the shell uses instead of NSS. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "console-log.h"
#include "fd-util.h"
#include "fileio.h"
#include "machine-shell.h"
#include "string-util.h"

static off_t size_of(int dfd, const char *name) {
        struct stat st;
        if (fstatat(dfd, name, &st, 0) < 0)
                return -1;
        return st.st_size;
}

static void test_rotation(void **state) {
        char dir[] = "/tmp/test-console-log.XXXXXX";
        _cleanup_close_ int dfd = -EBADF;
        ConsoleLog *l = NULL;
        char buf[100];

        assert_non_null(mkdtemp(dir));
        dfd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(console_log_open(dfd, 1000, 2, &l), 0);

        memset(buf, 'a', sizeof buf);
        for (int i = 0; i < 10; i++)
                assert_int_equal(console_log_write(l, buf, sizeof buf), 0);
        assert_int_equal(size_of(dfd, "log"), 1000);
        assert_int_equal(size_of(dfd, "log.1"), -1);

        memset(buf, 'b', sizeof buf);
        assert_int_equal(console_log_write(l, buf, sizeof buf), 0);
        assert_int_equal(size_of(dfd, "log.1"), 1000);
        assert_int_equal(size_of(dfd, "log"), 100);

        /* 2500 bytes at once: split over files, the oldest ('a') dropped. */
        char big[2500];
        memset(big, 'c', sizeof big);
        assert_int_equal(console_log_write(l, big, sizeof big), 0);
        assert_int_equal(size_of(dfd, "log.3"), -1);
        assert_true(size_of(dfd, "log") <= 1000);
        char *s = NULL;
        assert_int_equal(read_full_file_at(dfd, "log.2", 0, &s, NULL), 0);
        assert_null(strchr(s, 'a'));
        free(s);
        console_log_free(l);

        /* Reopening appends to what is there. */
        assert_int_equal(console_log_open(dfd, 1000, 2, &l), 0);
        off_t before = size_of(dfd, "log");
        assert_int_equal(console_log_write(l, "x", 1), 0);
        assert_int_equal(size_of(dfd, "log"), before + 1);
        console_log_free(l);

        /* keep 0: truncate in place. */
        assert_int_equal(console_log_open(dfd, 10, 0, &l), 0);
        assert_int_equal(console_log_write(l, "0123456789abc", 13), 0);
        assert_int_equal(size_of(dfd, "log"), 3);
        console_log_free(l);
        assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

static const char passwd[] =
        "root:x:0:0:root:/root:/bin/sh\n"
        "broken line\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
        "web:x:1000:100::/srv/web:\n";
static const char group[] =
        "root:x:0:\n"
        "users:x:100:\n"
        "wheel:x:10:admin,web\n"
        "audio:x:29:web\n";

static void test_passwd(void **state) {
        PasswdEntry e;
        gid_t g[8];
        size_t n;

        assert_int_equal(passwd_find(passwd, "nobody", &e), 0);
        assert_int_equal(e.uid, 65534);
        assert_string_equal(e.home, "/nonexistent");
        assert_string_equal(e.shell, "/bin/false");
        assert_int_equal(passwd_find(passwd, "web", &e), 0);
        assert_int_equal(e.gid, 100);
        assert_string_equal(e.shell, "/bin/sh"); /* empty: the default */
        assert_int_equal(passwd_find(passwd, "1000", &e), 0);
        assert_string_equal(e.home, "/srv/web");
        assert_int_equal(passwd_find(passwd, "ghost", &e), -ENOENT);
        assert_int_equal(passwd_find(passwd, "broken line", &e), -ENOENT);

        assert_int_equal(group_list_for(group, "web", 100, g, 8, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(g[0], 100);
        assert_int_equal(g[1], 10);
        assert_int_equal(g[2], 29);
        assert_int_equal(group_list_for(NULL, "web", 100, g, 8, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(group_list_for(group, "web", 100, g, 2, &n), 0);
        assert_int_equal(n, 2);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rotation),
                cmocka_unit_test(test_passwd),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
