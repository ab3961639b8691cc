/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Microsecond time values, as sd-event uses them. */

#include <stdint.h>
#include <time.h>

typedef uint64_t usec_t;
typedef uint64_t nsec_t;

#define USEC_INFINITY ((usec_t) UINT64_MAX)
#define NSEC_PER_USEC ((nsec_t) 1000ULL)
#define USEC_PER_MSEC ((usec_t) 1000ULL)
#define USEC_PER_SEC ((usec_t) 1000000ULL)
#define NSEC_PER_SEC ((nsec_t) 1000000000ULL)
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY (24ULL * USEC_PER_HOUR)

usec_t now(clockid_t clock);

/* Parses a systemd time span: "10", "10s", "500ms", "1min 30s", "2h",
 * "infinity". A bare number is in seconds. */
int parse_sec(const char *s, usec_t *ret);

/* Formats a span like "1min 30s" or "250ms" into buf. */
char *format_timespan(char *buf, size_t l, usec_t t);
