/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Exit status mapping; see exit-status.h. */

#include <errno.h>
#include <stdlib.h>

#include "exit-status.h"

int exit_status_from_siginfo(const siginfo_t *si) {
        switch (si->si_code) {
        case CLD_EXITED:
                return si->si_status & 0xff;
        case CLD_KILLED:
        case CLD_DUMPED:
                return EXIT_STATUS_SIGNAL_BASE + si->si_status;
        default:
                return -EINVAL;
        }
}

int exit_status_from_exec_errno(int error) {
        switch (abs(error)) {
        case ENOENT:
        case ENOTDIR:
        case ENAMETOOLONG:
        case ELOOP:
                return EXIT_STATUS_NOT_FOUND;
        default:
                return EXIT_STATUS_CANNOT_EXECUTE;
        }
}

void exit_status_remap_add(uint8_t bitmap[static 32], uint8_t code) {
        bitmap[code / 8] |= (uint8_t) (1u << (code % 8));
}

bool exit_status_remap_test(const uint8_t bitmap[static 32], int code) {
        if (code < 0 || code > 255)
                return false;
        return bitmap[code / 8] & (1u << (code % 8));
}

int exit_status_remap(const uint8_t bitmap[static 32], int code) {
        return exit_status_remap_test(bitmap, code) ? 0 : code;
}
