/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resource limits as the user writes them: [Resources] keys of a machine
 * definition and corral-run's -p KEY=VALUE, with systemd.resource-control's
 * names and value syntax. Only parsing and formatting here, one table of
 * keys; writing them into a cgroup is the backends' job. */

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "fileio.h"
#include "parse-util.h"
#include "string-util.h"

#define ALLOWED_CPUS_MAX 8192U

typedef int (*limit_parser)(CgroupLimits *l, const char *value);

/* Bytes: "32M", "1.5G", "infinity", or a percentage of physical memory. */
static int parse_memory(const char *value, uint64_t *ret) {
        if (endswith(value, "%")) {
                uint32_t pm;
                int r = parse_permyriad(value, &pm);
                if (r < 0)
                        return r;
                if (pm == 0 || pm > 10000)
                        return -ERANGE;
                long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
                if (pages <= 0 || psize <= 0)
                        return -EOPNOTSUPP;
                *ret = (uint64_t) pages * (uint64_t) psize / 10000 * pm;
                return 0;
        }
        return parse_size(value, ret);
}

static int parse_memory_max(CgroupLimits *l, const char *v) {
        return parse_memory(v, &l->memory_max);
}
static int parse_memory_high(CgroupLimits *l, const char *v) {
        return parse_memory(v, &l->memory_high);
}
static int parse_memory_swap_max(CgroupLimits *l, const char *v) {
        return parse_memory(v, &l->memory_swap_max);
}

static int parse_cpu_quota(CgroupLimits *l, const char *v) {
        uint32_t pm;
        int r = parse_permyriad(v, &pm);
        if (r < 0)
                return r;
        if (pm == 0) /* systemd refuses 0%: it would stop the machine */
                return -ERANGE;
        l->cpu_quota_permyriad = pm;
        return 0;
}

static int parse_weight(const char *v, uint64_t *ret) {
        uint64_t w;
        int r = parse_uint64(v, &w);
        if (r < 0)
                return r;
        if (w < CGROUP_WEIGHT_MIN || w > CGROUP_WEIGHT_MAX)
                return -ERANGE;
        *ret = w;
        return 0;
}

static int parse_cpu_weight(CgroupLimits *l, const char *v) {
        if (streq(v, "idle")) {
                l->cpu_weight = CGROUP_CPU_WEIGHT_IDLE;
                return 0;
        }
        return parse_weight(v, &l->cpu_weight);
}

static int parse_io_weight(CgroupLimits *l, const char *v) {
        return parse_weight(v, &l->io_weight);
}

/* The kernel's task limit that a TasksMax percentage is relative to: the
 * smaller of pid_max and threads-max, as systemd takes it. */
static int system_tasks_max(uint64_t *ret) {
        static const char *const files[] = { "/proc/sys/kernel/pid_max", "/proc/sys/kernel/threads-max" };
        uint64_t m = UINT64_MAX;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *s = NULL;
                uint64_t v;
                if (read_one_line_file_at(AT_FDCWD, files[i], &s) < 0 || parse_uint64(s, &v) < 0)
                        continue;
                m = MIN(m, v);
        }
        if (m == UINT64_MAX)
                return -EOPNOTSUPP;
        *ret = m;
        return 0;
}

static int parse_tasks_max(CgroupLimits *l, const char *v) {
        uint64_t n;
        int r;

        if (streq(v, "infinity")) {
                l->tasks_max = UINT64_MAX;
                return 0;
        }
        if (endswith(v, "%")) {
                uint32_t pm;
                uint64_t sys;
                r = parse_permyriad(v, &pm);
                if (r < 0)
                        return r;
                if (pm == 0 || pm > 10000)
                        return -ERANGE;
                r = system_tasks_max(&sys);
                if (r < 0)
                        return r;
                n = sys * pm / 10000;
                l->tasks_max = MAX(n, UINT64_C(1));
                return 0;
        }
        r = parse_uint64(v, &n);
        if (r < 0)
                return r;
        if (n == 0 || n == UINT64_MAX)
                return -ERANGE;
        l->tasks_max = n;
        return 0;
}

