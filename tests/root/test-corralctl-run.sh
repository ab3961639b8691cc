#!/bin/bash
# corralctl with running machines under a private corrald: start waits
# for running (and reports a failed start with reason and log lines),
# --no-block, golden list/status of a running machine, logs -n/-f, kill
# (signal and whom), reboot, stop, terminate, shell through pipes (stdin,
# stdout, stderr, exit status) and on a pty, login to the console driven through
# a pty with the ^]^]^] escape, and the errors for a stopped machine.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/corralctl-lib.sh"

start_bus
# The payload reports signals by touching files in its rootfs, which is
# the host directory $T/rootfs: observable from outside.
define_machine web "trap 'touch /var/usr1-got' USR1; trap 'touch /var/usr2-got' USR2; echo hello from web; while :; do sleep 1000 & wait; done"
define_machine tick 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done'
# Never ready: the payload exits before READY=1, so the start fails.
define_machine broken 'echo about to fail; echo for a reason; exit 3' 'NotifyReady=yes'
define_machine limited 'exec sleep 1000'
printf '\n[Resources]\nMemoryMax=64M\nTasksMax=32\nCPUQuota=50%%\n' >>"$DEFS/limited.machine"
start_corrald
defer_machine_cleanup

leader_of() { "$CORRALCTL" show "$1" -p Leader --value; }
state_of() { "$CORRALCTL" show "$1" -p State --value 2>/dev/null; }
state_is() { [ "$(state_of "$1")" = "$2" ]; }

# --- start ----------------------------------------------------------------
ctl start web
is "$RC" 0 "start exits 0 once the machine runs"
is "$(state_of web)" running "start returned with the machine running"
L=$(leader_of web)
ok "the leader PID is a live process" test -d "/proc/$L"
ok "the leader lives in its own PID namespace" test "$(readlink /proc/$L/ns/pid)" != "$(readlink /proc/self/ns/pid)"

ctl start broken
is "$RC" 1 "start of a machine whose payload fails exits 1"
like "$ERR" "Machine 'broken' failed to start: .*3" "... with the reason and the exit status"
like "$ERR" "for a reason" "... and the machine's last log lines"

ctl status broken
is "$(printf '%s\n' "$OUT" | sed -n '2p;6,7p')" "       State: failed
    Restarts: 0
 Exit status: 3" "status of the failed machine: state and exit status (golden)"
like "$OUT" "       Error: .+" "... and the error"
like "$OUT" "  for a reason" "... and its last log lines"

ctl start --no-block tick
is "$RC" 0 "start --no-block exits 0"
ok "the machine comes up after --no-block" wait_for 10 state_is tick running

