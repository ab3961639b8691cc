/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device policy of every machine, from one table: the API nodes,
 * ptys and the console, tun and fuse may be opened; any node may be made
 * (mknod keeps working for the image's tools) but no other one opened.
 * systemd-nspawn and docker allow the same. Without it, a container that
 * keeps CAP_MKNOD could make and open the host's disks.
 *
 * v1 writes the table to devices.deny/devices.allow. v2 has no devices
 * controller: the table becomes a small BPF_PROG_TYPE_CGROUP_DEVICE
 * program attached to the machine's cgroup, with BPF_F_ALLOW_MULTI so that
 * systemd inside may add its own (every program must allow an access). */

#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup-internal.h"
#include "fd-util.h"

#define ANY (-1)

typedef struct DeviceRule {
        char type;          /* 'c' or 'b' */
        int major, minor;   /* ANY for '*' */
        const char *access; /* "rwm", "m", ... */
} DeviceRule;

static const DeviceRule device_rules[] = {
        { 'c', ANY, ANY, "m" },  { 'b', ANY, ANY, "m" },
        { 'c', 1, 3, "rwm" },    /* null */
        { 'c', 1, 5, "rwm" },    /* zero */
        { 'c', 1, 7, "rwm" },    /* full */
        { 'c', 1, 8, "rwm" },    /* random */
        { 'c', 1, 9, "rwm" },    /* urandom */
        { 'c', 5, 0, "rwm" },    /* tty */
        { 'c', 5, 1, "rwm" },    /* console */
        { 'c', 5, 2, "rwm" },    /* ptmx */
        { 'c', 136, ANY, "rwm" }, /* pts */
        { 'c', 10, 200, "rwm" }, /* net/tun */
        { 'c', 10, 229, "rwm" }, /* fuse */
};

static void format_rule(const DeviceRule *r, char buf[static 64]) {
        char maj[16] = "*", min[16] = "*";
        if (r->major != ANY)
                snprintf(maj, sizeof(maj), "%d", r->major);
        if (r->minor != ANY)
                snprintf(min, sizeof(min), "%d", r->minor);
        snprintf(buf, 64, "%c %s:%s %s", r->type, maj, min, r->access);
}

int cgroup_devices_apply_v1(int fd) {
        int r = cg_write(fd, "devices.deny", "a");
        if (r == -ENOENT) /* not a devices cgroup (a fake tree) */
                return 0;
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(device_rules); i++) {
                char buf[64];
                format_rule(&device_rules[i], buf);
                r = cg_write(fd, "devices.allow", buf);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- the BPF program ---- */

#define INSN(c, d, s, o, i) ((struct bpf_insn) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define LDX_W(d, s, o) INSN(BPF_LDX | BPF_MEM | BPF_W, d, s, o, 0)
#define MOV_X(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV_K(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define AND_K(d, i) INSN(BPF_ALU64 | BPF_AND | BPF_K, d, 0, 0, i)
#define RSH_K(d, i) INSN(BPF_ALU64 | BPF_RSH | BPF_K, d, 0, 0, i)
#define JNE_K(d, i, o) INSN(BPF_JMP | BPF_JNE | BPF_K, d, 0, o, i)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static uint32_t access_mask(const char *a) {
        uint32_t m = 0;
        for (; *a; a++)
                m |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE
                                                   : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : 0;
        return m;
}

/* r3 = device type, r4 = access wanted, r5 = major, r6 = minor; one block
 * per rule that jumps to the next block on a mismatch, else returns 1;
 * falling off the end returns 0 (deny). */
size_t cgroup_devices_build_program(struct bpf_insn *p, size_t max) {
        size_t n = 0;
#define EMIT(x)                       \
        do {                          \
                if (n >= max)         \
                        return 0;     \
                p[n++] = (x);         \
        } while (0)

        EMIT(LDX_W(2, 1, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
        EMIT(MOV_X(3, 2));
        EMIT(AND_K(3, 0xffff));
        EMIT(MOV_X(4, 2));
        EMIT(RSH_K(4, 16));
        EMIT(LDX_W(5, 1, offsetof(struct bpf_cgroup_dev_ctx, major)));
        EMIT(LDX_W(6, 1, offsetof(struct bpf_cgroup_dev_ctx, minor)));

        for (size_t i = 0; i < ELEMENTSOF(device_rules); i++) {
                const DeviceRule *r = &device_rules[i];
                uint32_t all = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;
                uint32_t mask = access_mask(r->access);
                /* The block's length, so that each jump knows how far the
                 * next block is. */
                size_t len = 1 + (r->major != ANY) + (r->minor != ANY) + (mask != all ? 3 : 0) + 2, at = 0;
#define SKIP() ((int16_t) (len - ++at))
                EMIT(JNE_K(3, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, SKIP()));
                if (r->major != ANY)
                        EMIT(JNE_K(5, r->major, SKIP()));
                if (r->minor != ANY)
                        EMIT(JNE_K(6, r->minor, SKIP()));
                if (mask != all) {
                        EMIT(MOV_X(7, 4));
                        at++;
                        EMIT(AND_K(7, (int32_t) (~mask & 0xffff)));
                        at++;
                        EMIT(JNE_K(7, 0, SKIP()));
                }
                EMIT(MOV_K(0, 1));
                EMIT(EXIT());
#undef SKIP
        }
        EMIT(MOV_K(0, 0));
        EMIT(EXIT());
#undef EMIT
        return n;
}

/* Loading runs the verifier, which costs more than the rest of a machine
 * cgroup: the context loads the program once and attaches it to each
 * machine. */
static int load_program(CgroupContext *c) {
        if (c->device_prog_fd >= 0)
                return c->device_prog_fd;

        struct bpf_insn prog[8 + ELEMENTSOF(device_rules) * 8];
        size_t n = cgroup_devices_build_program(prog, ELEMENTSOF(prog));
        if (n == 0)
                return -E2BIG;
        union bpf_attr load = {
                .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                .insns = (uint64_t) (uintptr_t) prog,
                .insn_cnt = (uint32_t) n,
                .license = (uint64_t) (uintptr_t) "LGPL",
        };
        /* bpf() hands out program fds with O_CLOEXEC. */
        int fd = (int) syscall(__NR_bpf, BPF_PROG_LOAD, &load, sizeof(load));
        if (fd < 0)
                return -errno;
        c->device_prog_fd = fd;
        return fd;
}

int cgroup_devices_apply_bpf(CgroupContext *c, int cgroup_fd) {
        int prog_fd = load_program(c);
        if (prog_fd < 0)
                return prog_fd;

        /* The attachment holds its own reference to the program. */
        union bpf_attr attach = {
                .target_fd = (uint32_t) cgroup_fd,
                .attach_bpf_fd = (uint32_t) prog_fd,
                .attach_type = BPF_CGROUP_DEVICE,
                .attach_flags = BPF_F_ALLOW_MULTI,
        };
        if (syscall(__NR_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0)
                return -errno;
        return 0;
}
