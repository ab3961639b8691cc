/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Host and machine name rules (machinectl's): what a container's hostname
 * and a machine's name may look like. */

#include <stdbool.h>

/* 1 to 64 characters, dot-separated labels of ASCII letters, digits and
 * '-', no empty label (so no leading, trailing or double dot). */
bool hostname_is_valid(const char *s);
/* Machine names follow the host name rules: the name ends up as the
 * container's default hostname, in D-Bus object paths and in file names. */
static inline bool machine_name_is_valid(const char *s) {
        return hostname_is_valid(s);
}
