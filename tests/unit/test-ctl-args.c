/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corralctl's command line: verbs, argument counts, per-verb options,
 * shell's USER@NAME and "--", and the exit codes main() derives. */

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "ctl-args.h"
#include "ctl.h"
#include "string-util.h"

/* Parses a NULL-terminated list of words after "corralctl", with stdout
 * (help text) and stderr (usage errors) silenced so TAP stays clean. */
static int parse(CtlArgs *args, ...) {
        char *argv[32] = { (char *) "corralctl" };
        int argc = 1;
        va_list ap;
        va_start(ap, args);
        for (char *w; (w = va_arg(ap, char *));)
                argv[argc++] = w;
        va_end(ap);

        fflush(stdout);
        int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        *args = (CtlArgs) {};
        int r = ctl_parse_argv(argc, argv, args);
        fflush(stdout);
        dup2(saved_out, STDOUT_FILENO);
        dup2(saved_err, STDERR_FILENO);
        close(null);
        close(saved_out);
        close(saved_err);
        return r;
}

static void test_default_and_names(void **state) {
        CtlArgs a;
        assert_int_equal(parse(&a, NULL), 0);
        assert_string_equal(a.verb->name, "list");
        assert_null(a.names);
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "start", "web", "db", NULL), 0);
        assert_string_equal(a.verb->name, "start");
        assert_int_equal(strv_length(a.names), 2);
        assert_string_equal(a.names[1], "db");
        assert_false(a.no_block);
        ctl_args_done(&a);

        /* Options before or after the verb. */
        assert_int_equal(parse(&a, "--no-block", "start", "web", NULL), 0);
        assert_true(a.no_block);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "start", "web", "--no-block", NULL), 0);
        assert_true(a.no_block);
        ctl_args_done(&a);
}

static void test_usage_errors(void **state) {
        CtlArgs a;
        assert_int_equal(parse(&a, "frobnicate", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "start", NULL), -EINVAL); /* needs a name */
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "login", "a", "b", NULL), -EINVAL); /* exactly one */
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "import-tar", "file.tar", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "list", "--signal", "KILL", NULL), -EINVAL); /* not for list */
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "kill", "web", "--signal", "NOPE", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "kill", "web", "--kill-whom", "everyone", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "list", "--json=ugly", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "logs", "web", "-n", "x", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "list", "--bogus", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "show", "web", "-p", NULL), -EINVAL); /* missing argument */
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "start", "", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "shell", "web", "-E", "NOEQUALS", NULL), -EINVAL);
        ctl_args_done(&a);
}

static void test_options(void **state) {
        CtlArgs a;
        assert_int_equal(parse(&a, "kill", "web", "-s", "SIGKILL", "--kill-whom=leader", NULL), 0);
        assert_int_equal(a.signal, SIGKILL);
        assert_string_equal(a.kill_whom, "leader");
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "kill", "web", "--signal=RTMIN+3", NULL), 0);
        assert_int_equal(a.signal, SIGRTMIN + 3);
        assert_null(a.kill_whom);
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "list", "--json", NULL), 0);
        assert_int_equal(a.json, CTL_JSON_SHORT);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "status", "web", "--json=pretty", NULL), 0);
        assert_int_equal(a.json, CTL_JSON_PRETTY);
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "show", "web", "-p", "State,Leader", "--property=Image", "--value", NULL), 0);
        assert_int_equal(strv_length(a.properties), 3);
        assert_string_equal(a.properties[0], "State");
        assert_string_equal(a.properties[2], "Image");
        assert_true(a.value);
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "logs", "web", "-f", "-n", "25", NULL), 0);
        assert_true(a.follow);
        assert_int_equal(a.lines, 25);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "logs", "web", NULL), 0);
        assert_true(a.lines == UINT64_MAX); /* not given */
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "--bus", "unix:path=/x", "--no-legend", "--no-pager", "list", "-a", NULL), 0);
        assert_string_equal(a.bus_address, "unix:path=/x");
        assert_true(a.no_legend && a.no_pager && a.all);
        ctl_args_done(&a);
}

static void test_shell(void **state) {
        CtlArgs a;
        assert_int_equal(parse(&a, "shell", "web", NULL), 0);
        assert_string_equal(a.names[0], "web");
        assert_null(a.command);
        assert_null(a.user);
        ctl_args_done(&a);

        /* Words after "--" are the command, options included. */
        assert_int_equal(parse(&a, "shell", "alice@web", "-E", "A=1", "--", "/bin/ls", "-l", "/", NULL), 0);
        assert_string_equal(a.names[0], "web");
        assert_string_equal(a.user, "alice");
        assert_int_equal(strv_length(a.command), 3);
        assert_string_equal(a.command[1], "-l");
        assert_string_equal(a.setenv[0], "A=1");
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "shell", "--uid=bob", "web", "--", "/usr/bin/id", NULL), 0);
        assert_string_equal(a.user, "bob");
        assert_string_equal(a.command[0], "/usr/bin/id");
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "shell", "web", "--", "id", NULL), -EINVAL); /* not absolute */
        ctl_args_done(&a);

        assert_int_equal(parse(&a, "shell", "root@", NULL), -EINVAL);
        ctl_args_done(&a);
}

static void test_help(void **state) {
        CtlArgs a;
        assert_int_equal(parse(&a, "--help", NULL), 1);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "kill", "--help", NULL), 1);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "help", "shell", NULL), 1);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "help", "nope", NULL), -EINVAL);
        ctl_args_done(&a);
        assert_int_equal(parse(&a, "--version", NULL), 1);
        ctl_args_done(&a);
}

static void test_table(void **state) {
        size_t n;
        const CtlVerb *v = ctl_verbs(&n);
        /* Every verb of DESIGN.md's command line is there, with a help text. */
        static const char *const design[] = {
                "list", "status", "show", "start", "stop", "reboot", "terminate", "kill", "enable", "disable",
                "login", "shell", "logs", "images", "import-tar", "import-oci", "import-docker",
                "remove-image", "daemon-reload",
        };
        assert_int_equal(n, ELEMENTSOF(design));
        for (size_t i = 0; i < ELEMENTSOF(design); i++) {
                const CtlVerb *f = ctl_verb_find(design[i]);
                assert_non_null(f);
                assert_non_null(f->func);
                assert_true(strlen(f->help) > 10);
        }
        assert_null(ctl_verb_find("poweroff"));
        assert_non_null(v);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_and_names),
                cmocka_unit_test(test_usage_errors),
                cmocka_unit_test(test_options),
                cmocka_unit_test(test_shell),
                cmocka_unit_test(test_help),
                cmocka_unit_test(test_table),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
