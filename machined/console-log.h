/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A machine's console log: an append-only file "log" in the machine's
 * state directory, rotated by size ("log" -> "log.1" -> ... -> "log.N",
 * the oldest dropped), so that it survives restarts of the machine and of
 * corrald but never grows without bound. Readers (OpenMachineLog,
 * corralctl logs -f) notice a rotation by the inode of "log" changing. */

#include <stddef.h>
#include <stdint.h>

#include "macro.h"

#define CONSOLE_LOG_NAME "log"
#define CONSOLE_LOG_MAX_SIZE_DEFAULT (UINT64_C(1) << 20)  /* 1 MiB per file */
#define CONSOLE_LOG_KEEP_DEFAULT 2u                       /* log.1 and log.2 */

typedef struct ConsoleLog ConsoleLog;

/* Opens (or creates) dirfd/log for appending. max_size 0: the default;
 * keep: how many rotated files to keep (0 is allowed: truncate instead). */
int console_log_open(int dirfd, uint64_t max_size, unsigned keep, ConsoleLog **ret);
ConsoleLog *console_log_free(ConsoleLog *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(ConsoleLog *, console_log_free);

/* Appends buf, rotating first when it would push the file over max_size. */
int console_log_write(ConsoleLog *l, const void *buf, size_t n);
uint64_t console_log_size(const ConsoleLog *l);
