/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup v1 backend, also for hybrid hosts (v1 controllers plus a
 * cgroup2 at /sys/fs/cgroup/unified with no controllers we use): a machine
 * has the same relative cgroup in every hierarchy, limits go to the v1
 * files (memory.limit_in_bytes, cpu.cfs_quota_us, cpu.shares, cpuset.cpus,
 * pids.max, blkio weight), the devices controller gets a closed policy
 * with the usual allow list, kill freezes the freezer cgroup first so that
 * nothing forks away, and the container gets the v1 layout mounted the way
 * systemd inside expects it (as systemd-nspawn does). CLONE_INTO_CGROUP
 * cannot place a process into v1 hierarchies, so processes are attached
 * by PID. */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup-internal.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "string-util.h"

static int machine_fd(CgroupMachine *m, CgroupController ctl) {
        int i = cgroup_context_find(m->context, ctl);
        return i < 0 ? -ENOENT : m->fds[i];
}

/* A new cpuset cgroup has no CPUs and no memory nodes, and no process can
 * join it until both are set: copy them from the parent. */
static int seed_cpuset(int parent_fd, int fd) {
        static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *mine = NULL, *theirs = NULL;
                int r = read_one_line_file_at(fd, files[i], &mine);
                if (r == -ENOENT) /* no knob: nothing to seed */
                        return 0;
                if (r < 0)
                        return r;
                if (!isempty(strstrip(mine)))
                        continue;
                r = read_one_line_file_at(parent_fd, files[i], &theirs);
                if (r < 0)
                        return r;
                if (isempty(strstrip(theirs)))
                        return -ENOSPC;
                r = cg_write(fd, files[i], theirs);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v1_prepare_cgroup(CgroupContext *c, size_t i, int parent_fd, int fd) {
        uint32_t ctl = c->hierarchies[i].controllers;
        bool machine = parent_fd == c->hierarchies[i].parent_fd;

        /* Co-mounted controllers (cpuset,devices) need both. */
        if (ctl & CGROUP_MASK(CGROUP_CONTROLLER_CPUSET)) {
                int r = seed_cpuset(parent_fd, fd);
                if (r < 0)
                        return r;
        }
        if (machine && (ctl & CGROUP_MASK(CGROUP_CONTROLLER_DEVICES)))
                return cgroup_devices_apply_v1(fd);
        return 0;
}

static int v1_setup_parent(CgroupContext *c) {
        return 0;
}

static int apply_memory(CgroupMachine *m, const CgroupLimits *l) {
        int fd = machine_fd(m, CGROUP_CONTROLLER_MEMORY);
        char buf[32];
        int r;

        if (cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_HIGH))
                cgroup_log_unsupported(l, CGROUP_LIMIT_MEMORY_HIGH, "cgroup v1 has no MemoryHigh");

        bool swap = cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_SWAP_MAX);
        uint64_t mem = cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_MAX) ? l->memory_max : UINT64_MAX;
        uint64_t memsw = UINT64_MAX;
        if (swap) {
                /* v1 limits memory+swap together: the swap part is the sum
                 * minus the memory limit, so it needs a finite memory limit. */
                if (fd >= 0 && faccessat(fd, "memory.memsw.limit_in_bytes", F_OK, 0) < 0) {
                        cgroup_log_unsupported(l, CGROUP_LIMIT_MEMORY_SWAP_MAX,
                                               "no swap accounting: boot with swapaccount=1");
                        swap = false;
                } else if (mem == UINT64_MAX && l->memory_swap_max != UINT64_MAX) {
                        cgroup_log_unsupported(l, CGROUP_LIMIT_MEMORY_SWAP_MAX,
                                               "cgroup v1 needs a finite MemoryMax= with it");
                        swap = false;
                } else if (l->memory_swap_max != UINT64_MAX)
                        memsw = mem > UINT64_MAX - l->memory_swap_max ? UINT64_MAX
                                                                      : mem + l->memory_swap_max;
        }

        if (swap && fd >= 0) {
                /* The kernel keeps limit_in_bytes <= memsw.limit_in_bytes at
                 * every step: raise memsw first, lower it last. */
                cg_format_limit(buf, "-1", memsw);
                r = cg_write(fd, "memory.memsw.limit_in_bytes", buf);
                if (r == -EINVAL) /* lower than the current memory limit: memory first */
                        r = 1;
                else if (r < 0)
                        return log_error_errno(r, "Failed to set MemorySwapMax of machine '%s': %m",
                                               m->name);
        } else
                r = 0;

        if (cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_MAX)) {
                cg_format_limit(buf, "-1", mem);
                int k = cg_write_limit(m->name, l, CGROUP_LIMIT_MEMORY_MAX, fd, "memory.limit_in_bytes", buf,
                                    "no memory controller");
                if (k < 0)
                        return k;
        }

        if (r == 1) {
                cg_format_limit(buf, "-1", memsw);
                r = cg_write(fd, "memory.memsw.limit_in_bytes", buf);
                if (r < 0)
                        return log_error_errno(r, "Failed to set MemorySwapMax of machine '%s': %m",
                                               m->name);
        }
        return 0;
}

