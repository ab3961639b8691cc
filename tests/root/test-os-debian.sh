#!/bin/bash
# A Debian 12 rootfs (debootstrap minbase + systemd, systemd-sysv, dbus;
# made once by tests/lib/make-debian-rootfs.sh and cached outside the
# repository) boots with systemd as PID 1:
#   - under corral-run -b --ephemeral to `systemctl is-system-running` =
#     running, and powers off cleanly on SIGTERM (KillSignal SIGRTMIN+3);
#   - under corrald from an image imported with `corralctl import-tar`,
#     defined by units/machines/debian.machine: READY=1 from systemd marks
#     it running, no unit fails, the container interface is what systemd
#     expects (checked from inside), `corralctl shell` runs a command,
#     `status` shows its OS, reboot boots it again in place, stop powers
#     it off, and nothing is left (processes, cgroups, mounts).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corralctl-lib.sh"
require_root

DEB=$("$S/tests/lib/make-debian-rootfs.sh") || {
        echo "1..0 # SKIP no Debian rootfs (debootstrap failed; see its log)"
        exit 0
}

# in_leader PID CMD...: CMD inside the container of leader PID.
in_leader() {
        local pid=$1
        shift
        nsenter -t "$pid" -a -r -w -- "$@"
}

# --- corral-run -b -------------------------------------------------------------
"$CORRAL_RUN" -q --console=pipe -D "$DEB" --ephemeral -b -M "os-test-$$" --hostname deb-run >"$T/run.log" 2>&1 &
run=$!
defer "kill -KILL $run"
# The container's PID 1: the descendant of corral-run in another PID
# namespace (corral-run may re-execute itself in between).
find_leader() {
        local p=$1 c
        while [ -n "$p" ]; do
                [ "$(readlink "/proc/$p/ns/pid")" != "$(readlink /proc/self/ns/pid)" ] && { echo "$p"; return 0; }
                c=$(pgrep -P "$p" | head -1)
                p=$c
        done
        return 1
}
wait_for 10 find_leader $run >/dev/null
leader=$(find_leader $run)
# systemctl needs systemd's private socket; before it exists, --wait fails.
wait_for 30 in_leader "$leader" test -S /run/systemd/private
state=$(timeout 60 nsenter -t "$leader" -a -r -w -- systemctl is-system-running --wait 2>&1)
is "$state" running "corral-run -b: systemd reaches 'running'"
[ "$state" = running ] || diag "$(in_leader "$leader" systemctl --failed --no-legend 2>&1)" "$(tail -20 "$T/run.log")"
is "$(in_leader "$leader" systemctl --failed --no-legend --plain 2>&1)" "" "corral-run -b: no failed unit"
t0=$(date +%s%N)
kill -TERM $run
wait $run
rc=$?
is "$rc" 0 "corral-run -b: SIGTERM powers systemd off cleanly (exit 0) in $((($(date +%s%N) - t0) / 1000000)) ms"
ok "corral-run -b: the container is gone" test ! -e "/proc/$leader"

# --- corrald ------------------------------------------------------------------
start_bus
start_corrald
defer_machine_cleanup
tar -C "$DEB" --exclude=./.corral-complete -cf "$T/debian.tar" .
ctl import-tar "$T/debian.tar" debian-bookworm
is "$RC" 0 "import-tar of the Debian rootfs"
rm -f "$T/debian.tar"
cp "$S/units/machines/debian.machine" "$DEFS/deb.machine"
ctl daemon-reload
t0=$(date +%s%N)
ctl start deb
is "$RC" 0 "corralctl start of the example units/machines/debian.machine"
running() { [ "$("$CORRALCTL" --no-pager show deb -p State --value 2>/dev/null)" = running ]; }
ok "systemd's READY=1 marks the machine running" wait_for 60 running
diag "boot to READY: $((($(date +%s%N) - t0) / 1000000)) ms"
# corralctl shell wants an absolute path; env finds the rest on the PATH.
sh_in() { "$CORRALCTL" --no-pager shell deb -- /usr/bin/env "$@" </dev/null 2>&1; }
# READY=1 comes when the boot finished: nothing is queued any more.
like "$(sh_in systemctl is-system-running)" "^(running|degraded)$" "at READY=1 the boot has finished"
state=$(sh_in systemctl is-system-running --wait)
is "$state" running "corrald: systemd reaches 'running'"
failed=$(sh_in systemctl --failed --no-legend --plain)
is "$failed" "" "corrald: no failed unit"

