/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Manager: corrald's core. It owns the registry of machines (one Machine
 * per definition, plus running machines adopted after a restart whose
 * definition is gone), the list of refused definitions, loading and
 * reloading of definitions, adoption of running machines from their state
 * files, autostart, the persistent Enable/Disable override, and the one
 * inotify fd that follows every machine's state directory.
 *
 * Nothing in here knows about D-Bus: the bus layer (manager-dbus.c,
 * machine-dbus.c) registers hooks to hear about new, removed and changed
 * machines, and the unit tests build a Manager on a temporary root and
 * drive it directly. */

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "machine.h"

typedef struct CgroupContext CgroupContext;

typedef struct ManagerHooks {
        void (*machine_new)(Manager *m, Machine *machine, void *userdata);
        void (*machine_removed)(Manager *m, Machine *machine, void *userdata);
        /* State, leader, exit status or restart count changed. */
        void (*machine_changed)(Manager *m, Machine *machine, void *userdata);
        void *userdata;
} ManagerHooks;

typedef struct RefusedDefinition {
        char *name;
        char *error;   /* "FILE:LINE: message" lines */
} RefusedDefinition;

struct Manager {
        sd_event *event;
        char *root;              /* "/" or --root */
        int root_fd;
        char *corral_run;        /* the monitor binary */
        char **monitor_env;      /* extra "K=V" for monitors (tests) */

        Machine **machines;
        size_t n_machines;
        RefusedDefinition *refused;
        size_t n_refused;

        int inotify_fd;
        sd_event_source *inotify_source;

        CgroupContext *cgroup;   /* opened on first use */
        char *cgroup_mountinfo;  /* NULL: /proc/self/mountinfo */
        char *cgroup_root;       /* NULL: the cgroup module's default */

        gid_t access_gid;        /* members may change things too; (gid_t) -1: root only */

        /* corrald keeps two pidfds per running machine (and more while it
         * reads a cgroup), so corrald-main.c raises its own RLIMIT_NOFILE
         * soft limit to the hard limit; every child that execs gets back
         * the limit corrald was started with (child_nofile), as systemd
         * does, so monitors and containers see what the service manager
         * or the shell gave, not corrald's raised value. */
        bool child_nofile_set;
        struct rlimit child_nofile;

        ManagerHooks hooks;
};

/* root: "/" in production, a temporary directory in tests. */
int manager_new(sd_event *event, const char *root, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

int manager_set_corral_run(Manager *m, const char *path);

/* In a child before exec (also after vfork(): only a system call): puts
 * RLIMIT_NOFILE back to what corrald was started with. */
void manager_child_reset_rlimits(const Manager *m);

/* Startup: load definitions, adopt what runs, autostart the rest (each
 * start is asynchronous, so all autostart machines start in parallel). */
int manager_startup(Manager *m);
/* (Re-)reads the definition directories. A running machine keeps the
 * definition it was started with until it is started again; a machine
 * whose definition vanished is dropped once it has stopped. */
int manager_load_definitions(Manager *m);
int manager_adopt_all(Manager *m);
int manager_autostart(Manager *m);

Machine *manager_get_machine(Manager *m, const char *name);
/* The machine whose container has this host PID (leader or any process
 * of its cgroup, found through /proc/PID/cgroup). */
Machine *manager_get_machine_by_pid(Manager *m, pid_t pid);
const RefusedDefinition *manager_get_refused(Manager *m, const char *name);

/* EnableMachine/DisableMachine: persistent in
 * ROOT/var/lib/corral/autostart/NAME ("yes"/"no"), which wins over the
 * definition's Autostart=. */
int manager_set_autostart(Manager *m, Machine *machine, bool enable);
/* The override: 1 yes, 0 no, -ENOENT none. */
int manager_get_autostart_override(Manager *m, const char *name);

int manager_get_cgroup_context(Manager *m, CgroupContext **ret);

/* Registry plumbing for machine.c: state-directory watches and hooks. */
int manager_watch_machine(Manager *m, Machine *machine);
void manager_unwatch_machine(Manager *m, Machine *machine);
void manager_notify_changed(Manager *m, Machine *machine);
/* Drops machines that are stopped and have no definition any more. */
void manager_gc(Manager *m);
