/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The v1 (hybrid) and v2 backends against a fake cgroupfs: a temporary
 * tree of plain directories and files, named by a fake mountinfo. A
 * knob the "kernel" has is a file the test created; the test then reads
 * what the backend wrote into it. Kill is checked with a real child
 * whose PID sits in the fake cgroup.procs. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "fd-util.h"
#include "fileio.h"
#include "signal-util.h"
#include "string-util.h"

static const char *const v1_dirs[] = {
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd",
};

typedef struct Fake {
        char dir[64];
        char mountinfo[128];
} Fake;

static void put(const Fake *f, const char *rel, const char *content) {
        _cleanup_free_ char *p = strprintf("%s/%s", f->dir, rel);
        assert_non_null(p);
        _cleanup_free_ char *d = strdup(p);
        *strrchr(d, '/') = 0;
        assert_int_equal(mkdir_p_at(AT_FDCWD, d, 0755), 0);
        assert_int_equal(write_file_atomic_at(AT_FDCWD, p, content, strlen(content), 0644), 0);
}

static char *get(const Fake *f, const char *rel) {
        _cleanup_free_ char *p = strprintf("%s/%s", f->dir, rel);
        char *s = NULL;
        if (read_one_line_file_at(AT_FDCWD, p, &s) < 0)
                return NULL;
        return s;
}

static void assert_file(const Fake *f, const char *rel, const char *want) {
        _cleanup_free_ char *s = get(f, rel);
        if (!s)
                fail_msg("'%s' missing, expected '%s'", rel, want);
        if (!streq(s, want))
                fail_msg("'%s' is '%s', expected '%s'", rel, s, want);
}

static bool exists(const Fake *f, const char *rel) {
        _cleanup_free_ char *p = strprintf("%s/%s", f->dir, rel);
        return access(p, F_OK) >= 0;
}

static void fake_v1(Fake *f) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-cgroup-fake.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->mountinfo, sizeof(f->mountinfo), "%s/mountinfo", f->dir);

        _cleanup_free_ char *mi = strdup("");
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                const char *opt = streq(v1_dirs[i], "systemd") ? "name=systemd" : v1_dirs[i];
                char *n = strprintf("%s%zu 30 0:%zu / %s/cg/%s rw,relatime - cgroup cgroup rw,%s\n", mi,
                                    31 + i, 28 + i, f->dir, v1_dirs[i], opt);
                free(mi);
                mi = n;
                _cleanup_free_ char *d = strprintf("%s/cg/%s", f->dir, v1_dirs[i]);
                assert_int_equal(mkdir_p_at(AT_FDCWD, d, 0755), 0);
        }
        char *n = strprintf("%s40 30 0:37 / %s/cg/unified rw,relatime - cgroup2 cgroup2 rw\n", mi, f->dir);
        free(mi);
        mi = n;
        put(f, "mountinfo", mi);
        put(f, "cg/unified/cgroup.controllers", "hugetlb\n");
        /* The root cpuset has CPUs and nodes; new children start empty. */
        put(f, "cg/cpuset/cpuset.cpus", "0-1\n");
        put(f, "cg/cpuset/cpuset.mems", "0\n");
        put(f, "cg/cpuset/corral.slice/cpuset.cpus", "\n");
        put(f, "cg/cpuset/corral.slice/cpuset.mems", "\n");
}

