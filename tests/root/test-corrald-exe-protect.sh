#!/bin/bash
# A machine started through corrald is as protected as one started with
# corral-run (test-run-security): corrald does the static launcher's step
# itself (exe-protect.h) and execs corral-run-real directly, so check from
# inside that nothing PID 1 maps can be written, and from the host that
# the monitor runs corral-run-real from read-only mounts, is back in the
# host's mount namespace, keeps the launcher's command line and holds no
# namespace fd from the handshake.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
REAL=$(dirname "$CORRAL_RUN")/corral-run-real
bin_sum=$(cat "$CORRAL_RUN" "$REAL" | sha256sum)
libs=$(ldd "$REAL" | awk '/=> \// { print $3 }')
lib_sum=$(cat $libs | sha256sum)

# The probes only open for writing (read-write, no truncation) and never
# write: if the protection ever regresses, the test fails without
# damaging the host's binaries and libraries.
cat >"$ROOTFS/attack.sh" <<'SH'
probe() { ( exec 4<>"$1" ) 2>/dev/null; }
probe /proc/1/exe && echo "exe: WRITABLE"
exec 3</proc/1/exe
probe /proc/self/fd/3 && echo "exe reopened: WRITABLE"
exec 3<&-
n=0
for f in /proc/1/map_files/*; do
        n=$((n + 1))
        probe "$f" && echo "map_files: WRITABLE $f"
done
echo "tried $n"
SH
define attack "/bin/sh -c 'sh /attack.sh >/tmp/out 2>&1; touch /tmp/done; exec sleep 1000'"

start_bus
start_corrald
ok "StartMachine succeeds" call StartMachine s attack
ok "the machine reaches running" wait_state attack running
leader=$(prop attack Leader)
ok "the attacks finished" wait_for 10 test -e "/proc/$leader/root/tmp/done"
out=$(cat "/proc/$leader/root/tmp/out")
like "$out" "tried [1-9][0-9]*" "the attacks ran (PID 1 maps files)"
ok "nothing PID 1 maps can be opened for writing through /proc/1/exe or /proc/1/map_files" test -z "$(grep WRITABLE <<<"$out")"
is "$(cat "$CORRAL_RUN" "$REAL" | sha256sum)" "$bin_sum" "corral-run binaries unchanged"
is "$(cat $libs | sha256sum)" "$lib_sum" "host libraries unchanged"

mon=$(sed -n 's/^MONITOR=//p' "$ROOT/run/corral/machines/attack/state")
ok "the monitor is known ($mon)" test -n "$mon" -a -d "/proc/$mon"
is "$(readlink "/proc/$mon/exe")" "$(readlink -f "$REAL")" "the monitor runs corral-run-real"
is "$(tr '\0' ' ' <"/proc/$mon/cmdline" | cut -d' ' -f1-2)" "$CORRAL_RUN --monitor" \
        "the monitor keeps the launcher's command line"
is "$(readlink "/proc/$mon/ns/mnt")" "$(readlink /proc/self/ns/mnt)" "the monitor is back in the host's mount namespace"
ok "the monitor holds no namespace fd" test -z "$(find "/proc/$mon/fd" -lname 'mnt:*' 2>/dev/null)"
# From the host too, as root: the monitor's binary and libraries are on
# read-only mounts (an O_APPEND open is refused, nothing is written).
w=0
for f in /proc/$mon/map_files/*; do
        (echo -n >>"$f") 2>/dev/null && w=$((w + 1))
done
is "$w" 0 "no file the monitor maps can be opened for writing"

call StopMachine s attack >/dev/null
ok "the machine stops" wait_state attack stopped
if [ -s "$T/corrald.log" ]; then diag "$(grep -i 'error\|fail' "$T/corrald.log" | head -5)"; fi
done_testing
