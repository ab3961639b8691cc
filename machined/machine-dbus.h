/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The org.corral.machine1.Machine object type (machine-dbus.c) and the
 * D-Bus helpers the manager object shares with it. */

#include <stdbool.h>

#include <systemd/sd-bus.h>

#include "manager.h"

#define CORRAL_BUS_NAME "org.corral.machine1"
#define CORRAL_BUS_PATH "/org/corral/machine1"
#define CORRAL_BUS_MACHINE_PREFIX "/org/corral/machine1/machine"
#define CORRAL_MANAGER_IFACE "org.corral.machine1.Manager"
#define CORRAL_MACHINE_IFACE "org.corral.machine1.Machine"

#define BUS_ERROR_NO_SUCH_MACHINE "org.corral.machine1.NoSuchMachine"
#define BUS_ERROR_INVALID_DEFINITION "org.corral.machine1.InvalidDefinition"
#define BUS_ERROR_NOT_RUNNING "org.corral.machine1.NotRunning"
#define BUS_ERROR_BUSY "org.corral.machine1.Busy"
#define BUS_ERROR_FAILED "org.corral.machine1.Failed"

extern const sd_bus_vtable machine_vtable[];

int machine_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                        void **found, sd_bus_error *error);
int machine_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                            sd_bus_error *error);

/* PropertiesChanged for every property that follows the state. */
int machine_send_changed(sd_bus *bus, Machine *m);

/* machine1's address list of a running machine, a(iay): address family and
 * raw bytes of each address it holds; NotRunning when it has stopped. Shared
 * by Machine.GetAddresses() and Manager.GetMachineAddresses(). */
int machine_bus_append_addresses(sd_bus_message *reply, Machine *m, sd_bus_error *error);

/* Whether the Machine interface has a property of that name. */
bool machine_property_is_known(const char *name);

/* The machine's properties as a{sv}, read through the same getters as
 * Get/GetAll: those named in properties, or with NULL or an empty list
 * every property GetAll returns. Names must be known
 * (machine_property_is_known()). For Manager.ListMachinesWithProperties(). */
int machine_bus_append_properties(sd_bus_message *reply, Machine *m, char **properties, sd_bus_error *error);
