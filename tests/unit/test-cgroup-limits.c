/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* [Resources] / -p parsing: every key and value form of
 * systemd.resource-control that corral takes, and what it refuses. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "cgroup.h"
#include "macro.h"

static CgroupLimits *new_limits(void) {
        CgroupLimits *l = NULL;
        assert_int_equal(cgroup_limits_new(&l), 0);
        assert_non_null(l);
        assert_int_equal(l->set_mask, 0);
        return l;
}

static void assert_formats(const CgroupLimits *l, CgroupLimitKey k, const char *want) {
        _cleanup_free_ char *s = NULL;
        assert_int_equal(cgroup_limits_format(l, k, &s), 0);
        assert_string_equal(s, want);
}

static void test_key_table(void **state) {
        for (int k = 0; k < _CGROUP_LIMIT_MAX; k++) {
                const char *s = cgroup_limit_key_to_string(k);
                assert_non_null(s);
                assert_int_equal(cgroup_limit_key_from_string(s), k);
        }
        assert_null(cgroup_limit_key_to_string(_CGROUP_LIMIT_MAX));
        assert_int_equal(cgroup_limit_key_from_string("MemoryLimit"), -ENOENT);
        assert_int_equal(cgroup_limit_key_from_string("memorymax"), -ENOENT); /* case matters */
}

static void test_memory(void **state) {
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = new_limits();

        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "32M"), 0);
        assert_true(cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_MAX));
        assert_true(l->memory_max == 32ULL << 20);
        assert_formats(l, CGROUP_LIMIT_MEMORY_MAX, "33554432");

        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "1.5G"), 0);
        assert_true(l->memory_max == 3ULL << 29);
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "4096"), 0);
        assert_true(l->memory_max == 4096);
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "2K"), 0);
        assert_true(l->memory_max == 2048);
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "1T"), 0);
        assert_true(l->memory_max == 1ULL << 40);
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "infinity"), 0);
        assert_true(l->memory_max == UINT64_MAX);
        assert_formats(l, CGROUP_LIMIT_MEMORY_MAX, "infinity");

        /* A percentage of physical memory. */
        uint64_t phys = (uint64_t) sysconf(_SC_PHYS_PAGES) * (uint64_t) sysconf(_SC_PAGESIZE);
        assert_int_equal(cgroup_limits_set(l, "MemoryHigh", "50%"), 0);
        assert_true(l->memory_high == phys / 10000 * 5000);
        assert_int_equal(cgroup_limits_set(l, "MemoryHigh", "0%"), -ERANGE);
        assert_int_equal(cgroup_limits_set(l, "MemoryHigh", "101%"), -ERANGE);

        assert_int_equal(cgroup_limits_set(l, "MemorySwapMax", "0"), 0);
        assert_true(l->memory_swap_max == 0);
        assert_true(cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_SWAP_MAX));

        /* Bad values leave the old one in place. */
        uint64_t before = l->memory_max;
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "12Q"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "-1"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "lots"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", "99999E"), -ERANGE);
        assert_true(l->memory_max == before);

        /* An empty value resets the key. */
        assert_int_equal(cgroup_limits_set(l, "MemoryMax", ""), 0);
        assert_false(cgroup_limits_has(l, CGROUP_LIMIT_MEMORY_MAX));
        _cleanup_free_ char *s = NULL;
        assert_int_equal(cgroup_limits_format(l, CGROUP_LIMIT_MEMORY_MAX, &s), -ENODATA);
}

static void test_cpu_quota(void **state) {
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = new_limits();

        assert_int_equal(cgroup_limits_set(l, "CPUQuota", "20%"), 0);
        assert_int_equal(l->cpu_quota_permyriad, 2000);
        assert_formats(l, CGROUP_LIMIT_CPU_QUOTA, "20%");
        assert_int_equal(cgroup_limits_set(l, "CPUQuota", "12.5%"), 0);
        assert_int_equal(l->cpu_quota_permyriad, 1250);
        assert_formats(l, CGROUP_LIMIT_CPU_QUOTA, "12.50%");
        assert_int_equal(cgroup_limits_set(l, "CPUQuota", "250%"), 0); /* more than one CPU */
        assert_int_equal(l->cpu_quota_permyriad, 25000);

        assert_int_equal(cgroup_limits_set(l, "CPUQuota", "0%"), -ERANGE);
        assert_int_equal(cgroup_limits_set(l, "CPUQuota", "20"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "CPUQuota", "infinity"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "CPUQuota", "-5%"), -EINVAL);
        assert_int_equal(l->cpu_quota_permyriad, 25000);
}

