/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* RunConfig: every setting of one container, as corral-run's command line,
 * a machine definition (--machine) or an image (--image) produce it, and
 * the single entry point that builds and runs the container from it
 * (container.c). Nothing in here touches the kernel: filling a RunConfig
 * is parsing, running it is container_run().
 *
 * Owners of the other sources add their fields in their own block below
 * (network, image, machine definition, monitor); container_run() and the
 * setup steps read them. Every pointer is owned by the RunConfig and freed
 * by run_config_free(). */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "time-util.h"

typedef struct CgroupLimits CgroupLimits;

typedef struct BindMount {
        char *source;       /* host path (absolute) */
        char *destination;  /* path inside the container (absolute) */
        bool read_only;
} BindMount;

typedef enum ConsoleMode {
        CONSOLE_AUTO,         /* interactive when stdin and stdout are terminals, else pipe */
        CONSOLE_INTERACTIVE,  /* a pty: its other end is /dev/console and stdio inside */
        CONSOLE_PIPE,         /* stdio passed through as they are, /dev/console is /dev/null */
        _CONSOLE_MODE_MAX,
        _CONSOLE_MODE_INVALID = -EINVAL,
} ConsoleMode;

const char *console_mode_to_string(ConsoleMode m);
ConsoleMode console_mode_from_string(const char *s);

typedef enum UserNamespaceMode {
        USER_NAMESPACE_NO,   /* the only mode implemented so far */
        USER_NAMESPACE_FIXED,
        USER_NAMESPACE_PICK,
        _USER_NAMESPACE_MODE_MAX,
        _USER_NAMESPACE_MODE_INVALID = -EINVAL,
} UserNamespaceMode;

typedef struct RunConfig {
        /* Where state, images and definitions live (DESIGN.md "Files on
         * disk"); "/" unless --root. */
        char *root;

        /* Root file system: a directory (-D). With ephemeral, an overlay
         * of it with a throwaway upper layer, so that DIR is never written. */
        char *directory;
        bool ephemeral;
        bool read_only;

        /* boot: exec /sbin/init (or argv) as PID 1. Otherwise (app mode)
         * the supervisor loop is PID 1 and argv the payload, PID 2. */
        bool boot;
        char **argv;
        char **environment;        /* extra "KEY=VALUE", win over the defaults */
        char *working_directory;   /* inside the container; NULL: / */
        char *user;                /* NULL: root */

        char *machine_name;        /* NULL: derived from the directory's name */
        char *hostname;            /* NULL: the machine name */

        ConsoleMode console_mode;

        BindMount *binds;
        size_t n_binds;

        /* Capability bounding set: the nspawn default plus cap_add minus
         * cap_drop (bit N = capability N). */
        uint64_t cap_add;
        uint64_t cap_drop;
        bool no_new_privileges;
        /* --system-call-filter words in nspawn syntax, in the order given:
         * "name", "@group", "~name ~@group ..." (deny list). */
        char **syscall_filter;

        int kill_signal;           /* 0: SIGTERM (app) / SIGRTMIN+3 (boot) */
        usec_t stop_timeout;       /* 0: 10 s */

        /* What happens when the container asks for a reboot: restart it in
         * place (standalone default, as systemd-nspawn without a unit) or
         * exit with 133 so that corrald starts it again. */
        bool reboot_exit;

        /* Seam for the user-namespace issue: only USER_NAMESPACE_NO works. */
        UserNamespaceMode private_users;
        uid_t uid_shift;
        uid_t uid_range;

        /* -p KEY=VALUE / [Resources]; NULL: no limits. */
        CgroupLimits *limits;

        /* --- network (issue: network) --- */
        bool private_network;      /* own netns with only lo, up */
        bool network_veth;
        char *network_bridge;
        char **ports;              /* "[tcp|udp:]HOST[:CONTAINER]" words */
        char *network_zone;        /* Zone=: bridge vz-ZONE, made when missing */
        char *network_address;     /* Address=: static "A.B.C.D[/N]" on host0 */

        /* --- images (issue: images) --- */
        char *image;               /* --image NAME, resolved to layers by images code */
        char **lower_dirs;         /* overlay lowers, top first; set by the image code */
        char *upper_dir;           /* persistent upper/work of a machine; NULL: none */
        char *work_dir;

        /* --- definitions (issue: definitions) --- */
        char *machine;             /* --machine FILE|NAME, as given */

        /* --- monitor (issue: corrald) --- */
        char *state_dir;           /* /run/corral/machines/NAME; NULL: no state files */
        bool monitor;              /* --monitor: run under monitor_run() (monitor.h) */
        char *notify_socket;       /* inside: where PID 1 sends READY=1; NULL: nowhere */
        bool notify_ready;         /* NotifyReady=: the payload/init itself reports READY=1 */
} RunConfig;

int run_config_new(RunConfig **ret);
RunConfig *run_config_free(RunConfig *c);
static inline void run_config_freep(RunConfig **c) {
        run_config_free(*c);
}
#define _cleanup_run_config_ _cleanup_(run_config_freep)

/* "SRC:DST", "SRC" (same path inside) or "SRC:DST:ro|rw" (nspawn --bind
 * syntax, without the colon escaping). -EINVAL for a malformed spec. */
int run_config_add_bind(RunConfig *c, const char *spec, bool read_only);

/* Fills in what was left unset: machine name from the directory, hostname
 * from the machine name. -EINVAL when the configuration is inconsistent
 * (no root file system, relative paths, ...). */
int run_config_finalize(RunConfig *c);

/* Builds the container described by c, runs it until it has stopped
 * (restarting it in place on reboot unless reboot_exit), removes what it
 * made on the host, and returns the exit status corral-run should exit
 * with (DESIGN.md exit contract; 133 for a reboot with reboot_exit).
 * Returns < 0 (logged) when the container could not be started. */
int container_run(const RunConfig *c, int *ret_exit_status);
