/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The process-wide logger; see log.h. */

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"

static int max_level = LOG_INFO;
static const char *program_name = NULL;
static log_hook_t hook = NULL;
static void *hook_userdata = NULL;
static bool in_hook = false;

void log_set_hook(log_hook_t h, void *userdata) {
        hook = h;
        hook_userdata = userdata;
}

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

void log_set_program_name(const char *name) {
        program_name = name;
}

int log_level_from_string(const char *s) {
        static const char *const names[] = {
                [LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",     [LOG_CRIT] = "crit",
                [LOG_ERR] = "err",     [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
        };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcasecmp(s, names[i]) == 0)
                        return (int) i;
        if (strcasecmp(s, "error") == 0)
                return LOG_ERR;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == 0)
                return s[0] - '0';
        return -EINVAL;
}

void log_parse_environment(void) {
        const char *e = getenv("CORRAL_LOG_LEVEL");
        if (!e)
                return;
        int l = log_level_from_string(e);
        if (l >= 0)
                max_level = l;
}

static void log_write(int level, int error, const char *prefix, const char *format, va_list ap) _printf_(4, 0);
static void log_write(int level, int error, const char *prefix, const char *format, va_list ap) {
        char buf[2048];
        int saved = errno;

        /* %m in the format refers to the error we were given. */
        errno = error < 0 ? -error : error;
        vsnprintf(buf, sizeof buf, format, ap);
        errno = saved;

        /* One write per message, so that lines of concurrent writers do not interleave. */
        char line[2200];
        int n;
        /* Under a service manager that reads stderr (JOURNAL_STREAM is set), prefix the
         * syslog level so that levels survive; people at a terminal or a pipe get plain lines. */
        if (!getenv("JOURNAL_STREAM"))
                n = snprintf(line, sizeof line, "%s%s%s%s\n", program_name ?: "",
                             program_name ? ": " : "", prefix ?: "", buf);
        else
                n = snprintf(line, sizeof line, "<%d>%s%s%s%s\n", level, program_name ?: "",
                             program_name ? ": " : "", prefix ?: "", buf);
        if (n > (int) sizeof line - 1)
                n = sizeof line - 1;
        (void) !write(STDERR_FILENO, line, (size_t) n);
        if (hook && !in_hook) {
                /* Without the "<N>" of the journal; what the hook logs
                 * itself goes to stderr only. */
                size_t skip = getenv("JOURNAL_STREAM") ? strcspn(line, ">") + 1 : 0;
                if (skip > (size_t) n)
                        skip = (size_t) n;
                in_hook = true;
                hook(level, line + skip, (size_t) n - skip, hook_userdata);
                in_hook = false;
        }
        errno = saved;
}

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) {
        int r = error < 0 ? error : -error;

        if (level > max_level)
                return r;

        va_list ap;
        va_start(ap, format);
        log_write(level, error, NULL, format, ap);
        va_end(ap);
        return r;
}

int log_syntax_internal(const char *unit_file, unsigned line, int level, int error,
                        const char *format, ...) {
        int r = error < 0 ? error : -error;
        char prefix[512];

        if (level > max_level)
                return r;

        if (line > 0)
                snprintf(prefix, sizeof prefix, "%s:%u: ", unit_file ?: "(unknown)", line);
        else
                snprintf(prefix, sizeof prefix, "%s: ", unit_file ?: "(unknown)");

        va_list ap;
        va_start(ap, format);
        log_write(level, error, prefix, format, ap);
        va_end(ap);
        return r;
}
