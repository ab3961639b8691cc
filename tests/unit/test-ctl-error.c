/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* D-Bus error -> the one line corralctl prints. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ctl-error.h"

static void check(const char *action, const char *kind, const char *name, const char *error_name,
                  const char *message, int r, const char *expected) {
        sd_bus_error e = SD_BUS_ERROR_MAKE_CONST(error_name, message);
        char *s = ctl_error_message(action, kind, name, error_name ? &e : NULL, r);
        assert_non_null(s);
        assert_string_equal(s, expected);
        free(s);
}

static void test_known_names(void **state) {
        check("start", "machine", "web", "org.corral.machine1.NoSuchMachine", "Machine 'web' not known", -ENXIO,
              "No machine 'web'");
        check("remove", "image", "deb", "org.corral.machine1.NoSuchImage", NULL, -ENOENT, "No image 'deb'");
        check("start", "machine", "web", "org.freedesktop.DBus.Error.AccessDenied",
              "starting machines needs root", -EACCES,
              "Failed to start machine 'web': Access denied: starting machines needs root");
        check("list machines", NULL, NULL, "org.freedesktop.DBus.Error.ServiceUnknown",
              "The name org.corral.machine1 was not provided by any .service files", -EHOSTDOWN,
              "Failed to list machines: corrald is not running (The name org.corral.machine1 was not provided by any .service files)");
        check("stop", "machine", "web", "org.freedesktop.DBus.Error.NoReply", "timeout", -ETIMEDOUT,
              "Failed to stop machine 'web': corrald did not answer in time");
}

static void test_fallbacks(void **state) {
        /* Unknown error names keep the daemon's sentence. */
        check("stop", "machine", "web", "org.corral.machine1.NotRunning", "Machine 'web' is not running", -EIO,
              "Failed to stop machine 'web': Machine 'web' is not running");
        /* Multi-line messages become one line. */
        check("start", "machine", "web", "org.corral.machine1.InvalidDefinition",
              "The definition of machine 'web' is invalid:\n/etc/corral/machines/web.machine:3: Unknown key\n", -EINVAL,
              "Failed to start machine 'web': The definition of machine 'web' is invalid: /etc/corral/machines/web.machine:3: Unknown key");
        /* No message: strerror of r. */
        check("kill", "machine", "db", "org.corral.machine1.Whatever", NULL, -EPERM,
              "Failed to kill machine 'db': Operation not permitted");
        /* No error at all, no kind. */
        check("start", NULL, "web", NULL, NULL, -ECONNRESET, "Failed to start 'web': Connection reset by peer");
        check("reload corrald", NULL, NULL, NULL, NULL, -EPERM, "Failed to reload corrald: Operation not permitted");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_known_names),
                cmocka_unit_test(test_fallbacks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
