#!/bin/bash
# The v2 backend on real cgroupfs, also on a v1/hybrid host: there the
# cgroup module is handed a mountinfo with only the cgroup2 mount, so it
# runs as on a unified host (without controllers where the hybrid cgroup2
# has none). Placement with CLONE_INTO_CGROUP, kill with cgroup.kill and
# cgroup.freeze, the container's cgroup2 mount, cleanup.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/cgroup-lib.sh"

cp "$PAYLOAD" "$T/payload"
P=$T/payload
grep ' - cgroup2 ' /proc/self/mountinfo | head -1 >"$T/mountinfo"
if [ ! -s "$T/mountinfo" ]; then
        echo "1..0 # SKIP no cgroup2 mounted"
        exit 0
fi
V2=$(awk '{ print $5 }' "$T/mountinfo")
V2RUN=("$CGRUN" --mountinfo "$T/mountinfo" --root "$CG_ROOT")

"${V2RUN[@]}" --name first-$$ -- /bin/cat /proc/self/cgroup >"$T/first.cg"
is "$(sed -n 's/^0:://p' "$T/first.cg")" "/$CG_ROOT/first-$$" \
        "the payload was cloned straight into its cgroup2 cgroup"
ok "its cgroup is gone after it ended" test ! -d "$V2/$CG_ROOT/first-$$"

for sig in 9 15; do
        "${V2RUN[@]}" --name fl-$$-$sig --kill-after 1 --kill-signal $sig --stats "$T/fl.stats" \
                -- "$P" forkloop 8 + sleep
        is "$?" $((128 + sig)) "signal $sig: the leader died of it"
        kill_usec=$(stat_of "$T/fl.stats" kill_usec)
        diag "signal $sig: kill until empty took $kill_usec us"
        ok "signal $sig: the forking machine was empty within 2 s" test "${kill_usec:-99999999}" -lt 2000000
        ok "signal $sig: its cgroup is gone" test ! -d "$V2/$CG_ROOT/fl-$$-$sig"
        sleep 0.1
        is "$(pgrep -c -f "^$P")" 0 "signal $sig: no process survived"
        ok "signal $sig: the cgroup was thawed before it went" test ! -e "$V2/$CG_ROOT/fl-$$-$sig/cgroup.freeze"
done

# CPU time is accounted from cpu.stat, a core file of every cgroup2.
"${V2RUN[@]}" --name spin-$$ --kill-after 1 --stats "$T/spin.stats" -- "$P" spin
ms=$(($(stat_of "$T/spin.stats" cpu_usage_nsec) / 1000000))
# The host may be busy: only "some, and not more than the wall time".
ok "a second of spinning is accounted ($ms ms)" test $ms -ge 50 -a $ms -le 1100

mkdir -p "$T/mnt"
"${V2RUN[@]}" --name mnt-$$ --cgroupns-mount "$T/mnt" -- /bin/sh -c \
        "sed -n 's/^0:://p' /proc/self/cgroup; grep -c . $T/mnt/cgroup.procs; mkdir $T/mnt/payload.scope && echo \$\$ >$T/mnt/payload.scope/cgroup.procs && echo moved" \
        >"$T/mnt.out"
is "$(head -1 "$T/mnt.out")" "/" "inside, the machine's cgroup is the cgroup2 root"
is "$(tail -1 "$T/mnt.out")" "moved" "systemd inside can make cgroups and move itself there"
ok "the machine's cgroup with the one made inside is gone" test ! -d "$V2/$CG_ROOT/mnt-$$"
done_testing
