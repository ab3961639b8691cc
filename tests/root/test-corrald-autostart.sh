#!/bin/bash
# Autostart=yes machines start with corrald, in parallel (a machine whose
# start hangs holds no other); EnableMachine/DisableMachine persist across
# corrald restarts and win over the definition.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
for i in 1 2 3 4 5; do
        define "auto$i" "/usr/bin/corral-test-payload sleep" "Autostart=yes"
done
# Never reports READY=1: stays starting, and must not delay the others.
define slow "/usr/bin/corral-test-payload sleep" "Autostart=yes" "[Exec]" "NotifyReady=yes"
define manual "/usr/bin/corral-test-payload sleep"

start_bus
t0=$SECONDS
start_corrald
all_auto() {
        local i
        for i in 1 2 3 4 5; do state_is "auto$i" running || return 1; done
}
ok "every Autostart=yes machine runs" wait_for 30 all_auto
ok "... within a few seconds, in parallel" test $((SECONDS - t0)) -lt 15
is "$(prop slow State)" starting "a machine that never reports ready stays starting"
is "$(prop manual State)" stopped "a machine without Autostart= is not started"
is "$(prop auto1 Autostart)" true "Autostart property of an autostart machine"

ok "EnableMachine" call EnableMachine s manual
ok "DisableMachine" call DisableMachine s auto1
is "$(prop manual Autostart)" true "Autostart follows EnableMachine"
is "$(prop auto1 Autostart)" false "Autostart follows DisableMachine"

# Stop everything, restart corrald: the overrides hold.
for m in auto1 auto2 auto3 auto4 auto5 slow; do call TerminateMachine s $m >/dev/null; done
for m in auto1 auto2 auto3 auto4 auto5 slow; do wait_state $m stopped 10; done
kill "$CORRALD_PID"
wait "$CORRALD_PID" 2>/dev/null
start_corrald
ok "an enabled machine starts with corrald" wait_state manual running 15
ok "an autostart machine still starts" wait_state auto2 running 15
sleep 1
is "$(prop auto1 State)" stopped "a disabled machine does not start, whatever its definition says"

for m in manual auto2 auto3 auto4 auto5 slow; do call TerminateMachine s $m >/dev/null; done
for m in manual auto2 auto3 auto4 auto5 slow; do wait_state $m stopped 10; done

done_testing
