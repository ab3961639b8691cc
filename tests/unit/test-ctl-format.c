/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corralctl's output: tables, Key=Value text of property values, JSON
 * printing, sizes, the progress line, log tails and the ^] escape. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl-relay.h"
#include "ctl-table.h"

/* Runs f on a memory stream and returns what it printed. */
static char *capture_table(const CtlTable *t, bool header, bool colors) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        assert_non_null(f);
        assert_int_equal(ctl_table_print(t, f, header, colors), 0);
        fclose(f);
        return buf;
}

static void test_table(void **state) {
        static const char *const headers[] = { "NAME", "STATE", "ADDRESSES" };
        CtlTable *t = NULL;
        assert_int_equal(ctl_table_new(headers, 3, &t), 0);
        const char *r1[] = { "web", "running", "10.0.0.2" };
        const char *r2[] = { "db", "starting", NULL };
        const char *r3[] = { "café", "failed", "" };
        const char *colors[] = { NULL, ANSI_GREEN, NULL };
        assert_int_equal(ctl_table_add_row(t, r1, colors), 0);
        assert_int_equal(ctl_table_add_row(t, r2, NULL), 0);
        assert_int_equal(ctl_table_add_row(t, r3, NULL), 0);
        assert_int_equal(ctl_table_rows(t), 3);
        ctl_table_sort(t, 0);

        char *s = capture_table(t, true, false);
        /* Columns padded to the widest cell (code points, not bytes), "-" for empty. */
        assert_string_equal(s, "NAME STATE    ADDRESSES\n"
                               "café failed   -\n"
                               "db   starting -\n"
                               "web  running  10.0.0.2\n");
        free(s);

        s = capture_table(t, false, false);
        assert_string_equal(s, "café failed   -\n"
                               "db   starting -\n"
                               "web  running  10.0.0.2\n");
        free(s);

        s = capture_table(t, true, true);
        assert_non_null(strstr(s, ANSI_BOLD "NAME" ANSI_NORMAL));
        assert_non_null(strstr(s, ANSI_GREEN "running" ANSI_NORMAL));
        free(s);
        ctl_table_free(t);
}

static void check_text(const char *json, const char *expected) {
        json_object *o = json_tokener_parse(json);
        assert_non_null(o);
        char *s = ctl_json_to_text(o);
        assert_string_equal(s, expected);
        free(s);
        json_object_put(o);
}

static void test_json_text(void **state) {
        check_text("\"running\"", "running");
        check_text("true", "yes");
        check_text("false", "no");
        check_text("18446744073709551615", "18446744073709551615");
        check_text("-3", "-3");
        check_text("[\"10.0.0.2\",\"fd00::2\"]", "10.0.0.2 fd00::2");
        check_text("[]", "");
        check_text("{\"a\":1,\"b\":\"x\"}", "a=1 b=x");
}

static void test_json_print(void **state) {
        json_object *o = json_object_new_object();
        assert_int_equal(ctl_json_add_string(o, "name", "web"), 0);
        assert_int_equal(ctl_json_add_string(o, "image", NULL), 0);
        assert_int_equal(ctl_json_add_uint64_or_null(o, "memory_max", UINT64_MAX), 0);
        assert_int_equal(ctl_json_add_uint64(o, "leader", 4242), 0);
        assert_int_equal(ctl_json_add_bool(o, "autostart", true), 0);
        assert_string_equal(ctl_prop_string(o, "name"), "web");
        assert_null(ctl_prop_string(o, "leader"));
        assert_int_equal(ctl_prop_uint64(o, "leader", 0), 4242);
        assert_int_equal(ctl_prop_uint64(o, "missing", 7), 7);

        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        assert_int_equal(ctl_json_print(o, CTL_JSON_SHORT, f), 0);
        fclose(f);
        assert_string_equal(buf, "{\"name\":\"web\",\"image\":null,\"memory_max\":null,\"leader\":4242,\"autostart\":true}\n");
        free(buf);

        f = open_memstream(&buf, &size);
        assert_int_equal(ctl_json_print(o, CTL_JSON_PRETTY, f), 0);
        fclose(f);
        assert_non_null(strstr(buf, "\n  \"name\": \"web\",\n"));
        free(buf);
        json_object_put(o);
}

