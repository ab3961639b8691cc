/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User= lookup in a container's passwd and group files (container-user.h),
 * fed from strings: names, numbers, groups, malformed lines. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "container-user.h"
#include "string-util.h"

static const char passwd[] = "# comment\n"
                             "root:x:0:0:root:/root:/bin/sh\n"
                             "broken:x:abc:1:::\n"
                             "+nis\n"
                             "alice:x:1001:1002:Alice:/home/alice:/bin/ash\n"
                             "nohome:x:1003:1003:::\n";
static const char group[] = "root:x:0:\n"
                            "staff:x:1002:\n"
                            "wheel:x:10:root,alice\n"
                            "audio:x:29:bob,alice,carol\n"
                            "alicex:x:30:alicexx\n"
                            "bad:x:-1:alice\n";

static int lookup(const char *spec, ContainerUser **ret) {
        FILE *p = fmemopen((void *) passwd, strlen(passwd), "r");
        FILE *g = fmemopen((void *) group, strlen(group), "r");
        assert_non_null(p);
        assert_non_null(g);
        int r = container_user_lookup(p, g, spec, ret);
        fclose(p);
        fclose(g);
        return r;
}

static void test_by_name(void **state) {
        _cleanup_(container_user_freep) ContainerUser *u = NULL;

        assert_int_equal(lookup("alice", &u), 0);
        assert_string_equal(u->name, "alice");
        assert_int_equal(u->uid, 1001);
        assert_int_equal(u->gid, 1002);
        assert_string_equal(u->home, "/home/alice");
        assert_string_equal(u->shell, "/bin/ash");
        assert_int_equal(u->n_groups, 3);
        assert_int_equal(u->groups[0], 1002);
        assert_int_equal(u->groups[1], 10);
        assert_int_equal(u->groups[2], 29);
}

static void test_by_number(void **state) {
        _cleanup_(container_user_freep) ContainerUser *u = NULL, *v = NULL;

        /* A number with an entry is that entry. */
        assert_int_equal(lookup("1001", &u), 0);
        assert_string_equal(u->name, "alice");
        assert_int_equal(u->n_groups, 3);
        /* Without an entry: gid = uid, HOME=/, no groups besides it. */
        assert_int_equal(lookup("4242", &v), 0);
        assert_string_equal(v->name, "4242");
        assert_int_equal(v->uid, 4242);
        assert_int_equal(v->gid, 4242);
        assert_string_equal(v->home, "/");
        assert_null(v->shell);
        assert_int_equal(v->n_groups, 1);
}

static void test_with_group(void **state) {
        _cleanup_(container_user_freep) ContainerUser *u = NULL, *v = NULL;

        assert_int_equal(lookup("alice:wheel", &u), 0);
        assert_int_equal(u->gid, 10);
        assert_int_equal(u->groups[0], 10);
        assert_int_equal(u->n_groups, 2);
        assert_int_equal(lookup("4242:77", &v), 0);
        assert_int_equal(v->gid, 77);
}

static void test_missing_and_invalid(void **state) {
        ContainerUser *u = NULL;

        assert_int_equal(lookup("bob", &u), -ESRCH);
        assert_int_equal(lookup("broken", &u), -ESRCH);
        assert_int_equal(lookup("alice:nogroup", &u), -ESRCH);
        assert_int_equal(lookup("4294967295", &u), -ESRCH);
        assert_int_equal(lookup("", &u), -EINVAL);
        assert_int_equal(lookup(":x", &u), -EINVAL);
        assert_int_equal(lookup("a:b:c", &u), -EINVAL);
        assert_int_equal(lookup("a\nb", &u), -EINVAL);
        assert_null(u);
        /* No files at all: only numbers. */
        assert_int_equal(container_user_lookup(NULL, NULL, "alice", &u), -ESRCH);
        assert_int_equal(container_user_lookup(NULL, NULL, "7", &u), 0);
        assert_int_equal(u->uid, 7);
        container_user_free(u);
}

static void test_empty_home_and_environment(void **state) {
        _cleanup_(container_user_freep) ContainerUser *u = NULL;
        _cleanup_strv_free_ char **env = strv_copy((char *[]) { (char *) "HOME=/root", (char *) "USER=root", NULL });
        char **given = (char *[]) { (char *) "USER=custom", NULL };

        assert_int_equal(lookup("nohome", &u), 0);
        assert_string_equal(u->home, "/");
        assert_null(u->shell);
        assert_int_equal(container_user_environment(u, given, &env), 0);
        assert_string_equal(strv_env_get(env, "HOME"), "/");
        assert_string_equal(strv_env_get(env, "USER"), "root"); /* given: left alone */
        assert_string_equal(strv_env_get(env, "LOGNAME"), "nohome");
        assert_null(strv_env_get(env, "SHELL"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_by_name),
                cmocka_unit_test(test_by_number),
                cmocka_unit_test(test_with_group),
                cmocka_unit_test(test_missing_and_invalid),
                cmocka_unit_test(test_empty_home_and_environment),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
