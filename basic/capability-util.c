/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability name table; see capability-util.h. */

#include <linux/capability.h>
#include <strings.h>

#include "capability-util.h"
#include "parse-util.h"
#include "string-util.h"

static const char *const capability_names[] = {
        [CAP_CHOWN] = "cap_chown",
        [CAP_DAC_OVERRIDE] = "cap_dac_override",
        [CAP_DAC_READ_SEARCH] = "cap_dac_read_search",
        [CAP_FOWNER] = "cap_fowner",
        [CAP_FSETID] = "cap_fsetid",
        [CAP_KILL] = "cap_kill",
        [CAP_SETGID] = "cap_setgid",
        [CAP_SETUID] = "cap_setuid",
        [CAP_SETPCAP] = "cap_setpcap",
        [CAP_LINUX_IMMUTABLE] = "cap_linux_immutable",
        [CAP_NET_BIND_SERVICE] = "cap_net_bind_service",
        [CAP_NET_BROADCAST] = "cap_net_broadcast",
        [CAP_NET_ADMIN] = "cap_net_admin",
        [CAP_NET_RAW] = "cap_net_raw",
        [CAP_IPC_LOCK] = "cap_ipc_lock",
        [CAP_IPC_OWNER] = "cap_ipc_owner",
        [CAP_SYS_MODULE] = "cap_sys_module",
        [CAP_SYS_RAWIO] = "cap_sys_rawio",
        [CAP_SYS_CHROOT] = "cap_sys_chroot",
        [CAP_SYS_PTRACE] = "cap_sys_ptrace",
        [CAP_SYS_PACCT] = "cap_sys_pacct",
        [CAP_SYS_ADMIN] = "cap_sys_admin",
        [CAP_SYS_BOOT] = "cap_sys_boot",
        [CAP_SYS_NICE] = "cap_sys_nice",
        [CAP_SYS_RESOURCE] = "cap_sys_resource",
        [CAP_SYS_TIME] = "cap_sys_time",
        [CAP_SYS_TTY_CONFIG] = "cap_sys_tty_config",
        [CAP_MKNOD] = "cap_mknod",
        [CAP_LEASE] = "cap_lease",
        [CAP_AUDIT_WRITE] = "cap_audit_write",
        [CAP_AUDIT_CONTROL] = "cap_audit_control",
        [CAP_SETFCAP] = "cap_setfcap",
        [CAP_MAC_OVERRIDE] = "cap_mac_override",
        [CAP_MAC_ADMIN] = "cap_mac_admin",
        [CAP_SYSLOG] = "cap_syslog",
        [CAP_WAKE_ALARM] = "cap_wake_alarm",
        [CAP_BLOCK_SUSPEND] = "cap_block_suspend",
        [CAP_AUDIT_READ] = "cap_audit_read",
        [CAP_PERFMON] = "cap_perfmon",
        [CAP_BPF] = "cap_bpf",
        [CAP_CHECKPOINT_RESTORE] = "cap_checkpoint_restore",
};

const char *capability_to_name(int cap) {
        if (cap < 0 || (size_t) cap >= ELEMENTSOF(capability_names))
                return NULL;
        return capability_names[cap];
}

int capability_from_name(const char *name) {
        uint32_t n;

        if (isempty(name))
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
                if (capability_names[i] && strcasecmp(name, capability_names[i]) == 0)
                        return (int) i;
        /* A number for a capability newer than our table, as libcap allows. */
        if (parse_uint32(name, &n) >= 0 && n < 64)
                return (int) n;
        return -EINVAL;
}

uint64_t capability_mask_all(void) {
        return (UINT64_C(2) << (ELEMENTSOF(capability_names) - 1)) - 1;
}
