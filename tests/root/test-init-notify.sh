#!/bin/bash
# sd_notify: with NOTIFY_SOCKET set, corral-init reports READY=1 once the
# payload runs (or, with --wait-ready, when the payload itself says
# READY=1 on the socket corral-init gives it), and the exit status at the
# end. Nothing is sent for a payload that could not be executed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/init-lib.sh"
require_root

# listen PATH LOG: receives datagrams on PATH, appends each to LOG
# followed by a line "--", until killed.
listen() {
        python3 - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2] + ".up", "w").close()
while True:
    m = s.recv(4096).decode(errors="replace")
    with open(sys.argv[2], "a") as f:
        f.write(m.rstrip("\n") + "\n--\n")
PY
        LISTENER=$!
        defer "kill_if_cmd $LISTENER python3"
        # python3 can be slow to start on a loaded machine.
        wait_for 30 test -f "$2.up"
}

has_ready() {
        grep -qx READY=1 "$1" 2>/dev/null
}
no_ready() {
        ! has_ready "$1"
}

ok "notify listener is up" listen "$T/notify" "$T/msgs"

# Plain start: READY=1 when the payload runs, EXIT_STATUS at the end; the
# payload itself gets no NOTIFY_SOCKET.
NOTIFY_SOCKET=$T/notify "$CORRAL_INIT" "$P" env NOTIFY_SOCKET + exit 3 >"$T/env"
rc=$?
is "$rc" 3 "status 3"
wait_for 5 grep -q EXIT_STATUS "$T/msgs"
is "$(sed -n '1p' "$T/msgs")" "READY=1" "READY=1 comes first"
is "$(grep -c -x READY=1 "$T/msgs")" 1 "READY=1 is sent once"
is "$(grep EXIT_STATUS= "$T/msgs")" "EXIT_STATUS=3" "EXIT_STATUS=3 reported"
ok "STOPPING=1 reported" grep -qx STOPPING=1 "$T/msgs"
is "$(cat "$T/env")" "NOTIFY_SOCKET=" "the payload does not see our NOTIFY_SOCKET"
rm -f "$T/msgs"

# Death by signal: 128+N.
NOTIFY_SOCKET=$T/notify "$CORRAL_INIT" "$P" kill-self 15
wait_for 5 grep -q EXIT_STATUS "$T/msgs"
is "$(grep EXIT_STATUS= "$T/msgs")" "EXIT_STATUS=143" "EXIT_STATUS=143 for death by SIGTERM"
rm -f "$T/msgs"

# Exec failure: no READY=1, but the status.
NOTIFY_SOCKET=$T/notify "$CORRAL_INIT" "$T/nope" 2>/dev/null
wait_for 5 grep -q EXIT_STATUS "$T/msgs"
ok "no READY=1 for a payload that could not be executed" no_ready "$T/msgs"
is "$(grep EXIT_STATUS= "$T/msgs")" "EXIT_STATUS=127" "EXIT_STATUS=127 reported"
rm -f "$T/msgs"

# --wait-ready: nothing until the payload says so, as PID 1 too.
for mode in plain pid1; do
        NOTIFY_SOCKET=$T/notify start_init "$mode" --wait-ready -- \
                "$P" write "$T/started" + wait-file "$T/go" + notify-ready "serving" + sleep
        wait_for 5 test -f "$T/started"
        sleep 0.3
        ok "$mode --wait-ready: no READY=1 while the payload is not ready" no_ready "$T/msgs"
        touch "$T/go"
        ok "$mode --wait-ready: READY=1 once the payload sent it" wait_for 5 has_ready "$T/msgs"
        ok "$mode --wait-ready: the payload's STATUS= is passed on" grep -qx STATUS=serving "$T/msgs"
        kill -TERM "$INIT"
        finish_init
        is "$RC" 143 "$mode: status 143"
        wait_for 5 grep -q EXIT_STATUS "$T/msgs"
        is "$(grep EXIT_STATUS= "$T/msgs")" "EXIT_STATUS=143" "$mode: EXIT_STATUS=143 reported"
        rm -f "$T/msgs" "$T/started" "$T/go"
done

done_testing
