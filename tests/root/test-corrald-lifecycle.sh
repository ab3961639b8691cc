#!/bin/bash
# corrald life cycle over D-Bus: start (running only after READY=1),
# properties, stop, terminate, kill leader/all, reboot, refused and
# unknown machines, MachineNew on reload, the console log.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
define app "/usr/bin/corral-test-payload status + write /tmp/started + sleep"
define trap-term "/usr/bin/corral-test-payload signals /tmp/signals"
printf '[Machine]\nDirectory=%s\nBogusKey=1\n' "$ROOTFS" >"$ROOT/etc/corral/machines/broken.machine"

start_bus
start_corrald

xml=$(busctl --address="$BUS" introspect --xml-interface org.corral.machine1 /org/corral/machine1)
like "$xml" '<method name="KillMachine">[^<]*<arg type="s" name="name" direction="in"/>[^<]*<arg type="s" name="whom" direction="in"/>[^<]*<arg type="i" name="signal" direction="in"/>' \
        "introspection names every argument"
busctl --address="$BUS" monitor --match "sender=org.corral.machine1" >"$T/monitor.log" 2>&1 &
monitor_pid=$!
defer "kill $monitor_pid"
sleep 0.3

out=$(call ListMachines)
like "$out" '"app" "container" "corral" "/org/corral/machine1/machine/app"' "ListMachines lists a defined machine"
is "$(prop app State)" stopped "a defined machine starts out stopped"

ok "StartMachine succeeds" call StartMachine s app
ok "the machine reaches running" wait_state app running
leader=$(prop app Leader)
ok "Leader is a live process" test -d "/proc/$leader"
ok "the leader is PID 1 of its own PID namespace" \
        test "$(readlink /proc/$leader/ns/pid)" != "$(readlink /proc/self/ns/pid)"
is "$(awk '/^NSpid:/ { print $NF }' /proc/$leader/status)" 1 "the leader is PID 1 inside"
ok "the payload ran" wait_for 5 test -e "/proc/$leader/root/tmp/started"
ts=$(prop app Timestamp)
ok "Timestamp is set when running" test "$ts" -gt 0
tasks=$(prop app TasksCurrent)
ok "TasksCurrent counts the container's processes ($tasks)" test "$tasks" -ge 2 -a "$tasks" -lt 100
mem=$(prop app MemoryCurrent)
ok "MemoryCurrent is read from its cgroup ($mem)" test "$mem" -gt 0 -a "$mem" != 18446744073709551615
ok "state file records the leader" grep -qx "LEADER=$leader" "$ROOT/run/corral/machines/app/state"

p=$(call GetMachineByPID u "$leader" | sed 's/^o "\(.*\)"$/\1/')
is "$p" /org/corral/machine1/machine/app "GetMachineByPID finds the machine of its leader"

ok "StartMachine on a running machine is fine" call StartMachine s app
is "$(prop app Leader)" "$leader" "... and starts nothing new"

ok "StopMachine succeeds" call StopMachine s app
ok "the machine reaches stopped" wait_state app stopped
ok "the leader is gone" wait_for 5 test ! -d "/proc/$leader"
ok "the state file is gone after a stop" test ! -e "$ROOT/run/corral/machines/app/state"
is "$(prop app Leader)" 0 "Leader is 0 when stopped"

# A payload that ignores SIGTERM is killed after StopTimeoutSec=.
define stubborn "/usr/bin/corral-test-payload ignore-term + sleep" "StopTimeoutSec=1s"
call Reload >/dev/null
call StartMachine s stubborn >/dev/null
wait_state stubborn running
leader=$(prop stubborn Leader)
t0=$SECONDS
call StopMachine s stubborn >/dev/null
ok "a payload ignoring SIGTERM is stopped after the stop timeout" wait_state stubborn stopped 15
ok "... within the timeout and a grace period ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -le 8
ok "... and its leader is gone" test ! -d "/proc/$leader"