static void fake_v2(Fake *f) {
        snprintf(f->dir, sizeof(f->dir), "/tmp/test-cgroup-fake.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->mountinfo, sizeof(f->mountinfo), "%s/mountinfo", f->dir);
        _cleanup_free_ char *mi = strprintf(
                "26 22 0:23 / %s/cg rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n",
                f->dir);
        put(f, "mountinfo", mi);
        put(f, "cg/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
        put(f, "cg/cgroup.subtree_control", "memory\n");
        put(f, "cg/corral.slice/cgroup.controllers", "cpuset cpu io memory pids\n");
        put(f, "cg/corral.slice/cgroup.subtree_control", "\n");
}

static void fake_done(Fake *f) {
        assert_int_equal(rm_rf_at(AT_FDCWD, f->dir), 0);
}

/* Empties the machine directories of the files the test made, so that
 * rmdir works as it does on cgroupfs. */
static void clear_machine(const Fake *f, const char *rel) {
        _cleanup_free_ char *p = strprintf("%s/%s", f->dir, rel);
        _cleanup_free_ char *tmp = strprintf("%s.gone", p);
        if (access(p, F_OK) < 0)
                return;
        assert_int_equal(rename(p, tmp), 0);
        assert_int_equal(rm_rf_at(AT_FDCWD, tmp), 0);
        assert_int_equal(mkdir(p, 0755), 0);
}

static pid_t pausing_child(void) {
        /* Whatever the test runner left us (nohup ignores SIGHUP), the child
         * must die of the signals the tests send it, from its first
         * instruction on: reset before the fork, not in the child, or a
         * signal sent right after the fork may still find it ignored. */
        sigset_t ss;
        sigemptyset(&ss);
        (void) sigset_add_many(&ss, SIGHUP, SIGTERM, -1);
        (void) sigprocmask(SIG_UNBLOCK, &ss, NULL);
        (void) signal(SIGHUP, SIG_DFL);
        (void) signal(SIGTERM, SIG_DFL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                for (;;)
                        pause();
        }
        return pid;
}

static CgroupLimits *all_limits(void) {
        CgroupLimits *l;
        assert_int_equal(cgroup_limits_new(&l), 0);
        static const char *const a[] = {
                "MemoryMax=32M", "MemorySwapMax=16M", "MemoryHigh=24M", "CPUQuota=20%",
                "CPUWeight=200", "AllowedCPUs=1",  "TasksMax=32",    "IOWeight=200",
        };
        for (size_t i = 0; i < ELEMENTSOF(a); i++)
                assert_int_equal(cgroup_limits_parse_assignment(l, a[i]), 0);
        return l;
}

static void test_v1(void **state) {
        Fake f;
        fake_v1(&f);

        _cleanup_(cgroup_context_freep) CgroupContext *c = NULL;
        assert_int_equal(cgroup_context_new(f.mountinfo, "corral.slice", &c), 0);
        assert_int_equal(cgroup_context_layout(c), CGROUP_LAYOUT_HYBRID);
        _cleanup_free_ char *root = strprintf("%s/cg/systemd/corral.slice", f.dir);
        assert_string_equal(cgroup_context_root(c), root);
        /* corral.slice got the root's cpuset, so processes can join below it. */
        assert_file(&f, "cg/cpuset/corral.slice/cpuset.cpus", "0-1");
        assert_file(&f, "cg/cpuset/corral.slice/cpuset.mems", "0");
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                _cleanup_free_ char *p = strprintf("cg/%s/corral.slice", v1_dirs[i]);
                assert_true(exists(&f, p));
        }
        assert_true(exists(&f, "cg/unified/corral.slice"));

        CgroupMachine *m = NULL;
        assert_int_equal(cgroup_machine_create(c, "m1", NULL, &m), 0);
        _cleanup_free_ char *mpath = strprintf("%s/m1", root);
        assert_string_equal(cgroup_machine_path(m), mpath);
        assert_true(exists(&f, "cg/memory/corral.slice/m1"));
        assert_true(exists(&f, "cg/unified/corral.slice/m1"));
        assert_int_equal(cgroup_machine_clone_fd(m), -EOPNOTSUPP);

        /* The knobs this "kernel" has; no pids.max, no memory.high, and
         * BFQ's weight. */
        static const char *const knobs[] = {
                "memory/corral.slice/m1/memory.limit_in_bytes",
                "memory/corral.slice/m1/memory.memsw.limit_in_bytes",
                "cpu/corral.slice/m1/cpu.cfs_period_us",
                "cpu/corral.slice/m1/cpu.cfs_quota_us",
                "cpu/corral.slice/m1/cpu.shares",
                "cpuset/corral.slice/m1/cpuset.cpus",
                "blkio/corral.slice/m1/blkio.bfq.weight",
        };
        for (size_t i = 0; i < ELEMENTSOF(knobs); i++) {
                _cleanup_free_ char *p = strprintf("cg/%s", knobs[i]);
                put(&f, p, "");
        }
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = all_limits();
        assert_int_equal(cgroup_machine_apply(m, l), 0);
        assert_file(&f, "cg/memory/corral.slice/m1/memory.limit_in_bytes", "33554432");
        /* v1 limits memory+swap together: 32M + 16M. */
        assert_file(&f, "cg/memory/corral.slice/m1/memory.memsw.limit_in_bytes", "50331648");
        assert_file(&f, "cg/cpu/corral.slice/m1/cpu.cfs_period_us", "100000");
        assert_file(&f, "cg/cpu/corral.slice/m1/cpu.cfs_quota_us", "20000");
        assert_file(&f, "cg/cpu/corral.slice/m1/cpu.shares", "2048");
        assert_file(&f, "cg/cpuset/corral.slice/m1/cpuset.cpus", "1");
        assert_file(&f, "cg/blkio/corral.slice/m1/blkio.bfq.weight", "200");
        /* Unsupported knobs are skipped with a warning, never created. */
        assert_false(exists(&f, "cg/pids/corral.slice/m1/pids.max"));
        assert_false(exists(&f, "cg/memory/corral.slice/m1/memory.soft_limit_in_bytes"));

        /* infinity is -1 in v1 files. (A fake file is not truncated by a
         * write as a cgroupfs knob is: empty it first.) */
        put(&f, "cg/memory/corral.slice/m1/memory.limit_in_bytes", "");
        _cleanup_(cgroup_limits_freep) CgroupLimits *inf = NULL;
        assert_int_equal(cgroup_limits_new(&inf), 0);
        assert_int_equal(cgroup_limits_parse_assignment(inf, "MemoryMax=infinity"), 0);
        assert_int_equal(cgroup_machine_apply(m, inf), 0);
        assert_file(&f, "cg/memory/corral.slice/m1/memory.limit_in_bytes", "-1");

        /* Attach writes the PID into every hierarchy, the hybrid cgroup2 too. */
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                _cleanup_free_ char *p = strprintf("cg/%s/corral.slice/m1/cgroup.procs", v1_dirs[i]);
                put(&f, p, "");
        }
        put(&f, "cg/unified/corral.slice/m1/cgroup.procs", "");
        assert_int_equal(cgroup_machine_attach(m, 4242), 0);
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                _cleanup_free_ char *p = strprintf("cg/%s/corral.slice/m1/cgroup.procs", v1_dirs[i]);
                assert_file(&f, p, "4242");
        }
        assert_file(&f, "cg/unified/corral.slice/m1/cgroup.procs", "4242");
        assert_int_equal(cgroup_machine_attach(m, 0), -EINVAL);

        /* Kill: freeze, signal what the freezer cgroup lists, thaw. */
        pid_t child = pausing_child();
        char buf[32];
        snprintf(buf, sizeof(buf), "%d\n", (int) child);
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                _cleanup_free_ char *p = strprintf("cg/%s/corral.slice/m1/cgroup.procs", v1_dirs[i]);
                put(&f, p, buf);
        }
        put(&f, "cg/freezer/corral.slice/m1/freezer.state", "THAWED\n");
        assert_int_equal(cgroup_machine_is_populated(m), 1);
        assert_int_equal(cgroup_machine_kill(m, SIGTERM), 1);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        assert_file(&f, "cg/freezer/corral.slice/m1/freezer.state", "THAWED");
        assert_int_equal(cgroup_machine_kill(m, 0), -EINVAL);

        /* Accounting from the v1 files. */
        put(&f, "cg/memory/corral.slice/m1/memory.usage_in_bytes", "1000\n");
        put(&f, "cg/memory/corral.slice/m1/memory.max_usage_in_bytes", "2000\n");
        put(&f, "cg/memory/corral.slice/m1/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        put(&f, "cg/cpuacct/corral.slice/m1/cpuacct.usage", "123456789\n");
        put(&f, "cg/pids/corral.slice/m1/pids.current", "7\n");
        CgroupAccounting a;
        assert_int_equal(cgroup_machine_get_accounting(m, &a), 0);
        assert_true(a.memory_current == 1000);
        assert_true(a.memory_peak == 2000);
        assert_true(a.oom_kills == 3);
        assert_true(a.cpu_usage_nsec == 123456789);
        assert_true(a.tasks_current == 7);

        /* Destroy removes the machine everywhere, not the parent. */
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                _cleanup_free_ char *p = strprintf("cg/%s/corral.slice/m1", v1_dirs[i]);
                clear_machine(&f, p);
        }
        clear_machine(&f, "cg/unified/corral.slice/m1");
        assert_int_equal(cgroup_machine_destroy(m), 0);
        assert_false(exists(&f, "cg/memory/corral.slice/m1"));
        assert_false(exists(&f, "cg/unified/corral.slice/m1"));
        assert_true(exists(&f, "cg/memory/corral.slice"));

        fake_done(&f);
}

