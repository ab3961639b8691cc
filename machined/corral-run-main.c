/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-run: one container from a directory, like systemd-nspawn -D DIR.
 * Parses the command line into a RunConfig and hands it to container_run();
 * exits 1 for bad input or a container that could not be started, and with
 * the container's status otherwise (133: reboot with --reboot-exit). */

#include "exe-protect.h"
#include "fd-util.h"
#include "image-run.h"
#include "log.h"
#include "monitor.h"
#include "run-args.h"
#include "run-config-definition.h"
#include "run-config.h"

int main(int argc, char *argv[]) {
        _cleanup_run_config_ RunConfig *c = NULL;
        int r, status;

        log_set_program_name("corral-run");
        log_parse_environment();

        /* Before anything else: afterwards the binary and its libraries
         * are mapped from read-only mounts only (exe-protect.h). */
        r = exe_protect_reexec(argv);
        if (r < 0) {
                log_error_errno(r, "Failed to re-execute from read-only mounts: %m");
                return 1;
        }

        r = run_config_new(&c);
        if (r < 0) {
                log_oom();
                return 1;
        }
        r = run_args_parse(argc, argv, c);
        if (r <= 0)
                return r < 0 ? 1 : 0;

        /* --machine: the definition fills in what the command line left unset. */
        r = run_config_load_machine(c);
        if (r < 0)
                return 1;

        /* --image (or Image= of a definition): the image's layers and
         * defaults; the image stays in use while this process lives. */
        _cleanup_close_ int image_fd = -EBADF;
        if (c->image) {
                r = image_run_prepare(c, &image_fd);
                if (r < 0)
                        return 1;
        }

        r = c->monitor ? monitor_run(c, &status) : container_run(c, &status);
        if (r < 0)
                return 1;
        return status;
}
