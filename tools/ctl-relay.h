/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Moving bytes between corralctl's stdio and a machine: a pty master
 * (login, shell on a terminal) or three pipes (shell with redirected
 * stdin). One poll() loop copies each channel, keeps the bus going so that
 * a method reply can end the session, passes window size changes on, and
 * watches for the ^]^]^] escape. The escape detector is a pure function. */

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-bus.h>
#include <termios.h>

#include "time-util.h"

#define CTL_ESCAPE_CHAR 0x1D /* ^] */
#define CTL_ESCAPE_COUNT 3
#define CTL_ESCAPE_WINDOW_USEC (1 * USEC_PER_SEC)

typedef struct CtlEscape {
        unsigned count;
        usec_t first;
} CtlEscape;

/* Feeds input bytes read at time t; true once ^] was pressed three times
 * within a second with nothing else in between. */
bool ctl_escape_feed(CtlEscape *e, const char *buf, size_t n, usec_t t);

typedef struct CtlChannel {
        int src;
        int dst;
        bool close_dst_on_eof; /* our own pipe end: pass EOF on */
        bool output;           /* the session ends when every output hit EOF */
        bool escape;           /* watch this input for ^]^]^] */
        /* state */
        bool eof;
        size_t len;
        char buf[16384];
} CtlChannel;

typedef struct CtlRelay {
        CtlChannel *channels;
        size_t n_channels;
        sd_bus *bus;        /* processed while relaying; may be NULL */
        const bool *done;   /* set (e.g. by a reply callback) when the far side finished */
        int winch_master;   /* pty master to copy window sizes to, or -EBADF */
        CtlEscape escape;
} CtlRelay;

/* Runs until every output channel reached EOF (and *done is set, when
 * done is given; once it is, output gets a short grace period only).
 * Returns 1 when the user escaped, 0 at the end, -errno on failure. */
int ctl_relay_run(CtlRelay *relay);

/* Puts a terminal into raw mode, saving its settings to restore later. */
int ctl_terminal_raw(int fd, struct termios *ret_saved);
void ctl_terminal_restore(int fd, const struct termios *saved);