static int apply_cpu(CgroupMachine *m, const CgroupLimits *l) {
        int fd = machine_fd(m, CGROUP_CONTROLLER_CPU);
        char buf[32];
        int r;

        if (cgroup_limits_has(l, CGROUP_LIMIT_CPU_QUOTA)) {
                uint64_t quota = (uint64_t) l->cpu_quota_permyriad * CGROUP_CPU_QUOTA_PERIOD_USEC / 10000;
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long) MAX(quota, UINT64_C(1000)));
                if (fd >= 0) {
                        r = cg_write_u64(fd, "cpu.cfs_period_us", CGROUP_CPU_QUOTA_PERIOD_USEC);
                        if (r < 0 && r != -ENOENT)
                                return log_error_errno(r, "Failed to set the CPU period of machine '%s': %m",
                                                       m->name);
                }
                r = cg_write_limit(m->name, l, CGROUP_LIMIT_CPU_QUOTA, fd, "cpu.cfs_quota_us", buf,
                                "no CFS bandwidth control in the cpu controller");
                if (r < 0)
                        return r;
        }

        if (cgroup_limits_has(l, CGROUP_LIMIT_CPU_WEIGHT)) {
                if (l->cpu_weight == CGROUP_CPU_WEIGHT_IDLE)
                        return cg_write_limit(m->name, l, CGROUP_LIMIT_CPU_WEIGHT, fd, "cpu.idle", "1",
                                           "the kernel has no cpu.idle");
                /* systemd's mapping: weight 100 is 1024 shares. */
                uint64_t shares = l->cpu_weight * 1024 / CGROUP_WEIGHT_DEFAULT;
                shares = MAX(MIN(shares, UINT64_C(262144)), UINT64_C(2));
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long) shares);
                r = cg_write_limit(m->name, l, CGROUP_LIMIT_CPU_WEIGHT, fd, "cpu.shares", buf, "no cpu controller");
                if (r < 0)
                        return r;
        }
        return 0;
}

static int apply_io(CgroupMachine *m, const CgroupLimits *l) {
        int fd = machine_fd(m, CGROUP_CONTROLLER_BLKIO);
        char buf[32];

        if (!cgroup_limits_has(l, CGROUP_LIMIT_IO_WEIGHT))
                return 0;
        /* BFQ's knob takes 1..1000, CFQ's (gone since 5.0) 10..1000; IO
         * weight 100 is the default 100 for BFQ, 500 for CFQ. */
        if (fd >= 0 && faccessat(fd, "blkio.bfq.weight", F_OK, 0) >= 0) {
                uint64_t w = MAX(MIN(l->io_weight * 100 / CGROUP_WEIGHT_DEFAULT, UINT64_C(1000)), UINT64_C(1));
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long) w);
                return cg_write_limit(m->name, l, CGROUP_LIMIT_IO_WEIGHT, fd, "blkio.bfq.weight", buf, "");
        }
        uint64_t w = MAX(MIN(l->io_weight * 500 / CGROUP_WEIGHT_DEFAULT, UINT64_C(1000)), UINT64_C(10));
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) w);
        return cg_write_limit(m->name, l, CGROUP_LIMIT_IO_WEIGHT, fd, "blkio.weight", buf,
                           "no blkio weight: the block I/O scheduler is neither BFQ nor CFQ");
}

