/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* corral-run --machine FILE|NAME: a machine definition turned into the
 * RunConfig of one run. The command line wins: a definition fills in
 * what the command line left unset (strings, the payload, limits key by
 * key), adds to lists (binds, environment keys not given, capabilities,
 * system call filters, ports) and can only switch booleans on.
 *
 * A definition may name settings the parser knows but corral-run cannot
 * honour yet (resource limits of the process, tmpfs mounts, ...). Those
 * are refused here, all of them named at once, rather than dropped: a
 * machine must not run with less confinement than its file asks for. */

#include "machine-definition.h"
#include "run-config.h"

/* Applies d to c. -EOPNOTSUPP with the reasons ("FILE: [Section] Key=
 * ..." lines) in *ret_error for settings corral-run cannot honour,
 * -ENOMEM. */
int run_config_apply_definition(RunConfig *c, const MachineDefinition *d, char **ret_error);

/* Resolves c->machine (a path when it contains '/', else a machine name
 * looked up in the definition directories below c->root), loads the
 * definition and applies it. Logs its errors (every line of a refused
 * definition) and returns < 0 then. */
int run_config_load_machine(RunConfig *c);