static void test_weights(void **state) {
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = new_limits();

        assert_int_equal(cgroup_limits_set(l, "CPUWeight", "1"), 0);
        assert_true(l->cpu_weight == 1);
        assert_int_equal(cgroup_limits_set(l, "CPUWeight", "10000"), 0);
        assert_true(l->cpu_weight == 10000);
        assert_int_equal(cgroup_limits_set(l, "CPUWeight", "idle"), 0);
        assert_true(l->cpu_weight == CGROUP_CPU_WEIGHT_IDLE);
        assert_formats(l, CGROUP_LIMIT_CPU_WEIGHT, "idle");
        assert_int_equal(cgroup_limits_set(l, "CPUWeight", "0"), -ERANGE);
        assert_int_equal(cgroup_limits_set(l, "CPUWeight", "10001"), -ERANGE);
        assert_int_equal(cgroup_limits_set(l, "CPUWeight", "high"), -EINVAL);

        assert_int_equal(cgroup_limits_set(l, "IOWeight", "100"), 0);
        assert_true(l->io_weight == 100);
        assert_formats(l, CGROUP_LIMIT_IO_WEIGHT, "100");
        assert_int_equal(cgroup_limits_set(l, "IOWeight", "0"), -ERANGE);
        assert_int_equal(cgroup_limits_set(l, "IOWeight", "10001"), -ERANGE);
        assert_int_equal(cgroup_limits_set(l, "IOWeight", "idle"), -EINVAL); /* CPU only */
        assert_true(l->io_weight == 100);
}

static void test_tasks_max(void **state) {
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = new_limits();

        assert_int_equal(cgroup_limits_set(l, "TasksMax", "32"), 0);
        assert_true(l->tasks_max == 32);
        assert_formats(l, CGROUP_LIMIT_TASKS_MAX, "32");
        assert_int_equal(cgroup_limits_set(l, "TasksMax", "infinity"), 0);
        assert_true(l->tasks_max == UINT64_MAX);
        assert_formats(l, CGROUP_LIMIT_TASKS_MAX, "infinity");

        /* A percentage of what the kernel allows, and never 0. */
        assert_int_equal(cgroup_limits_set(l, "TasksMax", "10%"), 0);
        assert_true(l->tasks_max > 0 && l->tasks_max < 4194304);
        uint64_t ten = l->tasks_max;
        assert_int_equal(cgroup_limits_set(l, "TasksMax", "20%"), 0);
        assert_true(l->tasks_max >= 2 * ten - 1 && l->tasks_max <= 2 * ten + 1);

        assert_int_equal(cgroup_limits_set(l, "TasksMax", "0"), -ERANGE);
        assert_int_equal(cgroup_limits_set(l, "TasksMax", "-3"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "TasksMax", "many"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "TasksMax", "0%"), -ERANGE);
}

static void test_allowed_cpus(void **state) {
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = new_limits();

        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "0"), 0);
        assert_string_equal(l->allowed_cpus, "0");
        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "0-3"), 0);
        assert_string_equal(l->allowed_cpus, "0-3");
        /* Unsorted, overlapping, blank or comma separated: one canonical list. */
        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "7 2-4,3 0,5"), 0);
        assert_string_equal(l->allowed_cpus, "0,2-5,7");
        assert_formats(l, CGROUP_LIMIT_ALLOWED_CPUS, "0,2-5,7");

        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "3-1"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "a"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "1-"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "1;2"), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", ","), -EINVAL);
        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", "100000"), -ERANGE);
        assert_string_equal(l->allowed_cpus, "0,2-5,7");

        assert_int_equal(cgroup_limits_set(l, "AllowedCPUs", ""), 0);
        assert_null(l->allowed_cpus);
        assert_false(cgroup_limits_has(l, CGROUP_LIMIT_ALLOWED_CPUS));
}

