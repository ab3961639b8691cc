/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Value formatting for corralctl; see ctl-format.h. */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl-format.h"
#include "macro.h"
#include "string-util.h"

char *ctl_format_bytes(char *buf, size_t l, uint64_t bytes) {
        static const char suffixes[] = "KMGTPE";

        if (bytes == UINT64_MAX) {
                snprintf(buf, l, "infinity");
                return buf;
        }
        if (bytes < 1024) {
                snprintf(buf, l, "%" PRIu64 "B", bytes);
                return buf;
        }
        double v = (double) bytes;
        size_t i = 0;
        for (v /= 1024; v >= 1024 && i + 1 < strlen(suffixes); v /= 1024)
                i++;
        snprintf(buf, l, "%.1f%c", v, suffixes[i]);
        return buf;
}

char *ctl_format_timestamp(char *buf, size_t l, usec_t realtime) {
        struct tm tm;
        time_t t = (time_t) (realtime / USEC_PER_SEC);

        if (realtime == 0 || realtime == USEC_INFINITY || !localtime_r(&t, &tm) ||
            strftime(buf, l, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, l, "n/a");
        return buf;
}

char *ctl_format_ago(char *buf, size_t l, usec_t realtime, usec_t now_usec) {
        char span[64];
        if (realtime == 0 || realtime > now_usec) {
                snprintf(buf, l, "just now");
                return buf;
        }
        usec_t d = now_usec - realtime;
        /* Whole seconds read better than "12.345s ago". */
        if (d >= USEC_PER_SEC && d < USEC_PER_MINUTE)
                d -= d % USEC_PER_SEC;
        snprintf(buf, l, "%s ago", format_timespan(span, sizeof span, d));
        return buf;
}

char *ctl_json_to_text(json_object *v) {
        switch (json_object_get_type(v)) {
        case json_type_null:
                return strdup("");
        case json_type_boolean:
                return strdup(json_object_get_boolean(v) ? "yes" : "no");
        case json_type_array: {
                char *s = strdup("");
                for (size_t i = 0; s && i < json_object_array_length(v); i++) {
                        _cleanup_free_ char *e = ctl_json_to_text(json_object_array_get_idx(v, i));
                        if (!e)
                                return mfree(s);
                        char *n = strprintf("%s%s%s", s, i > 0 ? " " : "", e);
                        free(s);
                        s = n;
                }
                return s;
        }
        case json_type_object: {
                char *s = strdup("");
                json_object_object_foreach(v, key, val) {
                        _cleanup_free_ char *e = ctl_json_to_text(val);
                        if (!s || !e)
                                return mfree(s);
                        char *n = strprintf("%s%s%s=%s", s, *s ? " " : "", key, e);
                        free(s);
                        s = n;
                }
                return s;
        }
        default: /* string, int, double: json-c's own text without quotes */
                return strdup(json_object_get_string(v));
        }
}

char *ctl_format_progress(uint64_t done, uint64_t total, uint64_t bytes_per_sec, unsigned width) {
        char d[32], t[32], rate[32];
        _cleanup_free_ char *bar = NULL;

        ctl_format_bytes(d, sizeof d, done);
        ctl_format_bytes(rate, sizeof rate, bytes_per_sec);
        if (total == 0)
                return strprintf("%s %s/s", d, rate);

        ctl_format_bytes(t, sizeof t, total);
        unsigned percent = done >= total ? 100 : (unsigned) (done * 100 / total);
        bar = malloc(width + 1);
        if (!bar)
                return NULL;
        unsigned filled = (unsigned) ((uint64_t) width * percent / 100);
        memset(bar, '#', filled);
        memset(bar + filled, ' ', width - filled);
        bar[width] = 0;
        return strprintf("[%s] %3u%% %s/%s %s/s", bar, percent, d, t, rate);
}

size_t ctl_tail_offset(const char *buf, size_t size, uint64_t n) {
        if (n == 0)
                return size;
        size_t i = size;
        /* A trailing newline ends the last line; it does not start a new one. */
        if (i > 0 && buf[i - 1] == '\n')
                i--;
        while (i > 0) {
                if (buf[i - 1] == '\n' && --n == 0)
                        return i;
                i--;
        }
        return 0;
}
