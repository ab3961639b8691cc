#!/bin/bash
# The device policy of a machine cgroup on v1/hybrid: the usual nodes
# (null, zero, random, tty, ptmx, ptys, ...) work, any node may be made,
# but no other device may be opened, though root and CAP_MKNOD would
# allow it on the host.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/cgroup-lib.sh"

if [ $CG_V2 = 1 ]; then
        echo "1..0 # SKIP the v2 device policy (BPF) is not implemented"
        exit 0
fi
mkdir "$T/dev"
mount -t tmpfs tmpfs "$T/dev"
defer "umount $T/dev"
mknod "$T/dev/kmsg" c 1 11
ok "the host may open /dev/kmsg's node" sh -c "echo '<7>corral device test' >$T/dev/kmsg"

"$CGRUN" --root "$CG_ROOT" --name dev-$$ -- /bin/sh -c "
        echo '<7>corral device test' >$T/dev/kmsg 2>/dev/null && echo kmsg=opened || echo kmsg=denied
        mknod $T/dev/made c 1 11 && echo mknod=ok
        echo x >/dev/null && echo null=ok
        head -c 4 /dev/urandom | wc -c | sed 's/^/urandom=/'
        grep -c . $(cg_dir devices dev-$$)/devices.list | sed 's/^/rules=/'
" >"$T/out" 2>/dev/null
out=$(tr '\n' ' ' <"$T/out")
diag "$out"
like "$out" "kmsg=denied" "a device outside the allow list cannot be opened in the machine"
like "$out" "mknod=ok" "making a node is still allowed"
like "$out" "null=ok" "/dev/null works"
like "$out" "urandom=4" "/dev/urandom works"
ok "the machine's devices.list is the closed policy, not 'a *:* rwm'" \
        test "$(echo "$out" | sed -n 's/.*rules=\([0-9]*\).*/\1/p')" -gt 1
is "$(cg_left dev-$$)" "" "the machine's cgroup is gone"
done_testing
