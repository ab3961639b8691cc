/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Value parsers; see parse-util.h. */

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <strings.h>

#include "parse-util.h"
#include "string-util.h"

int parse_boolean(const char *s) {
        static const char *const yes[] = { "1", "yes", "y", "true", "t", "on" };
        static const char *const no[] = { "0", "no", "n", "false", "f", "off" };

        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(yes); i++)
                if (strcasecmp(s, yes[i]) == 0)
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(no); i++)
                if (strcasecmp(s, no[i]) == 0)
                        return 0;
        return -EINVAL;
}

int parse_uint64(const char *s, uint64_t *ret) {
        char *end;

        if (!s || !isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (errno != 0 || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_uint32(const char *s, uint32_t *ret) {
        uint64_t v;
        int r = parse_uint64(s, &v);
        if (r < 0)
                return r;
        if (v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

int parse_int(const char *s, int *ret) {
        char *end;

        if (isempty(s))
                return -EINVAL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
                return -ERANGE;
        if (errno != 0 || *end || isspace((unsigned char) *s))
                return -EINVAL;
        *ret = (int) v;
        return 0;
}

int parse_pid(const char *s, pid_t *ret) {
        int v;
        int r = parse_int(s, &v);
        if (r < 0)
                return r;
        if (v <= 0)
                return -ERANGE;
        *ret = v;
        return 0;
}

int parse_size(const char *s, uint64_t *ret) {
        static const struct {
                char c;
                unsigned shift;
        } suffixes[] = {
                { 'K', 10 }, { 'M', 20 }, { 'G', 30 }, { 'T', 40 }, { 'P', 50 }, { 'E', 60 },
        };
        char *end;

        if (isempty(s))
                return -EINVAL;
        if (streq(s, "infinity")) {
                *ret = UINT64_MAX;
                return 0;
        }
        if (!isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || v < 0 || end == s)
                return -EINVAL;

        unsigned shift = 0;
        if (*end) {
                bool found = false;
                for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                        if (toupper((unsigned char) *end) == suffixes[i].c) {
                                shift = suffixes[i].shift;
                                found = true;
                                break;
                        }
                if (found)
                        end++;
                if (*end == 'B' || (*end == 'b' && found))
                        end++;
                if (*end)
                        return -EINVAL;
        }
        /* v * 2^shift, exact like ldexp() (shift <= 60); libm is not
         * linked, which spares every binary one library to load. */
        double bytes = v * (double) (UINT64_C(1) << shift);
        if (bytes >= 18446744073709551615.0)
                return -ERANGE;
        /* A fraction is only meaningful with a suffix ("1.5G"). */
        if (shift == 0 && bytes != (double) (uint64_t) bytes)
                return -EINVAL;
        *ret = (uint64_t) bytes;
        return 0;
}

int parse_permyriad(const char *s, uint32_t *ret) {
        char *end;

        if (isempty(s) || !isdigit((unsigned char) *s))
                return -EINVAL;
        errno = 0;
        double v = strtod(s, &end);
        if (errno != 0 || end == s || !streq(end, "%"))
                return -EINVAL;
        double pm = v * 100.0;
        if (pm > UINT32_MAX || pm < 0)
                return -ERANGE;
        /* Rounded half up, as llround() does for pm >= 0; pm - n is exact. */
        uint32_t n = (uint32_t) pm;
        if (pm - n >= 0.5)
                n++;
        *ret = n;
        return 0;
}
