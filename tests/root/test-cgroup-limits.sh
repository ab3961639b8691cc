#!/bin/bash
# Limits hold on the real host: MemoryMax OOM-kills inside the machine
# only, TasksMax contains a fork bomb and the machine can still be
# stopped, CPUQuota holds a busy loop near its share; every process is
# in the machine's cgroup from its first instruction; nothing is left.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/cgroup-lib.sh"

# A private copy of the payload, so that pgrep finds only ours.
cp "$PAYLOAD" "$T/payload"
P=$T/payload

# --- the first process is in the machine's cgroup in every hierarchy ---
"$CGRUN" --root "$CG_ROOT" --name first-$$ -- /bin/cat /proc/self/cgroup >"$T/first.cg"
want=$(awk -F: '{ print $3 }' /proc/self/cgroup | sed "s|.*|/$CG_ROOT/first-$$|" | sort -u)
got=$(awk -F: '{ print $3 }' "$T/first.cg" | sort -u)
is "$got" "$want" "the payload starts inside the machine's cgroup in every hierarchy"
is "$(cg_left first-$$)" "" "the machine's cgroup is gone after it ended"

# --- MemoryMax=32M: a 200 MB allocation is OOM-killed inside ---
sleep 300 &
sentinel=$!
defer "kill $sentinel"
"$CGRUN" --root "$CG_ROOT" --name nb-$$ --ready "$T/nb.pid" -- "$P" sleep 120 &
nb_tool=$!
defer "kill $nb_tool"
wait_for 5 test -s "$T/nb.pid"
nb=$(cat "$T/nb.pid")

"$CGRUN" --root "$CG_ROOT" --name oom-$$ -p MemoryMax=32M --stats "$T/oom.stats" --ready "$T/oom.pid" \
        -- "$P" sleep 1 + alloc 200 + write "$T/oom.survived" &
oom_tool=$!
wait_for 5 test -s "$T/oom.pid"
if [ $CG_V2 = 1 ]; then
        lim=$(cat "$(cg_dir memory oom-$$)/memory.max")
else
        lim=$(cat "$(cg_dir memory oom-$$)/memory.limit_in_bytes")
fi
is "$lim" 33554432 "MemoryMax=32M is the machine's memory limit"
wait $oom_tool
rc=$?
is "$rc" 137 "the allocating payload died of SIGKILL"
ok "it did not get past the allocation" test ! -e "$T/oom.survived"
oom_kills=$(stat_of "$T/oom.stats" oom_kills)
ok "the machine's accounting counts the OOM kill ($oom_kills)" test "$oom_kills" -ge 1
peak=$(stat_of "$T/oom.stats" memory_peak)
ok "its memory peak stayed at the limit ($peak)" test "$peak" -le 33554432
ok "the neighbour machine is untouched" kill -0 "$nb"
ok "a host process is untouched" kill -0 "$sentinel"
nb_cg=$(cg_dir memory nb-$$)
ok "the neighbour is still in its own cgroup" grep -qx "$nb" "$nb_cg/cgroup.procs"
kill "$nb_tool"
wait "$nb_tool"
is "$(cg_left oom-$$)$(cg_left nb-$$)" "" "both cgroups are gone"

# --- TasksMax=32: a fork bomb is contained, the machine still stops ---
"$CGRUN" --root "$CG_ROOT" --name fb-$$ -p TasksMax=32 --stats "$T/fb.stats" \
        -- "$P" forkbomb + write "$T/fb.done" + sleep >"$T/fb.out" &
fb_tool=$!
defer "kill $fb_tool"
wait_for 20 test -e "$T/fb.done"
ok "the fork bomb hit the limit and went on" test -e "$T/fb.done"
pids_dir=$(cg_dir pids fb-$$)
is "$(cat "$pids_dir/pids.max")" 32 "TasksMax=32 is the machine's pids.max"
cur=$(cat "$pids_dir/pids.current")
ok "the machine has at most 32 tasks ($cur)" test "$cur" -le 32
forked=$(sed -n 's/^forked=//p' "$T/fb.out")
is "$forked" 31 "the bomb made 31 children next to itself, then fork failed"
t0=$(date +%s%N)
kill -TERM "$fb_tool"
wait "$fb_tool"
t1=$(date +%s%N)
ok "stopping the machine took under 5 s ($(((t1 - t0) / 1000000)) ms)" test $(((t1 - t0) / 1000000)) -lt 5000
is "$(cg_left fb-$$)" "" "its cgroup is gone, so no process of it is left"
is "$(pgrep -c -f "^$P")" 0 "no bomb process survived"

# --- CPUQuota=20%: a busy loop gets about a fifth of one CPU ---
# An unlimited spinner runs next to it as the control: on a busy host
# neither gets a whole CPU, and the quota'd one is judged against it.
"$CGRUN" --root "$CG_ROOT" --name ctl-$$ --kill-after 4 --stats "$T/ctl.stats" -- "$P" spin &
ctl_tool=$!
defer "kill $ctl_tool"
"$CGRUN" --root "$CG_ROOT" --name cpu-$$ -p CPUQuota=20% --kill-after 4 --stats "$T/cpu.stats" \
        --ready "$T/cpu.pid" -- "$P" spin &
cpu_tool=$!
wait_for 5 test -s "$T/cpu.pid"
if [ $CG_V2 = 1 ]; then
        is "$(cat "$(cg_dir cpu cpu-$$)/cpu.max")" "20000 100000" "CPUQuota=20% is cpu.max"
else
        is "$(cat "$(cg_dir cpu cpu-$$)/cpu.cfs_quota_us")/$(cat "$(cg_dir cpu cpu-$$)/cpu.cfs_period_us")" \
                "20000/100000" "CPUQuota=20% is the CFS quota over its period"
fi
wait $cpu_tool $ctl_tool
ms=$(($(stat_of "$T/cpu.stats" cpu_usage_nsec) / 1000000))
ctl=$(($(stat_of "$T/ctl.stats" cpu_usage_nsec) / 1000000))
diag "CPU time over 4 s: $ms ms at CPUQuota=20%, $ctl ms unlimited"
# 4 s of wall time: 20% is 800 ms of CPU.
ok "the quota holds: at most 25% of one CPU ($ms ms of 4000)" test $ms -le 1000
ok "the busy loop got near its 20% ($ms ms; at least 600, or 60% of the control's)" \
        test $ms -ge 600 -o $((ms * 10)) -ge $((ctl * 6))
is "$(cg_left cpu-$$)$(cg_left ctl-$$)" "" "their cgroups are gone"

# --- a limit this host cannot apply (MemoryHigh on v1) does not stop it ---
"$CGRUN" --root "$CG_ROOT" --name warn-$$ -p MemoryHigh=64M -p TasksMax=40 \
        -- /bin/sh -c "cat $(cg_dir pids warn-$$)/pids.max" >"$T/warn.out" 2>/dev/null
is "$?" 0 "a limit the host lacks does not fail the machine"
is "$(cat "$T/warn.out")" 40 "the other limits still apply"

is "$(find "$(cg_dir memory "")" -mindepth 1 -type d | wc -l)" 0 "no machine cgroup is left"
done_testing
