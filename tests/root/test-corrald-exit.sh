#!/bin/bash
# SIGTERM policy: by default corrald exits and leaves its machines running
# (the next corrald adopts them); with --stop-machines-on-exit it stops
# every machine cleanly first. Readiness goes out as sd_notify READY=1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
define a "/usr/bin/corral-test-payload sleep" "Autostart=yes"
define b "/usr/bin/corral-test-payload sleep" "Autostart=yes"
start_bus

# Type=notify: READY=1 on $NOTIFY_SOCKET once the name is taken.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
while True:
    m = s.recv(4096).decode()
    print(m)
    if "READY=1" in m.split("\n"):
        break' "$T/notify" >"$T/notify.out" 2>&1 &
listener=$!
wait_for 5 test -S "$T/notify"
NOTIFY_SOCKET=$T/notify "$CORRALD" --root "$ROOT" --bus "$BUS" --corral-run "$CORRAL_RUN" >>"$T/corrald.log" 2>&1 &
CORRALD_PID=$!
defer "kill -9 $CORRALD_PID"
wait "$listener"
like "$(cat "$T/notify.out")" "READY=1" "corrald sends READY=1 to the service manager"
ok "autostart machines run" wait_state a running 20
wait_state b running 20
la=$(prop a Leader)
lb=$(prop b Leader)

kill -TERM "$CORRALD_PID"
ok "corrald exits on SIGTERM" wait_for 10 bash -c "! kill -0 $CORRALD_PID 2>/dev/null"
ok "its machines keep running" test -d "/proc/$la" -a -d "/proc/$lb"

start_corrald --stop-machines-on-exit
is "$(prop a Leader)" "$la" "the next corrald adopts them"
kill -TERM "$CORRALD_PID"
ok "with --stop-machines-on-exit corrald exits after stopping them" \
        wait_for 20 bash -c "! kill -0 $CORRALD_PID 2>/dev/null"
ok "the machines are gone" test ! -d "/proc/$la" -a ! -d "/proc/$lb"
ok "their ends were collected: no state file is left" \
        test ! -e "$ROOT/run/corral/machines/a/state" -a ! -e "$ROOT/run/corral/machines/b/state"

done_testing
