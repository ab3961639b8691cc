/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The life-cycle states of a machine (one enum, one string table: the
 * D-Bus State property and corralctl print these strings) and the state
 * file of a running machine, /run/corral/machines/NAME/state.
 *
 * The monitor (corral-run --machine) writes the state file on every
 * change, atomically (temporary file + rename), and corrald only reads
 * it: that is how a restarted corrald adopts running machines and learns
 * exit statuses that happened while it was down. The format is plain
 * "KEY=VALUE" lines, one per field, in the order of the struct:
 *
 *     STATE=running
 *     LEADER=4242
 *     LEADER_STARTTIME=987654
 *     MONITOR=4240
 *     TIMESTAMP=1764070000000000
 *     EXIT_STATUS=-1
 *     RESTART_COUNT=0
 *
 * Readers ignore keys they do not know (a newer writer may add some) and
 * refuse a file without STATE= or with a malformed value (-EBADMSG). */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"
#include "time-util.h"

typedef enum MachineState {
        MACHINE_STOPPED,
        MACHINE_STARTING,
        MACHINE_RUNNING,
        MACHINE_STOPPING,
        MACHINE_FAILED,
        _MACHINE_STATE_MAX,
        _MACHINE_STATE_INVALID = -EINVAL,
} MachineState;

const char *machine_state_to_string(MachineState s);
MachineState machine_state_from_string(const char *s);

/* Plain values only, so that it can live on the stack without cleanup. */
typedef struct MachineStateFile {
        MachineState state;
        pid_t leader;              /* host PID of the container's PID 1; 0: none (yet) */
        uint64_t leader_starttime; /* its start time (/proc/PID/stat, clock ticks); 0: unknown */
        pid_t monitor;             /* corral-run's PID; 0: unknown */
        usec_t timestamp;          /* CLOCK_REALTIME when it started running; 0: not yet */
        int exit_status;           /* the container's exit status (DESIGN.md); -1: none yet */
        unsigned restart_count;    /* restarts in place (reboots) and by policy */
} MachineStateFile;

#define MACHINE_STATE_FILE_NAME "state"

/* Stopped, nothing running, no exit status. */
void machine_state_file_init(MachineStateFile *f);

/* The text of the file, and back. Parsing writes *ret only on success. */
int machine_state_file_format(const MachineStateFile *f, char **ret);
int machine_state_file_parse(const char *text, MachineStateFile *ret);

/* Reads or (atomically) writes "state" inside the machine's state
 * directory dirfd (/run/corral/machines/NAME). Reading returns -ENOENT
 * when there is no file, -EBADMSG for a malformed one. */
int machine_state_file_read(int dirfd, MachineStateFile *ret);
int machine_state_file_write(int dirfd, const MachineStateFile *f);

/* The start time of pid in clock ticks since boot (field 22 of
 * /proc/PID/stat): with the PID it names one process for good, so that
 * an adopted leader whose PID was reused is not mistaken for ours. */
int process_get_starttime(pid_t pid, uint64_t *ret);
/* 1 when pid is alive and (if starttime != 0) still the same process,
 * 0 when it is gone or was replaced. */
int process_is_same(pid_t pid, uint64_t starttime);
