#!/bin/bash
# corrald benchmark (root): prints figures, asserts nothing.
#
#   tests/bench/bench-corrald.sh [BUILD_DIR] [N_RUNS] [N_MACHINES]
#
# 1. StartMachine -> running for one machine, N_RUNS times, against
#    `corral-run --monitor` started by hand: the end point of both is the
#    TIMESTAMP= the monitor writes into the state file when the container's
#    PID 1 reported READY=1, so both are measured the same way. The
#    corrald figure includes busctl's own start and connect; a no-op call
#    (GetMachine) is measured too so it can be taken out.
# 2. N_MACHINES machines with Autostart=yes: corrald start -> all running.
# 3. Memory (PSS) of corrald and per machine (the monitor and the
#    container's PID 1, its child) with N_MACHINES running.
set -u
BUILD=${1:-build}
RUNS=${2:-30}
N=${3:-100}
export CORRAL_BUILD_DIR=$(cd "$BUILD" && pwd)
export CORRAL_SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
. "$CORRAL_SOURCE_DIR/tests/root/lib.sh"
. "$CORRAL_SOURCE_DIR/tests/root/corrald-lib.sh"
require_root
exec 3>&1 >/dev/null   # lib.sh's TAP helpers are not used; figures go to fd 3
say() { echo "$@" >&3; }

make_test_rootfs
define one "/usr/bin/corral-test-payload sleep"
start_bus
start_corrald
SF=$ROOT/run/corral/machines/one/state

usec() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ready_ts() { sed -n 's/^TIMESTAMP=//p' "$1" 2>/dev/null; }
wait_running_file() { wait_for 20 grep -qsx STATE=running "$1"; }

: >"$T/d-run"
: >"$T/d-corrald"
: >"$T/d-noop"
for i in $(seq 1 "$RUNS"); do
        # corral-run --monitor alone.
        t0=$(usec)
        "$CORRAL_RUN" --monitor -M solo -D "$ROOTFS" --root "$T/solo" -- /usr/bin/corral-test-payload sleep \
                >/dev/null 2>&1 &
        pid=$!
        wait_running_file "$T/solo/run/corral/machines/solo/state"
        echo $(($(ready_ts "$T/solo/run/corral/machines/solo/state") - t0)) >>"$T/d-run"
        kill -TERM $pid
        wait $pid

        # Through corrald.
        t0=$(usec)
        call StartMachine s one >/dev/null
        wait_running_file "$SF"
        echo $(($(ready_ts "$SF") - t0)) >>"$T/d-corrald"
        t0=$(usec)
        call GetMachine s one >/dev/null
        echo $(($(usec) - t0)) >>"$T/d-noop"
        call StopMachine s one >/dev/null
        wait_state one stopped
done
run_med=$(median <"$T/d-run")
d_med=$(median <"$T/d-corrald")
noop_med=$(median <"$T/d-noop")
say "start -> running, one machine, median of $RUNS runs:"
say "  corral-run --monitor alone:      $((run_med / 1000)).$(printf %03d $((run_med % 1000))) ms"
say "  StartMachine through corrald:    $((d_med / 1000)).$(printf %03d $((d_med % 1000))) ms (busctl included)"
say "  busctl no-op call (GetMachine):  $((noop_med / 1000)).$(printf %03d $((noop_med % 1000))) ms"
spawn_med=$(sed -n "s/.*Machine 'one': started monitor (PID [0-9]*) in \([0-9]*\) us.*/\1/p" "$T/corrald.log" | median)
spawn_cpu=$(sed -n "s/.*Machine 'one': started monitor (PID [0-9]*) in [0-9]* us (\([0-9]*\) us CPU).*/\1/p" "$T/corrald.log" | median)
say "  corrald's fork of the monitor (the synchronous part of a start): ${spawn_med} us wall, ${spawn_cpu} us CPU"
over=$((d_med - run_med - noop_med))
if [ "$over" -lt 0 ]; then
        say "  corrald's own cost (wall difference): below the noise of this host (goal < 2 ms);"
        say "  the spawn CPU time above is the load-independent figure"
else
        say "  corrald's own cost (wall difference): $((over / 1000)).$(printf %03d $((over % 1000))) ms (goal < 2 ms)"
fi

# N machines at once.
kill "$CORRALD_PID"
wait "$CORRALD_PID" 2>/dev/null
for i in $(seq 1 "$N"); do
        define "m$i" "/usr/bin/corral-test-payload sleep" "Autostart=yes"
done
t0=$(usec)
start_corrald
all_running() {
        local f c=0
        for f in "$ROOT"/run/corral/machines/m*/state; do
                grep -qsx STATE=running "$f" && c=$((c + 1))
        done
        [ "$c" -eq "$N" ]
}
wait_for 300 all_running
last=0
for f in "$ROOT"/run/corral/machines/m*/state; do
        ts=$(ready_ts "$f")
        [ "$ts" -gt "$last" ] && last=$ts
done
total=$((last - t0))
say "$N machines with Autostart=yes: corrald start -> all running: $((total / 1000)) ms" \
        "($((total / N / 1000)).$(printf %03d $((total / N % 1000))) ms per machine on $(nproc) CPUs)"

pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
say "memory with $N machines running (PSS):"
say "  corrald:       $(pss "$CORRALD_PID") KiB"
sum=0
cnt=0
for f in "$ROOT"/run/corral/machines/m*/state; do
        mon=$(sed -n 's/^MONITOR=//p' "$f")
        child=$(cat "/proc/$mon/task/$mon/children" 2>/dev/null | awk '{ print $1 }')
        sum=$((sum + $(pss "$mon") + ${child:+$(pss "$child")}+0))
        cnt=$((cnt + 1))
done
say "  per machine:   $((sum / cnt)) KiB (monitor + the container's PID 1)"
