#!/bin/bash
# corrald SIGKILLed with 20 running machines: they keep running; a new
# corrald adopts all 20 with the same leader, state and start time, and
# controls them; an exit that happened while corrald was down is not
# lost; a stale state file (machine gone) is cleaned up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

N=20
make_test_rootfs
for i in $(seq 1 $N); do
        define "m$i" "/usr/bin/corral-test-payload wait-file /tmp/go + exit 7"
done
start_bus
start_corrald

for i in $(seq 1 $N); do call StartMachine s "m$i" >/dev/null; done
all_running() {
        local i
        for i in $(seq 1 $N); do state_is "m$i" running || return 1; done
}
ok "$N machines running" wait_for 60 all_running

declare -A leader ts
for i in $(seq 1 $N); do
        leader[$i]=$(prop "m$i" Leader)
        ts[$i]=$(prop "m$i" Timestamp)
done

kill -9 "$CORRALD_PID"
wait "$CORRALD_PID" 2>/dev/null
alive=0
for i in $(seq 1 $N); do [ -d "/proc/${leader[$i]}" ] && alive=$((alive + 1)); done
is "$alive" "$N" "every container survives SIGKILL of corrald"

# While corrald is down: m1 ends by itself (exit 7), m2's monitor and
# container vanish without a word (a stale state file).
touch "/proc/${leader[1]}/root/tmp/go"
ok "m1 ended while corrald was down" wait_for 10 grep -qx STATE=failed "$ROOT/run/corral/machines/m1/state"
mon2=$(sed -n 's/^MONITOR=//p' "$ROOT/run/corral/machines/m2/state")
kill -9 "$mon2" "${leader[2]}"
# Nobody is left to remove m2's cgroup (the next start of m2 would).
defer "remove_machine_cgroups m2"
ok "m2 is gone" wait_for 5 test ! -d "/proc/${leader[2]}"

start_corrald
same=0
for i in $(seq 3 $N); do
        [ "$(prop "m$i" State)" = running ] && [ "$(prop "m$i" Leader)" = "${leader[$i]}" ] &&
                [ "$(prop "m$i" Timestamp)" = "${ts[$i]}" ] && same=$((same + 1))
done
is "$same" "$((N - 2))" "the new corrald adopts every running machine with its leader, state and start time"
is "$(prop m1 State)" failed "the exit while corrald was down is recorded"
is "$(prop m1 ExitStatus)" 7 "... with its exit status"
is "$(prop m2 State)" failed "a machine whose monitor vanished is failed"
ok "its stale state file was removed" test ! -e "$ROOT/run/corral/machines/m2/state"

# Adopted machines are controllable.
ok "StopMachine of an adopted machine" call StopMachine s m3
ok "it stops" wait_state m3 stopped 15
ok "its leader is gone" test ! -d "/proc/${leader[3]}"
touch "/proc/${leader[4]}/root/tmp/go"
ok "an adopted machine's own exit is seen" wait_state m4 failed 10
is "$(prop m4 ExitStatus)" 7 "... with its status"
ok "TerminateMachine of an adopted machine" call TerminateMachine s m5
ok "it is stopped" wait_state m5 stopped 10

stop_all() {
        local i
        for i in $(seq 6 $N); do call StopMachine s "m$i" >/dev/null; done
        for i in $(seq 6 $N); do wait_state "m$i" stopped 20 || return 1; done
}
ok "every other adopted machine stops through the new corrald" stop_all

done_testing
