/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Pseudo-terminals: the one way corral allocates a pty pair. */

/* A new pty master (O_RDWR|O_NOCTTY|O_CLOEXEC), granted and unlocked, and
 * the path of its slave. */
int pty_open(int *ret_master, char **ret_slave_path);
