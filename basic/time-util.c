/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Time spans in systemd's syntax; see time-util.h. */

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "string-util.h"
#include "time-util.h"

usec_t now(clockid_t clock) {
        struct timespec ts;
        /* Only fails for an invalid clock id, which is a programmer error. */
        (void) clock_gettime(clock, &ts);
        return (usec_t) ts.tv_sec * USEC_PER_SEC + (usec_t) ts.tv_nsec / NSEC_PER_USEC;
}

static const struct {
        const char *suffix;
        usec_t usec;
} time_units[] = {
        /* Longer suffixes first, so that "ms" is not read as "m" + "s". */
        { "seconds", USEC_PER_SEC },   { "second", USEC_PER_SEC },   { "sec", USEC_PER_SEC },
        { "s", USEC_PER_SEC },         { "minutes", USEC_PER_MINUTE }, { "minute", USEC_PER_MINUTE },
        { "min", USEC_PER_MINUTE },    { "months", 2629800ULL * USEC_PER_SEC },
        { "msec", USEC_PER_MSEC },     { "ms", USEC_PER_MSEC },      { "m", USEC_PER_MINUTE },
        { "hours", USEC_PER_HOUR },    { "hour", USEC_PER_HOUR },    { "hr", USEC_PER_HOUR },
        { "h", USEC_PER_HOUR },        { "days", USEC_PER_DAY },     { "day", USEC_PER_DAY },
        { "d", USEC_PER_DAY },         { "weeks", 7 * USEC_PER_DAY }, { "week", 7 * USEC_PER_DAY },
        { "w", 7 * USEC_PER_DAY },     { "usec", 1 },                { "us", 1 },
        { "μs", 1 },                   { "nsec", 0 },                { "ns", 0 },
};

int parse_sec(const char *s, usec_t *ret) {
        usec_t total = 0;
        bool any = false;

        if (!s)
                return -EINVAL;
        while (isspace((unsigned char) *s))
                s++;
        if (streq(s, "infinity")) {
                *ret = USEC_INFINITY;
                return 0;
        }

        while (*s) {
                char *end;
                if (!isdigit((unsigned char) *s) && *s != '.')
                        return -EINVAL;
                errno = 0;
                double v = strtod(s, &end);
                if (errno != 0 || end == s || v < 0)
                        return -EINVAL;
                s = end;
                while (isspace((unsigned char) *s))
                        s++;

                usec_t mult = USEC_PER_SEC;
                bool ns = false;
                for (size_t i = 0; i < ELEMENTSOF(time_units); i++) {
                        const char *e = startswith(s, time_units[i].suffix);
                        if (e && !isalpha((unsigned char) *e)) {
                                mult = time_units[i].usec;
                                ns = mult == 0;
                                s = e;
                                break;
                        }
                }
                if (isalpha((unsigned char) *s))
                        return -EINVAL;

                double add = ns ? v / 1000.0 : v * (double) mult;
                if (add >= (double) UINT64_MAX - (double) total)
                        return -ERANGE;
                total += (usec_t) add;
                any = true;
                while (isspace((unsigned char) *s))
                        s++;
        }
        if (!any)
                return -EINVAL;
        *ret = total;
        return 0;
}

char *format_timespan(char *buf, size_t l, usec_t t) {
        if (t == USEC_INFINITY)
                snprintf(buf, l, "infinity");
        else if (t >= USEC_PER_DAY)
                snprintf(buf, l, "%llud %lluh", (unsigned long long) (t / USEC_PER_DAY),
                         (unsigned long long) (t % USEC_PER_DAY / USEC_PER_HOUR));
        else if (t >= USEC_PER_HOUR)
                snprintf(buf, l, "%lluh %llumin", (unsigned long long) (t / USEC_PER_HOUR),
                         (unsigned long long) (t % USEC_PER_HOUR / USEC_PER_MINUTE));
        else if (t >= USEC_PER_MINUTE)
                snprintf(buf, l, "%llumin %llus", (unsigned long long) (t / USEC_PER_MINUTE),
                         (unsigned long long) (t % USEC_PER_MINUTE / USEC_PER_SEC));
        else if (t >= USEC_PER_SEC)
                snprintf(buf, l, "%llu.%03llus", (unsigned long long) (t / USEC_PER_SEC),
                         (unsigned long long) (t % USEC_PER_SEC / USEC_PER_MSEC));
        else if (t >= USEC_PER_MSEC)
                snprintf(buf, l, "%llu.%01llums", (unsigned long long) (t / USEC_PER_MSEC),
                         (unsigned long long) (t % USEC_PER_MSEC / 100));
        else
                snprintf(buf, l, "%lluus", (unsigned long long) t);
        return buf;
}
