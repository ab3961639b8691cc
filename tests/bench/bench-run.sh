#!/bin/bash
# Start-up cost of one container: runs /bin/true N times (default 100) in
# the same busybox rootfs with corral-run, crun, runc and systemd-nspawn,
# interleaved round by round so that load changes hit every runtime
# alike, and prints each runtime's median and corral-run's ratio to it.
#
#   tests/bench/bench-run.sh [N]        (as root; BUILD_DIR=build by default)
#
# The rootfs, the OCI bundle and crun's namespace come from bench-lib.sh
# (shared with tools/bench, which runs this comparison with lxc too).
# nspawn runs with --register=no --keep-unit (no machined, no unit of its
# own) on the read-only rootfs.
set -eu
cd "$(dirname "$0")/../.."
N=${1:-100}
BUILD=${BUILD_DIR:-build}
CORRAL_RUN=${CORRAL_RUN:-$BUILD/machined/corral-run}
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
[ -x "$CORRAL_RUN" ] || { echo "build first: $CORRAL_RUN missing" >&2; exit 1; }

W=$(mktemp -d /tmp/corral-bench-run.XXXXXX)
cleanup() {
        rm -rf "$W"
        bench_rm_cgroup "bench-$$"
}
trap cleanup EXIT
# shellcheck source=bench-lib.sh
. tests/bench/bench-lib.sh

# One busybox rootfs for all, and an OCI bundle of it for crun and runc
# (their default spec, running /bin/true without a terminal, with the
# namespaces corral gives an app container).
R=$W/rootfs
bench_rootfs "$R"
bench_oci_bundle "$W/template" "$R" "/bench-$$" /bin/true
bench_oci_config "$W/template" "run" "$W/bundle"

# Each runtime as one command line; $i makes names unique.
run_corral() { "$CORRAL_RUN" -q --console=pipe -D "$R" -M bench-$$ /bin/true; }
run_crun() { crun run -b "$W/bundle" bench-$$-$1 </dev/null; }
run_runc() { runc run -b "$W/bundle" bench-$$-$1 </dev/null; }
run_nspawn() { systemd-nspawn -q --register=no --keep-unit --read-only --timezone=off --resolv-conf=off -D "$R" /bin/true </dev/null; }

# The timing loop runs in crun's private mount namespace (bench-lib.sh);
# the other runtimes do not care (each makes its own namespaces anyway).
export -f run_corral run_crun run_runc run_nspawn
export CORRAL_RUN R W
bench_crun_ns bash -c '
        set -u
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

median() { awk '{ print $1 / 1000 }' "$1" | bench_median; }
printf '%-10s %10s   (N=%d runs of /bin/true each, interleaved)\n' runtime "median ms" "$N"
for rt in corral crun runc nspawn; do
        eval "med_$rt=$(median "$W/$rt.times")"
        printf '%-10s %10s\n' "$rt" "$(eval echo \$med_$rt)"
done
for rt in crun runc nspawn; do
        awk -v a="$med_corral" -v b="$(eval echo \$med_$rt)" -v n="$rt" \
                'BEGIN { printf "corral-run / %-6s = %.2f\n", n, a / b }'
done
