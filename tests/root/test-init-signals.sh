#!/bin/bash
# corral-init forwards SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH
# and SIGCONT to the payload, once each and in order, as PID 1 of a PID
# namespace and as a plain subreaper; with -g to the whole process group.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/init-lib.sh"
require_root

FORWARDED="TERM HUP QUIT USR1 USR2 WINCH CONT"

for mode in pid1 plain; do
        log=$T/$mode.log
        ok "$mode: corral-init starts" start_init "$mode" -- "$P" signals "$log" 7
        ok "$mode: payload catches signals" wait_for 5 test -f "$log"
        n=0
        for sig in $FORWARDED; do
                n=$((n + 1))
                kill -s "$sig" "$INIT"
                wait_for 5 has_lines "$n" "$log" || break
        done
        finish_init
        is "$(lines "$log")" "$FORWARDED" "$mode: each forwarded signal reached the payload once, in order"
        is "$RC" 0 "$mode: payload's status 0 passed out"
done

# Process-group mode: a second process in the payload's group sees the
# signal with -g and does not without it.
for g in "-g" ""; do
        name=${g:-no-g}
        rm -f "$T"/parent.log "$T"/child.log
        # shellcheck disable=SC2016
        start_init pid1 $g -- /bin/sh -c '"$0" signals "$1"/child.log 1 & exec "$0" signals "$1"/parent.log 1' "$P" "$T"
        wait_for 5 test -f "$T/child.log" -a -f "$T/parent.log"
        kill -s USR1 "$INIT"
        wait_for 5 has_lines 1 "$T/parent.log"
        [ -z "$g" ] && sleep 0.3
        finish_init
        is "$(lines "$T/parent.log")" "USR1" "$name: the payload got SIGUSR1"
        if [ -n "$g" ]; then
                is "$(lines "$T/child.log")" "USR1" "-g: its process group got SIGUSR1 too"
        else
                is "$(lines "$T/child.log")" "TERM" "no -g: the group member did not get SIGUSR1, only the leftover SIGTERM"
        fi
        is "$RC" 0 "$name: status 0"
done

done_testing
