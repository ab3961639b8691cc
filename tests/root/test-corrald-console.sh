#!/bin/bash
# The console of a machine under corrald: the monitor keeps the container's
# /dev/console and stdio on a pty, logs everything it writes whether or
# not anybody is attached, and `corralctl login` (OpenMachineLogin) attaches
# to it: a busybox boot machine's console shell and an app machine's
# /bin/sh answer a line, ^]^]^] detaches and the machine keeps running,
# the output is in the log, a machine flooding its console with nobody
# attached is never held up, a stopped machine is refused with a reason,
# and a restarted corrald (adopting the machines) attaches again.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/corralctl-lib.sh"

make_rootfs "$T/rootfs"
cat >"$T/rootfs/etc/inittab" <<'INIT'
console::respawn:-/bin/sh
INIT
cat >"$DEFS/os.machine" <<INI
[Machine]
Directory=$T/rootfs
StopTimeoutSec=3s
[Exec]
Boot=yes
KillSignal=SIGUSR2
INI
define_machine app 'exec /bin/sh -i'
cat >"$T/rootfs/flood.sh" <<'SH'
head -c 3000000 /dev/zero | tr '\000' x
echo
echo flood-$((3*7))
exec sleep 1000
SH
define_machine flood 'exec /bin/sh /flood.sh'
define_machine idle 'exec sleep 1000'
define_machine mute 'i=0; while :; do i=$((i+1)); echo mute $i; sleep 0.2; done'

start_bus
start_corrald
defer_machine_cleanup

state_of() { "$CORRALCTL" show "$1" -p State --value 2>/dev/null; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }
log_of() { cat "$ROOT/run/corral/machines/$1/log" 2>/dev/null; }

for m in os app flood; do
        ctl start "$m"
        is "$RC" 0 "start $m"
done
ok "the monitor offers the console on a socket" test -S "$ROOT/run/corral/machines/os/console"

# --- a boot machine's console shell -----------------------------------------
login() {
        "$PY" "$S/tests/root/corralctl-pty.py" 20 "$2" -- "$CORRALCTL" login "$1"
}
out=$(login os 'expect:Connected to machine os;;sleep:0.5;;send:\r;;sleep:0.3;;send:tty; echo hello-$((6*7))\r;;expect:hello-42;;send:\x1d\x1d\x1d')
is "$?" 0 "login to a boot machine ends with exit 0 after ^]^]^]"
like "$out" "hello-42" "its console shell answers a line"
like "$out" "/dev/console" "... and runs on /dev/console, a tty"
like "$out" "Connection to machine os terminated" "the escape ends the session"
is "$(state_of os)" running "the machine keeps running after the escape"
ok "the console output is in the machine's log" wait_for 5 eval 'log_of os | grep -q hello-42'

out=$(login os 'expect:Connected to machine os;;sleep:0.3;;send:echo again-$((6*7))\r;;expect:again-42;;send:\x1d\x1d\x1d')
is "$?" 0 "a second login attaches to the same console"

# --- an app machine's payload reads the console -------------------------------
out=$(login app 'expect:Connected to machine app;;sleep:0.5;;send:echo app-$((6*7)); [ -t 0 ] && echo tty-$((2*4))\r;;expect:app-42;;expect:tty-8;;send:\x1d\x1d\x1d')
is "$?" 0 "login to an app machine ends with exit 0 after the escape"
like "$out" "app-42" "the payload's /bin/sh reads what login sends"
like "$out" "tty-8" "... on a tty"
is "$(state_of app)" running "the app machine keeps running"
ok "its output is in its log" wait_for 5 eval 'log_of app | grep -q app-42'

# --- nobody attached -------------------------------------------------------------
ok "a machine flooding its console with nobody attached is never held up" \
        wait_for 20 eval 'log_of flood | grep -q flood-21'

# A machine that never reads its console: input it cannot take is dropped,
# its output keeps flowing into the log.
ctl start mute
count() { log_of mute | grep -c '^mute'; }
big=$("$PY" -c 'print("a" * 60 + "\\r", end="")' | head -c 100)
big=$(for i in $(seq 1000); do printf '%s' "$big"; done)
out=$(login mute "expect:Connected to machine mute;;send:$big;;sleep:1;;send:\x1d\x1d\x1d")
is "$?" 0 "login to a machine that does not read its console, flooding it, still escapes"
n=$(count)
ok "... and the machine's output keeps flowing into the log" wait_for 10 eval '[ "$(count)" -gt "$((n + 3))" ]'

# --- errors --------------------------------------------------------------------------
ctl login idle </dev/null
is "$RC" 1 "login to a stopped machine exits 1"
like "$ERR" "machine 'idle'.*not running" "... with a one-line reason"
ctl login ghost </dev/null
is "$RC" 1 "login to an unknown machine exits 1"
ctl_nobody login app </dev/null
is "$RC" 1 "a non-root caller may not log in"

# --- corrald restarted: the console is the monitor's ------------------------------------
kill -KILL "$CORRALD_PID"
wait "$CORRALD_PID" 2>/dev/null
start_corrald
defer_machine_cleanup   # runs before the defer that stops this second corrald
ok "the restarted corrald adopts the app machine" wait_for 10 state_is app running
out=$(login app 'expect:Connected to machine app;;sleep:0.3;;send:echo back-$((6*7))\r;;expect:back-42;;send:\x1d\x1d\x1d')
is "$?" 0 "login after a corrald restart"
like "$out" "back-42" "... reaches the adopted machine's console"

ctl stop os
ok "stopping the machine removes its console socket" wait_for 10 test ! -e "$ROOT/run/corral/machines/os/console"

done_testing
