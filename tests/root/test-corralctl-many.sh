#!/bin/bash
# corrald and corralctl with more machines than the limits they run
# under: corrald started with a soft RLIMIT_NOFILE of 64 (it keeps two
# pidfds per running machine) raises it for itself and gives the original
# back to monitors, containers and shell commands; a bus allowing 8 match
# rules per connection still lets `corralctl start` wait for 32 machines
# (one match for all of them); ListMachinesWithProperties returns every
# machine with the properties asked for, in one call, as list uses it;
# stop of all of them leaves nothing behind.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/corralctl-lib.sh"

N=32
BUS_LIMITS='<limit name="max_match_rules_per_connection">8</limit>'
start_bus
names=()
for i in $(seq 1 $N); do
        define_machine "cmany$i" 'exec sleep 1000'
        names+=("cmany$i")
done
ulimit -Sn 64
start_corrald
ulimit -Sn "$(ulimit -Hn)"
defer_machine_cleanup

soft_nofile() { awk '/^Max open files/ { print $4 }' "/proc/$1/limits"; }
hard=$(awk '/^Max open files/ { print $5 }' "/proc/$CORRALD_PID/limits")
is "$(soft_nofile "$CORRALD_PID")" "$hard" "corrald raised its soft fd limit to the hard limit"

ctl start "${names[@]}"
is "$RC" 0 "start of $N machines waits for all of them (bus allows 8 match rules)"
[ "$RC" = 0 ] || diag "$ERR"
ctl --no-legend list
is "$(grep -c ' running ' <<<"$OUT")" "$N" "list shows all $N running"
ok "corrald holds more fds than the soft limit it was started with" \
        test "$(ls "/proc/$CORRALD_PID/fd" | wc -l)" -gt 64

state=$ROOT/run/corral/machines/cmany1/state
monitor=$(sed -n 's/^MONITOR=//p' "$state")
leader=$(sed -n 's/^LEADER=//p' "$state")
is "$(soft_nofile "$monitor")" 64 "the monitor gets the limit corrald was started with"
is "$(soft_nofile "$leader")" 64 "... and so does the container"
ctl shell cmany1 -- /bin/sh -c 'ulimit -n' </dev/null
is "$OUT" 64 "... and a shell command in it"
[ "$OUT" = 64 ] || diag "rc $RC: $ERR"

# --- ListMachinesWithProperties ---------------------------------------------
list_props() {
        busctl --address="$CORRAL_BUS_ADDRESS" --json=short call org.corral.machine1 /org/corral/machine1 \
                org.corral.machine1.Manager ListMachinesWithProperties as "$@"
}
out=$(list_props 2 State Leader)
is "$(json_get "$out" 'len(j["data"][0])')" "$N" "ListMachinesWithProperties lists every machine"
is "$(json_get "$out" '",".join(sorted(set(",".join(sorted(m[2])) for m in j["data"][0])))')" "Leader,State" \
        "... with exactly the properties asked for"
is "$(json_get "$out" '[m for m in j["data"][0] if m[0] == "cmany1"][0][2]["Leader"]["data"]')" "$leader" \
        "... and their values (Leader)"
is "$(json_get "$out" '[m[1] for m in j["data"][0] if m[0] == "cmany1"][0]')" /org/corral/machine1/machine/cmany1 \
        "... and the object path"
all=$(list_props 0)
getall=$(busctl --address="$CORRAL_BUS_ADDRESS" --json=short call org.corral.machine1 \
        /org/corral/machine1/machine/cmany1 org.freedesktop.DBus.Properties GetAll s org.corral.machine1.Machine)
is "$(json_get "$all" '",".join(sorted([m for m in j["data"][0] if m[0] == "cmany1"][0][2]))')" \
        "$(json_get "$getall" '",".join(sorted(j["data"][0]))')" "an empty list gives what GetAll gives"
err=$(list_props 1 NoSuchThing 2>&1)
like "$err" "NoSuchThing" "an unknown property is refused, named"

ctl --json=short list
is "$(json_get "$OUT" 'len([m for m in j if m["state"] == "running"])')" "$N" "list --json shows all $N running"

# --- stop all -----------------------------------------------------------------
ctl stop "${names[@]}"
is "$RC" 0 "stop of $N machines at once"
all_stopped() { ! ls "$ROOT"/run/corral/machines/*/state >/dev/null 2>&1; }
ok "all $N stopped" wait_for 30 all_stopped
ctl --no-legend list
is "$OUT" "" "list shows none running"
left=0
for i in $(seq 1 $N); do
        for d in /sys/fs/cgroup/*/corral.slice/"cmany$i"; do
                [ -d "$d" ] && left=$((left + 1))
        done
done
is "$left" 0 "no machine cgroup is left"

done_testing
