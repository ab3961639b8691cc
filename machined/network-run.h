/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bridge between a RunConfig (corral-run's command line, a machine
 * definition) and the network plan: container_run() calls
 * network_run_prepare() once before the first clone, then
 * network_plan_attach() between clone and the child's go, and
 * network_plan_detach() after every stop (network.h). */

#include "network.h"
#include "run-config.h"

/* Builds and prepares the plan of c (after run_config_finalize(): the
 * machine name is known). Sets c->private_network when the plan needs a
 * network namespace, and adds the read-only bind of the shared hosts file
 * onto /etc/hosts. Logs its errors. */
int network_run_prepare(RunConfig *c, NetworkPlan **ret);
