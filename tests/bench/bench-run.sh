#!/bin/bash
# Start-up cost of one container: runs /bin/true N times (default 100) in
# the same busybox rootfs with corral-run, crun, runc and systemd-nspawn,
# interleaved round by round so that load changes hit every runtime
# alike, and prints each runtime's median and corral-run's ratio to it.
#
#   tests/bench/bench-run.sh [N]        (as root; BUILD_DIR=build by default)
#
# crun refuses a hybrid cgroup host unless the unified hierarchy's
# cgroup.controllers is hidden, so its runs happen in a private mount
# namespace with /dev/null over that file. nspawn runs with
# --register=no --keep-unit (no machined, no unit of its own).
set -eu
cd "$(dirname "$0")/../.."
N=${1:-100}
BUILD=${BUILD_DIR:-build}
CORRAL_RUN=${CORRAL_RUN:-$BUILD/machined/corral-run}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
[ -x "$CORRAL_RUN" ] || { echo "build first: $CORRAL_RUN missing" >&2; exit 1; }

W=$(mktemp -d /tmp/corral-bench-run.XXXXXX)
cleanup() {
        umount -l "$W/ns" 2>/dev/null || true
        rm -rf "$W"
}
trap cleanup EXIT

# One busybox rootfs for all.
R=$W/bundle/rootfs
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,usr/bin,usr/sbin,var}
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list-full); do [ -e "$R/$a" ] || ln -s /bin/busybox "$R/$a"; done
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$R/etc/passwd"
printf 'ID=busybox\n' >"$R/etc/os-release"

# An OCI bundle for crun and runc: their default spec, running /bin/true
# without a terminal.
(cd "$W/bundle" && crun spec >/dev/null)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"\/bin\/true"/' "$W/bundle/config.json"
grep -q '"/bin/true"' "$W/bundle/config.json" || { echo "could not edit the OCI spec" >&2; exit 1; }

# Each runtime as one command line; $i makes names unique.
run_corral() { "$CORRAL_RUN" -q --console=pipe -D "$R" -M bench-$$ /bin/true; }
run_crun() { crun run -b "$W/bundle" bench-$$-$1 </dev/null; }
run_runc() { runc run -b "$W/bundle" bench-$$-$1 </dev/null; }
run_nspawn() { systemd-nspawn -q --register=no --keep-unit -D "$R" /bin/true </dev/null; }

# The timing loop runs in a private mount namespace for crun's sake; the
# other runtimes do not care (each makes its own namespaces anyway).
export -f run_corral run_crun run_runc run_nspawn
export CORRAL_RUN R W
unshare -m --propagation private bash -c '
        set -u
        mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true
        for rt in corral crun runc nspawn; do : >"$W/$rt.times"; done
        for ((i = 0; i < '"$N"'; i++)); do
                for rt in corral crun runc nspawn; do
                        t0=$EPOCHREALTIME
                        if ! run_$rt $i >/dev/null 2>"$W/$rt.err"; then
                                echo "$rt failed:" >&2; cat "$W/$rt.err" >&2; exit 1
                        fi
                        t1=$EPOCHREALTIME
                        echo "$(( (${t1/./} - ${t0/./}) ))" >>"$W/$rt.times"
                done
        done'

median() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.2f", m / 1000 }'; }
printf '%-10s %10s   (N=%d runs of /bin/true each, interleaved)\n' runtime "median ms" "$N"
for rt in corral crun runc nspawn; do
        eval "med_$rt=$(median "$W/$rt.times")"
        printf '%-10s %10s\n' "$rt" "$(eval echo \$med_$rt)"
done
for rt in crun runc nspawn; do
        awk -v a="$med_corral" -v b="$(eval echo \$med_$rt)" -v n="$rt" \
                'BEGIN { printf "corral-run / %-6s = %.2f\n", n, a / b }'
done
