# shellcheck shell=bash
# Shared by the cgroup root tests (sourced after lib.sh): a cgroup root
# of the test's own (corral-test-PID.slice) in every hierarchy, removed
# at exit with everything below it, and helpers to find a machine's
# cgroup files on v1/hybrid and v2 hosts alike.

CGRUN=$B/tests/root/corral-cgroup-run
CG_ROOT=corral-test-$$.slice

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
        CG_V2=1
else
        CG_V2=0
fi

# Every mount point of a cgroup hierarchy (v1 and v2).
cg_mounts() {
        awk '$9 == "cgroup" || $9 == "cgroup2" { print $5 }' /proc/self/mountinfo
}

# cg_dir CONTROLLER NAME: the machine's directory in the hierarchy of
# CONTROLLER (memory, pids, cpu, freezer, ...); on v2 the one hierarchy.
cg_dir() {
        if [ $CG_V2 = 1 ]; then
                echo "/sys/fs/cgroup/$CG_ROOT/$2"
        else
                echo "/sys/fs/cgroup/$1/$CG_ROOT/$2"
        fi
}

# cg_left NAME: lists every directory of machine NAME still present.
cg_left() {
        local m
        for m in $(cg_mounts); do
                [ -d "$m/$CG_ROOT/$1" ] && echo "$m/$CG_ROOT/$1"
        done
        return 0
}

# Kills what is left in our root, removes it (deepest first).
_cg_cleanup() {
        local m d
        for m in $(cg_mounts); do
                [ -d "$m/$CG_ROOT" ] || continue
                for d in $(find "$m/$CG_ROOT" -mindepth 1 -type d | sort -r); do
                        [ -f "$d/cgroup.kill" ] && echo 1 >"$d/cgroup.kill"
                        xargs -r kill -9 <"$d/cgroup.procs" 2>/dev/null
                done
        done
        sleep 0.2
        for m in $(cg_mounts); do
                [ -d "$m/$CG_ROOT" ] || continue
                find "$m/$CG_ROOT" -depth -type d -exec rmdir {} \; 2>/dev/null
        done
}
defer _cg_cleanup

# stat_of FILE KEY: a value from a --stats file.
stat_of() {
        sed -n "s/^$2=//p" "$1"
}