static int v1_apply_limits(CgroupMachine *m, const CgroupLimits *l) {
        int r;

        r = apply_memory(m, l);
        if (r < 0)
                return r;
        r = apply_cpu(m, l);
        if (r < 0)
                return r;
        if (cgroup_limits_has(l, CGROUP_LIMIT_ALLOWED_CPUS)) {
                r = cg_write_limit(m->name, l, CGROUP_LIMIT_ALLOWED_CPUS, machine_fd(m, CGROUP_CONTROLLER_CPUSET),
                                "cpuset.cpus", l->allowed_cpus, "no cpuset controller");
                if (r < 0)
                        return r;
        }
        if (cgroup_limits_has(l, CGROUP_LIMIT_TASKS_MAX)) {
                char buf[32];
                if (l->tasks_max == UINT64_MAX)
                        strcpy(buf, "max");
                else
                        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) l->tasks_max);
                r = cg_write_limit(m->name, l, CGROUP_LIMIT_TASKS_MAX, machine_fd(m, CGROUP_CONTROLLER_PIDS),
                                "pids.max", buf, "no pids controller");
                if (r < 0)
                        return r;
        }
        return apply_io(m, l);
}

static int v1_clone_fd(CgroupMachine *m) {
        return -EOPNOTSUPP;
}

