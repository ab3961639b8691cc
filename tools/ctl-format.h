/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Text forms of the values corralctl prints: sizes, timestamps, property
 * values for Key=Value output, the import progress line, and the last N
 * lines of a log buffer. Pure functions, unit tested. */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "time-util.h"

/* "512B", "1.5K", "64.0M"; UINT64_MAX is "infinity". */
char *ctl_format_bytes(char *buf, size_t l, uint64_t bytes);
/* "Wed 2026-11-25 12:00:00 UTC" (local time zone); "n/a" for 0. */
char *ctl_format_timestamp(char *buf, size_t l, usec_t realtime);
/* "3min 2s ago" relative to now_usec. */
char *ctl_format_ago(char *buf, size_t l, usec_t realtime, usec_t now_usec);

/* The text of a property value in Key=Value form: strings as they are,
 * booleans yes/no, numbers in decimal, arrays space-separated, null "".
 * Returns a malloc'd string. */
char *ctl_json_to_text(json_object *v);

/* One progress line: "[#####     ]  45% 12.0M/26.6M 3.2M/s" for a bar of
 * width characters; total 0 means unknown (no bar, no percentage). */
char *ctl_format_progress(uint64_t done, uint64_t total, uint64_t bytes_per_sec, unsigned width);

/* Offset in buf[0..size) where the last n lines start (a final line
 * without newline counts as a line). */
size_t ctl_tail_offset(const char *buf, size_t size, uint64_t n);
