/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Backend detection from mountinfo text: pure v2, hybrid (this CI host),
 * pure v1, and the cases that must not confuse it (a v2 host that also
 * mounts name=systemd, co-mounted controllers, bind mounts, escapes). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup-internal.h"
#include "string-util.h"

static const char unified_host[] =
        "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
        "26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
        "27 22 0:24 / /sys/fs/pstore rw,nosuid,nodev,noexec,relatime shared:8 - pstore pstore rw\n";

static const char hybrid_host[] =
        "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
        "32 30 0:29 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
        "33 30 0:30 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
        "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "35 30 0:32 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
        "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
        "37 30 0:34 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
        "38 30 0:35 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
        "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
        "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

/* An older systemd v1 host: co-mounted cpu,cpuacct, optional fields,
 * hierarchies corral does not use (net_cls, perf_event). */
static const char legacy_host[] =
        "25 18 0:21 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755\n"
        "26 25 0:22 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
        "29 25 0:25 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,cpu,cpuacct\n"
        "30 25 0:26 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,net_cls,net_prio\n"
        "31 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory\n"
        "32 25 0:28 / /sys/fs/cgroup/perf_event rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,perf_event\n"
        "33 25 0:29 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids\n"
        "34 25 0:30 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,freezer\n"
        /* The same memory hierarchy bind-mounted elsewhere: counted once. */
        "90 22 0:27 / /var/lib/x/memory rw,relatime shared:14 - cgroup cgroup rw,memory\n";

static void parse(const char *text, CgroupHierarchy **h, size_t *n) {
        assert_int_equal(cgroup_parse_mountinfo(text, h, n), 0);
}

static const CgroupHierarchy *with(const CgroupHierarchy *h, size_t n, CgroupController c) {
        for (size_t i = 0; i < n; i++)
                if (h[i].controllers & CGROUP_MASK(c))
                        return &h[i];
        return NULL;
}

static void test_unified(void **state) {
        CgroupHierarchy *h;
        size_t n;
        parse(unified_host, &h, &n);
        assert_int_equal(n, 1);
        assert_true(h[0].unified);
        assert_string_equal(h[0].mount_path, "/sys/fs/cgroup");
        assert_int_equal(cgroup_layout_detect(h, n), CGROUP_LAYOUT_UNIFIED);
        cgroup_hierarchies_free(h, n);
}

static void test_unified_with_named_systemd(void **state) {
        /* A v2 host that mounts a v1 name=systemd for old containers. */
        _cleanup_free_ char *text = strprintf(
                "%s%s", unified_host,
                "50 26 0:40 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n");
        CgroupHierarchy *h;
        size_t n;
        parse(text, &h, &n);
        assert_int_equal(n, 2);
        assert_int_equal(cgroup_layout_detect(h, n), CGROUP_LAYOUT_UNIFIED);
        cgroup_hierarchies_free(h, n);
}

static void test_hybrid(void **state) {
        CgroupHierarchy *h;
        size_t n;
        parse(hybrid_host, &h, &n);
        assert_int_equal(n, 10);
        assert_int_equal(cgroup_layout_detect(h, n), CGROUP_LAYOUT_HYBRID);

        static const CgroupController each[] = {
                CGROUP_CONTROLLER_CPU, CGROUP_CONTROLLER_CPUACCT, CGROUP_CONTROLLER_CPUSET,
                CGROUP_CONTROLLER_MEMORY, CGROUP_CONTROLLER_DEVICES, CGROUP_CONTROLLER_FREEZER,
                CGROUP_CONTROLLER_BLKIO, CGROUP_CONTROLLER_PIDS, CGROUP_CONTROLLER_NAME_SYSTEMD,
        };
        for (size_t i = 0; i < ELEMENTSOF(each); i++) {
                const CgroupHierarchy *x = with(h, n, each[i]);
                assert_non_null(x);
                assert_false(x->unified);
                assert_int_equal(x->controllers, CGROUP_MASK(each[i])); /* separate hierarchies */
        }
        assert_string_equal(with(h, n, CGROUP_CONTROLLER_NAME_SYSTEMD)->options, "name=systemd");
        assert_string_equal(with(h, n, CGROUP_CONTROLLER_MEMORY)->mount_path, "/sys/fs/cgroup/memory");
        assert_true(h[9].unified);
        assert_string_equal(h[9].mount_path, "/sys/fs/cgroup/unified");
        cgroup_hierarchies_free(h, n);
}

static void test_legacy(void **state) {
        CgroupHierarchy *h;
        size_t n;
        parse(legacy_host, &h, &n);
        /* systemd, cpu+cpuacct, memory, pids, freezer; not net_cls, perf_event, the bind mount */
        assert_int_equal(n, 5);
        assert_int_equal(cgroup_layout_detect(h, n), CGROUP_LAYOUT_LEGACY);

        const CgroupHierarchy *cpu = with(h, n, CGROUP_CONTROLLER_CPU);
        assert_non_null(cpu);
        assert_ptr_equal(cpu, with(h, n, CGROUP_CONTROLLER_CPUACCT));
        assert_string_equal(cpu->options, "cpu,cpuacct");
        assert_string_equal(cpu->mount_path, "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(with(h, n, CGROUP_CONTROLLER_MEMORY)->mount_path, "/sys/fs/cgroup/memory");
        assert_null(with(h, n, CGROUP_CONTROLLER_CPUSET));
        assert_null(with(h, n, CGROUP_CONTROLLER_BLKIO));
        for (size_t i = 0; i < n; i++)
                assert_false(h[i].unified);
        cgroup_hierarchies_free(h, n);
}

static void test_escapes_and_junk(void **state) {
        static const char text[] =
                "garbage line\n"
                "1 2 3\n"
                "40 30 0:37 / /tmp/with\\040blank rw,relatime - cgroup2 cgroup2 rw\n"
                "41 30 0:38 / /tmp/second rw,relatime - cgroup2 cgroup2 rw\n";
        CgroupHierarchy *h;
        size_t n;
        parse(text, &h, &n);
        assert_int_equal(n, 1); /* the first cgroup2 wins */
        assert_string_equal(h[0].mount_path, "/tmp/with blank");
        assert_int_equal(cgroup_layout_detect(h, n), CGROUP_LAYOUT_UNIFIED);
        cgroup_hierarchies_free(h, n);
}

static void test_nothing(void **state) {
        static const char text[] =
                "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
                "30 22 0:27 / /sys/fs/cgroup/net_cls rw,relatime - cgroup cgroup rw,net_cls\n";
        CgroupHierarchy *h;
        size_t n;
        parse(text, &h, &n);
        assert_int_equal(n, 0);
        assert_int_equal(cgroup_layout_detect(h, n), -ENOMEDIUM);
        cgroup_hierarchies_free(h, n);
}

static void test_tables(void **state) {
        for (int i = 0; i < _CGROUP_LAYOUT_MAX; i++)
                assert_int_equal(cgroup_layout_from_string(cgroup_layout_to_string(i)), i);
        assert_int_equal(cgroup_layout_from_string("v3"), -EINVAL);
        for (int i = 0; i < _CGROUP_CONTROLLER_MAX; i++)
                assert_int_equal(cgroup_controller_from_string(cgroup_controller_to_string(i)), i);
        assert_int_equal(cgroup_controller_from_string("net_cls"), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_unified),
                cmocka_unit_test(test_unified_with_named_systemd),
                cmocka_unit_test(test_hybrid),
                cmocka_unit_test(test_legacy),
                cmocka_unit_test(test_escapes_and_junk),
                cmocka_unit_test(test_nothing),
                cmocka_unit_test(test_tables),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
