/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Every machine in a cgroup of its own: the backend (cgroup v2, or v1 /
 * hybrid) is chosen once from the host's mount table, behind a small ops
 * table (cgroup-v1.c, cgroup-v2.c, cgroup-internal.h); this header is all
 * the rest of corral sees. The hierarchy mounts come from a mountinfo file
 * passed in, so tests point it at a fake tree.
 *
 * Layout: corral's parent cgroup ("corral.slice" under each hierarchy root
 * unless told otherwise, or our own delegated subtree under systemd with
 * Delegate=yes) and one child per machine, named after the machine. On v1
 * the same relative path exists in every hierarchy corral uses.
 *
 * Ordering contract for the container's first process (corral-run):
 *   - v2 (cgroup_machine_clone_fd() >= 0): clone3 with CLONE_INTO_CGROUP and
 *     CLONE_NEWCGROUP; the new cgroup namespace is rooted at the machine's
 *     cgroup.
 *   - v1/hybrid (-EOPNOTSUPP): clone3 WITHOUT CLONE_NEWCGROUP, the child
 *     waits; the parent calls cgroup_machine_attach(pid); then the child
 *     unshare(CLONE_NEWCGROUP)s, so that its namespace root is the machine's
 *     cgroup, not the monitor's. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "time-util.h"

typedef struct CgroupContext CgroupContext;   /* backend + root, chosen once */
typedef struct CgroupMachine CgroupMachine;   /* one machine's cgroup */

typedef enum CgroupLayout {
        CGROUP_LAYOUT_UNIFIED, /* pure cgroup v2 */
        CGROUP_LAYOUT_HYBRID,  /* v1 controllers + a cgroup2 without (most) controllers */
        CGROUP_LAYOUT_LEGACY,  /* pure v1 */
        _CGROUP_LAYOUT_MAX,
} CgroupLayout;

const char *cgroup_layout_to_string(CgroupLayout l);
int cgroup_layout_from_string(const char *s);

/* The [Resources] keys, in systemd.resource-control's names. */
typedef enum CgroupLimitKey {
        CGROUP_LIMIT_MEMORY_MAX,
        CGROUP_LIMIT_MEMORY_HIGH,
        CGROUP_LIMIT_MEMORY_SWAP_MAX,
        CGROUP_LIMIT_CPU_QUOTA,
        CGROUP_LIMIT_CPU_WEIGHT,
        CGROUP_LIMIT_ALLOWED_CPUS,
        CGROUP_LIMIT_TASKS_MAX,
        CGROUP_LIMIT_IO_WEIGHT,
        _CGROUP_LIMIT_MAX,
} CgroupLimitKey;

const char *cgroup_limit_key_to_string(CgroupLimitKey k);
int cgroup_limit_key_from_string(const char *s);

#define CGROUP_WEIGHT_MIN UINT64_C(1)
#define CGROUP_WEIGHT_DEFAULT UINT64_C(100)
#define CGROUP_WEIGHT_MAX UINT64_C(10000)
#define CGROUP_CPU_WEIGHT_IDLE UINT64_C(0) /* CPUWeight=idle */
#define CGROUP_CPU_QUOTA_PERIOD_USEC UINT64_C(100000)

/* Parsed limits. A key counts only when its bit (1 << CgroupLimitKey) is in
 * set_mask; byte and task values use UINT64_MAX for "infinity". */
typedef struct CgroupLimits {
        uint32_t set_mask;
        uint64_t memory_max;
        uint64_t memory_high;
        uint64_t memory_swap_max;
        uint32_t cpu_quota_permyriad; /* 20% = 2000, of one CPU */
        uint64_t cpu_weight;          /* 1..10000, or CGROUP_CPU_WEIGHT_IDLE */
        char *allowed_cpus;           /* canonical list: "0-3,6" */
        uint64_t tasks_max;
        uint64_t io_weight;           /* 1..10000 */
} CgroupLimits;

static inline bool cgroup_limits_has(const CgroupLimits *l, CgroupLimitKey k) {
        return l && (l->set_mask & (UINT32_C(1) << k));
}

int cgroup_limits_new(CgroupLimits **ret);
CgroupLimits *cgroup_limits_free(CgroupLimits *l);
/* "MemoryMax=32M", "CPUQuota=20%", ...: systemd.resource-control names and
 * syntax; an empty value unsets the key. -EINVAL for a bad value, -ERANGE
 * for one out of range, -ENOENT for an unknown key. Does not log. */
int cgroup_limits_set(CgroupLimits *l, const char *key, const char *value);
int cgroup_limits_parse_assignment(CgroupLimits *l, const char *assignment);
/* Formats the value of one set key the way it would be written back
 * ("33554432", "20%", "infinity", "0-3"); -ENODATA when unset. */
