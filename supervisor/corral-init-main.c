/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "log.h"
#include "supervisor.h"

int main(int argc, char *argv[]) {
        SupervisorConfig c = { .argv = argv + 1 };
        int status;
        SupervisorExit how;
        int r = supervisor_run(&c, &status, &how);
        if (r < 0)
                return log_error_errno(r, "Not implemented yet: %m"), 1;
        return status;
}
