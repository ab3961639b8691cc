/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The capability policy of a container; see capability.h. */

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "capability-util.h"
#include "capability.h"
#include "string-util.h"

#define CAP(c) (UINT64_C(1) << (c))

uint64_t capability_default_set(bool private_network) {
        /* The same list systemd-nspawn retains: enough for a full OS with
         * systemd inside, without module loading, raw I/O, the clock,
         * auditing configuration beyond AUDIT_CONTROL, or BPF. */
        uint64_t s = CAP(CAP_AUDIT_CONTROL) | CAP(CAP_AUDIT_WRITE) | CAP(CAP_CHOWN) |
                     CAP(CAP_DAC_OVERRIDE) | CAP(CAP_DAC_READ_SEARCH) | CAP(CAP_FOWNER) |
                     CAP(CAP_FSETID) | CAP(CAP_IPC_OWNER) | CAP(CAP_KILL) | CAP(CAP_LEASE) |
                     CAP(CAP_LINUX_IMMUTABLE) | CAP(CAP_MKNOD) | CAP(CAP_NET_BIND_SERVICE) |
                     CAP(CAP_NET_BROADCAST) | CAP(CAP_NET_RAW) | CAP(CAP_SETFCAP) |
                     CAP(CAP_SETGID) | CAP(CAP_SETPCAP) | CAP(CAP_SETUID) | CAP(CAP_SYS_ADMIN) |
                     CAP(CAP_SYS_BOOT) | CAP(CAP_SYS_CHROOT) | CAP(CAP_SYS_NICE) |
                     CAP(CAP_SYS_PTRACE) | CAP(CAP_SYS_RESOURCE) | CAP(CAP_SYS_TTY_CONFIG);
        /* In its own network namespace the container may configure its
         * own links, as with nspawn --private-network. */
        if (private_network)
                s |= CAP(CAP_NET_ADMIN);
        return s;
}

int capability_parse_list(const char *s, uint64_t *mask, char **ret_bad) {
        _cleanup_strv_free_ char **words = NULL;
        uint64_t m = 0;
        int r;

        r = strv_split(s, ",", &words);
        if (r < 0)
                return r;
        if (!words || !words[0])
                goto bad_all;
        STRV_FOREACH(w, words) {
                if (streq(*w, "all")) {
                        m |= capability_mask_all();
                        continue;
                }
                int c = capability_from_name(*w);
                if (c < 0 || !capability_to_name(c)) {
                        if (ret_bad)
                                *ret_bad = strdup(*w);
                        return -EINVAL;
                }
                m |= CAP(c);
        }
        *mask |= m;
        return 0;
bad_all:
        if (ret_bad)
                *ret_bad = strdup(s);
        return -EINVAL;
}

int capability_apply(uint64_t keep) {
        int last = 0;

        for (int c = 0; c < 64; c++)
                if (capability_mask_all() & CAP(c))
                        last = c;

        /* The bounding set first: dropping needs CAP_SETPCAP, which the
         * capset() below may take away. */
        for (int c = 0; c <= last; c++) {
                if (keep & CAP(c))
                        continue;
                if (prctl(PR_CAPBSET_DROP, (unsigned long) c, 0, 0, 0) < 0 && errno != EINVAL)
                        return -errno;
        }
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;

        /* We cannot keep what we do not have (a host that runs us with a
         * reduced set, e.g. without CAP_SYS_RESOURCE). */
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[2] = {};
        if (syscall(SYS_capget, &h, d) < 0)
                return -errno;
        keep &= (uint64_t) d[0].permitted | ((uint64_t) d[1].permitted << 32);
        h = (struct __user_cap_header_struct) { .version = _LINUX_CAPABILITY_VERSION_3 };
        for (int i = 0; i < 2; i++) {
                uint32_t v = (uint32_t) (keep >> (32 * i));
                d[i].effective = d[i].permitted = d[i].inheritable = v;
        }
        if (syscall(SYS_capset, &h, d) < 0)
                return -errno;
        return 0;
}
