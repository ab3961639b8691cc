/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The container's console. Interactive (corral-run's stdin and stdout are
 * terminals): a pty whose slave is the container's /dev/console and its
 * first process's stdio; the monitor relays bytes between its terminal (in
 * raw mode) and the master, and passes window size changes on. Under
 * corrald's monitor (monitor.h) the same pty exists without a relay: the
 * monitor reads the master into the log and writes console input. Pipe mode:
 * nothing to do here, the container inherits corral-run's stdio as it is,
 * so that pipes, redirections and exit codes behave as with any command. */

#include <stdbool.h>
#include <termios.h>

#include "run-config.h"

/* Resolves CONSOLE_AUTO. */
ConsoleMode console_mode_resolve(ConsoleMode m);

/* Opens a pty master (O_CLOEXEC) sized like our terminal; *ret_slave is
 * the path of its other end. */
int console_pty_open(int *ret_master, char **ret_slave);

/* In the container's first process: makes the slave stdin/out/err and
 * the controlling terminal of a new session. */
int console_attach_slave(const char *slave);

typedef struct ConsoleRelay {
        int master;
        int in_fd, out_fd;
        bool in_open, master_open;
        bool drop_input;   /* master non-blocking: input it cannot take now is dropped */
        bool raw;
        struct termios saved;
} ConsoleRelay;

int console_relay_start(ConsoleRelay *r, int master);
/* Restores the terminal. */
void console_relay_stop(ConsoleRelay *r);
/* Moves what is readable on fd (in_fd or master) to the other side. */
int console_relay_io(ConsoleRelay *r, int fd);
/* Copies our terminal's size to the pty (SIGWINCH). */
void console_relay_winch(ConsoleRelay *r);
/* Copies what the master still has to our output (at exit). */
void console_relay_drain(ConsoleRelay *r);
