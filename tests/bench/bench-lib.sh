# shellcheck shell=bash
# Shell shared by the benchmarks (tests/bench/*.sh and tools/bench):
# timing and statistics, memory and CPU readings from /proc, the process
# tree of a container, and the peers' setup (one busybox rootfs, an OCI
# bundle for crun and runc, an LXC config) so that every runtime runs the
# same files. Sourced; defines functions only and sets no options.
#
#   . tests/bench/bench-lib.sh

# Debian's python3 (the JSON and the process walks need nothing else).
BENCH_PYTHON=/usr/bin/python3
[ -x "$BENCH_PYTHON" ] || BENCH_PYTHON=python3

# --- time and statistics --------------------------------------------------------

# bench_usec: wall clock in microseconds.
bench_usec() {
        echo "${EPOCHREALTIME/./}"
}

# bench_median: the median of the numbers on stdin (the mean of the two
# middle ones for an even count), printed with up to 3 decimals; nothing
# when stdin is empty.
bench_median() {
        sort -g | awk '{ a[NR] = $1 } END {
                if (NR == 0) exit
                m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
                printf "%.3f\n", m }'
}

# bench_div A B [DECIMALS]: A / B, or nothing when B is 0 or either is empty.
bench_div() {
        awk -v a="$1" -v b="$2" -v d="${3:-3}" \
                'BEGIN { if (a == "" || b == "" || b + 0 == 0) exit; printf "%.*f\n", d, a / b }'
}

# --- /proc readings ---------------------------------------------------------------

# bench_smap PID FIELD: a field of /proc/PID/smaps_rollup in kB (0 when
# the process is gone).
bench_smap() {
        awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' \
                "/proc/$1/smaps_rollup" 2>/dev/null || echo 0
}

bench_pss() {
        bench_smap "$1" Pss
}

# bench_pss_tree PID...: prints "KB COUNT": the PSS summed over these
# processes and all their descendants, each counted once, and how many
# they were (a container's processes hang below its monitor; how many
# there are per machine differs between runtimes and versions). One
# python3 run, so a thousand machines take a second, not thousands of forks.
bench_pss_tree() {
        "$BENCH_PYTHON" - "$@" <<'PY'
import os, sys
todo = [int(p) for p in sys.argv[1:] if p.isdigit() and int(p) > 0]
seen, total = set(), 0
while todo:
    p = todo.pop()
    if p in seen:
        continue
    try:
        kids = []
        for t in os.listdir(f"/proc/{p}/task"):
            with open(f"/proc/{p}/task/{t}/children") as f:
                kids += [int(x) for x in f.read().split()]
        with open(f"/proc/{p}/smaps_rollup") as f:
            pss = next((int(l.split()[1]) for l in f if l.startswith("Pss:")), 0)
    except (OSError, ValueError):
        continue
    seen.add(p)
    total += pss
    todo += kids
print(total, len(seen))
PY
}

# bench_memavail: MemAvailable of the host, kB.
bench_memavail() {
        awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo
}

# bench_cpu_ticks PID: utime + stime of PID in clock ticks (fields 14 and
# 15 of /proc/PID/stat, counted after the command name, which may hold
# spaces).
bench_cpu_ticks() {
        sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

# --- the same busybox rootfs for every runtime --------------------------------------

# shellcheck source=../lib/busybox-rootfs.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/busybox-rootfs.sh"

# bench_rootfs DIR: busybox_rootfs with an os-release. The root suite's
# make_rootfs adds the test payload instead; this one needs nothing built.
bench_rootfs() {
        busybox_rootfs "$1"
        printf 'ID=busybox\n' >"$1/etc/os-release"
}

# bench_oci_bundle DIR ROOTFS CGROUP_PARENT ARGS...: an OCI bundle
# (DIR/config.json) made from `crun spec` for crun and runc: ARGS as the
# process, no terminal, ROOTFS (absolute) as root, the namespaces corral
# gives an app machine (pid, mount, uts, ipc, cgroup; the host's network),
# and the container's cgroup below CGROUP_PARENT/ID (ID replaced per run
# with bench_oci_config).
bench_oci_bundle() {
        local dir=$1 rootfs=$2 parent=$3
        shift 3
        mkdir -p "$dir"
        (cd "$dir" && rm -f config.json && crun spec >/dev/null) || return 1
        python3 - "$dir/config.json" "$rootfs" "$parent" "$@" <<'EOF'
import json, sys
path, rootfs, parent, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
with open(path) as f:
    c = json.load(f)
c["process"]["terminal"] = False
c["process"]["args"] = args
c["root"] = {"path": rootfs, "readonly": True}
c["hostname"] = "bench"
c["linux"]["namespaces"] = [{"type": t} for t in ("pid", "mount", "uts", "ipc", "cgroup")]
c["linux"]["cgroupsPath"] = parent + "/@ID@"
with open(path, "w") as f:
    json.dump(c, f, indent=1)
EOF
}

# bench_oci_config TEMPLATE ID DIR: the bundle of container ID in DIR
# (made outside any timing): TEMPLATE's config.json with the cgroup at ID,
# as each container of a scale run needs its own cgroup and runc has no
# option for another config file.
bench_oci_config() {
        mkdir -p "$3"
        sed "s|/@ID@\"|/$2\"|" "$1/config.json" >"$3/config.json"
}

# bench_lxc_config FILE ROOTFS: an LXC config for the same rootfs: own
# PID, mount, UTS, IPC and cgroup namespaces, the host's network (as
# corral's default), no ttys, no AppArmor profile (none loaded here).
bench_lxc_config() {
        cat >"$1" <<EOF
lxc.rootfs.path = dir:$2
lxc.uts.name = bench
lxc.net.0.type = none
lxc.apparmor.profile = unconfined
lxc.mount.auto = proc:mixed sys:ro
lxc.autodev = 1
lxc.tty.max = 0
lxc.pty.max = 0
lxc.console.path = none
lxc.log.level = ERROR
EOF
}

# bench_crun_ns COMMAND...: runs COMMAND in a private mount namespace in
# which the unified hierarchy's cgroup.controllers is hidden: crun refuses
# a hybrid cgroup host otherwise. The namespace does not change what a
# container gets (each makes its own).
bench_crun_ns() {
        unshare -m --propagation private -- bash -c \
                'mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; "$@"' bench "$@"
}

# bench_rm_cgroup PATH: removes the cgroup PATH (relative to each
# hierarchy's root) and everything below it, deepest first, in every
# hierarchy; for the parents under which crun and runc put containers.
bench_rm_cgroup() {
        local d
        for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
                [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
        done
        return 0
}

# bench_have COMMAND: whether a peer is installed; says how to get it if not.
bench_have() {
        command -v "$1" >/dev/null 2>&1
}
