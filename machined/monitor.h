/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The monitor side of `corral-run --monitor` (how corrald starts every
 * machine): around the container (container.h), it keeps the machine's state
 * directory ROOT/run/corral/machines/NAME:
 *
 *   state   the state file (machine-state.h), rewritten on every change:
 *           starting, running once PID 1 reported READY=1 (or, in boot
 *           mode without NotifyReady=, once PID 1 exists), stopping, and
 *           at the end stopped/failed with the exit status, so that a
 *           corrald that was away meanwhile learns it;
 *   notify  the sd_notify socket, bind-mounted into the container at
 *           /run/host/notify as systemd-nspawn does;
 *   log     the console (the container's stdout and stderr, and
 *           corral-run's own messages), rotated by size (console-log.h).
 *   console a stream socket (root only) that offers the console to one
 *           client at a time: the container's /dev/console and its first
 *           process's stdio are a pty (console.h) whose output the monitor
 *           always drains into the log and copies to the attached client,
 *           and the client's bytes are the console's input (none when
 *           nobody is attached). A new client takes over from the previous
 *           one. corrald's OpenMachineLogin relays a fresh pty to it.
 *
 * The monitor runs in a session of its own, not corrald's, and does not
 * depend on corrald in any way: corrald may be killed and restarted while
 * the machine keeps running. It is one process, the parent of the
 * container's PID 1 (container.h's steps driven by an sd-event loop);
 * SIGTERM/SIGINT/SIGHUP ask for a clean stop, a second one kills. */

#include "run-config.h"

#define MONITOR_NOTIFY_SOCKET_INSIDE "/run/host/notify"
#define MONITOR_CONSOLE_SOCKET "console"

/* Runs c as a monitored machine (c->machine_name must be set) and returns
 * the container's exit status in *ret_status, like container_run(). */
int monitor_run(RunConfig *c, int *ret_status);
