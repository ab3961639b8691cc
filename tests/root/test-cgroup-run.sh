#!/bin/bash
# cgroups through corral-run, in real containers: the container's first
# process is in corral.slice/NAME, the limits of -p hold (OOM inside with
# a neighbour untouched, a contained fork bomb that can still be stopped),
# systemd inside sees its own cgroup as the root, a forking machine is
# stopped, a cgroup left by a crashed corral-run is cleaned at the next
# start, and none is left after any of it.
. "$(dirname "$0")/lib.sh"
require_root
[ -x "$CORRAL_RUN" ] || { echo "1..0 # SKIP corral-run not built"; exit 0; }

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then V2=1; else V2=0; fi
cg() { # cg CONTROLLER NAME: the machine's cgroup directory
        if [ $V2 = 1 ]; then echo "/sys/fs/cgroup/corral.slice/$2"; else echo "/sys/fs/cgroup/$1/corral.slice/$2"; fi
}
cg_left() { # every directory of machine NAME still present
        awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo | while read -r m; do
                [ -d "$m/corral.slice/$1" ] && echo "$m/corral.slice/$1"
        done
        return 0
}
# Only our machines' cgroups, never corral.slice itself (others use it).
cleanup_machines() {
        local n m d
        for n in "$@"; do
                for d in $(cg_left "$n"); do
                        [ -f "$d/cgroup.kill" ] && echo 1 >"$d/cgroup.kill"
                        xargs -r kill -9 <"$d/cgroup.procs"
                done
        done
        sleep 0.2
        for n in "$@"; do
                for d in $(cg_left "$n"); do find "$d" -depth -type d -exec rmdir {} \; ; done
        done
}
N=(first-$$ oom-$$ nb-$$ fb-$$ fl-$$ crash-$$)
defer "cleanup_machines ${N[*]}"

make_rootfs "$T/root"
mkdir -p "$T/shared"
RUN=("$CORRAL_RUN" -q -D "$T/root" --bind "$T/shared:/shared")
PL=/usr/bin/corral-test-payload

# --- the container starts in its cgroup, which is its cgroup namespace root ---
"${RUN[@]}" -M first-$$ -p MemoryMax=48M -- /bin/sh -c \
        'cut -d: -f3 /proc/self/cgroup | sort -u; ls /sys/fs/cgroup >/shared/ls' >"$T/first.out"
is "$?" 0 "a container with limits runs"
is "$(cat "$T/first.out")" "/" "inside, its own cgroup is the root of every hierarchy"
if [ $V2 = 0 ]; then
        like "$(tr '\n' ' ' <"$T/shared/ls")" "memory .*systemd.*unified" \
                "the v1/hybrid cgroup layout is mounted for systemd inside"
fi
is "$(cg_left first-$$)" "" "its cgroup is gone after it stopped"

# --- MemoryMax=32M: the allocation is OOM-killed inside, the neighbour lives ---
"${RUN[@]}" -M nb-$$ -- $PL write /shared/nb.ready + sleep &
nb=$!
defer "kill $nb"
wait_for 10 test -e "$T/shared/nb.ready"
"${RUN[@]}" -M oom-$$ -p MemoryMax=32M -- $PL alloc 200 + write /shared/oom.survived
is "$?" 137 "the payload allocating 200 MB died of SIGKILL (exit 137)"
ok "it did not get past the allocation" test ! -e "$T/shared/oom.survived"
ok "the neighbour container still runs" kill -0 $nb
ok "the neighbour's processes are still in its cgroup" grep -q . "$(cg memory nb-$$)/cgroup.procs"
kill -TERM $nb
wait_for 15 eval "! kill -0 $nb 2>/dev/null"
ok "the neighbour stops when asked" eval "! kill -0 $nb 2>/dev/null"
wait $nb
is "$(cg_left oom-$$)$(cg_left nb-$$)" "" "both cgroups are gone"

# --- TasksMax=32: a fork bomb is contained and the machine still stops ---
"${RUN[@]}" -M fb-$$ -p TasksMax=32 --stop-timeout 3s -- $PL forkbomb + write /shared/fb.done + sleep >/dev/null &
fb=$!
defer "kill $fb"
wait_for 20 test -e "$T/shared/fb.done"
ok "the fork bomb hit the limit and went on" test -e "$T/shared/fb.done"
cur=$(cat "$(cg pids fb-$$)/pids.current" 2>/dev/null)
ok "the machine has at most 32 tasks (${cur:-none})" test "${cur:-99}" -le 32
t0=$(date +%s%N)
kill -TERM $fb
wait $fb
ms=$((($(date +%s%N) - t0) / 1000000))
ok "the machine stopped within its stop timeout ($ms ms)" test $ms -lt 6000
is "$(cg_left fb-$$)" "" "its cgroup is gone, so none of its processes is left"

# --- a machine that forks continuously is stopped ---
"${RUN[@]}" -M fl-$$ --stop-timeout 2s -- $PL forkloop 8 + write /shared/fl.ready + sleep &
fl=$!
defer "kill $fl"
wait_for 10 test -e "$T/shared/fl.ready"
sleep 0.5
t0=$(date +%s%N)
kill -TERM $fl
wait $fl
ms=$((($(date +%s%N) - t0) / 1000000))
ok "the forking machine stopped ($ms ms)" test $ms -lt 6000
is "$(cg_left fl-$$)" "" "its cgroup is gone"

# --- a cgroup left by a crashed corral-run is cleaned at the next start ---
"${RUN[@]}" -M crash-$$ -- $PL write /shared/crash.ready + sleep &
cr=$!
wait_for 10 test -e "$T/shared/crash.ready"
disown $cr
kill -KILL $cr
# The container dies with its monitor; its cgroup stays behind.
# (cgroupfs files have size 0: read them.)
empty() { ! grep -q . "$1"; }
wait_for 10 empty "$(cg pids crash-$$)/cgroup.procs"
ok "the crashed machine's cgroup was left behind" test -n "$(cg_left crash-$$)"
"${RUN[@]}" -M crash-$$ -- $PL exit 0
is "$?" 0 "a machine of the same name starts again"
is "$(cg_left crash-$$)" "" "no cgroup of it is left"
done_testing
