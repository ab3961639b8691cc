#!/bin/bash
# corral-run's side of the exit and signal contract: SIGTERM or SIGINT to
# corral-run is a clean stop (the payload gets its KillSignal and the
# container's status is corral-run's), a payload that ignores it is
# killed after the stop timeout, and halt from inside exits with the
# payload's status.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/root"
mkdir -p "$T/out"

start() {
        "$CORRAL_RUN" -q --console=pipe -D "$T/root" --bind "$T/out:/out" "$@" &
        pid=$!
        defer "kill -9 $pid"
        wait_for 20 test -e "$T/out/ready"
}

for sig in TERM INT; do
        rm -f "$T/out/"*
        start sh -c "trap 'echo got-term > /out/trap; exit 7' TERM; touch /out/ready; while :; do sleep 0.1; done"
        kill -$sig $pid
        wait $pid
        is "$?" "7" "SIGTERM or SIGINT to corral-run: clean stop, payload's own status ($sig)"
        is "$(cat "$T/out/trap" 2>/dev/null)" "got-term" "the payload got SIGTERM ($sig)"
done

rm -f "$T/out/"*
start --kill-signal=SIGUSR1 sh -c "trap 'echo usr1 > /out/trap; exit 0' USR1; touch /out/ready; while :; do sleep 0.1; done"
kill -TERM $pid
wait $pid
is "$?:$(cat "$T/out/trap" 2>/dev/null)" "0:usr1" "--kill-signal is what the payload gets"

rm -f "$T/out/"*
start --stop-timeout=1s sh -c "trap '' TERM; touch /out/ready; while :; do sleep 0.1; done"
t0=$SECONDS
kill -TERM $pid
wait $pid
rc=$?
ok "a payload that ignores SIGTERM is killed after the stop timeout" test $((SECONDS - t0)) -lt 8
is "$rc" "137" "and the status says SIGKILL"

rm -f "$T/out/"*
start sh -c "touch /out/ready; kill -38 1; sleep 100"
wait $pid
is "$?" "143" "poweroff (SIGRTMIN+4 = 38) from inside: payload stopped with SIGTERM, 143"

done_testing
