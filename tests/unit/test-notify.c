/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sd_notify formatting, parsing and addresses, plus one real round trip
 * over an autobound abstract socket (no root needed). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fd-util.h"
#include "notify.h"

static void test_format(void **state) {
        char *m = NULL;

        assert_int_equal(notify_format_ready("sleep", &m), 0);
        assert_string_equal(m, "READY=1\nSTATUS=Running 'sleep'.\n");
        free(m);
        assert_int_equal(notify_format_ready(NULL, &m), 0);
        assert_string_equal(m, "READY=1\n");
        free(m);

        assert_int_equal(notify_format_exit(143, false, &m), 0);
        assert_string_equal(m, "STOPPING=1\nEXIT_STATUS=143\nSTATUS=Payload ended with status 143.\n");
        free(m);
        assert_int_equal(notify_format_exit(0, true, &m), 0);
        assert_non_null(strstr(m, "EXIT_STATUS=0\n"));
        assert_non_null(strstr(m, "reboot"));
        free(m);
        assert_int_equal(notify_format_exit(256, false, &m), -EINVAL);
        assert_int_equal(notify_format_exit(-1, false, &m), -EINVAL);
}

static void test_parse(void **state) {
        char *s = NULL;

        assert_true(notify_message_is_ready("READY=1", 7));
        assert_true(notify_message_is_ready("STATUS=x\nREADY=1\n", 17));
        assert_false(notify_message_is_ready("READY=0\n", 8));
        assert_false(notify_message_is_ready("READY=10\n", 9));
        assert_false(notify_message_is_ready("XREADY=1\n", 9));
        assert_false(notify_message_is_ready("", 0));
        /* Not NUL-terminated: the size counts, not a terminator. */
        assert_false(notify_message_is_ready("READY=1", 6));

        assert_int_equal(notify_message_status("READY=1\nSTATUS=up and running\n", 30, &s), 1);
        assert_string_equal(s, "up and running");
        free(s);
        assert_int_equal(notify_message_status("READY=1\n", 8, &s), 0);
}

static void test_address(void **state) {
        struct sockaddr_un sa;
        socklen_t sl;

        assert_int_equal(notify_address_from_string("/run/x", &sa, &sl), 0);
        assert_string_equal(sa.sun_path, "/run/x");
        assert_int_equal(sl, offsetof(struct sockaddr_un, sun_path) + 7);

        assert_int_equal(notify_address_from_string("@abc", &sa, &sl), 0);
        assert_int_equal(sa.sun_path[0], 0);
        assert_memory_equal(sa.sun_path + 1, "abc", 3);
        assert_int_equal(sl, offsetof(struct sockaddr_un, sun_path) + 4);

        assert_int_equal(notify_address_from_string("relative", &sa, &sl), -EINVAL);
        assert_int_equal(notify_address_from_string("", &sa, &sl), -EINVAL);
        assert_int_equal(notify_address_from_string("@", &sa, &sl), -EINVAL);
        char longpath[200];
        memset(longpath, 'a', sizeof longpath - 1);
        longpath[0] = '/';
        longpath[sizeof longpath - 1] = 0;
        assert_int_equal(notify_address_from_string(longpath, &sa, &sl), -EINVAL);
}

static void test_round_trip(void **state) {
        _cleanup_close_ int fd = -EBADF;
        char *addr = NULL, buf[64];
        ssize_t n;

        assert_int_equal(notify_listen(&fd, &addr), 0);
        assert_int_equal(addr[0], '@');
        assert_int_equal(notify_send(addr, "READY=1\n"), 0);
        n = recv(fd, buf, sizeof buf, 0);
        assert_int_equal(n, 8);
        assert_true(notify_message_is_ready(buf, (size_t) n));
        free(addr);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_address),
                cmocka_unit_test(test_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
