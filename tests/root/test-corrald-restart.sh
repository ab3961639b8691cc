#!/bin/bash
# Restart=on-failure with RestartSec= and exponential backoff on a
# crashing payload; the crash loop neither starves another machine nor
# the bus; StopMachine ends the loop; Restart=no and Restart=always.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
mkdir -p "$T/out"
# Each run records its start (host uptime, centiseconds) in a bind-mounted file.
define crash '/bin/sh -c "cut -d\" \" -f1 /proc/uptime >>/out/starts; exit 3"' "Restart=on-failure" "RestartSec=200ms" \
        "[Files]" "Bind=$T/out:/out"
define once "/usr/bin/corral-test-payload exit 3" "Restart=no"
define clean "/usr/bin/corral-test-payload sleep 0.2" "Restart=always" "RestartSec=100ms"
define other "/usr/bin/corral-test-payload sleep"
start_bus
start_corrald

call StartMachine s crash >/dev/null
ok "the crashing machine is restarted again and again" wait_for 30 bash -c "[ \$(wc -l <'$T/out/starts') -ge 5 ]"
mapfile -t starts <"$T/out/starts"
gaps=()
for i in 1 2 3 4; do
        gaps+=($(awk -v a="${starts[i - 1]}" -v b="${starts[i]}" 'BEGIN { printf "%d", (b - a) * 1000 }'))
done
diag "gaps between starts (ms): ${gaps[*]} (RestartSec=200ms doubling: 200, 400, 800, 1600 plus the run itself)"
ok "each gap is at least its backoff delay" \
        test "${gaps[0]}" -ge 190 -a "${gaps[1]}" -ge 390 -a "${gaps[2]}" -ge 790 -a "${gaps[3]}" -ge 1590
ok "the backoff grows: the last gap is well above the first" test "${gaps[3]}" -ge $((gaps[0] + 1000))
ok "and above the one before" test "${gaps[3]}" -gt "${gaps[2]}"

# Meanwhile the bus answers and another machine starts.
t0=${EPOCHREALTIME/./}
call ListMachines >/dev/null
t1=${EPOCHREALTIME/./}
ok "the bus answers during the crash loop (< 2 s on a loaded host)" test $(((t1 - t0) / 1000)) -lt 2000
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
