#!/bin/bash
# Delegation for full-OS containers: in new mount and cgroup namespaces,
# cgroup_mount_in_container() mounts the layout systemd inside expects,
# rooted at the machine's cgroup: on v1/hybrid a read-only tmpfs with each
# hierarchy (controllers read-only, name=systemd and the cgroup2 writable),
# on v2 a cgroup2.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/cgroup-lib.sh"

mkdir -p "$T/mnt"
M=$T/mnt
cat >"$T/inside.sh" <<EOS
exec >"$T/inside.out" 2>&1
echo "self=\$(cut -d: -f3 /proc/self/cgroup | sort -u | tr '\n' ' ')"
if [ -d $M/memory ]; then
        echo "memlimit=\$(cat $M/memory/memory.limit_in_bytes)"
        echo "pidsmax=\$(cat $M/pids/pids.max)"
        mkdir $M/systemd/payload.scope && echo systemd=rw
        echo \$\$ >$M/systemd/payload.scope/cgroup.procs && echo moved=yes
        mkdir $M/memory/sub 2>/dev/null || echo memory=ro
        mkdir $M/unified/payload.scope && echo unified=rw
        rmdir $M/unified/payload.scope
        touch $M/newfile 2>/dev/null || echo tmpfs=ro
else
        echo "memlimit=\$(cat $M/memory.max)"
        echo "pidsmax=\$(cat $M/pids.max)"
        mkdir $M/payload.scope && echo systemd=rw
fi
EOS

"$CGRUN" --root "$CG_ROOT" --name mnt-$$ -p MemoryMax=48M -p TasksMax=50 --cgroupns-mount "$M" \
        -- /bin/bash "$T/inside.sh"
is "$?" 0 "the container side ran"
out=$(cat "$T/inside.out")
diag "$out"
like "$out" "self=/ " "inside, every hierarchy shows the machine's cgroup as /"
like "$out" "memlimit=50331648" "the mounted hierarchy's root is the machine's cgroup (its MemoryMax)"
like "$out" "pidsmax=50" "... and its TasksMax"
like "$out" "systemd=rw" "systemd inside can make its own cgroups"
if [ $CG_V2 = 0 ]; then
        like "$out" "moved=yes" "... and move processes into them"
        like "$out" "memory=ro" "controller hierarchies are read-only inside"
        like "$out" "unified=rw" "the hybrid cgroup2 is writable inside"
        like "$out" "tmpfs=ro" "the tmpfs holding them is read-only"
fi
ok "the host sees no cgroup mount of the container" test -z "$(awk -v m="$M" 'index($5, m) == 1' /proc/self/mountinfo)"
is "$(cg_left mnt-$$)" "" "the machine's cgroup, with what systemd made inside, is gone"
done_testing
