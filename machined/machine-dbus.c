/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The org.corral.machine1.Machine objects at
 * /org/corral/machine1/machine/NAME: one fallback vtable, found by
 * machine_object_find() and listed by machine_node_enumerator(). They
 * are read-only views of a Machine; every change goes through the
 * manager object's methods. */

#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "machine-dbus.h"
#include "network.h"
#include "os-release.h"
#include "string-util.h"

int machine_object_find(sd_bus *bus, const char *path, const char *interface, void *userdata,
                        void **found, sd_bus_error *error) {
        _cleanup_free_ char *name = NULL;
        Machine *machine;

        /* By name (a binary search), not by comparing every machine's path. */
        if (sd_bus_path_decode(path, CORRAL_BUS_MACHINE_PREFIX, &name) <= 0)
                return 0;
        machine = manager_get_machine(userdata, name);
        if (!machine || !streq(machine->path, path))
                return 0;
        *found = machine;
        return 1;
}

int machine_node_enumerator(sd_bus *bus, const char *path, void *userdata, char ***nodes,
                            sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_strv_free_ char **l = NULL;

        for (size_t i = 0; i < m->n_machines; i++)
                if (strv_extend(&l, m->machines[i]->path) < 0)
                        return -ENOMEM;
        *nodes = TAKE_PTR(l);
        return 1;
}

int machine_send_changed(sd_bus *bus, Machine *m) {
        return sd_bus_emit_properties_changed(bus, m->path, CORRAL_MACHINE_IFACE, "State", "Leader",
                                              "Timestamp", "ExitStatus", "RestartCount", "Error",
                                              "Autostart", NULL);
}

static const MachineDefinition *machine_shown_definition(const Machine *m) {
        /* While it runs, what it was started with. */
        if (m->active_definition && !IN_SET(m->state, MACHINE_STOPPED, MACHINE_FAILED))
                return m->active_definition;
        return m->definition ?: m->active_definition;
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        Machine *m = userdata;
        return sd_bus_message_append(reply, "s", machine_state_to_string(m->state));
}

static int property_get_string(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error) {
        Machine *m = userdata;
        const MachineDefinition *d = machine_shown_definition(m);
        const char *v = NULL;

        if (streq(property, "Name"))
                v = m->name;
        else if (streq(property, "Class"))
                v = "container";
        else if (streq(property, "Service"))
                v = "corral";
        else if (streq(property, "Error"))
                v = m->error;
        else if (d && streq(property, "Image"))
                v = d->image;
        else if (d && streq(property, "RootDirectory"))
                v = d->directory;
        else if (d && streq(property, "Description"))
                v = d->description;
        else if (d && streq(property, "Restart"))
                v = restart_policy_to_string(d->restart);
        return sd_bus_message_append(reply, "s", strempty(v));
}

static int property_get_leader(sd_bus *bus, const char *path, const char *interface,
                               const char *property, sd_bus_message *reply, void *userdata,
                               sd_bus_error *error) {
        Machine *m = userdata;
        return sd_bus_message_append(reply, "u", (uint32_t) (m->leader > 0 ? m->leader : 0));
}

static int property_get_autostart(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *reply, void *userdata,
                                  sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", (int) machine_get_autostart(userdata));
}

static int property_get_accounting(sd_bus *bus, const char *path, const char *interface,
                                   const char *property, sd_bus_message *reply, void *userdata,
                                   sd_bus_error *error) {
        Machine *m = userdata;
        CgroupAccounting a = { UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX };
        CgroupMachine *cg;
        uint64_t v;

        if (!IN_SET(m->state, MACHINE_STOPPED, MACHINE_FAILED) && machine_get_cgroup(m, &cg) >= 0) {
                (void) cgroup_machine_get_accounting(cg, &a);
                /* A v1 machine cgroup holds an fd per hierarchy: do not keep
                 * them for every machine a client once looked at. */
                m->cgroup = cgroup_machine_free(m->cgroup);
        }
        if (streq(property, "MemoryCurrent"))
                v = a.memory_current;
        else if (streq(property, "CPUUsageNSec"))
                v = a.cpu_usage_nsec;
        else
                v = a.tasks_current;
        return sd_bus_message_append(reply, "t", v);
}

