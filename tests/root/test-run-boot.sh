#!/bin/bash
# Boot mode: a busybox rootfs with an inittab boots (/sbin/init is PID 1
# with the container environment), runs its sysinit, and powers off
# cleanly when corral-run gets SIGTERM and passes KillSignal=SIGUSR2 on;
# reboot restarts the container in place, or exits 133 with
# --reboot-exit (systemd-nspawn's two behaviours).
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/root"
mkdir -p "$T/out"
cat >"$T/root/etc/inittab" <<'EOF2'
::sysinit:/bin/sh -c 'echo "pid=$$ ppid=$PPID container=$container" > /out/sysinit'
::respawn:/bin/sleep 1000
::shutdown:/bin/touch /out/shutdown
EOF2

"$CORRAL_RUN" -q --console=pipe -D "$T/root" -b --kill-signal=SIGUSR2 --bind "$T/out:/out" \
        >"$T/log" 2>&1 &
pid=$!
defer "kill -9 $pid"
ok "sysinit ran" wait_for 20 test -s "$T/out/sysinit"
like "$(cat "$T/out/sysinit")" "ppid=1 container=corral" "sysinit is a child of init (PID 1) with container=corral"
init_pid=$(pgrep -P $pid)
is "$(stat -L -c %d:%i /proc/$init_pid/exe)" "$(stat -c %d:%i "$T/root/bin/busybox")" "PID 1 is the image's init (busybox)"
kill -TERM $pid
wait $pid
is "$?" "0" "SIGTERM: clean poweroff, exit 0"
ok "shutdown actions ran" test -e "$T/out/shutdown"

# Reboot: in place by default, 133 with --reboot-exit.
cat >"$T/root/etc/inittab" <<'EOF2'
::sysinit:/bin/sh -c 'echo boot >> /out/boots'
::once:/bin/sh -c 'if [ $(wc -l < /out/boots) -lt 2 ]; then reboot; else poweroff; fi'
EOF2
rm -f "$T/out/boots"
timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" -b --bind "$T/out:/out" >"$T/log" 2>&1
is "$?" "0" "reboot then poweroff: exit 0"
is "$(wc -l <"$T/out/boots")" "2" "rebooted in place: booted twice"

rm -f "$T/out/boots"
timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" -b --reboot-exit --bind "$T/out:/out" >"$T/log" 2>&1
is "$?" "133" "--reboot-exit: reboot exits 133"
is "$(wc -l <"$T/out/boots")" "1" "--reboot-exit: booted once"

# App mode: SIGINT to PID 1 is a reboot too.
timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" --reboot-exit sh -c 'kill -INT 1; sleep 10' >"$T/log" 2>&1
is "$?" "133" "app mode: SIGINT to PID 1 reboots (133)"

# A boot command given on the command line replaces /sbin/init.
is "$(timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" -b /bin/sh -c 'echo $$')" "1" "-b CMD runs CMD as PID 1"

done_testing