static int v1_attach(CgroupMachine *m, pid_t pid) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int) pid);
        for (size_t i = 0; i < m->context->n_hierarchies; i++) {
                int r = cg_write(m->fds[i], "cgroup.procs", buf);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Waits until the freezer reports FROZEN: FREEZING lasts while a task
 * sits in an uninterruptible sleep. */
static int wait_frozen(int fd, usec_t timeout) {
        usec_t deadline = now(CLOCK_MONOTONIC) + timeout;
        long ns = 50 * 1000;
        for (;;) {
                _cleanup_free_ char *s = NULL;
                int r = read_one_line_file_at(fd, "freezer.state", &s);
                if (r < 0)
                        return r;
                if (streq(strstrip(s), "FROZEN"))
                        return 0;
                if (now(CLOCK_MONOTONIC) >= deadline)
                        return -ETIMEDOUT;
                nanosleep(&(struct timespec) { .tv_nsec = ns }, NULL);
                ns = MIN(ns * 2, 10L * 1000 * 1000);
        }
}

static int v1_kill(CgroupMachine *m, int sig) {
        int fd = machine_fd(m, CGROUP_CONTROLLER_FREEZER);
        int r, n;

        /* Freezing an empty cgroup costs a state change for nothing. */
        r = cgroup_machine_is_populated(m);
        if (r == 0)
                return 0;

        if (fd < 0) {
                /* No freezer: signal in passes until nobody new shows up. */
                int t = cgroup_context_tracking(m->context);
                return cg_kill_recursive(m->fds[t], sig);
        }

        /* Frozen tasks can neither fork nor exit, so the list we read is
         * complete and no PID in it can be reused before it gets the
         * signal; it is delivered when they thaw. */
        r = cg_write(fd, "freezer.state", "FROZEN");
        if (r < 0)
                return r;
        r = wait_frozen(fd, 1 * USEC_PER_SEC);
        if (r < 0 && r != -ETIMEDOUT)
                log_debug_errno(r, "Failed to read the freezer state of '%s': %m", m->name);
        n = cg_kill_recursive(fd, sig);
        r = cg_write(fd, "freezer.state", "THAWED");
        if (n < 0)
                return n;
        if (r < 0)
                return r;
        /* When freezing timed out some task may have forked meanwhile:
         * chase what is left. */
        if (sig == SIGKILL) {
                int k = cg_kill_recursive(fd, sig);
                if (k > 0)
                        n += k;
        }
        return n;
}

static int v1_get_accounting(CgroupMachine *m, CgroupAccounting *a) {
        int fd;

        fd = machine_fd(m, CGROUP_CONTROLLER_MEMORY);
        if (fd >= 0) {
                (void) cg_read_u64(fd, "memory.usage_in_bytes", &a->memory_current);
                (void) cg_read_u64(fd, "memory.max_usage_in_bytes", &a->memory_peak);
                (void) cg_read_keyed_u64(fd, "memory.oom_control", "oom_kill", &a->oom_kills);
        }
        fd = machine_fd(m, CGROUP_CONTROLLER_CPUACCT);
        if (fd >= 0)
                (void) cg_read_u64(fd, "cpuacct.usage", &a->cpu_usage_nsec);
        fd = machine_fd(m, CGROUP_CONTROLLER_PIDS);
        if (fd >= 0)
                (void) cg_read_u64(fd, "pids.current", &a->tasks_current);
        return 0;
}

#define CG_MOUNT_FLAGS (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int mount_one(const char *what, const char *where, const char *type, unsigned long flags,
                     const char *data, bool read_only) {
        if (mkdir(where, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mount(what, where, type, flags, data) < 0)
                return -errno;
        /* v1 hierarchies share one superblock with the host's mounts: make
         * only this mount read-only. */
        if (read_only && mount(NULL, where, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | flags, NULL) < 0)
                return -errno;
        return 0;
}

/* The layout systemd expects on a v1/hybrid host: a tmpfs with one
 * directory per hierarchy (co-mounted ones also reachable by each
 * controller's name), the named systemd hierarchy writable for its own
 * subtree, the controllers read-only (a privileged container must not
 * lift its own limits), and in hybrid mode the cgroup2 at unified/. The
 * cgroup namespace makes the machine's cgroup the root of each. */
static int v1_mount_in_container(const CgroupContext *c, const char *target) {
        int r;

        r = mkdir_p_at(AT_FDCWD, target, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", target);
        if (mount("tmpfs", target, "tmpfs", CG_MOUNT_FLAGS, "mode=0755") < 0)
                return log_error_errno(-errno, "Failed to mount a tmpfs on '%s': %m", target);

        for (size_t i = 0; i < c->n_hierarchies; i++) {
                const CgroupHierarchy *h = &c->hierarchies[i];
                _cleanup_free_ char *where = NULL;

                if (h->unified) {
                        where = strprintf("%s/unified", target);
                        if (!where)
                                return log_oom();
                        r = mount_one("cgroup2", where, "cgroup2", CG_MOUNT_FLAGS, NULL, false);
                } else {
                        const char *dir = startswith(h->options, "name=") ?: h->options;
                        bool named = dir != h->options;
                        where = strprintf("%s/%s", target, dir);
                        if (!where)
                                return log_oom();
                        r = mount_one("cgroup", where, "cgroup", CG_MOUNT_FLAGS, h->options, !named);
                        if (r >= 0 && strchr(dir, ',')) {
                                _cleanup_strv_free_ char **parts = NULL;
                                r = strv_split(dir, ",", &parts);
                                STRV_FOREACH(p, parts) {
                                        _cleanup_free_ char *link = strprintf("%s/%s", target, *p);
                                        if (!link)
                                                return log_oom();
                                        if (symlink(dir, link) < 0 && errno != EEXIST) {
                                                r = -errno;
                                                break;
                                        }
                                }
                        }
                }
                if (r < 0)
                        return log_error_errno(r, "Failed to mount the cgroup hierarchy on '%s': %m", where);
        }

        if (mount(NULL, target, NULL, MS_REMOUNT | MS_RDONLY | CG_MOUNT_FLAGS, "mode=0755") < 0)
                return log_error_errno(-errno, "Failed to make '%s' read-only: %m", target);
        return 0;
}

const CgroupOps cgroup_v1_ops = {
        .layout = CGROUP_LAYOUT_LEGACY,
        .setup_parent = v1_setup_parent,
        .prepare_cgroup = v1_prepare_cgroup,
        .apply_limits = v1_apply_limits,
        .clone_fd = v1_clone_fd,
        .attach = v1_attach,
        .kill = v1_kill,
        .get_accounting = v1_get_accounting,
        .mount_in_container = v1_mount_in_container,
};
