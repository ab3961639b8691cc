/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the cgroup backends share and nobody else sees: the context and
 * machine objects, the hierarchies found in mountinfo and the ops table
 * that cgroup-v1.c (v1 and hybrid) and cgroup-v2.c fill in. cgroup.c
 * picks one table at cgroup_context_new() and only calls through it. */

#include "cgroup.h"

typedef enum CgroupController {
        CGROUP_CONTROLLER_CPU,
        CGROUP_CONTROLLER_CPUACCT,
        CGROUP_CONTROLLER_CPUSET,
        CGROUP_CONTROLLER_MEMORY,
        CGROUP_CONTROLLER_DEVICES,
        CGROUP_CONTROLLER_FREEZER,
        CGROUP_CONTROLLER_BLKIO,
        CGROUP_CONTROLLER_PIDS,
        CGROUP_CONTROLLER_IO,          /* v2 only */
        CGROUP_CONTROLLER_NAME_SYSTEMD, /* the v1 named hierarchy "name=systemd" */
        _CGROUP_CONTROLLER_MAX,
} CgroupController;

#define CGROUP_MASK(c) (UINT32_C(1) << (c))

const char *cgroup_controller_to_string(CgroupController c);
int cgroup_controller_from_string(const char *s);

typedef struct CgroupHierarchy {
        char *mount_path;     /* where the hierarchy is mounted */
        char *options;        /* v1: "cpu", "cpu,cpuacct", "name=systemd"; NULL for cgroup2 */
        uint32_t controllers; /* CGROUP_MASK()s; for cgroup2 what cgroup.controllers offers */
        bool unified;         /* cgroup2 */
        char *parent_path;    /* corral's parent cgroup in it (file system path) */
        int parent_fd;        /* O_DIRECTORY of parent_path */
} CgroupHierarchy;

typedef struct CgroupOps CgroupOps;

struct CgroupContext {
        const CgroupOps *ops;
        CgroupLayout layout;
        CgroupHierarchy *hierarchies;
        size_t n_hierarchies;
        char *root;           /* relative path of the parent below each base */
        bool delegated;       /* under systemd Delegate=yes: inside our own subtree */
        int device_prog_fd;   /* v2: the loaded device program, or -EBADF */
};

struct CgroupMachine {
        CgroupContext *context; /* borrowed */
        char *name;
        char *path;             /* file system path in the tracking hierarchy */
        int *fds;               /* per hierarchy: O_DIRECTORY of the machine cgroup, or -EBADF */
};

/* Everything that differs between v1 and v2. Every function returns 0 or
 * -errno and logs only what it decides on itself (a limit skipped). */
struct CgroupOps {
        CgroupLayout layout;
        /* After the parent exists in every hierarchy: enable controllers
         * for the machines below it, ... */
        int (*setup_parent)(CgroupContext *c);
        /* After mkdir (or finding) the cgroup fd below parent_fd in
         * hierarchy i: seed cpusets (v1), ... */
        int (*prepare_cgroup)(CgroupContext *c, size_t i, int parent_fd, int fd);
        int (*apply_limits)(CgroupMachine *m, const CgroupLimits *l);
        int (*clone_fd)(CgroupMachine *m);
        int (*attach)(CgroupMachine *m, pid_t pid);
        int (*kill)(CgroupMachine *m, int sig);
        int (*get_accounting)(CgroupMachine *m, CgroupAccounting *ret);
        int (*mount_in_container)(const CgroupContext *c, const char *target);
};

extern const CgroupOps cgroup_v1_ops;
extern const CgroupOps cgroup_v2_ops;

/* Detection with the inputs tests want to fake: proc_self_cgroup (NULL:
 * /proc/self/cgroup) and whether systemd runs the host (-1: look at
 * /run/systemd/system). */
int cgroup_context_new_full(const char *mountinfo_path, const char *proc_self_cgroup,
                            int systemd_running, const char *root_path, CgroupContext **ret);

/* Parses mountinfo text into hierarchies (without parent paths). */
int cgroup_parse_mountinfo(const char *text, CgroupHierarchy **ret, size_t *ret_n);
void cgroup_hierarchies_free(CgroupHierarchy *h, size_t n);
/* The layout the hierarchies amount to; -ENOMEDIUM when none is usable. */
int cgroup_layout_detect(const CgroupHierarchy *h, size_t n);

/* Helpers shared by the backends, on an fd of one cgroup directory. */
int cg_write(int dfd, const char *file, const char *value);
int cg_write_u64(int dfd, const char *file, uint64_t v);
int cg_read_u64(int dfd, const char *file, uint64_t *ret);
/* The value of "key N" in a flat-keyed file (memory.events, cpu.stat, ...). */
int cg_read_keyed_u64(int dfd, const char *file, const char *key, uint64_t *ret);
/* Reads the PIDs of cgroup.procs in dfd and every sub-cgroup. */
int cg_read_pids_recursive(int dfd, pid_t **ret, size_t *ret_n);
/* Sends sig to every process below dfd until none is left that was not
 * signalled yet; returns the number signalled. */
int cg_kill_recursive(int dfd, int sig);
/* rmdir of the cgroup and its sub-cgroups, deepest first. */
int cg_rmdir_recursive(int parent_fd, const char *name);
/* Index of the first hierarchy with controller c, or -ENOENT. */
int cgroup_context_find(const CgroupContext *c, CgroupController ctl);
/* Index of the hierarchy that tracks processes: the cgroup2 on v2, the
 * name=systemd one on v1 (else the first). */
int cgroup_context_tracking(const CgroupContext *c);
/* The machine's device policy (cgroup-devices.c): v1 devices.allow
 * rules, or on v2 a BPF device program attached to the cgroup. */
int cgroup_devices_apply_v1(int fd);
int cgroup_devices_apply_bpf(CgroupContext *c, int cgroup_fd);
/* Writes the device program into p (at most max instructions); returns
 * its length, 0 if it does not fit. For tests. */
struct bpf_insn;
size_t cgroup_devices_build_program(struct bpf_insn *p, size_t max);
/* Logs that a limit cannot be applied on this host, and why. */
void cgroup_log_unsupported(const CgroupLimits *l, CgroupLimitKey k, const char *why);
/* Writes one limit file of a machine's cgroup (fd < 0: the controller is
 * missing); a knob the host lacks is a warning naming the key, anything
 * else an error. */
int cg_write_limit(const char *machine, const CgroupLimits *l, CgroupLimitKey k, int fd, const char *file,
                   const char *value, const char *why_missing);
/* v as a decimal, or the backend's word for "no limit" ("max", "-1"). */
void cg_format_limit(char buf[static 32], const char *unlimited, uint64_t v);