static void test_v1_stale(void **state) {
        Fake f;
        fake_v1(&f);
        _cleanup_(cgroup_context_freep) CgroupContext *c = NULL;
        assert_int_equal(cgroup_context_new(f.mountinfo, "corral.slice", &c), 0);

        /* An empty cgroup left by a crash (with a sub-cgroup systemd made
         * inside) goes; a populated one means the machine still runs. */
        for (size_t i = 0; i < ELEMENTSOF(v1_dirs); i++) {
                _cleanup_free_ char *p = strprintf("%s/cg/%s/corral.slice/old/init.scope", f.dir, v1_dirs[i]);
                assert_int_equal(mkdir_p_at(AT_FDCWD, p, 0755), 0);
        }
        CgroupMachine *m = NULL;
        assert_int_equal(cgroup_machine_create(c, "old", NULL, &m), 0);
        assert_false(exists(&f, "cg/memory/corral.slice/old/init.scope"));
        assert_true(exists(&f, "cg/memory/corral.slice/old"));
        assert_int_equal(cgroup_machine_destroy(m), 0);
        assert_false(exists(&f, "cg/memory/corral.slice/old"));

        char buf[32];
        snprintf(buf, sizeof(buf), "%d\n", (int) getpid());
        put(&f, "cg/pids/corral.slice/busy/cgroup.procs", buf);
        m = NULL;
        assert_int_equal(cgroup_machine_create(c, "busy", NULL, &m), -EBUSY);
        assert_null(m);
        assert_true(exists(&f, "cg/pids/corral.slice/busy/cgroup.procs"));

        /* Names that are not one path component are refused. */
        assert_int_equal(cgroup_machine_create(c, "../escape", NULL, &m), -EINVAL);
        assert_int_equal(cgroup_machine_create(c, ".hidden", NULL, &m), -EINVAL);
        assert_int_equal(cgroup_machine_create(c, "", NULL, &m), -EINVAL);
        assert_int_equal(cgroup_machine_create(c, "a\nb", NULL, &m), -EINVAL);
        fake_done(&f);
}

