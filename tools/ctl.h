/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What every corralctl verb gets: the parsed command line, the bus
 * connection and how to print (colours, pager, JSON). The verb functions
 * themselves live one concern per file (ctl-machines.c, ctl-control.c,
 * ctl-shell.c, ctl-logs.c, ctl-images.c) and are listed in the verb table
 * of ctl-args.c. */

#include <stdbool.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "ctl-args.h"

/* Exit codes: 0 success, 1 an operation failed, 2 the command line was
 * wrong (as systemctl and machinectl do). shell passes the inner status. */
#define CTL_EXIT_FAILURE 1
#define CTL_EXIT_USAGE 2

typedef struct CtlContext {
        const CtlArgs *args;
        sd_bus *bus;
        FILE *out;
        bool colors;     /* stdout is a terminal and NO_COLOR is unset */
        bool stdin_tty;
        bool stdout_tty;
} CtlContext;

/* Every verb returns an exit code (>= 0) for main() to pass on. */
int verb_list(CtlContext *c);
int verb_status(CtlContext *c);
int verb_show(CtlContext *c);
int verb_control(CtlContext *c); /* start stop reboot terminate enable disable */
int verb_kill(CtlContext *c);
int verb_daemon_reload(CtlContext *c);
int verb_login(CtlContext *c);
int verb_shell(CtlContext *c);
int verb_logs(CtlContext *c);
int verb_images(CtlContext *c);
int verb_import(CtlContext *c);
int verb_remove_image(CtlContext *c);

/* The last n lines of the machine's console log through OpenMachineLog()
 * (ctl-logs.c): a NUL-terminated buffer; -EOPNOTSUPP when corrald has no
 * log method. Reports nothing itself. */
int ctl_log_tail(sd_bus *bus, const char *name, uint64_t n, sd_bus_error *error, char **ret);
