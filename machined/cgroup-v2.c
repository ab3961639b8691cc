/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cgroup v2 (unified) backend: one hierarchy, controllers enabled
 * down to corral's parent through cgroup.subtree_control, limits written
 * to memory.max, cpu.max, cpu.weight, cpuset.cpus, pids.max, io.weight,
 * the device policy as a BPF program (cgroup-devices.c), processes placed
 * with CLONE_INTO_CGROUP, kill through cgroup.kill (with
 * cgroup.freeze as the fallback on kernels before 5.14), and a cgroup2
 * mounted for the container, rooted at its cgroup by the namespace. */

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>

#include "cgroup-internal.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "string-util.h"

/* The controllers whose files corral writes. */
static const CgroupController wanted[] = {
        CGROUP_CONTROLLER_CPU, CGROUP_CONTROLLER_CPUSET, CGROUP_CONTROLLER_IO,
        CGROUP_CONTROLLER_MEMORY, CGROUP_CONTROLLER_PIDS,
};

static int machine_fd(CgroupMachine *m) {
        int i = cgroup_context_tracking(m->context);
        return i < 0 ? -ENOENT : m->fds[i];
}

static bool word_in(const char *list, const char *word) {
        size_t l = strlen(word);
        for (const char *p = list; p && *p;) {
                p += strspn(p, " \n");
                size_t n = strcspn(p, " \n");
                if (n == l && strncmp(p, word, l) == 0)
                        return true;
                p += n;
        }
        return false;
}

/* Enables for the children of fd whatever wanted controller fd offers
 * and does not delegate yet. Best effort: a cgroup with processes of its
 * own (the no-internal-process rule) refuses, and then the limits that
 * need the controller are reported as such when they are applied. */
static int enable_controllers(int fd) {
        _cleanup_free_ char *avail = NULL, *enabled = NULL;
        int r;

        r = read_one_line_file_at(fd, "cgroup.controllers", &avail);
        if (r < 0)
                return r;
        r = read_one_line_file_at(fd, "cgroup.subtree_control", &enabled);
        if (r < 0)
                return r;
        /* One write for all: the kernel takes a list. */
        char buf[128] = "";
        for (size_t i = 0; i < ELEMENTSOF(wanted); i++) {
                const char *name = cgroup_controller_to_string(wanted[i]);
                if (!word_in(avail, name) || word_in(enabled, name))
                        continue;
                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s+%s", buf[0] ? " " : "", name);
        }
        if (buf[0] == 0)
                return 0;
        r = cg_write(fd, "cgroup.subtree_control", buf);
        if (r < 0)
                log_debug_errno(r, "Failed to enable the controllers '%s': %m", buf);
        return r;
}

static int v2_prepare_cgroup(CgroupContext *c, size_t i, int parent_fd, int fd) {
        if (parent_fd == c->hierarchies[i].parent_fd) {
                /* A machine: its parent hands the controllers on already;
                 * it gets the device policy. A host without cgroup BPF
                 * cannot restrict devices: say so, loudly. */
                int r = cgroup_devices_apply_bpf(c, fd);
                if (r < 0)
                        log_warning_errno(r, "Failed to install the device policy of the machine, "
                                          "it may open any device node it can make: %m");
                return 0;
        }
        /* Creating a level below parent: it must hand the controllers on. */
        (void) enable_controllers(parent_fd);
        return 0;
}

static int v2_setup_parent(CgroupContext *c) {
        for (size_t i = 0; i < c->n_hierarchies; i++) {
                (void) enable_controllers(c->hierarchies[i].parent_fd);
                _cleanup_free_ char *s = NULL;
                if (read_one_line_file_at(c->hierarchies[i].parent_fd, "cgroup.subtree_control", &s) >= 0)
                        for (size_t k = 0; k < ELEMENTSOF(wanted); k++)
                                if (word_in(s, cgroup_controller_to_string(wanted[k])))
                                        c->hierarchies[i].controllers |= CGROUP_MASK(wanted[k]);
        }
        return 0;
}

