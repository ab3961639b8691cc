/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corralctl: parses the command line, connects to corrald's bus, decides
 * about colours and the pager, and runs the verb. Everything else lives in
 * libcorral-tools (tools/ctl-*.c). */

#include <stdlib.h>
#include <unistd.h>

#include "ctl-bus.h"
#include "ctl-error.h"
#include "ctl-pager.h"
#include "ctl.h"
#include "log.h"
#include "string-util.h"


/* Verbs whose output may be long enough for a pager. */
static bool verb_wants_pager(const CtlArgs *args) {
        static const char *const pager_verbs[] = { "list", "status", "show", "images", "logs" };
        if (args->json != CTL_JSON_OFF || args->follow)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(pager_verbs); i++)
                if (streq(args->verb->name, pager_verbs[i]))
                        return true;
        return false;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        CtlArgs args = {};
        CtlPager pager = { .saved_stdout = -EBADF };
        int r, ret;

        log_set_program_name("corralctl");
        log_parse_environment();

        r = ctl_parse_argv(argc, argv, &args);
        if (r != 0) {
                ctl_args_done(&args);
                return r > 0 ? EXIT_SUCCESS : r == -ENOMEM ? CTL_EXIT_FAILURE : CTL_EXIT_USAGE;
        }

        r = ctl_bus_connect(args.bus_address, &bus);
        if (r < 0) {
                log_error_errno(r, "Failed to connect to %s: %m",
                                args.bus_address ?: getenv("CORRAL_BUS_ADDRESS") ?: "the system bus");
                ctl_args_done(&args);
                return CTL_EXIT_FAILURE;
        }

        CtlContext c = {
                .args = &args,
                .bus = bus,
                .out = stdout,
                .stdin_tty = isatty(STDIN_FILENO),
                .stdout_tty = isatty(STDOUT_FILENO),
        };
        c.colors = c.stdout_tty && !getenv("NO_COLOR") && !streq_ptr(getenv("TERM"), "dumb");

        if (verb_wants_pager(&args))
                (void) ctl_pager_open(&pager, args.no_pager);
        ret = args.verb->func(&c);
        fflush(stdout);
        ctl_pager_close(&pager);

        ctl_args_done(&args);
        return ret;
}
