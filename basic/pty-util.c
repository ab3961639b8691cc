/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pseudo-terminal allocation; see pty-util.h. */

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "fd-util.h"
#include "pty-util.h"

int pty_open(int *ret_master, char **ret_slave_path) {
        char name[64];

        _cleanup_close_ int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                return -errno;
        if (grantpt(m) < 0 || unlockpt(m) < 0)
                return -errno;
        /* ptsname_r() returns the error instead of setting errno. */
        int r = ptsname_r(m, name, sizeof name);
        if (r != 0)
                return -r;
        char *s = strdup(name);
        if (!s)
                return -ENOMEM;
        *ret_slave_path = s;
        *ret_master = TAKE_FD(m);
        return 0;
}