int cgroup_limits_format(const CgroupLimits *l, CgroupLimitKey k, char **ret);

/* Detects the backend from mountinfo_path (NULL: /proc/self/mountinfo) and
 * sets up corral's parent cgroup: root_path is relative to each hierarchy's
 * root ("corral.slice", "a/b"); NULL: our delegated subtree when running
 * under systemd with Delegate=yes, else "corral.slice". Logs its errors. */
int cgroup_context_new(const char *mountinfo_path, const char *root_path, CgroupContext **ret);
CgroupContext *cgroup_context_free(CgroupContext *c);
CgroupLayout cgroup_context_layout(const CgroupContext *c);
/* The corral parent in the hierarchy that tracks processes (v2, or the
 * name=systemd / first v1 hierarchy), as a file system path. */
const char *cgroup_context_root(const CgroupContext *c);

/* Creates the machine's cgroup (removing an empty stale one left by a
 * crash first) and applies limits (NULL: none). A limit the host cannot
 * apply is logged as a warning and skipped. -EBUSY when a cgroup of that
 * name still has processes (a machine of that name runs). */
int cgroup_machine_create(CgroupContext *c, const char *name, const CgroupLimits *limits,
                          CgroupMachine **ret);
/* Opens the existing cgroup of a running machine (corrald adopting it). */
int cgroup_machine_open(CgroupContext *c, const char *name, CgroupMachine **ret);
/* Applies (more) limits to an existing machine cgroup. */
int cgroup_machine_apply(CgroupMachine *m, const CgroupLimits *limits);
/* A directory fd for clone3's CLONE_INTO_CGROUP, owned by m (do not close
 * it), or -EOPNOTSUPP when the hierarchy cannot do it (v1, hybrid): then
 * call cgroup_machine_attach(). */
int cgroup_machine_clone_fd(CgroupMachine *m);
int cgroup_machine_attach(CgroupMachine *m, pid_t pid);
/* Gives the machine's cgroup (directory and its files) to uid/gid, so that
 * a container root in a user namespace can manage its own subtree. */
int cgroup_machine_chown(CgroupMachine *m, uid_t uid, gid_t gid);
/* 1 if a process is left in the machine's cgroup (or below), 0 if not. */
int cgroup_machine_is_populated(CgroupMachine *m);
/* Sends sig to every process of the machine, also ones forking meanwhile
 * (cgroup.kill on v2; freeze, kill, thaw on v1). Returns the number of
 * processes signalled (or 1 where the kernel does it and cannot tell). */
int cgroup_machine_kill(CgroupMachine *m, int sig);
/* Waits up to timeout for the cgroup to become empty: 0, or -ETIMEDOUT. */
int cgroup_machine_wait_empty(CgroupMachine *m, usec_t timeout);
/* SIGKILLs what is left, removes the cgroup with its sub-cgroups and frees
 * m (also on failure). */
int cgroup_machine_destroy(CgroupMachine *m);
CgroupMachine *cgroup_machine_free(CgroupMachine *m);
/* The machine's cgroup as a file system path, in the hierarchy that
 * tracks processes (cgroup_context_root() + "/" + NAME): on v2 the one
 * hierarchy, on v1 the name=systemd one. */
const char *cgroup_machine_path(const CgroupMachine *m);

/* Read back for status and D-Bus: UINT64_MAX where the host cannot tell. */
typedef struct CgroupAccounting {
        uint64_t memory_current;   /* bytes */
        uint64_t memory_peak;      /* bytes */
        uint64_t cpu_usage_nsec;
        uint64_t tasks_current;
        uint64_t oom_kills;        /* processes the OOM killer took in this cgroup */
} CgroupAccounting;

int cgroup_machine_get_accounting(CgroupMachine *m, CgroupAccounting *ret);

/* Called in the container's mount namespace after the cgroup namespace was
 * entered (the machine's cgroup is its root): mounts what systemd inside
 * needs at target (the new root's /sys/fs/cgroup): a cgroup2 on v2; on v1
 * a tmpfs with every hierarchy (controllers read-only, name=systemd and the
 * hybrid cgroup2 writable), as systemd-nspawn does. */
int cgroup_mount_in_container(const CgroupContext *c, const char *target);

static inline void cgroup_limits_freep(CgroupLimits **l) {
        cgroup_limits_free(*l);
}
static inline void cgroup_context_freep(CgroupContext **c) {
        cgroup_context_free(*c);
}
static inline void cgroup_machine_freep(CgroupMachine **m) {
        cgroup_machine_free(*m);
}
