#!/bin/bash
# Console logs: a machine's output lands in ROOT/run/corral/machines/NAME/log,
# survives restarts of the machine and of corrald, is readable through
# OpenMachineLog (corralctl logs), and is bounded by rotation.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
define chatty '/bin/sh -c "echo run-$$-marker; sleep 0.2"'
define flood '/bin/sh -c "i=0; while [ $i -lt 600 ]; do echo flood-line-$i-xxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done"'
start_bus
export CORRAL_CONSOLE_LOG_MAX=4K
start_corrald
LOG=$ROOT/run/corral/machines/chatty/log

call StartMachine s chatty >/dev/null
ok "first run ends" wait_state chatty stopped 10
ok "its output is in the log" grep -q -- "-marker" "$LOG"
call StartMachine s chatty >/dev/null
wait_for 5 state_is chatty running
ok "second run ends" wait_state chatty stopped 10
is "$(grep -c -- '-marker' "$LOG")" 2 "the log keeps the output of both runs"

kill -9 "$CORRALD_PID"
wait "$CORRALD_PID" 2>/dev/null
start_corrald
call StartMachine s chatty >/dev/null
wait_for 5 state_is chatty running
wait_state chatty stopped 10
is "$(grep -c -- '-marker' "$LOG")" 3 "the log survives a corrald restart"

out=$("$CORRALCTL" --bus "$BUS" --no-pager logs chatty -n 50 2>&1)
is "$(grep -c -- '-marker' <<<"$out")" 3 "OpenMachineLog (corralctl logs) returns it"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- "$CORRALCTL" --bus "$BUS" --no-pager logs chatty -n 5 2>&1)
like "$out" "marker" "reading logs is open to every user"

call StartMachine s flood >/dev/null
ok "the flooding machine ends" wait_state flood stopped 20
FL=$ROOT/run/corral/machines/flood
ok "the log was rotated" test -e "$FL/log.1"
size=$(stat -c %s "$FL/log")
ok "the current log is within its bound ($size bytes)" test "$size" -le 4096
total=$(cat "$FL"/log* | wc -c)
ok "all files together stay bounded ($total bytes)" test "$total" -le $((3 * 4096))
ok "the newest lines are in the current log" grep -q "flood-line-599" "$FL/log"
ok "the oldest lines were dropped" bash -c "! grep -q 'flood-line-0-' $FL/log*"

done_testing
