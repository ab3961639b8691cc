/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every example definition in units/machines (the directory is argv[1])
 * parses cleanly and corral-run can honour every setting in it. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>

#include "run-config-definition.h"
#include "string-util.h"

static const char *examples_dir;

static void test_examples(void **state) {
        DIR *d = opendir(examples_dir);
        unsigned n = 0;

        assert_non_null(d);
        for (struct dirent *de; (de = readdir(d));) {
                if (!endswith(de->d_name, ".machine") && !endswith(de->d_name, ".nspawn"))
                        continue;
                _cleanup_free_ char *path = strprintf("%s/%s", examples_dir, de->d_name), *error = NULL;
                _cleanup_(machine_definition_unrefp) MachineDefinition *def = NULL;
                _cleanup_run_config_ RunConfig *c = NULL;

                if (machine_definition_load(path, &def, &error) < 0)
                        fail_msg("%s", strempty(error));
                assert_int_equal(run_config_new(&c), 0);
                if (run_config_apply_definition(c, def, &error) < 0)
                        fail_msg("%s", strempty(error));
                assert_true(c->directory || c->image);
                n++;
        }
        closedir(d);
        assert_true(n >= 2); /* an app and a boot machine at least */
}

int main(int argc, char *argv[]) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_examples),
        };
        if (argc != 2) {
                fprintf(stderr, "usage: %s DIR\n", argv[0]);
                return 2;
        }
        examples_dir = argv[1];
        return cmocka_run_group_tests(tests, NULL, NULL);
}
