/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* MachineDefinition: one machine as its NAME.machine (or NAME.nspawn)
 * file describes it, DESIGN.md "Machine definitions". The keys live in
 * one table in machine-definition.c (section, key, parser, field); keys
 * that systemd-nspawn has keep nspawn's meaning and value syntax, nspawn
 * keys corral does not implement are refused by name rather than
 * ignored, [Resources] values go through cgroup_limits_set() so their
 * syntax is parsed in one place only.
 *
 * A definition is reference counted: corrald hands the one a machine was
 * started with to the running machine and may load newer ones meanwhile
 * (Reload()), which the machine only sees when it is started again. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "macro.h"
#include "time-util.h"

typedef struct CgroupLimits CgroupLimits;

typedef enum RestartPolicy {
        RESTART_NO,
        RESTART_ON_FAILURE,
        RESTART_ALWAYS,
        _RESTART_POLICY_MAX,
        _RESTART_POLICY_INVALID = -EINVAL,
} RestartPolicy;

typedef enum VolatileMode {
        VOLATILE_NO,
        VOLATILE_YES,     /* tmpfs root, /usr from the image read-only */
        VOLATILE_STATE,   /* the image read-only, tmpfs on /var */
        VOLATILE_OVERLAY, /* the image with a tmpfs overlay on top */
        _VOLATILE_MODE_MAX,
        _VOLATILE_MODE_INVALID = -EINVAL,
} VolatileMode;

typedef enum PrivateUsersMode {
        PRIVATE_USERS_NO,
        PRIVATE_USERS_YES,      /* "yes": the shift is the owner of the root directory */
        PRIVATE_USERS_PICK,     /* "pick": a free range is chosen */
        PRIVATE_USERS_IDENTITY, /* "identity": 0:65536 mapped onto itself */
        PRIVATE_USERS_FIXED,    /* "UID[:RANGE]" */
        _PRIVATE_USERS_MODE_MAX,
        _PRIVATE_USERS_MODE_INVALID = -EINVAL,
} PrivateUsersMode;

typedef enum TimezoneMode {
        TIMEZONE_AUTO,
        TIMEZONE_OFF,
        TIMEZONE_COPY,
        TIMEZONE_BIND,
        TIMEZONE_SYMLINK,
        TIMEZONE_DELETE,
        _TIMEZONE_MODE_MAX,
        _TIMEZONE_MODE_INVALID = -EINVAL,
} TimezoneMode;

/* Bind= / BindReadOnly=, nspawn's "SRC[:DST[:OPTIONS]]". */
typedef struct DefinitionBind {
        char *source;      /* absolute host path; "+/path" in the file: relative to the container's root */
        bool source_in_root;
        char *destination; /* absolute path inside the container */
        bool read_only;
        bool recursive;    /* rbind (default) or norbind */
} DefinitionBind;

/* TemporaryFileSystem=, "PATH[:OPTIONS]". */
typedef struct DefinitionTmpfs {
        char *path;
        char *options;     /* NULL: the defaults (mode=0755, nosuid, nodev) */
} DefinitionTmpfs;

typedef struct MachineDefinition {
        unsigned n_ref;

        char *name;     /* from the file name */
        char *path;     /* the file it was read from; NULL when parsed from memory */

        /* [Machine] */
        char *description;
        char *image;
        char *directory;
        bool directory_implicit;  /* .nspawn without Image/Directory: /var/lib/machines/NAME below --root */
        bool autostart;
        RestartPolicy restart;
        usec_t restart_sec;
        usec_t stop_timeout;

        /* [Exec] */
        bool boot;
        bool ephemeral;
        bool process_two;
        char **parameters;
        char **environment;       /* "KEY=VALUE", later assignments of a key win */
        char *user;
        char *working_directory;
        char *hostname;
        int kill_signal;          /* 0: the default of the mode */
        bool notify_ready;
        uint64_t capability;      /* Capability=: added to the default set */
        uint64_t drop_capability; /* DropCapability= */
        uint64_t ambient_capability;
        int no_new_privileges;    /* -1: unset */
        char **syscall_filter;    /* each SystemCallFilter= value as written (nspawn syntax) */
        PrivateUsersMode private_users;
        uid_t uid_shift;          /* with PRIVATE_USERS_FIXED */
        uid_t uid_range;
        struct rlimit *rlimit[RLIM_NLIMITS]; /* NULL: unset */
        int oom_score_adjust;
        bool oom_score_adjust_set;
        TimezoneMode timezone;

        /* [Files] */
        bool read_only;
        VolatileMode volatile_mode;
        DefinitionBind *binds;
        size_t n_binds;
        DefinitionTmpfs *tmpfs;
        size_t n_tmpfs;

        /* [Network] (the network code reads these). Bridge=, Zone= and
         * Port= imply VirtualEthernet=yes, which implies Private=yes, as
         * in nspawn; machine_definition_parse*() applies that. */
        bool private_network;
        bool network_veth;
        char *network_bridge;
        char *network_zone;
        char **ports;             /* normalized "tcp|udp:HOSTPORT:CONTAINERPORT" */
        char **addresses;         /* normalized "A.B.C.D/N" */

        /* [Resources]: NULL when the section sets nothing. */
        CgroupLimits *limits;
} MachineDefinition;

int machine_definition_new(const char *name, MachineDefinition **ret);
MachineDefinition *machine_definition_ref(MachineDefinition *d);
MachineDefinition *machine_definition_unref(MachineDefinition *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(MachineDefinition *, machine_definition_unref);

/* Parses an INI text. filename is used in messages; nspawn selects the
 * .nspawn defaults (no [Machine] section needed). On invalid input
 * returns -EINVAL and, in *ret_error, every problem as "FILE:LINE:
 * message" lines naming the key. */
int machine_definition_parse_buffer(const char *name, const char *filename, bool nspawn,
                                    const char *data, size_t size, MachineDefinition **ret,
                                    char **ret_error);
/* Reads path; the name comes from the file name (NAME.machine or
 * NAME.nspawn) and must be a valid machine name. -errno if the file
 * cannot be read (with a message in *ret_error too). */
int machine_definition_load(const char *path, MachineDefinition **ret, char **ret_error);

/* "NAME.machine" -> "NAME" (also .nspawn; *ret_nspawn tells which).
 * -EINVAL for other suffixes or an invalid machine name. */
int machine_definition_name_from_filename(const char *filename, char **ret, bool *ret_nspawn);

const char *restart_policy_to_string(RestartPolicy p);
RestartPolicy restart_policy_from_string(const char *s);
const char *volatile_mode_to_string(VolatileMode m);
VolatileMode volatile_mode_from_string(const char *s);
const char *private_users_mode_to_string(PrivateUsersMode m);
const char *timezone_mode_to_string(TimezoneMode m);
TimezoneMode timezone_mode_from_string(const char *s);
/* "LimitNOFILE" -> RLIMIT_NOFILE, and back. */
const char *rlimit_to_key(int resource);
int rlimit_from_key(const char *key);
