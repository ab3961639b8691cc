/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The logger: one process-wide level and program name (the only mutable
 * globals outside *-main.c). Messages go to stderr as one line each; under
 * a service manager (JOURNAL_STREAM set) they carry the syslog level as
 * "<N>" so that the journal keeps it. */

#include <stddef.h>
#include <syslog.h>

#include "macro.h"

void log_set_max_level(int level);
int log_get_max_level(void);
/* Parses "debug", "info", "notice", "warning", "err"/"error", "crit" or a number. */
int log_level_from_string(const char *s);
/* Reads CORRAL_LOG_LEVEL. */
void log_parse_environment(void);
void log_set_program_name(const char *name);

/* Called with every message that is logged (one line, with its newline,
 * without the journal's level prefix), after it went to stderr: the
 * monitor copies its own messages into the machine's console log. NULL
 * removes it. */
typedef void (*log_hook_t)(int level, const char *line, size_t n, void *userdata);
void log_set_hook(log_hook_t hook, void *userdata);

/* Logs at level, with errno set to error for %m, and returns -abs(error)
 * (or 0 if error is 0). */
int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

/* For machine definitions and other files: "FILE:LINE: message". */
int log_syntax_internal(const char *unit_file, unsigned line, int level, int error,
                        const char *format, ...) _printf_(5, 6);

#define log_full_errno(level, error, ...) \
        log_internal(level, error, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_full(level, ...) (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(error, ...) log_full_errno(LOG_DEBUG, error, __VA_ARGS__)
#define log_info_errno(error, ...) log_full_errno(LOG_INFO, error, __VA_ARGS__)
#define log_notice_errno(error, ...) log_full_errno(LOG_NOTICE, error, __VA_ARGS__)
#define log_warning_errno(error, ...) log_full_errno(LOG_WARNING, error, __VA_ARGS__)
#define log_error_errno(error, ...) log_full_errno(LOG_ERR, error, __VA_ARGS__)

#define log_syntax(file, line, level, error, ...) \
        log_syntax_internal(file, line, level, error, __VA_ARGS__)

/* Out of memory is logged the same way everywhere. */
#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")
