#!/bin/bash
# The example boot machine of units/machines runs as written (only its
# directory moved with -D): busybox's init boots as PID 1 with the
# definition's host name, a clean stop uses the definition's
# KillSignal=SIGUSR2 (busybox init ignores the boot-mode default
# SIGRTMIN+3, so without it the stop would wait for StopTimeoutSec=15s),
# and Ephemeral=yes leaves the directory untouched.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/rootfs"
mkdir -p "$T/root"
marker=marker-$$-$RANDOM
printf '::sysinit:/bin/sh -c "hostname > /tmp/%s"\n::respawn:/bin/sleep 1000\n' "$marker" >"$T/rootfs/etc/inittab"

"$CORRAL_RUN" --machine "$S/units/machines/busybox-boot.machine" -D "$T/rootfs" --root "$T/root" \
        --console=pipe >"$T/out" 2>&1 &
pid=$!
defer "kill -KILL $pid"

seen() {
        local f
        for f in /proc/[0-9]*/root/tmp/"$marker"; do
                [ -e "$f" ] && { cat "$f"; return 0; }
        done
        return 1
}
booted() { seen >/dev/null; }
ok "busybox init booted and ran its sysinit" wait_for 20 booted
is "$(seen)" "busybox-boot" "Hostname= of the definition is the container's host name"

start=$SECONDS
kill -TERM "$pid"
wait "$pid"
rc=$?
took=$((SECONDS - start))
is "$rc" 0 "a clean stop of the boot machine exits 0"
ok "the stop took ${took}s, less than StopTimeoutSec=15s: KillSignal=SIGUSR2 reached init" test "$took" -lt 10
ok "Ephemeral=yes left the directory untouched" test ! -e "$T/rootfs/tmp/$marker"

done_testing
