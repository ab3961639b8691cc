#!/bin/bash
# corralctl logs -f across a rotation of the console log: a machine
# writes 1.3 MB of numbered lines (the log rotates at 1 MiB) while
# `logs -f` follows; every line must arrive once, in order.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/corralctl-lib.sh"

start_bus
define_machine chatty 'sleep 2; seq 1 200000; echo the end; exec sleep 1000'
start_corrald
defer_machine_cleanup

ctl start chatty
is "$RC" 0 "the machine starts"
"$CORRALCTL" logs -f -n all chatty >"$T/follow.out" 2>"$T/follow.err" &
follower=$!
defer "kill $follower"
ok "the whole output arrives through logs -f" wait_for 60 grep -q "the end" "$T/follow.out"
kill "$follower"
ok "the log was rotated meanwhile" test -e "$ROOT/run/corral/machines/chatty/log.1"
tr -d '\r' <"$T/follow.out" | grep -E '^[0-9]+$' >"$T/numbers"
is "$(wc -l <"$T/numbers")" 200000 "logs -f printed every line once"
ok "... in order, none lost or doubled" cmp -s "$T/numbers" <(seq 1 200000)
ctl logs chatty -n 2
is "$(printf '%s\n' "$OUT" | tr -d '\r')" "200000
the end" "logs -n 2 after the rotation reads the new file"
is "$(cat "$T/follow.err")" "" "logs -f reported no error"

done_testing
