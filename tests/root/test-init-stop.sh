#!/bin/bash
# Clean stop and reboot signals: SIGRTMIN+3/+4 stop the payload with its
# KillSignal and pass its status out; SIGINT/SIGRTMIN+5 do the same, then
# PID 1 of a PID namespace calls reboot(RB_AUTOBOOT), which its parent
# sees as "died of SIGHUP"; a plain corral-init only exits with the status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/init-lib.sh"
require_root

RTMIN=$(kill -l RTMIN)

for mode in pid1 plain; do
        for stop in $((RTMIN + 3)) $((RTMIN + 4)); do
                name="SIGRTMIN+$((stop - RTMIN))"
                start_init "$mode" -- "$P" write "$T/ready" + sleep
                wait_for 5 test -f "$T/ready"
                kill -s "$stop" "$INIT"
                finish_init
                is "$RC" 143 "$mode: $name stops the payload with SIGTERM: 143"
                rm -f "$T/ready"
        done

        # The payload sees its KillSignal, handles it and exits 0: status 0.
        start_init "$mode" --kill-signal SIGUSR2 -- "$P" signals "$T/kill.log" 1
        wait_for 5 test -f "$T/kill.log"
        kill -s $((RTMIN + 4)) "$INIT"
        finish_init
        is "$(lines "$T/kill.log")" "USR2" "$mode: --kill-signal SIGUSR2 is what the payload gets on poweroff"
        is "$RC" 0 "$mode: the payload's own status after a clean stop"
        rm -f "$T/kill.log"

        # Leftovers are stopped too after a clean stop.
        start_init "$mode" -- "$P" orphans 2 + write "$T/ready" + sleep >"$T/orphans"
        wait_for 5 test -f "$T/ready"
        kill -s $((RTMIN + 3)) "$INIT"
        finish_init 5
        is "$RC" 143 "$mode: halt with leftovers: 143, without waiting for the timeout"
        if [ "$mode" = plain ]; then
                left=""
                for o in $(sed -n 's/^orphan=//p' "$T/orphans"); do
                        alive "$o" && left="$left $o"
                done
                is "$left" "" "plain: leftovers gone after halt"
        fi
        rm -f "$T/ready"

        for reboot in INT $((RTMIN + 5)); do
                name=$reboot
                [ "$reboot" = INT ] || name="SIGRTMIN+$((reboot - RTMIN))"
                start_init "$mode" -- "$P" signals "$T/reboot.log" 1
                wait_for 5 test -f "$T/reboot.log"
                kill -s "$reboot" "$INIT"
                finish_init
                is "$(lines "$T/reboot.log")" "TERM" "$mode: $name stops the payload cleanly first"
                if [ "$mode" = pid1 ]; then
                        # unshare passes its child's death by SIGHUP on as 128+1.
                        is "$RC" 129 "pid1: $name ends in reboot(): PID 1 died of SIGHUP"
                else
                        is "$RC" 0 "plain: $name exits with the payload's status"
                fi
                rm -f "$T/reboot.log"
        done
done

# From inside: the payload itself asks PID 1 to power off (signals to a
# namespace's init from within are only queued because they are blocked).
# shellcheck disable=SC2016
unshare --pid --fork --kill-child "$CORRAL_INIT" /bin/sh -c 'kill -s "$0" 1; exec "$1" sleep 20' \
        "$((RTMIN + 4))" "$P"
is "$?" 143 "pid1: poweroff sent by the payload to PID 1 stops it: 143"

done_testing
