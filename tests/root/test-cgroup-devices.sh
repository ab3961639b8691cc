#!/bin/bash
# The device policy of a machine cgroup: the usual nodes (null, zero,
# random, tty, ptmx, ptys, ...) work and any node may be made, but no other
# device may be opened, though root with CAP_MKNOD may on the host. Checked
# with the host's own layout (v1 devices controller here) and, where a
# cgroup2 is mounted, with the v2 backend on it (a BPF device program).
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/cgroup-lib.sh"

mkdir "$T/dev"
mount -t tmpfs tmpfs "$T/dev"
defer "umount $T/dev"
mknod "$T/dev/kmsg" c 1 11
mknod "$T/dev/loop" b 7 0
ok "the host may open /dev/kmsg's node" sh -c "echo '<7>corral device test' >$T/dev/kmsg"
ok "the host may open /dev/loop0's node" sh -c "head -c 1 $T/dev/loop >/dev/null"

check() { # LABEL NAME [corral-cgroup-run options...]
        local label=$1 name=$2 out
        shift 2
        "$CGRUN" "$@" --root "$CG_ROOT" --name "$name" -- /bin/sh -c "
                echo '<7>corral device test' >$T/dev/kmsg 2>/dev/null && echo kmsg=opened || echo kmsg=denied
                head -c 1 $T/dev/loop >/dev/null 2>&1 && echo loop=opened || echo loop=denied
                mknod $T/dev/made-$name c 1 11 && echo mknod=ok
                echo x >/dev/null && echo null=ok
                head -c 4 /dev/urandom | wc -c | sed 's/^/urandom=/'
        " >"$T/$name.out" 2>/dev/null
        out=$(tr '\n' ' ' <"$T/$name.out")
        diag "$label: $out"
        like "$out" "kmsg=denied" "$label: a char device outside the allow list cannot be opened"
        like "$out" "loop=denied" "$label: a block device cannot be opened"
        like "$out" "mknod=ok" "$label: making a node is still allowed"
        like "$out" "null=ok" "$label: /dev/null works"
        like "$out" "urandom=4" "$label: /dev/urandom works"
        is "$(cg_left "$name")" "" "$label: the machine's cgroup is gone"
}

check "host layout" dev-$$
grep ' - cgroup2 ' /proc/self/mountinfo | head -1 >"$T/mountinfo"
if [ $CG_V2 = 0 ] && [ -s "$T/mountinfo" ]; then
        check "v2 backend" dev2-$$ --mountinfo "$T/mountinfo"
fi
done_testing
