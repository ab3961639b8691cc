/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's system call filter; see seccomp-policy.h.
 *
 * The default is an allow-all filter with a deny list, the calls that
 * systemd-nspawn's allow list leaves out for a container with its default
 * capabilities: module loading, kexec, swap, the clock, raw I/O, obsolete
 * and CPU-emulation calls, BPF, syslog and process accounting. Two
 * departures, both for the "nothing inside writes a host file" rule
 * (nspawn relies on the devices cgroup and trusts CAP_DAC_READ_SEARCH):
 * open_by_handle_at() is always refused (it opens host files by handle on
 * the same file system), and mknod() of character or block devices fails
 * with EPERM (no host disk can be made inside). */

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fileio.h"
#include "seccomp-policy.h"
#include "string-util.h"

typedef struct SyscallGroup {
        const char *name;
        const char *const *calls;
} SyscallGroup;

#define CALLS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* The groups systemd.exec(5) documents, as far as containers need them. */
static const SyscallGroup groups[] = {
        { "@clock", CALLS("adjtimex", "clock_adjtime", "clock_adjtime64", "clock_settime",
                          "clock_settime64", "settimeofday", "stime") },
        { "@cpu-emulation", CALLS("modify_ldt", "subpage_prot", "switch_endian", "vm86", "vm86old") },
        { "@debug", CALLS("lookup_dcookie", "perf_event_open", "pidfd_getfd", "ptrace", "rtas",
                          "s390_runtime_instr", "sys_debug_setcontext") },
        { "@keyring", CALLS("add_key", "keyctl", "request_key") },
        { "@module", CALLS("delete_module", "finit_module", "init_module") },
        { "@mount", CALLS("chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount",
                          "mount_setattr", "move_mount", "open_tree", "pivot_root", "umount",
                          "umount2") },
        { "@obsolete", CALLS("_sysctl", "afs_syscall", "bdflush", "break", "create_module", "ftime",
                             "get_kernel_syms", "getpmsg", "gtty", "idle", "lock", "mpx", "prof",
                             "profil", "putpmsg", "query_module", "security", "sgetmask",
                             "ssetmask", "stty", "sysfs", "tuxcall", "ulimit", "uselib", "ustat",
                             "vserver") },
        { "@raw-io", CALLS("ioperm", "iopl", "pciconfig_iobase", "pciconfig_read",
                           "pciconfig_write", "s390_pci_mmio_read", "s390_pci_mmio_write") },
        { "@reboot", CALLS("kexec_file_load", "kexec_load", "reboot") },
        { "@swap", CALLS("swapoff", "swapon") },
};

/* Refused by default; cap >= 0: allowed again when that capability is kept. */
static const struct {
        const char *what; /* a call or a @group */
        int cap;
} default_deny[] = {
        { "@module", CAP_SYS_MODULE },
        { "@raw-io", CAP_SYS_RAWIO },
        { "@clock", CAP_SYS_TIME },
        { "@swap", -1 },
        { "@obsolete", -1 },
        { "@cpu-emulation", -1 },
        { "kexec_load", -1 },
        { "kexec_file_load", -1 },
        { "lookup_dcookie", -1 },
        { "open_by_handle_at", -1 },
        { "acct", CAP_SYS_PACCT },
        { "bpf", CAP_BPF },
        { "syslog", CAP_SYSLOG },
};

struct SeccompPolicy {
        char **deny;        /* resolved call names */
        char **allow;       /* explicitly allowed (wins over the default) */
        char **deny_extra;  /* explicitly denied (wins over everything) */
};

static const SyscallGroup *group_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(groups); i++)
                if (streq(groups[i].name, name))
                        return &groups[i];
        return NULL;
}