# Terminate: SIGKILL now, state stopped (asked for), no restart.
call StartMachine s app >/dev/null
wait_state app running
leader=$(prop app Leader)
ok "TerminateMachine succeeds" call TerminateMachine s app
ok "terminated machine is stopped" wait_state app stopped 10
ok "terminated leader is gone" test ! -d "/proc/$leader"

# A monitor killed outright cannot clean up: corrald removes its sockets
# (the console log stays for logs/status).
call StartMachine s app >/dev/null
wait_state app running
leader=$(prop app Leader)
mon=$(sed -n 's/^MONITOR=//p' "$ROOT/run/corral/machines/app/state")
kill -KILL "$mon"
ok "a SIGKILLed monitor's machine is failed" wait_state app failed 10
ok "... its container is gone" wait_for 5 test ! -d "/proc/$leader"
ok "... corrald removed its state file and sockets" \
        test ! -e "$ROOT/run/corral/machines/app/state" -a ! -e "$ROOT/run/corral/machines/app/notify" \
        -a ! -e "$ROOT/run/corral/machines/app/console"
ok "... and kept its console log" test -f "$ROOT/run/corral/machines/app/log"

# KillMachine leader with a signal the payload records.
call StartMachine s trap-term >/dev/null
wait_state trap-term running
leader=$(prop trap-term Leader)
ok "KillMachine leader SIGUSR1" call KillMachine ssi trap-term leader 10
ok "the payload got SIGUSR1 through PID 1" \
        wait_for 5 grep -q USR1 "/proc/$leader/root/tmp/signals"
ok "KillMachine all SIGKILL" call KillMachine ssi trap-term all 9
ok "killed machine is failed" wait_state trap-term failed 10
like "$(prop trap-term ExitStatus)" '^(137|1)$' "ExitStatus records the kill"

# Reboot: a new leader, running again.
call StartMachine s app >/dev/null
wait_state app running
leader=$(prop app Leader)
ok "RebootMachine succeeds" call RebootMachine s app
ok "a new leader after the reboot" wait_for 10 sh -c "l=\$(busctl --address='$BUS' get-property org.corral.machine1 /org/corral/machine1/machine/app $MACHINE_IFACE Leader | cut -d' ' -f2); [ \"\$l\" != 0 ] && [ \"\$l\" != $leader ]"
ok "running again after the reboot" wait_state app running
call StopMachine s app >/dev/null
wait_state app stopped

# Errors.
err=$(call StartMachine s nope 2>&1)
like "$err" "No machine 'nope'" "an unknown machine is NoSuchMachine"
err=$(call StartMachine s broken 2>&1)
like "$err" "broken.machine:3" "a refused definition names file:line"
like "$(call ListRefusedDefinitions)" '"broken"' "ListRefusedDefinitions lists it"

# Reload picks up a new definition.
define added "/usr/bin/corral-test-payload sleep"
ok "Reload succeeds" call Reload
like "$(call ListMachines)" '"added"' "a new definition appears after Reload"

rm "$ROOT/etc/corral/machines/added.machine"
call Reload >/dev/null
ok "a removed definition's machine goes on Reload" bash -c "! busctl --address='$BUS' call org.corral.machine1 $MANAGER_PATH $MANAGER_IFACE ListMachines | grep -q added"
sleep 0.3
kill "$monitor_pid"
wait "$monitor_pid" 2>/dev/null
mon=$(cat "$T/monitor.log")
like "$mon" 'Member=PropertiesChanged' "PropertiesChanged is emitted on state changes"
like "$mon" 'STRING "State";[^}]*STRING "running"' "... carrying the new State"
like "$mon" 'Member=MachineNew' "MachineNew is emitted for a new definition"
like "$mon" 'Member=MachineRemoved' "MachineRemoved is emitted for a removed one"

# The console log.
ok "the console log holds the payload's output" \
        grep -q "pid" "$ROOT/run/corral/machines/app/log"

done_testing