static void test_v2(void **state) {
        Fake f;
        fake_v2(&f);

        _cleanup_(cgroup_context_freep) CgroupContext *c = NULL;
        assert_int_equal(cgroup_context_new(f.mountinfo, "/corral.slice", &c), 0);
        assert_int_equal(cgroup_context_layout(c), CGROUP_LAYOUT_UNIFIED);
        /* The controllers corral needs are handed down to the machines, in
         * one write each, those already enabled left alone. */
        assert_file(&f, "cg/cgroup.subtree_control", "+cpu +cpuset +io +pids");
        assert_file(&f, "cg/corral.slice/cgroup.subtree_control", "+cpu +cpuset +io +memory +pids");

        CgroupMachine *m = NULL;
        assert_int_equal(cgroup_machine_create(c, "m2", NULL, &m), 0);
        int cfd = cgroup_machine_clone_fd(m);
        assert_true(cfd >= 0);
        struct stat a, b;
        _cleanup_free_ char *mdir = strprintf("%s/cg/corral.slice/m2", f.dir);
        assert_int_equal(fstat(cfd, &a), 0);
        assert_int_equal(stat(mdir, &b), 0);
        assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);

        static const char *const knobs[] = {
                "memory.max", "memory.high", "memory.swap.max", "cpu.max", "cpu.weight",
                "cpuset.cpus", "pids.max", "io.weight", "cgroup.procs",
        };
        for (size_t i = 0; i < ELEMENTSOF(knobs); i++) {
                _cleanup_free_ char *p = strprintf("cg/corral.slice/m2/%s", knobs[i]);
                put(&f, p, "");
        }
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = all_limits();
        assert_int_equal(cgroup_limits_parse_assignment(l, "TasksMax=infinity"), 0);
        assert_int_equal(cgroup_machine_apply(m, l), 0);
        assert_file(&f, "cg/corral.slice/m2/memory.max", "33554432");
        assert_file(&f, "cg/corral.slice/m2/memory.high", "25165824");
        assert_file(&f, "cg/corral.slice/m2/memory.swap.max", "16777216");
        assert_file(&f, "cg/corral.slice/m2/cpu.max", "20000 100000");
        assert_file(&f, "cg/corral.slice/m2/cpu.weight", "200");
        assert_file(&f, "cg/corral.slice/m2/cpuset.cpus", "1");
        assert_file(&f, "cg/corral.slice/m2/pids.max", "max");
        assert_file(&f, "cg/corral.slice/m2/io.weight", "default 200");

        _cleanup_(cgroup_limits_freep) CgroupLimits *idle = NULL;
        assert_int_equal(cgroup_limits_new(&idle), 0);
        assert_int_equal(cgroup_limits_parse_assignment(idle, "CPUWeight=idle"), 0);
        assert_int_equal(cgroup_limits_parse_assignment(idle, "CPUQuota=0.5%"), 0);
        put(&f, "cg/corral.slice/m2/cpu.idle", "");
        put(&f, "cg/corral.slice/m2/cpu.max", "");
        assert_int_equal(cgroup_machine_apply(m, idle), 0);
        assert_file(&f, "cg/corral.slice/m2/cpu.idle", "1");
        assert_file(&f, "cg/corral.slice/m2/cpu.max", "1000 100000"); /* the kernel's minimum */

        assert_int_equal(cgroup_machine_attach(m, 4343), 0);
        assert_file(&f, "cg/corral.slice/m2/cgroup.procs", "4343");

        /* SIGKILL: cgroup.kill does it all in the kernel. */
        put(&f, "cg/corral.slice/m2/cgroup.events", "populated 1\nfrozen 0\n");
        put(&f, "cg/corral.slice/m2/cgroup.kill", "");
        assert_int_equal(cgroup_machine_kill(m, SIGKILL), 1);
        assert_file(&f, "cg/corral.slice/m2/cgroup.kill", "1");

        /* Other signals: freeze, signal, thaw. */
        pid_t child = pausing_child();
        char buf[32];
        snprintf(buf, sizeof(buf), "%d\n", (int) child);
        put(&f, "cg/corral.slice/m2/cgroup.procs", buf);
        put(&f, "cg/corral.slice/m2/cgroup.freeze", "0\n");
        put(&f, "cg/corral.slice/m2/cgroup.events", "populated 1\nfrozen 1\n");
        assert_int_equal(cgroup_machine_kill(m, SIGHUP), 1);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP);
        assert_file(&f, "cg/corral.slice/m2/cgroup.freeze", "0");
        put(&f, "cg/corral.slice/m2/cgroup.procs", "");

        /* Nothing to kill in an empty cgroup. */
        put(&f, "cg/corral.slice/m2/cgroup.events", "populated 0\nfrozen 0\n");
        put(&f, "cg/corral.slice/m2/cgroup.kill", "");
        assert_int_equal(cgroup_machine_kill(m, SIGKILL), 0);
        assert_file(&f, "cg/corral.slice/m2/cgroup.kill", "");

        put(&f, "cg/corral.slice/m2/memory.current", "4096\n");
        put(&f, "cg/corral.slice/m2/memory.peak", "8192\n");
        put(&f, "cg/corral.slice/m2/memory.events", "low 0\nhigh 4\nmax 9\noom 2\noom_kill 1\n");
        put(&f, "cg/corral.slice/m2/pids.current", "3\n");
        put(&f, "cg/corral.slice/m2/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
        CgroupAccounting acc;
        assert_int_equal(cgroup_machine_get_accounting(m, &acc), 0);
        assert_true(acc.memory_current == 4096);
        assert_true(acc.memory_peak == 8192);
        assert_true(acc.oom_kills == 1);
        assert_true(acc.tasks_current == 3);
        assert_true(acc.cpu_usage_nsec == 1500000);

        /* The fake kernel without swap accounting and without pids. */
        clear_machine(&f, "cg/corral.slice/m2");
        _cleanup_(cgroup_limits_freep) CgroupLimits *few = NULL;
        assert_int_equal(cgroup_limits_new(&few), 0);
        assert_int_equal(cgroup_limits_parse_assignment(few, "MemorySwapMax=0"), 0);
        assert_int_equal(cgroup_limits_parse_assignment(few, "TasksMax=5"), 0);
        assert_int_equal(cgroup_machine_apply(m, few), 0);
        assert_false(exists(&f, "cg/corral.slice/m2/memory.swap.max"));
        assert_int_equal(cgroup_machine_get_accounting(m, &acc), 0);
        assert_true(acc.memory_current == UINT64_MAX); /* unknown, not 0 */

        assert_int_equal(cgroup_machine_destroy(m), 0);
        assert_false(exists(&f, "cg/corral.slice/m2"));
        fake_done(&f);
}