/* Appends the calls of one word (a call or a group) to *l. */
static int expand_word(const char *w, char ***l) {
        int r;

        if (w[0] == '@') {
                const SyscallGroup *g = group_find(w);
                if (!g)
                        return -EINVAL;
                for (const char *const *c = g->calls; *c; c++) {
                        r = strv_extend(l, *c);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        if (seccomp_syscall_resolve_name(w) == __NR_SCMP_ERROR)
                return -EINVAL;
        return strv_extend(l, w);
}

int seccomp_policy_new(uint64_t capabilities, SeccompPolicy **ret) {
        SeccompPolicy *p = calloc(1, sizeof(SeccompPolicy));
        int r;

        if (!p)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(default_deny); i++) {
                if (default_deny[i].cap >= 0 && (capabilities & (UINT64_C(1) << default_deny[i].cap)))
                        continue;
                r = expand_word(default_deny[i].what, &p->deny);
                if (r < 0) {
                        seccomp_policy_free(p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

SeccompPolicy *seccomp_policy_free(SeccompPolicy *p) {
        if (!p)
                return NULL;
        strv_free(p->deny);
        strv_free(p->allow);
        strv_free(p->deny_extra);
        free(p);
        return NULL;
}

static int parse_filter(const char *value, char ***ret_list, bool *ret_negative, char **ret_bad) {
        _cleanup_strv_free_ char **words = NULL, **list = NULL;
        bool negative = false;
        int r;

        if (value[0] == '~') {
                negative = true;
                value++;
        }
        r = strv_split(value, WHITESPACE ",", &words);
        if (r < 0)
                return r;
        if (!words || !words[0]) {
                if (ret_bad)
                        *ret_bad = strdup(value);
                return -EINVAL;
        }
        STRV_FOREACH(w, words) {
                r = expand_word(*w, &list);
                if (r == -EINVAL && ret_bad)
                        *ret_bad = strdup(*w);
                if (r < 0)
                        return r;
        }
        *ret_list = TAKE_PTR(list);
        *ret_negative = negative;
        return 0;
}

int seccomp_filter_validate(const char *value, char **ret_bad) {
        _cleanup_strv_free_ char **list = NULL;
        bool negative;
        return parse_filter(value, &list, &negative, ret_bad);
}

int seccomp_policy_add_filter(SeccompPolicy *p, const char *value, char **ret_bad) {
        _cleanup_strv_free_ char **list = NULL;
        bool negative;
        int r;

        r = parse_filter(value, &list, &negative, ret_bad);
        if (r < 0)
                return r;
        STRV_FOREACH(c, list) {
                r = strv_extend(negative ? &p->deny_extra : &p->allow, *c);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool policy_denies(const SeccompPolicy *p, const char *name) {
        if (strv_contains(p->deny_extra, name))
                return true;
        return strv_contains(p->deny, name) && !strv_contains(p->allow, name);
}

int seccomp_policy_denies(const SeccompPolicy *p, const char *name) {
        if (seccomp_syscall_resolve_name(name) == __NR_SCMP_ERROR)
                return -EINVAL;
        return policy_denies(p, name);
}

static void seccomp_releasep(scmp_filter_ctx *ctx) {
        if (*ctx)
                seccomp_release(*ctx);
}

static int add_deny(scmp_filter_ctx ctx, const char *name) {
        int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
                return 0;
        int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
        /* Calls this architecture does not have are fine to skip. */
        return r == -ENOMEM ? r : 0;
}

static int policy_build(const SeccompPolicy *p, scmp_filter_ctx *ret) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r;

        ctx = seccomp_init(SCMP_ACT_ALLOW);
        if (!ctx)
                return -ENOMEM;
        /* no_new_privs is its own option, not a side effect of the filter. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r < 0)
                return r;
#if defined(__x86_64__)
        /* Otherwise the 32-bit entry points would bypass every rule. */
        r = seccomp_arch_add(ctx, SCMP_ARCH_X86);
        if (r < 0 && r != -EEXIST)
                return r;
        r = seccomp_arch_add(ctx, SCMP_ARCH_X32);
        if (r < 0 && r != -EEXIST)
                return r;
#endif
        STRV_FOREACH(c, p->deny)
                if (policy_denies(p, *c)) {
                        r = add_deny(ctx, *c);
                        if (r < 0)
                                return r;
                }
        STRV_FOREACH(c, p->deny_extra) {
                r = add_deny(ctx, *c);
                if (r < 0)
                        return r;
        }
        if (!strv_contains(p->allow, "mknod") && !strv_contains(p->deny_extra, "mknod"))
                for (int i = 0; i < 2; i++) {
                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknod), 1,
                                             SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, i ? S_IFBLK : S_IFCHR));
                        if (r < 0 && r != -EDOM)
                                return r;
                }
        if (!strv_contains(p->allow, "mknodat") && !strv_contains(p->deny_extra, "mknodat"))
                for (int i = 0; i < 2; i++) {
                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknodat), 1,
                                             SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, i ? S_IFBLK : S_IFCHR));
                        if (r < 0 && r != -EDOM)
                                return r;
                }
        *ret = TAKE_PTR(ctx);
        return 0;
}

int seccomp_policy_load(const SeccompPolicy *p) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = policy_build(p, &ctx);
        if (r < 0)
                return r;
        return seccomp_load(ctx);
}

int seccomp_policy_export(const SeccompPolicy *p, int fd) {
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = NULL;
        int r = policy_build(p, &ctx);
        if (r < 0)
                return r;
        return seccomp_export_bpf(ctx, fd);
}

int seccomp_load_bpf_fd(int fd) {
        _cleanup_free_ char *prog = NULL;
        size_t size;

        /* A filter has at most BPF_MAXINSNS (4096) instructions of 8 bytes. */
        int r = read_full_fd(fd, 4096 * sizeof(struct sock_filter), &prog, &size);
        if (r < 0)
                return r;
        /* Nothing, or a torn program: the monitor failed to build it. */
        if (size == 0 || size % sizeof(struct sock_filter) != 0)
                return -EBADMSG;
        struct sock_fprog fprog = {
                .len = (unsigned short) (size / sizeof(struct sock_filter)),
                .filter = (struct sock_filter *) prog,
        };
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
                return -errno;
        return 0;
}
