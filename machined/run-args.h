/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* corral-run's command line into a RunConfig. Pure parsing: names,
 * syntax and values are checked here (so that bad input fails before
 * anything is made), the file system is looked at by container_run(). */

#include "run-config.h"

/* Returns 1 to run the container, 0 when the command line asked only for
 * --help or --version (printed), -EINVAL (one line logged, naming the
 * value) for bad input. */
int run_args_parse(int argc, char *argv[], RunConfig *c);
