/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading definitions from the three directories below a root:
 * precedence, .machine over .nspawn, masking, refused entries that do
 * not stop the others, reload while an old definition is still used. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "definition-dirs.h"
#include "fileio.h"
#include "string-util.h"

static char root[64];

static void put(const char *dir, const char *file, const char *text) {
        _cleanup_free_ char *d = strprintf("%s/%s", root, dir), *p = strprintf("%s/%s/%s", root, dir, file);
        assert_int_equal(mkdir_p_at(AT_FDCWD, d, 0755), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, text, strlen(text), 0644), 0);
}

static int setup(void **state) {
        strcpy(root, "/tmp/test-definition-dirs-XXXXXX");
        if (!mkdtemp(root))
                return -1;
        return 0;
}

static int teardown(void **state) {
        return rm_rf_at(AT_FDCWD, root);
}

#define ETC "etc/corral/machines"
#define RUN "run/corral/machines"
#define USR "usr/lib/corral/machines"

static void test_empty_root(void **state) {
        _cleanup_(definition_set_freep) DefinitionSet *s = NULL;
        assert_int_equal(definition_dirs_load(root, &s), 0);
        assert_int_equal(s->n_entries, 0);
        assert_null(definition_set_find(s, "x"));
}

static void test_precedence_and_refused(void **state) {
        put(USR, "web.machine", "[Machine]\nDirectory=/usr-web\n");
        put(RUN, "web.machine", "[Machine]\nDirectory=/run-web\n");
        put(ETC, "web.machine", "[Machine]\nDirectory=/etc-web\n");
        put(USR, "db.machine", "[Machine]\nDirectory=/usr-db\n");
        put(RUN, "db.nspawn", "[Exec]\nBoot=yes\n");
        /* Same directory: .machine wins over .nspawn. */
        put(USR, "cache.nspawn", "[Exec]\nBoot=yes\n");
        put(USR, "cache.machine", "[Machine]\nImage=redis\n");
        /* A broken file in /etc hides the good one below: refused, not skipped. */
        put(ETC, "api.machine", "[Machine]\nDirectory=/etc-api\n[Exec]\nBoot=perhaps\n");
        put(USR, "api.machine", "[Machine]\nDirectory=/usr-api\n");
        put(ETC, "bad_name.machine", "[Machine]\nDirectory=/x\n");
        put(ETC, "notes.txt", "not a definition");
        put(ETC, ".hidden.machine", "[Machine]\nDirectory=/x\n");
        _cleanup_free_ char *subdir = strprintf("%s/" RUN "/dir.machine", root);
        assert_int_equal(mkdir(subdir, 0755), 0);
        /* Masking: a /dev/null symlink in /etc hides /usr's file. */
        put(USR, "masked.machine", "[Machine]\nDirectory=/usr-masked\n");
        _cleanup_free_ char *mask = strprintf("%s/" ETC "/masked.machine", root);
        assert_int_equal(symlink("/dev/null", mask), 0);

        _cleanup_(definition_set_freep) DefinitionSet *s = NULL;
        assert_int_equal(definition_dirs_load(root, &s), 0);

        static const char *const names[] = { "api", "bad_name", "cache", "db", "dir", "web" };
        assert_int_equal(s->n_entries, ELEMENTSOF(names));
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                assert_string_equal(s->entries[i].name, names[i]);

        const DefinitionEntry *e = definition_set_find(s, "web");
        assert_non_null(e->definition);
        assert_string_equal(e->definition->directory, "/etc-web");
        assert_null(e->error);
        _cleanup_free_ char *p = strprintf("%s/" ETC "/web.machine", root);
        assert_string_equal(e->path, p);

        e = definition_set_find(s, "db");
        assert_true(e->definition->boot); /* /run's .nspawn beats /usr's .machine */
        assert_true(e->definition->directory_implicit);

        e = definition_set_find(s, "cache");
        assert_string_equal(e->definition->image, "redis");

        e = definition_set_find(s, "api");
        assert_null(e->definition);
        _cleanup_free_ char *want = strprintf("%s/" ETC "/api.machine:4: Invalid boolean for Boot=: 'perhaps'", root);
        assert_string_equal(e->error, want);

        e = definition_set_find(s, "bad_name");
        assert_null(e->definition);
        assert_non_null(strstr(e->error, "not a valid machine name"));

        e = definition_set_find(s, "dir");
        assert_null(e->definition);
        assert_non_null(strstr(e->error, "not a regular file"));

        assert_null(definition_set_find(s, "masked"));
        assert_null(definition_set_find(s, "notes"));
        assert_null(definition_set_find(s, ".hidden"));

        /* corral-run --machine NAME uses the same rules. */
        char *found = NULL;
        assert_int_equal(definition_dirs_find(root, "web", &found), 0);
        assert_string_equal(found, p);
        free(found);
        assert_int_equal(definition_dirs_find(root, "db", &found), 0);
        assert_non_null(endswith(found, RUN "/db.nspawn"));
        free(found);
        assert_int_equal(definition_dirs_find(root, "masked", &found), -ENOENT);
        assert_int_equal(definition_dirs_find(root, "nothing", &found), -ENOENT);
        assert_int_equal(definition_dirs_find(root, "../etc", &found), -EINVAL);
}

static void test_reload(void **state) {
        put(ETC, "app.machine", "[Machine]\nDirectory=/v1\n");

        _cleanup_(definition_set_freep) DefinitionSet *s1 = NULL, *s2 = NULL;
        assert_int_equal(definition_dirs_load(root, &s1), 0);
        const DefinitionEntry *e = definition_set_find(s1, "app");
        /* A running machine holds on to the definition it started with. */
        _cleanup_(machine_definition_unrefp) MachineDefinition *running = machine_definition_ref(e->definition);

        put(ETC, "app.machine", "[Machine]\nDirectory=/v2\n");
        put(ETC, "new.machine", "[Machine]\nImage=fresh\n");
        assert_int_equal(definition_dirs_load(root, &s2), 0);
        s1 = definition_set_free(s1);

        assert_string_equal(definition_set_find(s2, "app")->definition->directory, "/v2");
        assert_non_null(definition_set_find(s2, "new")->definition);
        assert_string_equal(running->directory, "/v1");

        /* Breaking the file refuses it on the next load, the others stay. */
        put(ETC, "app.machine", "[Machine]\nDirectory=/v3\nColour=blue\n");
        s2 = definition_set_free(s2);
        assert_int_equal(definition_dirs_load(root, &s2), 0);
        assert_null(definition_set_find(s2, "app")->definition);
        assert_non_null(strstr(definition_set_find(s2, "app")->error, ":3: Unknown key Colour="));
        assert_non_null(definition_set_find(s2, "new")->definition);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_empty_root, setup, teardown),
                cmocka_unit_test_setup_teardown(test_precedence_and_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
