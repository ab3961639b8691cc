/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Piping long output into a pager, as systemctl does: only when stdout is
 * a terminal, never with --no-pager, $CORRAL_PAGER or $PAGER or "less"
 * (LESS=FRXMK so short output does not wait for a key). */

#include <stdbool.h>
#include <sys/types.h>

typedef struct CtlPager {
        pid_t pid; /* 0: no pager running */
        int saved_stdout;
} CtlPager;

/* Starts the pager and points stdout at it; does nothing when not wanted. */
int ctl_pager_open(CtlPager *p, bool no_pager);
/* Flushes stdout, gives the pager EOF and waits for it. */
void ctl_pager_close(CtlPager *p);
