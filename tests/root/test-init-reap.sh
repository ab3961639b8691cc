#!/bin/bash
# corral-init reaps every orphan (no zombie stays), stops leftovers with
# SIGTERM when the payload ends and keeps the payload's status, SIGKILLs
# what ignores SIGTERM after --stop-timeout, and sleeps without waking
# while idle; as PID 1 and as a subreaper.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/init-lib.sh"
require_root

for mode in pid1 plain; do
        # Five orphans that exit after 0.2 s while the payload lives on.
        start_init "$mode" -- "$P" orphans 5 0.2 + write "$T/ready" + sleep >/dev/null
        wait_for 5 test -f "$T/ready"
        payload=$(payload_pid)
        sleep 0.3
        is "$(zombies_below "$INIT")" 0 "$mode: no zombie below corral-init"
        is "$(pgrep -P "$INIT" | tr '\n' ' ')" "$payload " "$mode: only the payload is left, every orphan was reaped"
        kill -TERM "$INIT"
        finish_init
        is "$RC" 143 "$mode: payload killed by the forwarded SIGTERM: 143"
        rm -f "$T/ready"

        # Many at once: a burst of exits coalesces into few SIGCHLDs.
        start_init "$mode" -- "$P" orphans 50 0.1 + write "$T/ready" + sleep >/dev/null
        wait_for 5 test -f "$T/ready"
        sleep 0.5
        is "$(zombies_below "$INIT")" 0 "$mode: 50 orphans exiting together leave no zombie"
        is "$(pgrep -c -P "$INIT")" 1 "$mode: ...and are all gone"
        kill -TERM "$INIT"
        finish_init
        rm -f "$T/ready"

        # Leftovers that die on SIGTERM: corral-init ends at once, with the
        # payload's status, and they are gone.
        t0=$(ms)
        start_init "$mode" --stop-timeout 10 -- "$P" orphans 3 + exit 7 >"$T/orphans"
        finish_init
        t1=$(ms)
        is "$RC" 7 "$mode: payload's status 7 kept with leftovers"
        ok "$mode: leftovers stopped without waiting for the timeout ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 5000
        is "$(grep -c orphan= "$T/orphans")" 3 "$mode: three orphans were made"
        # As PID 1 the kernel would kill them anyway, and their PIDs are the
        # namespace's; as a subreaper they would outlive us unless stopped.
        if [ "$mode" = plain ]; then
                left=""
                for o in $(sed -n 's/^orphan=//p' "$T/orphans"); do
                        alive "$o" && left="$left $o"
                done
                is "$left" "" "$mode: no leftover survives"
        fi

        # A leftover that ignores SIGTERM: logged TERM, SIGKILL after the timeout.
        rm -f "$T/left.log"
        t0=$(ms)
        # shellcheck disable=SC2016
        start_init "$mode" --stop-timeout 1 -- /bin/sh -c \
                '"$0" signals "$1"/left.log & "$0" wait-file "$1"/left.log + exit 5' "$P" "$T"
        finish_init
        t1=$(ms)
        is "$RC" 5 "$mode: status 5 kept after killing a stubborn leftover"
        is "$(head -n1 "$T/left.log")" "TERM" "$mode: the leftover got SIGTERM first"
        ok "$mode: SIGKILL came after the 1 s stop timeout ($((t1 - t0)) ms)" \
                test $((t1 - t0)) -ge 900 -a $((t1 - t0)) -lt 5000

        # A payload that ignores SIGTERM: a clean stop ends with SIGKILL after the timeout.
        start_init "$mode" --stop-timeout 1 -- "$P" ignore-term + write "$T/ready" + sleep
        wait_for 5 test -f "$T/ready"
        payload=$(payload_pid)
        kill -TERM "$INIT"
        sleep 0.3
        ok "$mode: a forwarded SIGTERM that is ignored leaves the payload running" alive "$payload"
        t0=$(ms)
        kill -s "$(($(kill -l RTMIN) + 4))" "$INIT"
        finish_init
        t1=$(ms)
        is "$RC" 137 "$mode: poweroff of a payload ignoring SIGTERM ends in SIGKILL: 137"
        ok "$mode: ...after the stop timeout ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 900 -a $((t1 - t0)) -lt 5000
        rm -f "$T/ready"

        # Idle means idle: no wakeups while nothing happens.
        start_init "$mode" -- "$P" write "$T/ready" + sleep
        wait_for 5 test -f "$T/ready"
        sleep 0.2
        before=$(awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$INIT/status")
        sleep 2
        after=$(awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$INIT/status")
        is "$((after - before))" 0 "$mode: no context switch in 2 idle seconds"
        kill -TERM "$INIT"
        finish_init
        rm -f "$T/ready"
done

done_testing