static int v2_apply_limits(CgroupMachine *m, const CgroupLimits *l) {
        static const struct {
                CgroupLimitKey key;
                size_t offset;
                const char *file;
                const char *why;
        } bytes[] = {
                { CGROUP_LIMIT_MEMORY_MAX, offsetof(CgroupLimits, memory_max), "memory.max",
                  "the memory controller is not available" },
                { CGROUP_LIMIT_MEMORY_HIGH, offsetof(CgroupLimits, memory_high), "memory.high",
                  "the memory controller is not available" },
                { CGROUP_LIMIT_MEMORY_SWAP_MAX, offsetof(CgroupLimits, memory_swap_max), "memory.swap.max",
                  "no swap accounting: the kernel lacks CONFIG_MEMCG_SWAP or swapaccount=0" },
                { CGROUP_LIMIT_TASKS_MAX, offsetof(CgroupLimits, tasks_max), "pids.max",
                  "the pids controller is not available" },
        };
        char buf[64];
        int r;

        for (size_t i = 0; i < ELEMENTSOF(bytes); i++) {
                if (!cgroup_limits_has(l, bytes[i].key))
                        continue;
                cg_format_limit(buf, "max", *(const uint64_t *) ((const uint8_t *) l + bytes[i].offset));
                r = cg_write_limit(m->name, l, bytes[i].key, machine_fd(m), bytes[i].file, buf, bytes[i].why);
                if (r < 0)
                        return r;
        }

        if (cgroup_limits_has(l, CGROUP_LIMIT_CPU_QUOTA)) {
                uint64_t quota = (uint64_t) l->cpu_quota_permyriad * CGROUP_CPU_QUOTA_PERIOD_USEC / 10000;
                snprintf(buf, sizeof(buf), "%llu %llu", (unsigned long long) MAX(quota, UINT64_C(1000)),
                         (unsigned long long) CGROUP_CPU_QUOTA_PERIOD_USEC);
                r = cg_write_limit(m->name, l, CGROUP_LIMIT_CPU_QUOTA, machine_fd(m), "cpu.max", buf,
                                "the cpu controller is not available");
                if (r < 0)
                        return r;
        }
        if (cgroup_limits_has(l, CGROUP_LIMIT_CPU_WEIGHT)) {
                if (l->cpu_weight == CGROUP_CPU_WEIGHT_IDLE)
                        r = cg_write_limit(m->name, l, CGROUP_LIMIT_CPU_WEIGHT, machine_fd(m), "cpu.idle", "1",
                                        "the kernel has no cpu.idle");
                else {
                        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) l->cpu_weight);
                        r = cg_write_limit(m->name, l, CGROUP_LIMIT_CPU_WEIGHT, machine_fd(m), "cpu.weight", buf,
                                        "the cpu controller is not available");
                }
                if (r < 0)
                        return r;
        }
        if (cgroup_limits_has(l, CGROUP_LIMIT_ALLOWED_CPUS)) {
                r = cg_write_limit(m->name, l, CGROUP_LIMIT_ALLOWED_CPUS, machine_fd(m), "cpuset.cpus", l->allowed_cpus,
                                "the cpuset controller is not available");
                if (r < 0)
                        return r;
        }
        if (cgroup_limits_has(l, CGROUP_LIMIT_IO_WEIGHT)) {
                /* io.weight needs the iocost controller, BFQ has its own knob
                 * (1..1000); systemd writes whichever exists. */
                if (faccessat(machine_fd(m), "io.weight", F_OK, 0) >= 0) {
                        snprintf(buf, sizeof(buf), "default %llu", (unsigned long long) l->io_weight);
                        r = cg_write_limit(m->name, l, CGROUP_LIMIT_IO_WEIGHT, machine_fd(m), "io.weight", buf, "");
                } else {
                        snprintf(buf, sizeof(buf), "%llu",
                                 (unsigned long long) MAX(MIN(l->io_weight, UINT64_C(1000)), UINT64_C(1)));
                        r = cg_write_limit(m->name, l, CGROUP_LIMIT_IO_WEIGHT, machine_fd(m), "io.bfq.weight", buf,
                                        "no io weight: neither io.weight nor BFQ is available");
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

static int v2_clone_fd(CgroupMachine *m) {
        return machine_fd(m);
}

static int v2_attach(CgroupMachine *m, pid_t pid) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%d", (int) pid);
        return cg_write(machine_fd(m), "cgroup.procs", buf);
}

static int wait_event(int fd, const char *key, uint64_t want, usec_t timeout) {
        usec_t deadline = now(CLOCK_MONOTONIC) + timeout;
        long ns = 50 * 1000;
        for (;;) {
                uint64_t v;
                int r = cg_read_keyed_u64(fd, "cgroup.events", key, &v);
                if (r < 0)
                        return r;
                if (v == want)
                        return 0;
                if (now(CLOCK_MONOTONIC) >= deadline)
                        return -ETIMEDOUT;
                nanosleep(&(struct timespec) { .tv_nsec = ns }, NULL);
                ns = MIN(ns * 2, 10L * 1000 * 1000);
        }
}

static int v2_kill(CgroupMachine *m, int sig) {
        int fd = machine_fd(m), r, n;
        uint64_t populated;

        if (cg_read_keyed_u64(fd, "cgroup.events", "populated", &populated) >= 0 && populated == 0)
                return 0;

        /* cgroup.kill (5.14) kills the whole subtree in the kernel, forks
         * in flight included. */
        if (sig == SIGKILL) {
                r = cg_write(fd, "cgroup.kill", "1");
                if (r >= 0)
                        return 1;
                if (r != -ENOENT)
                        return r;
        }

        /* Other signals: freeze so that the list is complete and no PID in
         * it is reused, signal, thaw. */
        r = cg_write(fd, "cgroup.freeze", "1");
        if (r == -ENOENT)
                return cg_kill_recursive(fd, sig);
        if (r < 0)
                return r;
        r = wait_event(fd, "frozen", 1, 1 * USEC_PER_SEC);
        if (r < 0 && r != -ETIMEDOUT)
                log_debug_errno(r, "Failed to read the freezer state of '%s': %m", m->name);
        n = cg_kill_recursive(fd, sig);
        r = cg_write(fd, "cgroup.freeze", "0");
        if (n < 0)
                return n;
        return r < 0 ? r : n;
}

static int v2_get_accounting(CgroupMachine *m, CgroupAccounting *a) {
        int fd = machine_fd(m);
        uint64_t usec;

        (void) cg_read_u64(fd, "memory.current", &a->memory_current);
        (void) cg_read_u64(fd, "memory.peak", &a->memory_peak);
        (void) cg_read_keyed_u64(fd, "memory.events", "oom_kill", &a->oom_kills);
        (void) cg_read_u64(fd, "pids.current", &a->tasks_current);
        if (cg_read_keyed_u64(fd, "cpu.stat", "usage_usec", &usec) >= 0)
                a->cpu_usage_nsec = usec * 1000;
        return 0;
}

static int v2_mount_in_container(const CgroupContext *c, const char *target) {
        int r = mkdir_p_at(AT_FDCWD, target, 0755);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", target);
        if (mount("cgroup2", target, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return log_error_errno(-errno, "Failed to mount cgroup2 on '%s': %m", target);
        return 0;
}

const CgroupOps cgroup_v2_ops = {
        .layout = CGROUP_LAYOUT_UNIFIED,
        .setup_parent = v2_setup_parent,
        .prepare_cgroup = v2_prepare_cgroup,
        .apply_limits = v2_apply_limits,
        .clone_fd = v2_clone_fd,
        .attach = v2_attach,
        .kill = v2_kill,
        .get_accounting = v2_get_accounting,
        .mount_in_container = v2_mount_in_container,
};