static int property_get_limit(sd_bus *bus, const char *path, const char *interface,
                              const char *property, sd_bus_message *reply, void *userdata,
                              sd_bus_error *error) {
        const MachineDefinition *d = machine_shown_definition(userdata);
        const CgroupLimits *l = d ? d->limits : NULL;
        uint64_t v = UINT64_MAX;

        if (streq(property, "MemoryMax") && cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_MAX))
                v = l->memory_max;
        else if (streq(property, "MemoryHigh") && cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_HIGH))
                v = l->memory_high;
        else if (streq(property, "TasksMax") && cgroup_limits_has(l, CGROUP_LIMIT_TASKS_MAX))
                v = l->tasks_max;
        else if (streq(property, "CPUWeight") && cgroup_limits_has(l, CGROUP_LIMIT_CPU_WEIGHT))
                v = l->cpu_weight;
        else if (streq(property, "CPUQuotaPerSecUSec") && cgroup_limits_has(l, CGROUP_LIMIT_CPU_QUOTA))
                v = (uint64_t) l->cpu_quota_permyriad * 100;
        return sd_bus_message_append(reply, "t", v);
}

static int property_get_addresses(sd_bus *bus, const char *path, const char *interface,
                                  const char *property, sd_bus_message *reply, void *userdata,
                                  sd_bus_error *error) {
        const MachineDefinition *d = machine_shown_definition(userdata);
        Machine *m = userdata;
        _cleanup_strv_free_ char **ifs = NULL, **addrs = NULL;
        char **l = NULL;

        /* A running machine's network record (network.c) says what it got:
         * host-side links, pool or static addresses. */
        if (!IN_SET(m->state, MACHINE_STOPPED, MACHINE_FAILED) &&
            network_machine_info(m->manager->root, m->name, &ifs, &addrs) >= 0)
                return sd_bus_message_append_strv(reply, streq(property, "Addresses") ? addrs : ifs);
        if (d && streq(property, "Addresses"))
                l = d->addresses;
        return sd_bus_message_append_strv(reply, l);
}

int machine_bus_append_addresses(sd_bus_message *reply, Machine *m, sd_bus_error *error) {
        _cleanup_strv_free_ char **ifs = NULL, **addrs = NULL;
        int r;

        if (IN_SET(m->state, MACHINE_STOPPED, MACHINE_FAILED))
                return sd_bus_error_setf(error, BUS_ERROR_NOT_RUNNING, "Machine '%s' is not running.", m->name);
        /* A machine without a network record shares the host's network
         * (or has only lo): it has no addresses of its own to report. */
        r = network_machine_info(m->manager->root, m->name, &ifs, &addrs);
        if (r < 0 && r != -ENOENT)
                return r;

        r = sd_bus_message_open_container(reply, 'a', "(iay)");
        if (r < 0)
                return r;
        STRV_FOREACH(a, addrs) {
                char buf[INET_ADDRSTRLEN];
                struct in_addr in;

                /* The record keeps "A.B.C.D/N"; machine1's shape has no prefix length. */
                snprintf(buf, sizeof buf, "%.*s", (int) strcspn(*a, "/"), *a);
                if (inet_pton(AF_INET, buf, &in) != 1)
                        continue;
                r = sd_bus_message_open_container(reply, 'r', "iay");
                if (r < 0)
                        return r;
                r = sd_bus_message_append(reply, "i", AF_INET);
                if (r < 0)
                        return r;
                r = sd_bus_message_append_array(reply, 'y', &in, sizeof in);
                if (r < 0)
                        return r;
                r = sd_bus_message_close_container(reply);
                if (r < 0)
                        return r;
        }
        return sd_bus_message_close_container(reply);
}

