/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Turning a failed D-Bus call into the one line a user reads: a table from
 * D-Bus error name to a sentence template, so that "No machine 'web'" and
 * "Access denied" read the same for every verb. Pure, unit tested. */

#include <systemd/sd-bus.h>

/* action: what was tried ("start", "list"); kind: "machine", "image" or
 * NULL; name: the object or NULL; error: the D-Bus error (may be unset);
 * r: the negative errno of the failure, used when error carries no text.
 * Returns a malloc'd line without a trailing newline, or NULL on OOM. */
char *ctl_error_message(const char *action, const char *kind, const char *name, const sd_bus_error *error,
                        int r);

/* Prints ctl_error_message() on stderr and returns r (negative). */
int ctl_log_error(const char *action, const char *kind, const char *name, const sd_bus_error *error, int r);
