/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* OpenMachineLogin: the console of a running machine, for one client.
 * The machine's monitor offers its console pty on a stream socket
 * (monitor.h, run/corral/machines/NAME/console); here corrald connects to
 * it, makes a new pty pair, and forks a small relay that copies bytes
 * between the slave (in raw mode, so that nothing is echoed or cooked
 * twice) and the socket. corrald keeps neither the slave nor the socket:
 * the caller's master sees EOF (EIO) when the machine stops, and the
 * monitor sees the client go when the caller closes the master. Because
 * the socket lives with the monitor, a restarted corrald reaches the
 * console of an adopted machine the same way. */

#include <sys/types.h>

#include "machine.h"

/* Returns the master of a pty attached to m's console, the slave's path,
 * and the relay process (reap it through the pidfd). -ESRCH when the
 * machine is not running or its monitor offers no console. */
int machine_open_console(Machine *m, int *ret_master, char **ret_pty_path, pid_t *ret_pid, int *ret_pidfd);