static int method_get_addresses(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = machine_bus_append_addresses(reply, userdata, error);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

/* The OS of a running machine, read from its root each time (an OS
 * container may upgrade itself); empty when stopped or unreadable. */
static int property_get_os(sd_bus *bus, const char *path, const char *interface,
                           const char *property, sd_bus_message *reply, void *userdata,
                           sd_bus_error *error) {
        Machine *m = userdata;
        _cleanup_free_ char *os = NULL;

        if (m->leader > 0)
                (void) os_release_read_pid(m->leader, &os);
        return sd_bus_message_append(reply, "s", strempty(os));
}

static const sd_bus_vtable *machine_vtable_property(const char *name) {
        for (const sd_bus_vtable *v = machine_vtable; v->type != _SD_BUS_VTABLE_END; v++)
                if (v->type == _SD_BUS_VTABLE_PROPERTY && streq(v->x.property.member, name))
                        return v;
        return NULL;
}

bool machine_property_is_known(const char *name) {
        return machine_vtable_property(name);
}

static int append_property(sd_bus_message *reply, Machine *m, const sd_bus_vtable *v, sd_bus_error *error) {
        sd_bus *bus = sd_bus_message_get_bus(reply);
        const char *sig = v->x.property.signature;
        int r;

        r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "s", v->x.property.member);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'v', sig);
        if (r < 0)
                return r;
        if (v->x.property.get)
                r = v->x.property.get(bus, m->path, CORRAL_MACHINE_IFACE, v->x.property.member, reply, m, error);
        else {
                /* A plain field, as sd-bus reads it for Get: only numbers here. */
                const void *p = (const uint8_t *) m + v->x.property.offset;
                assert(sig[1] == 0 && !IN_SET(sig[0], 's', 'o', 'g'));
                r = sd_bus_message_append_basic(reply, sig[0], p);
        }
        if (r < 0)
                return r;
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_message_close_container(reply);
}

int machine_bus_append_properties(sd_bus_message *reply, Machine *m, char **properties, sd_bus_error *error) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        if (!properties || !properties[0]) {
                for (const sd_bus_vtable *v = machine_vtable; v->type != _SD_BUS_VTABLE_END; v++) {
                        if (v->type != _SD_BUS_VTABLE_PROPERTY ||
                            (v->flags & (SD_BUS_VTABLE_HIDDEN | SD_BUS_VTABLE_PROPERTY_EXPLICIT)))
                                continue;
                        r = append_property(reply, m, v, error);
                        if (r < 0)
                                return r;
                }
        } else
                STRV_FOREACH(p, properties) {
                        const sd_bus_vtable *v = machine_vtable_property(*p);
                        if (!v)
                                return -EINVAL;
                        r = append_property(reply, m, v, error);
                        if (r < 0)
                                return r;
                }
        return sd_bus_message_close_container(reply);
}

const sd_bus_vtable machine_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Name", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Class", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Service", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Leader", "u", property_get_leader, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Image", "s", property_get_string, 0, 0),
        SD_BUS_PROPERTY("RootDirectory", "s", property_get_string, 0, 0),
        SD_BUS_PROPERTY("Description", "s", property_get_string, 0, 0),
        SD_BUS_PROPERTY("Restart", "s", property_get_string, 0, 0),
        SD_BUS_PROPERTY("Timestamp", "t", NULL, offsetof(Machine, timestamp), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Autostart", "b", property_get_autostart, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("RestartCount", "u", NULL, offsetof(Machine, restart_count), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ExitStatus", "i", NULL, offsetof(Machine, exit_status), SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Error", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MemoryCurrent", "t", property_get_accounting, 0, 0),
        SD_BUS_PROPERTY("CPUUsageNSec", "t", property_get_accounting, 0, 0),
        SD_BUS_PROPERTY("TasksCurrent", "t", property_get_accounting, 0, 0),
        SD_BUS_PROPERTY("MemoryMax", "t", property_get_limit, 0, 0),
        SD_BUS_PROPERTY("MemoryHigh", "t", property_get_limit, 0, 0),
        SD_BUS_PROPERTY("TasksMax", "t", property_get_limit, 0, 0),
        SD_BUS_PROPERTY("CPUWeight", "t", property_get_limit, 0, 0),
        SD_BUS_PROPERTY("CPUQuotaPerSecUSec", "t", property_get_limit, 0, 0),
        SD_BUS_PROPERTY("NetworkInterfaces", "as", property_get_addresses, 0, 0),
        SD_BUS_PROPERTY("Addresses", "as", property_get_addresses, 0, 0),
        SD_BUS_PROPERTY("OperatingSystem", "s", property_get_os, 0, 0),
        SD_BUS_METHOD_WITH_ARGS("GetAddresses", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(iay)", addresses),
                                method_get_addresses, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
