/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Capability names in both directions, from one table indexed by number,
 * and the mask of every capability this build knows. Sets of
 * capabilities are uint64_t masks, bit N = capability N. */

#include <stdint.h>

#include "macro.h"

/* "cap_sys_admin" (lower case, as capabilities(7) and libcap print them),
 * or NULL for a number the table does not know. */
const char *capability_to_name(int cap);
/* Accepts "CAP_SYS_ADMIN", "cap_sys_admin" (any case) or a number below
 * 64. Returns the number, or -EINVAL. */
int capability_from_name(const char *name);
/* Every capability up to the last one the build's kernel headers know. */
uint64_t capability_mask_all(void);
