/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The v2 device program, run by a small interpreter of the few BPF
 * instructions it uses, against the accesses the policy must allow and
 * deny (the same policy the v1 devices.allow rules express). */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "cgroup-internal.h"
#include "macro.h"

/* Returns the program's verdict (r0), or -1 for an instruction this
 * interpreter (and the program) should not contain, -2 for a jump out. */
static int run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major,
               uint32_t minor) {
        struct bpf_cgroup_dev_ctx ctx = { .access_type = (access << 16) | type, .major = major, .minor = minor };
        uint64_t r[11] = { 0 };
        r[1] = (uint64_t) (uintptr_t) &ctx;
        for (size_t pc = 0; pc < n; pc++) {
                const struct bpf_insn *i = &p[pc];
                switch (i->code) {
                case BPF_LDX | BPF_MEM | BPF_W:
                        r[i->dst_reg] = *(const uint32_t *) ((const uint8_t *) (uintptr_t) r[i->src_reg] + i->off);
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_X:
                        r[i->dst_reg] = r[i->src_reg];
                        break;
                case BPF_ALU64 | BPF_MOV | BPF_K:
                        r[i->dst_reg] = (uint64_t) (int64_t) i->imm;
                        break;
                case BPF_ALU64 | BPF_AND | BPF_K:
                        r[i->dst_reg] &= (uint64_t) (int64_t) i->imm;
                        break;
                case BPF_ALU64 | BPF_RSH | BPF_K:
                        r[i->dst_reg] >>= i->imm;
                        break;
                case BPF_JMP | BPF_JNE | BPF_K:
                        if (r[i->dst_reg] != (uint64_t) (int64_t) i->imm) {
                                pc += i->off;
                                if (pc >= n)
                                        return -2;
                        }
                        break;
                case BPF_JMP | BPF_EXIT:
                        return (int) r[0];
                default:
                        return -1;
                }
        }
        return -2; /* fell off the end: the verifier refuses that */
}

#define C BPF_DEVCG_DEV_CHAR
#define B BPF_DEVCG_DEV_BLOCK
#define R BPF_DEVCG_ACC_READ
#define W BPF_DEVCG_ACC_WRITE
#define M BPF_DEVCG_ACC_MKNOD

static void test_program(void **state) {
        struct bpf_insn p[256];
        size_t n = cgroup_devices_build_program(p, 256);
        assert_true(n > 10);
        assert_int_equal(cgroup_devices_build_program(p, 5), 0); /* does not fit: refused */
        n = cgroup_devices_build_program(p, 256);

        static const struct {
                uint32_t type, access, major, minor;
                int allowed;
        } cases[] = {
                { C, R | W, 1, 3, 1 },    /* /dev/null */
                { C, R, 1, 9, 1 },        /* /dev/urandom */
                { C, R | W, 5, 2, 1 },    /* /dev/ptmx */
                { C, R | W, 136, 7, 1 },  /* a pty */
                { C, R | W, 10, 200, 1 }, /* tun */
                { C, R | W, 10, 229, 1 }, /* fuse */
                { C, M, 1, 11, 1 },       /* making /dev/kmsg is fine... */
                { C, W, 1, 11, 0 },       /* ... opening it is not */
                { C, R, 1, 1, 0 },        /* /dev/mem */
                { C, R, 10, 237, 0 },     /* loop-control */
                { C, R | W, 5, 3, 0 },    /* next to ptmx */
                { C, R, 137, 0, 0 },      /* next to the ptys */
                { B, M, 8, 0, 1 },        /* making a disk node is fine... */
                { B, R, 8, 0, 0 },        /* ... opening it is not */
                { B, R | W, 7, 0, 0 },    /* loop0 */
                { B, R, 1, 3, 0 },        /* a block device with null's numbers */
                { C, R | M, 1, 11, 0 },   /* mknod plus read is still a read */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                int v = run(p, n, cases[i].type, cases[i].access, cases[i].major, cases[i].minor);
                if (v != cases[i].allowed)
                        fail_msg("case %zu (%c %u:%u access %u): got %d, want %d", i,
                                 cases[i].type == B ? 'b' : 'c', cases[i].major, cases[i].minor,
                                 cases[i].access, v, cases[i].allowed);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_program),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
