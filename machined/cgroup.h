/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Every machine in a cgroup of its own: the backend (cgroup v2, or v1 /
 * hybrid) is chosen once from the host's mount table, behind a small ops
 * table (cgroup-v1.c, cgroup-v2.c); this header is all the rest of corral
 * sees. The hierarchy root is a path passed in, so tests point it at a
 * fake tree.
 *
 * DRAFT interface agreed between corral-run and the cgroup module; the
 * cgroup module owns it and may extend it. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "time-util.h"

typedef struct CgroupLimits CgroupLimits;     /* [Resources] / -p KEY=VALUE */
typedef struct CgroupContext CgroupContext;   /* backend + root, chosen once */
typedef struct CgroupMachine CgroupMachine;   /* one machine's cgroup */

int cgroup_limits_new(CgroupLimits **ret);
CgroupLimits *cgroup_limits_free(CgroupLimits *l);
/* "MemoryMax=32M", "CPUQuota=20%", ...: systemd.resource-control names and syntax.
 * -EINVAL for a bad value, -ENOENT for an unknown key. */
int cgroup_limits_set(CgroupLimits *l, const char *key, const char *value);
int cgroup_limits_parse_assignment(CgroupLimits *l, const char *assignment);

/* Detects the backend from /proc/self/mountinfo (mountinfo_path NULL) and
 * sets up corral's parent cgroup under root_path (NULL: the default). */
int cgroup_context_new(const char *mountinfo_path, const char *root_path, CgroupContext **ret);
CgroupContext *cgroup_context_free(CgroupContext *c);

/* Creates (cleaning a stale one first) the machine's cgroup and applies limits. */
int cgroup_machine_create(CgroupContext *c, const char *name, const CgroupLimits *limits,
                          CgroupMachine **ret);
/* An O_PATH|O_DIRECTORY fd for clone3's CLONE_INTO_CGROUP, or -EOPNOTSUPP
 * when the hierarchy cannot do it (v1): then call cgroup_machine_attach(). */
int cgroup_machine_clone_fd(CgroupMachine *m);
int cgroup_machine_attach(CgroupMachine *m, pid_t pid);
/* Kills every process of the machine, also ones forking meanwhile. */
int cgroup_machine_kill(CgroupMachine *m, int sig);
/* Removes the cgroup (after the processes are gone) and frees m. */
int cgroup_machine_destroy(CgroupMachine *m);
CgroupMachine *cgroup_machine_free(CgroupMachine *m);

/* Called in the container's mount namespace after the cgroup namespace
 * was entered: mounts what systemd inside needs at target (the new root's
 * /sys/fs/cgroup). */
int cgroup_mount_in_container(const CgroupContext *c, const char *target);
