/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decoding D-Bus values into JSON (ctl_bus_read_value), on messages built
 * and sealed locally: a bus object on one end of a socketpair is enough
 * for sd-bus to make messages, no daemon needed. */

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl-bus.h"
#include "fd-util.h"

static sd_bus *bus;
static int fds[2] = { -EBADF, -EBADF };

static int setup(void **state) {
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        assert_int_equal(sd_bus_new(&bus), 0);
        assert_int_equal(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
        /* Starts authenticating on the socket; nobody answers, but
         * messages can be built from here on. */
        assert_true(sd_bus_start(bus) >= 0);
        return 0;
}

static int teardown(void **state) {
        sd_bus_close_unref(bus);
        safe_close(fds[1]);
        return 0;
}

static sd_bus_message *new_message(void) {
        sd_bus_message *m = NULL;
        assert_int_equal(sd_bus_message_new_signal(bus, &m, "/x", "org.example.X", "Y"), 0);
        return m;
}

static json_object *decode(sd_bus_message *m) {
        json_object *o = NULL;
        assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        assert_int_equal(ctl_bus_read_value(m, &o), 1);
        sd_bus_message_unref(m);
        return o;
}

static void check(sd_bus_message *m, const char *json) {
        json_object *o = decode(m);
        assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), json);
        json_object_put(o);
}

static void test_basic(void **state) {
        sd_bus_message *m = new_message();
        assert_true(sd_bus_message_append(m, "s", "running") >= 0);
        check(m, "\"running\"");

        m = new_message();
        assert_true(sd_bus_message_append(m, "t", UINT64_MAX) >= 0);
        check(m, "18446744073709551615");

        m = new_message();
        assert_true(sd_bus_message_append(m, "i", -1) >= 0);
        check(m, "-1");

        m = new_message();
        assert_true(sd_bus_message_append(m, "b", 1) >= 0);
        check(m, "true");

        m = new_message();
        assert_true(sd_bus_message_append(m, "as", 2, "10.0.0.2/24", "fd00::2/64") >= 0);
        check(m, "[\"10.0.0.2/24\",\"fd00::2/64\"]");
}

static void test_properties(void **state) {
        /* What GetAll() returns: a{sv}. */
        sd_bus_message *m = new_message();
        assert_true(sd_bus_message_append(m, "a{sv}", 3, "State", "s", "running", "Leader", "u", 4242,
                                          "Autostart", "b", 0) >= 0);
        check(m, "{\"State\":\"running\",\"Leader\":4242,\"Autostart\":false}");
}

static void test_addresses(void **state) {
        /* machine1's a(iay) addresses become text. */
        uint8_t v4[4], v6[16];
        assert_int_equal(inet_pton(AF_INET, "10.0.0.2", v4), 1);
        assert_int_equal(inet_pton(AF_INET6, "fd00::2", v6), 1);
        sd_bus_message *m = new_message();
        assert_true(sd_bus_message_open_container(m, 'a', "(iay)") >= 0);
        assert_true(sd_bus_message_open_container(m, 'r', "iay") >= 0);
        assert_true(sd_bus_message_append(m, "i", AF_INET) >= 0);
        assert_true(sd_bus_message_append_array(m, 'y', v4, sizeof v4) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_open_container(m, 'r', "iay") >= 0);
        assert_true(sd_bus_message_append(m, "i", AF_INET6) >= 0);
        assert_true(sd_bus_message_append_array(m, 'y', v6, sizeof v6) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        check(m, "[\"10.0.0.2\",\"fd00::2\"]");
}

static void test_structs_and_lists(void **state) {
        /* ListMachines' a(ssso): structs are arrays. */
        sd_bus_message *m = new_message();
        assert_true(sd_bus_message_append(m, "a(ssso)", 1, "web", "container", "corral",
                                          "/org/corral/machine1/machine/web") >= 0);
        check(m, "[[\"web\",\"container\",\"corral\",\"/org/corral/machine1/machine/web\"]]");

        m = new_message();
        assert_true(sd_bus_message_append(m, "v", "d", 0.5) >= 0);
        check(m, "0.5");

        /* An address struct that is not one is refused, not guessed at. */
        m = new_message();
        assert_true(sd_bus_message_open_container(m, 'r', "iay") >= 0);
        assert_true(sd_bus_message_append(m, "i", AF_INET) >= 0);
        assert_true(sd_bus_message_append_array(m, 'y', "abc", 3) >= 0);
        assert_true(sd_bus_message_close_container(m) >= 0);
        assert_int_equal(sd_bus_message_seal(m, 1, 0), 0);
        assert_true(sd_bus_message_rewind(m, true) >= 0);
        json_object *o = NULL;
        assert_int_equal(ctl_bus_read_value(m, &o), -EBADMSG);
        sd_bus_message_unref(m);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_basic),
                cmocka_unit_test(test_properties),
                cmocka_unit_test(test_addresses),
                cmocka_unit_test(test_structs_and_lists),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