# --- list and status of running machines -----------------------------------
D=$T/rootfs
LT=$(leader_of tick)
w=${#D}
wl=$(( ${#L} > ${#LT} ? ${#L} : ${#LT} ))
[ "$wl" -lt 6 ] && wl=6
ctl list
is "$OUT" "$(printf '%s\n' \
        "$(printf 'NAME STATE   CLASS     %-*s %-*s ADDRESSES' "$w" IMAGE "$wl" LEADER)" \
        "$(printf 'tick running container %-*s %-*s -' "$w" "$D" "$wl" "$LT")" \
        "$(printf 'web  running container %-*s %-*s -' "$w" "$D" "$wl" "$L")" \
        "" "2 machines listed.")" "list of running machines (golden)"
ctl list --json
is "$(json_get "$OUT" '[(m["name"], m["state"], m["leader"]) for m in j]')" "[('tick', 'running', $LT), ('web', 'running', $L)]" \
        "list --json of running machines"

ctl status web
status_head=$(printf '%s\n' "$OUT" | head -5 | sed -E 's/since .* ago$/since @TIME@/')
is "$status_head" "● web - Test machine web
       State: running since @TIME@
       Class: container
   Directory: $D
      Leader: $L" "status of a running machine (golden head)"
like "$OUT" "Tasks: [0-9]+" "status shows the tasks of the machine"
like "$OUT" "Memory: [0-9.]+[BKMG]" "status shows the memory of the machine"
like "$OUT" "  hello from web" "status ends with the machine's log lines"
ctl status web --json
is "$(json_get "$OUT" '(j["state"], j["leader"], j["since_usec"] > 0, "hello from web" in j["log"])')" \
        "('running', $L, True, True)" "status --json of a running machine"

# --- limits with their usage ---------------------------------------------------
ctl start limited
is "$RC" 0 "a machine with limits starts"
LL=$(leader_of limited)
ctl status limited
like "$OUT" "Memory: [0-9.]+[BKMG] \(max 64.0M\)" "status shows memory usage and its limit"
like "$OUT" "Tasks: [0-9]+ \(max 32\)" "status shows tasks and their limit"
like "$OUT" "CPU: .* \(quota 50%\)" "status shows CPU time and the quota"
ctl status limited --json
is "$(json_get "$OUT" '(j["memory_max"], j["tasks_max"], j["cpu_quota_per_sec_usec"], j["memory_current"] > 0, j["tasks_current"] >= 1)')" \
        "(67108864, 32, 500000, True, True)" "status --json limits and usage"
# The same limit, read from the machine's memory cgroup on the host.
mem_cg=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/$LL/cgroup")
if [ -n "$mem_cg" ]; then
        is "$(cat "/sys/fs/cgroup/memory$mem_cg/memory.limit_in_bytes")" 67108864 "the memory cgroup holds the limit status shows"
else
        is "$(cat "/sys/fs/cgroup/unified$(awk -F: '$1 == 0 { print $3 }' "/proc/$LL/cgroup")/memory.max")" 67108864 \
                "the memory cgroup holds the limit status shows"
fi
ctl stop limited
ok "the limited machine stops" wait_for 10 state_is limited stopped

# --- logs -------------------------------------------------------------------
wait_for 10 bash -c "'$CORRALCTL' logs tick | grep -q 'tick 6'"
ctl logs tick -n 3
is "$(printf '%s\n' "$OUT" | wc -l)" 3 "logs -n 3 prints three lines"
like "$OUT" "^tick [0-9]+
tick [0-9]+
tick [0-9]+$" "... the last ones of the console"
ctl logs tick
like "$OUT" "^tick 1
tick 2
" "logs prints the whole log"
last=$(printf '%s\n' "$OUT" | tail -1 | awk '{print $2}')
timeout 1.5 "$CORRALCTL" logs -f -n 1 tick >"$T/follow.out"
is "$?" 124 "logs -f keeps following until stopped"
followed_last=$(tail -1 "$T/follow.out" | awk '{print $2}')
ok "logs -f printed lines written after it started ($last -> $followed_last)" test "$followed_last" -gt "$((last + 2))"

# --- kill -------------------------------------------------------------------
ctl kill web --signal USR1 --kill-whom leader
is "$RC" 0 "kill --kill-whom leader exits 0"
ok "the payload got SIGUSR1 through the leader" wait_for 5 bash -c "test -e '$T/rootfs/var/usr1-got'"
ctl kill web -s SIGUSR2
is "$RC" 0 "kill (default: all) exits 0"
ok "every process got SIGUSR2" wait_for 5 bash -c "test -e '$T/rootfs/var/usr2-got'"
is "$(state_of web)" running "the machine survives the signals"

# --- shell --------------------------------------------------------------------
out=$(printf 'line one\nline two\n' | "$CORRALCTL" shell web -- /bin/sh -c 'tr a-z A-Z; echo to-stderr >&2; exit 7' 2>"$T/shell.err")
is "$?" 7 "shell passes the command's exit status through pipes"
is "$out" "LINE ONE
LINE TWO" "shell passes stdin and stdout through pipes"
is "$(cat "$T/shell.err")" "to-stderr" "shell passes stderr apart"
out=$("$CORRALCTL" shell web -- /bin/cat /etc/hostname </dev/null)
is "$?" 0 "shell exits 0 for a command that succeeds"
is "$out" "web" "the command runs inside the machine (its hostname file)"
"$CORRALCTL" shell web -- /bin/sh -c 'kill -TERM $$' </dev/null
is "$?" 143 "a command killed by SIGTERM gives 128+15"
head -c 300000 /dev/urandom >"$T/big"
out=$("$CORRALCTL" shell web -- /bin/cat <"$T/big" | md5sum)
is "$out" "$(md5sum <"$T/big")" "300 kB pass through the shell unchanged"
ctl shell nobody@web -- /usr/bin/id -u </dev/null
is "$OUT" 65534 "shell USER@NAME runs as that user"
ctl shell web -E FOO=bar -- /bin/sh -c 'echo $FOO' </dev/null
is "$OUT" bar "shell -E sets the environment"

# The pty is corralctl's (from the host's devpts), so ttyname() inside
# finds no name for it; test -t is what counts.
out=$("$PY" "$S/tests/root/corralctl-pty.py" 20 \
        'expect:#;;send:[ -t 0 ] && [ -t 1 ] && echo $((6*7)) on a terminal\r;;expect:42 on a terminal;;send:exit 5\r' \
        -- "$CORRALCTL" shell web)
is "$?" 5 "shell on a terminal exits with the shell's status"
like "$out" "42 on a terminal" "shell on a terminal runs the user's shell on a pty"
out=$("$PY" "$S/tests/root/corralctl-pty.py" 20 \
        'expect:#;;send:stty size\r;;expect:24 80;;resize:33 111;;sleep:0.3;;send:stty size\r;;expect:33 111;;send:exit\r' \
        -- "$CORRALCTL" shell web)
is "$?" 0 "shell on a terminal: resized session ends fine"
like "$out" "24 80.*33 111" "the terminal's size reaches the machine, also after a resize (SIGWINCH)"

ctl_nobody shell web -- /bin/true </dev/null
is "$RC" 1 "a non-root caller may not run commands in a machine"
like "$ERR" "^Failed to run a command in machine 'web': Access denied" "... and is told so"

# --- login ----------------------------------------------------------------------
# web's console: its payload's output, nothing it reads (a console that
# answers: test-corrald-console.sh).
out=$("$PY" "$S/tests/root/corralctl-pty.py" 20 \
        'expect:Connected to machine web;;sleep:0.5;;send:ignored\r;;sleep:0.3;;send:\x1d\x1d\x1d' \
        -- "$CORRALCTL" login web)
is "$?" 0 "login ends with exit 0 after ^]^]^]"
like "$out" "Connection to machine web terminated" "login: the escape ends the session"
is "$(state_of web)" running "the machine keeps running after the escape"

# --- reboot, stop, terminate ------------------------------------------------------
ctl reboot web
is "$RC" 0 "reboot exits 0"
new_leader() { local l; l=$(leader_of web); [ -n "$l" ] && [ "$l" != 0 ] && [ "$l" != "$1" ] && state_is web running; }
ok "reboot gives the machine a new leader" wait_for 10 new_leader "$L"
ok "the old leader is gone" wait_for 5 test ! -d "/proc/$L"

L=$(leader_of web)
ctl stop web
is "$RC" 0 "stop exits 0"
ok "stop ends the machine" wait_for 10 state_is web stopped
ok "... and its leader" wait_for 5 test ! -d "/proc/$L"

LT=$(leader_of tick)
ctl terminate tick
is "$RC" 0 "terminate exits 0"
ok "terminate ends the machine" wait_for 5 eval '! state_is tick running'
ok "... and its leader" wait_for 5 test ! -d "/proc/$LT"

# --- a stopped machine --------------------------------------------------------------
ctl shell web -- /bin/true </dev/null
is "$RC" 1 "shell in a stopped machine exits 1"
like "$ERR" "machine 'web'.*not running" "... with a one-line reason"
ctl kill web
is "$RC" 1 "kill of a stopped machine exits 1"
ctl list
is "$OUT" "NAME STATE CLASS IMAGE LEADER ADDRESSES

0 machines listed." "list is empty again"

# --- several names at once ----------------------------------------------------------
ctl start web tick
is "$RC" 0 "start of two machines at once"
is "$(state_of web) $(state_of tick)" "running running" "... both run"
ctl stop web nope tick
is "$RC" 1 "stop with one missing name exits 1"
is "$ERR" "No machine 'nope'" "... naming only the missing one"
ok "... and still stops the others" wait_for 10 eval 'state_is web stopped && state_is tick stopped'

ctl start tick nope broken
is "$RC" 1 "start with a missing name and a failing machine exits 1"
like "$ERR" "No machine 'nope'" "... naming the missing one"
like "$ERR" "Machine 'broken' failed to start" "... and the failed one"
is "$(state_of tick)" running "... and still starts the good one"

done_testing
