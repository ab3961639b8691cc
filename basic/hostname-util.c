/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host and machine name validation; see hostname-util.h. */

#include <string.h>

#include "hostname-util.h"
#include "macro.h"

/* HOST_NAME_MAX on Linux: the kernel refuses longer names in sethostname(). */
#define HOSTNAME_LENGTH_MAX 64

static bool ldh_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool hostname_is_valid(const char *s) {
        bool label_start = true;
        size_t n = 0;

        if (!s || !*s)
                return false;
        for (const char *p = s; *p; p++, n++) {
                if (*p == '.') {
                        if (label_start)
                                return false;
                        label_start = true;
                        continue;
                }
                if (!ldh_char(*p))
                        return false;
                label_start = false;
        }
        return !label_start && n <= HOSTNAME_LENGTH_MAX;
}