/* "0-3,6 8": ranges and single CPUs separated by commas or blanks, into a
 * canonical "0-3,6,8" (sorted, merged). */
static int parse_cpu_list(const char *v, char **ret) {
        _cleanup_free_ uint8_t *bits = calloc(ALLOWED_CPUS_MAX / 8, 1);
        if (!bits)
                return -ENOMEM;

        const char *p = v;
        bool any = false;
        for (;;) {
                p += strspn(p, ", \t");
                if (!*p)
                        break;
                if (!isdigit((unsigned char) *p))
                        return -EINVAL;
                char *end;
                errno = 0;
                unsigned long a = strtoul(p, &end, 10), b = a;
                if (errno != 0)
                        return -ERANGE;
                if (*end == '-') {
                        p = end + 1;
                        if (!isdigit((unsigned char) *p))
                                return -EINVAL;
                        b = strtoul(p, &end, 10);
                        if (errno != 0)
                                return -ERANGE;
                }
                if (*end && !strchr(", \t", *end))
                        return -EINVAL;
                if (b < a)
                        return -EINVAL;
                if (b >= ALLOWED_CPUS_MAX)
                        return -ERANGE;
                for (unsigned long i = a; i <= b; i++)
                        bits[i / 8] |= (uint8_t) (1U << (i % 8));
                any = true;
                p = end;
        }
        if (!any)
                return -EINVAL;

        /* At most "NNNN," per CPU. */
        _cleanup_free_ char *s = malloc(ALLOWED_CPUS_MAX * 6 + 1);
        if (!s)
                return -ENOMEM;
        size_t n = 0;
        for (unsigned i = 0; i < ALLOWED_CPUS_MAX; i++) {
                if (!(bits[i / 8] & (1U << (i % 8))))
                        continue;
                unsigned j = i;
                while (j + 1 < ALLOWED_CPUS_MAX && (bits[(j + 1) / 8] & (1U << ((j + 1) % 8))))
                        j++;
                n += (size_t) sprintf(s + n, n > 0 ? ",%u" : "%u", i);
                if (j > i)
                        n += (size_t) sprintf(s + n, "-%u", j);
                i = j;
        }
        char *t = strdup(s);
        if (!t)
                return -ENOMEM;
        *ret = t;
        return 0;
}

static int parse_allowed_cpus(CgroupLimits *l, const char *v) {
        char *s;
        int r = parse_cpu_list(v, &s);
        if (r < 0)
                return r;
        free(l->allowed_cpus);
        l->allowed_cpus = s;
        return 0;
}

static const struct {
        const char *name;
        limit_parser parse;
} limit_table[_CGROUP_LIMIT_MAX] = {
        [CGROUP_LIMIT_MEMORY_MAX] = { "MemoryMax", parse_memory_max },
        [CGROUP_LIMIT_MEMORY_HIGH] = { "MemoryHigh", parse_memory_high },
        [CGROUP_LIMIT_MEMORY_SWAP_MAX] = { "MemorySwapMax", parse_memory_swap_max },
        [CGROUP_LIMIT_CPU_QUOTA] = { "CPUQuota", parse_cpu_quota },
        [CGROUP_LIMIT_CPU_WEIGHT] = { "CPUWeight", parse_cpu_weight },
        [CGROUP_LIMIT_ALLOWED_CPUS] = { "AllowedCPUs", parse_allowed_cpus },
        [CGROUP_LIMIT_TASKS_MAX] = { "TasksMax", parse_tasks_max },
        [CGROUP_LIMIT_IO_WEIGHT] = { "IOWeight", parse_io_weight },
};

const char *cgroup_limit_key_to_string(CgroupLimitKey k) {
        if (k < 0 || k >= _CGROUP_LIMIT_MAX)
                return NULL;
        return limit_table[k].name;
}

int cgroup_limit_key_from_string(const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(limit_table); i++)
                if (streq(limit_table[i].name, s))
                        return (int) i;
        return -ENOENT;
}

