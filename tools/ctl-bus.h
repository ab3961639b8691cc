/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* corralctl's side of the bus: connecting (system bus, --bus or
 * $CORRAL_BUS_ADDRESS), object paths of machines, and reading properties
 * and arbitrary D-Bus values into json-c objects, which both the table
 * and the JSON printers then consume. */

#include <json-c/json.h>
#include <systemd/sd-bus.h>

#include "macro.h"

#define CORRAL_BUS_NAME "org.corral.machine1"
#define CORRAL_BUS_PATH "/org/corral/machine1"
#define CORRAL_MANAGER_IFACE "org.corral.machine1.Manager"
#define CORRAL_MACHINE_IFACE "org.corral.machine1.Machine"
#define CORRAL_JOB_IFACE "org.corral.machine1.Job"
#define CORRAL_MACHINE_PATH_PREFIX "/org/corral/machine1/machine"

DEFINE_TRIVIAL_CLEANUP_FUNC(json_object *, json_object_put);

/* address NULL: $CORRAL_BUS_ADDRESS, else the system bus. */
int ctl_bus_connect(const char *address, sd_bus **ret);

/* Calls a Manager method; error is filled in on failure. */
int ctl_call_manager(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **reply,
                     const char *types, ...);

/* dbus-daemon lets a connection wait for 128 replies at a time by default
 * (max_replies_per_connection); calls sent ahead stay below that. */
#define CTL_BUS_MAX_IN_FLIGHT 64

/* Calls the Manager's method(s name) for every name, sending up to
 * CTL_BUS_MAX_IN_FLIGHT calls ahead instead of waiting for each reply (a
 * round trip per machine adds up with 1,000 of them). errors has one entry
 * per name, set for each call that failed. Returns < 0 only when the bus
 * itself failed. */
int ctl_call_manager_each(sd_bus *bus, const char *method, char **names, sd_bus_error *errors);

/* Reads the next complete value of any signature from m into JSON:
 * integers, doubles, booleans and strings as such, arrays as arrays,
 * dictionaries as objects, structs as arrays, except a(iay)-style
 * addresses (iay), which become "10.0.0.2" strings. */
int ctl_bus_read_value(sd_bus_message *m, json_object **ret);

/* GetAll(interface) of path as a JSON object, keys the property names. */
int ctl_bus_get_all(sd_bus *bus, const char *path, const char *interface, sd_bus_error *error,
                    json_object **ret);

/* ListMachinesWithProperties(properties): calls f for every machine with
 * its name, object path and the properties as a JSON object. A failed
 * call returns < 0 with error set (UnknownMethod: an older corrald), a
 * malformed reply -EBADMSG, and f's negative return stops the walk. */
typedef int (*ctl_machine_func_t)(const char *name, const char *path, json_object *props, void *userdata);
int ctl_list_machines_with_properties(sd_bus *bus, const char *const *properties, sd_bus_error *error,
                                      ctl_machine_func_t f, void *userdata);

/* Resolves a machine name to its object path with GetMachine(). */
int ctl_machine_path(sd_bus *bus, const char *name, sd_bus_error *error, char **ret);
