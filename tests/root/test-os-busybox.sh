#!/bin/bash
# Full-OS machines under corrald with busybox init: three Boot=yes
# machines with Autostart=yes boot when corrald starts (machines.target's
# job on systemd hosts), PID 1 of each is the image's init with the
# container environment, a clean stop reaches init through the
# definition's KillSignal=SIGUSR2 (its shutdown actions run) well before
# StopTimeoutSec, reboot boots the same machine again, and corrald's
# --stop-machines-on-exit powers the others off in parallel on SIGTERM.
# Nothing is left: no process, no cgroup, no state directory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
mkdir -p "$T/out"
cat >"$ROOTFS/etc/inittab" <<'EOF2'
::sysinit:/bin/sh -c 'echo "$(hostname) pid=$$ ppid=$PPID container=$container" >> /out/boot-$(hostname)'
::respawn:/bin/sleep 1000
::ctrlaltdel:/sbin/reboot
::shutdown:/bin/sh -c 'echo down >> /out/down-$(hostname)'
EOF2

for i in 1 2 3; do
        cat >"$ROOT/etc/corral/machines/os$i.machine" <<EOF2
[Machine]
Directory=$ROOTFS
Autostart=yes
StopTimeoutSec=20s
[Exec]
Boot=yes
Ephemeral=yes
KillSignal=SIGUSR2
Hostname=os$i
[Files]
Bind=$T/out:/out
EOF2
done

start_bus
start_corrald --stop-machines-on-exit
all_running() {
        local i
        for i in 1 2 3; do state_is "os$i" running || return 1; done
}
all_booted() {
        local i
        for i in 1 2 3; do test -s "$T/out/boot-os$i" || return 1; done
}
ok "three Autostart=yes boot machines run after corrald starts" wait_for 30 all_running
ok "each ran its sysinit" wait_for 20 all_booted
is "$(cat "$T/out/boot-os2")" "os2 pid=$(grep -o 'pid=[0-9]*' "$T/out/boot-os2" | head -1 | cut -d= -f2) ppid=1 container=corral" \
        "sysinit is a child of PID 1, with container=corral"
leader=$(prop os1 Leader)
# Ephemeral: the overlay shows the lower file's inode under its own device.
is "$(readlink "/proc/$leader/exe"):$(stat -L -c %i "/proc/$leader/exe")" "/bin/busybox:$(stat -c %i "$ROOTFS/bin/busybox")" \
        "the leader (PID 1) is the image's busybox init"
is "$(sed -n 's/^NSpid:.*\t//p' "/proc/$leader/status")" "1" "the leader is PID 1 in its namespace"
cg=$(awk -F: '$2 == "" || $2 == "name=systemd" {print $3; exit}' "/proc/$leader/cgroup")

# Clean stop through KillSignal=SIGUSR2.
t0=$SECONDS
ok "corralctl stop os1" "$CORRALCTL" --bus "$BUS" stop os1
ok "os1 is stopped" wait_state os1 stopped 20
ok "... in $((SECONDS - t0))s, well before StopTimeoutSec=20s (SIGUSR2 reached init)" test $((SECONDS - t0)) -lt 10
is "$(cat "$T/out/down-os1" 2>/dev/null)" "down" "init's shutdown actions ran"
ok "the old leader is gone" test ! -e "/proc/$leader"
ok "its state directory is gone" test ! -e "$ROOT/run/corral/machines/os1/state"
[ -n "$cg" ] && ok "its cgroup is gone" test ! -e "/sys/fs/cgroup/unified$cg" -a ! -e "/sys/fs/cgroup/systemd$cg"

# Reboot in place: same machine, new boot (new leader), still running.
# RebootMachine sends SIGINT, which busybox init maps to ::ctrlaltdel.
old=$(prop os2 Leader)
call RebootMachine s os2 >/dev/null
rebooted() { [ "$(wc -l <"$T/out/boot-os2")" = 2 ]; }
ok "RebootMachine: os2 booted a second time" wait_for 20 rebooted
new_boot() { [ "$(prop os2 State)" = running ] && [ "$(prop os2 Leader)" != "$old" ]; }
ok "... and runs with a new leader" wait_for 10 new_boot

# corrald --stop-machines-on-exit: SIGTERM powers off the rest, in parallel.
leaders="$(prop os2 Leader) $(prop os3 Leader)"
t0=$SECONDS
kill -TERM "$CORRALD_PID"
wait "$CORRALD_PID" 2>/dev/null
ok "corrald exits after stopping its machines ($((SECONDS - t0))s)" test $((SECONDS - t0)) -lt 15
for i in 2 3; do
        ok "os$i: shutdown actions ran" test -s "$T/out/down-os$i"
done
gone=1
for p in $leaders; do [ -e "/proc/$p" ] && gone=0; done
is "$gone" 1 "no leader is left"
# The console logs stay for `corralctl logs`; the state files and sockets go.
is "$(find "$ROOT/run/corral/machines" -name state -o -name notify | wc -l)" 0 "no state file or notify socket is left"
ok "the rootfs stayed untouched (Ephemeral=yes)" test ! -e "$ROOTFS/out"

done_testing
