/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The exit status contract (DESIGN.md): what status PID 1 passes out for
 * a payload that exited, was killed or could not be executed, and the
 * tini-style remapping of codes to 0. Pure functions, unit tested. */

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* Exit codes of the supervisor itself. 126/127 follow the shell; 125 is
 * our own failure (usage error, setup failure), as docker and podman use
 * it, so that it does not collide with the common payload codes 1 and 2. */
enum {
        EXIT_STATUS_SUPERVISOR_FAILED = 125,
        EXIT_STATUS_CANNOT_EXECUTE = 126,
        EXIT_STATUS_NOT_FOUND = 127,
        EXIT_STATUS_SIGNAL_BASE = 128,
};

/* The status for a child reported by waitid(): the code for CLD_EXITED,
 * 128+N for CLD_KILLED/CLD_DUMPED. -EINVAL for other si_code values
 * (stopped, continued), which are not an end. */
int exit_status_from_siginfo(const siginfo_t *si);

/* 127 when the program was not found, 126 when it was found but could not
 * be executed (errno as a positive or negative value). */
int exit_status_from_exec_errno(int error);

/* The remap bitmap of SupervisorConfig (256 bits). */
void exit_status_remap_add(uint8_t bitmap[static 32], uint8_t code);
bool exit_status_remap_test(const uint8_t bitmap[static 32], int code);
/* Applies the bitmap: a listed code becomes 0, anything else stays. */
int exit_status_remap(const uint8_t bitmap[static 32], int code);
