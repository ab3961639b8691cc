/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Machine: the runtime object corrald keeps for one machine. It owns the
 * machine's life cycle on the host side: starting its monitor
 * (`corral-run --monitor --machine NAME --root R`, a process in a
 * session of its own so that it never dies with corrald), following the monitor's state
 * file and its pidfd, clean stop / reboot / terminate / kill, and the
 * restart policy with exponential backoff. Everything here is driven by
 * the Manager's sd_event loop and is tested without a bus; the D-Bus
 * object (machine-dbus.c) only calls in here.
 *
 * The monitor is the authority on what happens to the container: it
 * writes /run/corral/machines/NAME/state (machine-state.h), and corrald
 * only reads it, on every change (inotify) and when the monitor exits
 * (pidfd). That is what lets a restarted corrald adopt a machine, and
 * see an exit status that happened while it was down. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "machine-definition.h"
#include "machine-state.h"
#include "time-util.h"

typedef struct Manager Manager;
typedef struct Machine Machine;
typedef struct CgroupMachine CgroupMachine;

typedef enum KillWhom {
        KILL_LEADER,
        KILL_ALL,
        _KILL_WHOM_MAX,
        _KILL_WHOM_INVALID = -EINVAL,
} KillWhom;

const char *kill_whom_to_string(KillWhom w);
KillWhom kill_whom_from_string(const char *s);

/* The longest restart delay of the backoff. */
#define MACHINE_RESTART_MAX_USEC (60 * USEC_PER_SEC)
/* Backoff base when RestartSec=0. */
#define MACHINE_RESTART_MIN_USEC (100 * USEC_PER_MSEC)
/* A run at least this long resets the backoff. */
#define MACHINE_RESTART_RESET_USEC (60 * USEC_PER_SEC)
/* corrald's own backstop after StopTimeoutSec= (the monitor and the PID 1
 * inside handle the real timeout; this catches a wedged monitor). */
#define MACHINE_STOP_GRACE_USEC (5 * USEC_PER_SEC)

struct Machine {
        Manager *manager;
        char *name;
        char *path;                   /* D-Bus object path */

        /* The definition for the next start (NULL: the machine only exists
         * because a running container was adopted); the one the current run
         * was started with stays in active_definition. */
        MachineDefinition *definition;
        MachineDefinition *active_definition;

        MachineState state;
        pid_t leader;                 /* host PID of the container's PID 1, 0 if none */
        pid_t monitor;                /* corral-run --machine */
        bool monitor_is_child;        /* we forked it (not adopted): waitid works */
        int monitor_pidfd;
        sd_event_source *monitor_source;
        int leader_pidfd;
        usec_t timestamp;             /* CLOCK_REALTIME of entering running */
        usec_t start_monotonic;       /* when the current run started */
        int exit_status;              /* last run's, -1 if none yet */
        unsigned restart_count;       /* automatic restarts so far */
        unsigned failures;            /* consecutive failures, for the backoff */
        char *error;                  /* why the last start or run failed */

        int state_watch;              /* inotify watch descriptor of the state dir */
        bool stop_requested;          /* a stop/terminate was asked: no restart */
        bool restart_pending;         /* the restart timer is armed */
        bool stop_killed_leader;      /* the stop backstop killed the container already */
        sd_event_source *timer;       /* restart delay or stop backstop */
        CgroupMachine *cgroup;        /* opened lazily for kill/accounting */
};

int machine_new(Manager *manager, const char *name, Machine **ret);
Machine *machine_free(Machine *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Machine *, machine_free);

/* The state directory, relative to the manager's root fd: "run/corral/machines/NAME". */
char *machine_state_dir(const Machine *m);

/* The life cycle, as the D-Bus methods call it. -EALREADY when already in
 * the requested state, -EBUSY when a transition is in flight, -ENOENT
 * when the machine has no (valid) definition to start from. */
int machine_start(Machine *m);
int machine_stop(Machine *m);
int machine_reboot(Machine *m);
int machine_terminate(Machine *m);
int machine_kill(Machine *m, KillWhom whom, int sig);

/* Takes over a machine whose monitor runs (or ran) without us, from its
 * state file (f) and the monitor's pidfd. */
int machine_adopt(Machine *m, const MachineStateFile *f);

/* Called by the manager when the state directory changed (inotify). */
void machine_state_changed(Machine *m);

/* The autostart setting in effect (definition, or EnableMachine override). */
bool machine_get_autostart(const Machine *m);

/* The machine's cgroup (opened on first use); NULL with an error if it has none. */
int machine_get_cgroup(Machine *m, CgroupMachine **ret);

/* The delay before restart number n (1-based) for base RestartSec=. */
usec_t machine_restart_delay(usec_t base, unsigned n);
