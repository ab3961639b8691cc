/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dlopen_library(): a whole table or nothing, errors that name the library. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlopen-util.h"

DLOPEN_SYM_DECLARE(getpid);
DLOPEN_SYM_DECLARE(strlen);

static void test_resolves_once(void **state) {
        const DlopenSymbol symbols[] = { DLOPEN_SYM(getpid), DLOPEN_SYM(strlen), { NULL, NULL } };
        DlopenLibrary lib = { .soname = "libc.so.6", .symbols = symbols };
        char *error = NULL;

        assert_int_equal(dlopen_library(&lib, &error), 0);
        assert_null(error);
        assert_non_null(lib.handle);
        assert_int_equal(sym_getpid(), getpid());
        assert_int_equal(sym_strlen("corral"), 6);

        /* Cached: the pointers are not looked up again. */
        void *h = lib.handle;
        sym_getpid = NULL;
        assert_int_equal(dlopen_library(&lib, NULL), 0);
        assert_ptr_equal(lib.handle, h);
        assert_null(sym_getpid);
}

static void test_missing_library(void **state) {
        const DlopenSymbol symbols[] = { DLOPEN_SYM(getpid), { NULL, NULL } };
        DlopenLibrary lib = { .soname = "libcorral-does-not-exist.so.7", .symbols = symbols };
        char *error = NULL;

        sym_getpid = NULL;
        assert_int_equal(dlopen_library(&lib, &error), -EOPNOTSUPP);
        assert_non_null(error);
        assert_non_null(strstr(error, "libcorral-does-not-exist.so.7"));
        assert_null(lib.handle);
        assert_null(sym_getpid);
        free(error);
        /* Without a place for the message. */
        assert_int_equal(dlopen_library(&lib, NULL), -EOPNOTSUPP);
}

static int (*sym_corral_no_such_function)(void);

static void test_missing_symbol(void **state) {
        const DlopenSymbol symbols[] = {
                DLOPEN_SYM(getpid),
                { "corral_no_such_function", (void **) &sym_corral_no_such_function },
                DLOPEN_SYM(strlen),
                { NULL, NULL },
        };
        DlopenLibrary lib = { .soname = "libc.so.6", .symbols = symbols };
        char *error = NULL;

        sym_getpid = NULL;
        sym_strlen = NULL;
        assert_int_equal(dlopen_library(&lib, &error), -ENXIO);
        assert_non_null(strstr(error, "libc.so.6"));
        assert_non_null(strstr(error, "'corral_no_such_function'"));
        /* All or nothing: the one found before is not left set. */
        assert_null(sym_getpid);
        assert_null(sym_strlen);
        assert_null(lib.handle);
        free(error);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_resolves_once),
                cmocka_unit_test(test_missing_library),
                cmocka_unit_test(test_missing_symbol),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
