/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-run, the command: a small static program that enters a
 * read-only view of the host and execs corral-run-real there
 * (exe-protect.h). Being static, it maps no library itself, so the only
 * dynamic loading of a container start is the real binary's, once.
 * corral-run-real is looked up next to this program (build tree), then in
 * the libexec directory (installed). */

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "corral-config.h"
#include "exe-protect.h"

#define REAL "corral-run-real"

int main(int argc, char *argv[]) {
        char self[PATH_MAX], path[PATH_MAX + sizeof(REAL)];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        path[0] = 0;
        if (n > 0) {
                self[n] = 0;
                char *slash = strrchr(self, '/');
                if (slash) {
                        slash[1] = 0;
                        snprintf(path, sizeof(path), "%s" REAL, self);
                }
        }
        if (!path[0] || access(path, X_OK) < 0)
                snprintf(path, sizeof(path), "%s/" REAL, CORRAL_LIBEXECDIR);

        int r = exe_protect_exec(path, argv);
        fprintf(stderr, "corral-run: Failed to execute '%s' from read-only mounts: %s\n", path, strerror(-r));
        return 1;
}