int cgroup_limits_new(CgroupLimits **ret) {
        CgroupLimits *l = calloc(1, sizeof(CgroupLimits));
        if (!l)
                return -ENOMEM;
        *ret = l;
        return 0;
}

CgroupLimits *cgroup_limits_free(CgroupLimits *l) {
        if (!l)
                return NULL;
        free(l->allowed_cpus);
        return mfree(l);
}

int cgroup_limits_set(CgroupLimits *l, const char *key, const char *value) {
        if (!l || !key || !value)
                return -EINVAL;

        int k = cgroup_limit_key_from_string(key);
        if (k < 0)
                return k;

        /* An empty assignment resets the key, as in unit files. */
        if (isempty(value)) {
                l->set_mask &= ~(UINT32_C(1) << k);
                if (k == CGROUP_LIMIT_ALLOWED_CPUS)
                        l->allowed_cpus = mfree(l->allowed_cpus);
                return 0;
        }

        /* Parse into a copy so that a bad value leaves l as it was. */
        CgroupLimits tmp = *l;
        tmp.allowed_cpus = NULL;
        int r = limit_table[k].parse(&tmp, value);
        if (r < 0)
                return r;
        if (k == CGROUP_LIMIT_ALLOWED_CPUS) {
                free(l->allowed_cpus);
        } else
                tmp.allowed_cpus = l->allowed_cpus;
        *l = tmp;
        l->set_mask |= UINT32_C(1) << k;
        return 0;
}

int cgroup_limits_parse_assignment(CgroupLimits *l, const char *assignment) {
        if (!l || !assignment)
                return -EINVAL;
        const char *eq = strchr(assignment, '=');
        if (!eq || eq == assignment)
                return -EINVAL;
        _cleanup_free_ char *key = strndup(assignment, (size_t) (eq - assignment));
        if (!key)
                return -ENOMEM;
        return cgroup_limits_set(l, key, eq + 1);
}

int cgroup_limits_format(const CgroupLimits *l, CgroupLimitKey k, char **ret) {
        char *s = NULL;

        if (k < 0 || k >= _CGROUP_LIMIT_MAX)
                return -EINVAL;
        if (!cgroup_limits_has(l, k))
                return -ENODATA;

        switch (k) {
        case CGROUP_LIMIT_MEMORY_MAX:
        case CGROUP_LIMIT_MEMORY_HIGH:
        case CGROUP_LIMIT_MEMORY_SWAP_MAX:
        case CGROUP_LIMIT_TASKS_MAX: {
                uint64_t v = k == CGROUP_LIMIT_MEMORY_MAX    ? l->memory_max
                             : k == CGROUP_LIMIT_MEMORY_HIGH ? l->memory_high
                             : k == CGROUP_LIMIT_TASKS_MAX   ? l->tasks_max
                                                             : l->memory_swap_max;
                s = v == UINT64_MAX ? strdup("infinity") : strprintf("%llu", (unsigned long long) v);
                break;
        }
        case CGROUP_LIMIT_CPU_QUOTA:
                s = l->cpu_quota_permyriad % 100 == 0
                            ? strprintf("%u%%", l->cpu_quota_permyriad / 100)
                            : strprintf("%u.%02u%%", l->cpu_quota_permyriad / 100,
                                        l->cpu_quota_permyriad % 100);
                break;
        case CGROUP_LIMIT_CPU_WEIGHT:
                s = l->cpu_weight == CGROUP_CPU_WEIGHT_IDLE
                            ? strdup("idle")
                            : strprintf("%llu", (unsigned long long) l->cpu_weight);
                break;
        case CGROUP_LIMIT_IO_WEIGHT:
                s = strprintf("%llu", (unsigned long long) l->io_weight);
                break;
        case CGROUP_LIMIT_ALLOWED_CPUS:
                s = strdup(l->allowed_cpus);
                break;
        default:
                return -EINVAL;
        }
        if (!s)
                return -ENOMEM;
        *ret = s;
        return 0;
}
