#!/bin/bash
# Restart=on-failure with RestartSec= and exponential backoff on a
# crashing payload; the crash loop neither starves another machine nor
# the bus; StopMachine ends the loop; Restart=no and Restart=always.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
define crash "/usr/bin/corral-test-payload exit 3" "Restart=on-failure" "RestartSec=200ms"
define once "/usr/bin/corral-test-payload exit 3" "Restart=no"
define clean "/usr/bin/corral-test-payload sleep 0.2" "Restart=always" "RestartSec=100ms"
define other "/usr/bin/corral-test-payload sleep"
start_bus
start_corrald

call StartMachine s crash >/dev/null
# The times at which RestartCount changes, from the host.
times=()
last=0
deadline=$((SECONDS + 20))
while [ ${#times[@]} -lt 4 ] && [ $SECONDS -lt $deadline ]; do
        c=$(prop crash RestartCount)
        if [ -n "$c" ] && [ "$c" != "$last" ]; then
                times+=("${EPOCHREALTIME/./}")
                last=$c
        fi
        sleep 0.01
done
is "${#times[@]}" 4 "the crashing machine is restarted again and again"
gaps=()
for i in 1 2 3; do gaps+=($(((times[i] - times[i - 1]) / 1000))); done
diag "gaps between restarts (ms): ${gaps[*]}"
ok "the backoff grows (about 400, 800, 1600 ms)" \
        test "${gaps[0]}" -ge 300 -a "${gaps[1]}" -ge 650 -a "${gaps[2]}" -ge 1300
ok "the second gap is longer than the first" test "${gaps[1]}" -gt "${gaps[0]}"
ok "the third gap is longer than the second" test "${gaps[2]}" -gt "${gaps[1]}"

# Meanwhile the bus answers and another machine starts.
t0=${EPOCHREALTIME/./}
call ListMachines >/dev/null
t1=${EPOCHREALTIME/./}
ok "the bus answers during the crash loop (< 500 ms)" test $(((t1 - t0) / 1000)) -lt 500
call StartMachine s other >/dev/null
ok "another machine starts during the crash loop" wait_state other running 10

like "$(prop crash State)" '^(failed|starting|running)$' "the crashing machine is between attempts"
is "$(prop crash ExitStatus)" 3 "its exit status is kept"
ok "StopMachine ends the crash loop" call StopMachine s crash
ok "... it is stopped" wait_state crash stopped 5
c=$(prop crash RestartCount)
sleep 2
is "$(prop crash RestartCount)" "$c" "no restart after the stop"

call StartMachine s once >/dev/null
ok "Restart=no: failed and stays so" wait_state once failed 10
sleep 1
is "$(prop once RestartCount)" 0 "Restart=no never restarts"

call StartMachine s clean >/dev/null
ok "Restart=always restarts a clean exit too" wait_for 10 sh -c "[ \"\$(busctl --address='$BUS' get-property org.corral.machine1 /org/corral/machine1/machine/clean $MACHINE_IFACE RestartCount | cut -d' ' -f2)\" -ge 2 ]"
call StopMachine s clean >/dev/null
wait_state clean stopped 10
call StopMachine s other >/dev/null
wait_state other stopped 10

done_testing