static void test_v2_delegated(void **state) {
        Fake f;
        fake_v2(&f);
        put(&f, "cg/system.slice/corrald.service/cgroup.procs", "");
        put(&f, "cg/system.slice/corrald.service/monitor/cgroup.procs", "");
        put(&f, "self-cgroup", "0::/system.slice/corrald.service\n");
        _cleanup_free_ char *self = strprintf("%s/self-cgroup", f.dir);
        _cleanup_free_ char *svc = strprintf("%s/cg/system.slice/corrald.service", f.dir);

        /* Without systemd's mark the service cgroup is not ours: the
         * default root at the top of the hierarchy. */
        _cleanup_(cgroup_context_freep) CgroupContext *c = NULL;
        assert_int_equal(cgroup_context_new_full(f.mountinfo, self, 1, NULL, &c), 0);
        _cleanup_free_ char *def = strprintf("%s/cg/corral.slice", f.dir);
        assert_string_equal(cgroup_context_root(c), def);
        c = cgroup_context_free(c);

        if (setxattr(svc, "user.delegate", "1", 1, 0) < 0) {
                fake_done(&f);
                skip(); /* a file system without user xattrs */
        }
        /* Not under systemd: the mark means nothing either. */
        assert_int_equal(cgroup_context_new_full(f.mountinfo, self, 0, NULL, &c), 0);
        assert_string_equal(cgroup_context_root(c), def);
        c = cgroup_context_free(c);

        assert_int_equal(cgroup_context_new_full(f.mountinfo, self, 1, NULL, &c), 0);
        _cleanup_free_ char *want = strprintf("%s/machines", svc);
        assert_string_equal(cgroup_context_root(c), want);
        /* We moved into a leaf of our own subtree. */
        char pid[32];
        snprintf(pid, sizeof(pid), "%d", (int) getpid());
        assert_file(&f, "cg/system.slice/corrald.service/monitor/cgroup.procs", pid);
        c = cgroup_context_free(c);

        /* corral-run started by corrald runs in corrald.service/monitor: it
         * finds the same delegated cgroup, not a corral.slice of its own. */
        put(&f, "self-cgroup", "0::/system.slice/corrald.service/monitor\n");
        put(&f, "cg/system.slice/corrald.service/monitor/cgroup.procs", "");
        assert_int_equal(cgroup_context_new_full(f.mountinfo, self, 1, NULL, &c), 0);
        assert_string_equal(cgroup_context_root(c), want);
        assert_file(&f, "cg/system.slice/corrald.service/monitor/cgroup.procs", pid);
        assert_false(exists(&f, "cg/system.slice/corrald.service/monitor/machines"));
        fake_done(&f);
}

static void test_bad_root(void **state) {
        Fake f;
        fake_v2(&f);
        CgroupContext *c = NULL;
        assert_int_equal(cgroup_context_new(f.mountinfo, "../up", &c), -EINVAL);
        assert_int_equal(cgroup_context_new(f.mountinfo, "a/./b", &c), -EINVAL);
        assert_int_equal(cgroup_context_new(f.mountinfo, "", &c), -EINVAL);
        assert_null(c);
        _cleanup_free_ char *none = strprintf("%s/none", f.dir);
        assert_int_equal(cgroup_context_new(none, NULL, &c), -ENOENT);
        put(&f, "empty-mountinfo", "22 1 0:21 / /sys rw - sysfs sysfs rw\n");
        _cleanup_free_ char *empty = strprintf("%s/empty-mountinfo", f.dir);
        assert_int_equal(cgroup_context_new(empty, NULL, &c), -ENOMEDIUM);
        fake_done(&f);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v1),
                cmocka_unit_test(test_v1_stale),
                cmocka_unit_test(test_v2),
                cmocka_unit_test(test_v2_delegated),
                cmocka_unit_test(test_bad_root),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
