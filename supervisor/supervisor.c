/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder: the PID-1 loop lands with issue 2. */
#include "supervisor.h"
#include <errno.h>

int supervisor_run(const SupervisorConfig *c, int *ret_status, SupervisorExit *ret_how) {
        return -EOPNOTSUPP;
}