static void test_bytes(void **state) {
        char b[32];
        assert_string_equal(ctl_format_bytes(b, sizeof b, 0), "0B");
        assert_string_equal(ctl_format_bytes(b, sizeof b, 1023), "1023B");
        assert_string_equal(ctl_format_bytes(b, sizeof b, 1536), "1.5K");
        assert_string_equal(ctl_format_bytes(b, sizeof b, 64ULL << 20), "64.0M");
        assert_string_equal(ctl_format_bytes(b, sizeof b, 3ULL << 40), "3.0T");
        assert_string_equal(ctl_format_bytes(b, sizeof b, UINT64_MAX), "infinity");
}

static void test_progress(void **state) {
        char *s = ctl_format_progress(5ULL << 20, 10ULL << 20, 1ULL << 20, 10);
        assert_string_equal(s, "[#####     ]  50% 5.0M/10.0M 1.0M/s");
        free(s);
        s = ctl_format_progress(10ULL << 20, 10ULL << 20, 0, 4);
        assert_string_equal(s, "[####] 100% 10.0M/10.0M 0B/s");
        free(s);
        s = ctl_format_progress(2048, 0, 1024, 10); /* total unknown */
        assert_string_equal(s, "2.0K 1.0K/s");
        free(s);
}

static void test_tail(void **state) {
        const char *log = "one\ntwo\nthree\nfour\n";
        size_t l = strlen(log);
        assert_string_equal(log + ctl_tail_offset(log, l, 2), "three\nfour\n");
        assert_string_equal(log + ctl_tail_offset(log, l, 4), log);
        assert_string_equal(log + ctl_tail_offset(log, l, 10), log);
        assert_string_equal(log + ctl_tail_offset(log, l, 0), "");
        /* A last line without newline is a line. */
        const char *partial = "a\nb\nc";
        assert_string_equal(partial + ctl_tail_offset(partial, 5, 1), "c");
        assert_string_equal(partial + ctl_tail_offset(partial, 5, 2), "b\nc");
        assert_int_equal(ctl_tail_offset("", 0, 3), 0);
}

static void test_escape(void **state) {
        CtlEscape e = {};
        const usec_t s = USEC_PER_SEC;
        assert_false(ctl_escape_feed(&e, "\x1d\x1d", 2, 10 * s));
        assert_true(ctl_escape_feed(&e, "\x1d", 1, 10 * s + s / 2));

        /* Too slow: the window restarts at the late press. */
        e = (CtlEscape) {};
        assert_false(ctl_escape_feed(&e, "\x1d\x1d", 2, 10 * s));
        assert_false(ctl_escape_feed(&e, "\x1d", 1, 12 * s));
        assert_false(ctl_escape_feed(&e, "\x1d", 1, 12 * s + 1));
        assert_true(ctl_escape_feed(&e, "\x1d", 1, 12 * s + 2));

        /* Anything typed in between resets the count. */
        e = (CtlEscape) {};
        assert_false(ctl_escape_feed(&e, "\x1d\x1dx\x1d", 4, 10 * s));
        assert_false(ctl_escape_feed(&e, "ls\r", 3, 10 * s));
        assert_true(ctl_escape_feed(&e, "\x1d\x1d\x1d", 3, 10 * s));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_table),   cmocka_unit_test(test_json_text), cmocka_unit_test(test_json_print),
                cmocka_unit_test(test_bytes),   cmocka_unit_test(test_progress),  cmocka_unit_test(test_tail),
                cmocka_unit_test(test_escape),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
