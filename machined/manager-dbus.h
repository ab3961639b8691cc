/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The org.corral.machine1.Manager object (manager-dbus.c): registers both
 * object types on bus, hooks the manager's machine events to signals,
 * and takes the well-known name. */

#include <systemd/sd-bus.h>

#include "manager.h"

int manager_bus_attach(Manager *m, sd_bus *bus);
/* Turns a core error into a D-Bus error naming the machine. */
int bus_error_from_machine_errno(sd_bus_error *error, int r, const char *name, const char *verb);