# The container interface, from inside.
env1=$(sh_in cat /proc/1/environ | tr '\0' '\n')
like "$env1" $'(^|\n)container=corral(\n|$)' "PID 1 has container=corral"
uuid=$(sed -n 's/^container_uuid=//p' <<<"$env1")
like "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' "PID 1 has container_uuid (a v4 UUID)"
is "$(sh_in cat /etc/machine-id)" "${uuid//-/}" "/etc/machine-id is the container_uuid"
is "$(sh_in cat /run/systemd/container)" corral "/run/systemd/container says corral"
is "$(sh_in cat /run/host/os-release)" "$(cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release)" "/run/host/os-release is the host's"
ok "/run/host/notify is the notify socket" test "$(sh_in stat -c %F /run/host/notify)" = socket
is "$(sh_in stat -c %F /dev/console)" "character special file" "/dev/console is a character device"
like "$(sh_in systemctl show -p ActiveState --value console-getty.service)" "^active$" "a getty runs on the console"
is "$(sh_in findmnt -n -o FSTYPE /dev/shm)" tmpfs "/dev/shm is a tmpfs"
sh_in touch /dev/shm/corral-os-test >/dev/null
ok "... private: a file made inside is not in the host's /dev/shm" test ! -e /dev/shm/corral-os-test
like "$(sh_in findmnt -n -o OPTIONS /proc/sys)" "^ro," "/proc/sys is read-only"
is "$(sh_in sh -c '{ echo x > /proc/sys/kernel/hostname; } 2>/dev/null && echo written || echo refused')" refused "... writes to it fail"
like "$(sh_in findmnt -n -o FSTYPE /sys/fs/cgroup)" "^(tmpfs|cgroup2)$" "/sys/fs/cgroup is mounted"
# systemd moved itself to init.scope and runs services in system.slice:
# it could write the cgroup tree it was given (delegation).
like "$(sh_in cat /proc/1/cgroup)" "/init.scope" "systemd (PID 1) moved itself into init.scope"
is "$(sh_in sh -c 'test -d /sys/fs/cgroup/systemd/system.slice -o -d /sys/fs/cgroup/system.slice && echo yes')" yes \
        "systemd created system.slice in its cgroup tree"
like "$(sh_in systemctl show -p ControlGroup --value systemd-journald.service)" "^/system.slice/systemd-journald.service$" \
        "journald runs in its own service cgroup"

# shell, status
out=$("$CORRALCTL" --no-pager shell deb -- /bin/sh -c 'echo "$(hostname) $$"; exit 3' </dev/null)
rc=$?
is "$rc" 3 "corralctl shell passes the exit status"
like "$out" "^debian [0-9]+$" "corralctl shell runs the command inside (Hostname=debian)"
ctl status deb
like "$OUT" "OS: Debian GNU/Linux 12 \\(bookworm\\)" "corralctl status shows the OS from /etc/os-release"

# reboot in place: same machine, new boot.
old=$("$CORRALCTL" --no-pager show deb -p Leader --value)
sh_in touch /run/corral-boot-marker >/dev/null
ctl reboot deb
is "$RC" 0 "corralctl reboot"
rebooted() { local l; l=$("$CORRALCTL" --no-pager show deb -p Leader --value); [ -n "$l" ] && [ "$l" != 0 ] && [ "$l" != "$old" ] && running; }
ok "rebooted in place: running again with a new leader" wait_for 60 rebooted
is "$(sh_in systemctl is-system-running --wait)" running "after the reboot systemd is 'running' again"
is "$(sh_in sh -c 'test -e /run/corral-boot-marker && echo stale || echo fresh')" fresh "a new boot: /run is fresh"

# poweroff: corralctl stop sends SIGRTMIN+3, systemd shuts down cleanly.
leader=$("$CORRALCTL" --no-pager show deb -p Leader --value)
cgroup=$(awk -F: '$2 == "" {print $3}' "/proc/$leader/cgroup")
t0=$(date +%s%N)
ctl stop deb
is "$RC" 0 "corralctl stop"
stopped() { [ "$("$CORRALCTL" --no-pager show deb -p State --value)" = stopped ]; }
ok "corralctl stop powers it off" wait_for 30 stopped
diag "poweroff: $((($(date +%s%N) - t0) / 1000000)) ms"
is "$("$CORRALCTL" --no-pager show deb -p ExitStatus --value)" 0 "exit status 0 (a clean poweroff)"
ok "no process of the machine is left" test ! -e "/proc/$leader"
ok "its cgroup is gone" test ! -e "/sys/fs/cgroup/unified$cgroup"
is "$(grep -c "$T/" /proc/self/mountinfo)" 0 "no mount of the machine is left on the host"

# poweroff from inside.
ctl start deb
ok "started again" wait_for 60 running
sh_in systemctl poweroff >/dev/null
ok "systemctl poweroff inside stops the machine" wait_for 30 stopped
is "$("$CORRALCTL" --no-pager show deb -p ExitStatus --value)" 0 "... with exit status 0"

done_testing
