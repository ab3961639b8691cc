/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-run, the command: a small static program that enters a
 * read-only view of the host and execs corral-run-real there
 * (exe-protect.h). Being static, it maps no library itself, so the only
 * dynamic loading of a container start is the real binary's, once.
 * corral-run-real is looked up next to this program (build tree), then in
 * the libexec directory (installed). */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exe-protect.h"

int main(int argc, char *argv[]) {
        char self[PATH_MAX], *path = NULL;
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        int r;

        self[n > 0 ? n : 0] = 0;
        r = exe_protect_find_real(self, &path);
        if (r < 0) {
                fprintf(stderr, "corral-run: Failed to find corral-run-real: %s\n", strerror(-r));
                return 1;
        }
        r = exe_protect_exec(path, argv);
        fprintf(stderr, "corral-run: Failed to execute '%s' from read-only mounts: %s\n", path, strerror(-r));
        return 1;
}
