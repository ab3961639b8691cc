#!/bin/bash
# The payload starts as a fresh process: empty signal mask and no ignored
# signal whatever corral-init inherited, a session of its own, the
# terminal as controlling terminal with the payload in the foreground, and
# only fds 0-2 plus LISTEN_FDS (LISTEN_PID rewritten to the payload's PID).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/init-lib.sh"
require_root

val() {
        sed -n "s/^$1=//p" "$2"
}

for mode in pid1 plain; do
        # Inherited ignored signals (nohup-like) and a blocked mask in the
        # caller must not reach the payload; corral-init blocks nearly all.
        (
                trap '' USR1 HUP PIPE
                start_init "$mode" -- "$P" status "$T/st" + write "$T/ready" + sleep
                wait_for 5 test -f "$T/ready"
                kill -TERM "$INIT"
                finish_init
        )
        is "$(val SigBlk "$T/st")" 0000000000000000 "$mode: payload's signal mask is empty"
        is "$(val SigIgn "$T/st")" 0000000000000000 "$mode: payload ignores no signal"
        pid=$(val pid "$T/st")
        is "$(val sid "$T/st")" "$pid" "$mode: payload leads its own session"
        is "$(val pgid "$T/st")" "$pid" "$mode: ...and its own process group"
        is "$(val tty_nr "$T/st")" 0 "$mode: no terminal when stdin is none"
        rm -f "$T/st" "$T/ready"
done

# The supervisor itself keeps signals blocked (it reads them from a signalfd).
start_init plain -- "$P" write "$T/ready" + sleep
wait_for 5 test -f "$T/ready"
blk=$(awk '/^SigBlk/ { print $2 }' "/proc/$INIT/status")
kill -TERM "$INIT"
finish_init
ok "corral-init blocks SIGTERM for itself (mask $blk)" test $((0x$blk & (1 << 14))) -ne 0
rm -f "$T/ready"

# fds: only 0-2, however many the caller leaves open.
exec 7</dev/null 8>/dev/null
"$CORRAL_INIT" "$P" fds "$T/fds"
exec 7<&- 8>&-
is "$(lines "$T/fds")" "0 1 2" "only fds 0-2 reach the payload"

# LISTEN_FDS for corral-init are passed on, with LISTEN_PID rewritten.
# shellcheck disable=SC2016
/bin/sh -c 'exec env LISTEN_PID=$$ LISTEN_FDS=2 "$0" "$1" fds "$2"/lfds + status "$2"/lst + env LISTEN_PID LISTEN_FDS' \
        "$CORRAL_INIT" "$P" "$T" 3</dev/null 4</dev/null 5</dev/null >"$T/lenv"
is "$(lines "$T/lfds")" "0 1 2 3 4" "LISTEN_FDS=2: fds 3 and 4 kept, 5 closed"
is "$(lines "$T/lenv")" "LISTEN_PID=$(val pid "$T/lst") LISTEN_FDS=2" "LISTEN_PID is the payload's PID"
# Meant for another process: nothing is passed.
env LISTEN_PID=1 LISTEN_FDS=2 "$CORRAL_INIT" "$P" fds "$T/lfds2" + env LISTEN_PID LISTEN_FDS 3</dev/null 4</dev/null >"$T/lenv2"
is "$(lines "$T/lfds2")" "0 1 2" "LISTEN_PID of another process: no fd passed"
is "$(lines "$T/lenv2")" "LISTEN_PID= LISTEN_FDS=" "...and no LISTEN_* variable"

# A terminal: script(1) gives a pty as stdin. When corral-init leads the
# terminal's session (as PID 1 of a container with a console does), the
# payload's new session takes the terminal over.
script -qec "exec unshare --pid --fork --kill-child setsid --ctty $CORRAL_INIT $P status $T/tty1" /dev/null >/dev/null
pid=$(val pid "$T/tty1")
ok "corral-init leading the session: payload has a controlling terminal" test "$(val tty_nr "$T/tty1")" != 0
is "$(val sid "$T/tty1")" "$pid" "...in its own session"
is "$(val tpgid "$T/tty1")" "$pid" "...in the foreground (job control works)"

# When a shell leads the terminal's session (corral-init started by hand),
# the payload becomes the foreground process group instead of stealing
# the terminal from the shell.
script -qec "$CORRAL_INIT $P status $T/tty2; true" /dev/null >/dev/null
pid=$(val pid "$T/tty2")
ok "shell leading the session: payload has the terminal" test "$(val tty_nr "$T/tty2")" != 0
is "$(val pgid "$T/tty2")" "$pid" "...its own process group"
is "$(val tpgid "$T/tty2")" "$pid" "...in the foreground"

done_testing