static void test_assignment(void **state) {
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = new_limits();

        assert_int_equal(cgroup_limits_parse_assignment(l, "MemoryMax=32M"), 0);
        assert_true(l->memory_max == 32ULL << 20);
        assert_int_equal(cgroup_limits_parse_assignment(l, "TasksMax=32"), 0);
        assert_int_equal(cgroup_limits_parse_assignment(l, "CPUQuota=20%"), 0);
        assert_int_equal(l->set_mask, (1U << CGROUP_LIMIT_MEMORY_MAX) | (1U << CGROUP_LIMIT_TASKS_MAX) |
                                              (1U << CGROUP_LIMIT_CPU_QUOTA));

        assert_int_equal(cgroup_limits_parse_assignment(l, "Nonsense=1"), -ENOENT);
        assert_int_equal(cgroup_limits_parse_assignment(l, "MemoryMax"), -EINVAL);
        assert_int_equal(cgroup_limits_parse_assignment(l, "=32M"), -EINVAL);
        assert_int_equal(cgroup_limits_parse_assignment(l, "MemoryMax=32M=1"), -EINVAL);
        assert_int_equal(cgroup_limits_parse_assignment(l, "MemoryMax=="), -EINVAL);
        /* "KEY=" resets. */
        assert_int_equal(cgroup_limits_parse_assignment(l, "TasksMax="), 0);
        assert_false(cgroup_limits_has(l, CGROUP_LIMIT_TASKS_MAX));
}

/* What cgroup_limits_format() writes, cgroup_limits_set() reads back to
 * the same value: definitions are merged into -p limits that way. */
static void test_format_round_trip(void **state) {
        static const char *const a[] = {
                "MemoryMax=32M", "MemoryHigh=infinity", "MemorySwapMax=0", "CPUQuota=12.5%",
                "CPUWeight=idle", "AllowedCPUs=3,0-1", "TasksMax=10%", "IOWeight=10000",
        };
        _cleanup_(cgroup_limits_freep) CgroupLimits *l = new_limits();
        _cleanup_(cgroup_limits_freep) CgroupLimits *copy = new_limits();
        for (size_t i = 0; i < ELEMENTSOF(a); i++)
                assert_int_equal(cgroup_limits_parse_assignment(l, a[i]), 0);
        assert_int_equal(l->set_mask, (1U << _CGROUP_LIMIT_MAX) - 1);
        for (int k = 0; k < _CGROUP_LIMIT_MAX; k++) {
                _cleanup_free_ char *v = NULL;
                assert_int_equal(cgroup_limits_format(l, k, &v), 0);
                assert_int_equal(cgroup_limits_set(copy, cgroup_limit_key_to_string(k), v), 0);
        }
        assert_int_equal(copy->set_mask, l->set_mask);
        assert_true(copy->memory_max == l->memory_max);
        assert_true(copy->memory_high == l->memory_high);
        assert_true(copy->memory_swap_max == l->memory_swap_max);
        assert_int_equal(copy->cpu_quota_permyriad, l->cpu_quota_permyriad);
        assert_true(copy->cpu_weight == l->cpu_weight);
        assert_string_equal(copy->allowed_cpus, l->allowed_cpus);
        assert_true(copy->tasks_max == l->tasks_max);
        assert_true(copy->io_weight == l->io_weight);
        assert_int_equal(cgroup_limits_format(l, _CGROUP_LIMIT_MAX, &(char *) { NULL }), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key_table),
                cmocka_unit_test(test_memory),
                cmocka_unit_test(test_cpu_quota),
                cmocka_unit_test(test_weights),
                cmocka_unit_test(test_tasks_max),
                cmocka_unit_test(test_allowed_cpus),
                cmocka_unit_test(test_assignment),
                cmocka_unit_test(test_format_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
