#!/bin/bash
# The cost of networking on machine start and stop, as figures (not a
# test). N machines (default 50) are started and stopped with corral-run,
# one after another and all at once, in three modes: host network (the
# baseline), --network-veth, and --network-bridge=corral0 (veth + bridge +
# pool address + hosts file + nft table). Start = launch until the payload
# runs (it touches a file); stop = SIGTERM until corral-run has exited.
# Also: how long the kernel takes to remove the veths after the stops
# (corral does not delete them on the stop path; the namespace's death
# takes them), and what an explicit veth deletion costs, for comparison.
# Then the network module alone (bench-network-core, when built): attach
# and detach per machine without the rest of a container start, which
# the whole-start figures bury in noise on a busy host.
#
#   tests/bench/bench-network.sh [BUILD_DIR] [N]     (as root)
set -eu

B=$(realpath "${1:-build}")
N=${2:-50}
CORRAL_RUN=$B/machined/corral-run
CORE=$B/tests/bench/bench-network-core

[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 1; }
[ -x "$CORRAL_RUN" ] || { echo "build $CORRAL_RUN first" >&2; exit 1; }
# Benchmark programs are not built by default.
[ -f "$B/build.ninja" ] && ninja -C "$B" tests/bench/bench-network-core >/dev/null 2>&1 || true

T=$(mktemp -d /tmp/corral-bench-net.XXXXXX)
chmod 755 "$T"
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
        wait 2>/dev/null || true
        ip link del corral0 2>/dev/null || true
        nft delete table ip corral 2>/dev/null || true
        for l in $(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep -E '^bn-'); do
                ip link del "$l" 2>/dev/null || true
        done
        rm -rf "$T"
}
trap cleanup EXIT

mkdir -p "$T/root"
R=$T/rootfs
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,usr/bin,usr/sbin,var,ready}
cp /bin/busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list-full); do [ -e "$R/$a" ] || ln -s /bin/busybox "$R/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
mkdir -p "$T/ready"

ms() { date +%s%N; }
calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }

# start NAME MODE-ARGS...: one machine in the background.
start() {
        local name=$1
        shift
        "$CORRAL_RUN" --root "$T/root" -D "$R" -M "$name" --console=pipe -q \
                --bind="$T/ready:/ready" "$@" -- /bin/sh -c "touch /ready/$name; exec sleep 1000" \
                >/dev/null 2>>"$T/err" &
        pids+=($!)
        eval "pid_${name//-/_}=$!"
}
ready() { [ -e "$T/ready/$1" ]; }
n_ready() { find "$T/ready" -type f | wc -l; }
wait_until() {
        local deadline=$(($(date +%s) + 60))
        until "$@"; do
                [ "$(date +%s)" -lt $deadline ] || { echo "timeout: $*" >&2; cat "$T/err" >&2; exit 1; }
                sleep 0.002
        done
}
all_ready() { [ "$(n_ready)" -ge "$N" ]; }
stop_one() {
        local v="pid_${1//-/_}"
        kill -TERM "${!v}"
        wait "${!v}" 2>/dev/null || true
}
veths_gone() { ! ip -o link show | grep -qE ': (ve|vb)-bn-'; }

# run MODE-NAME ARGS...: prints "seq_start seq_stop par_start par_stop" in
# ms per machine, and the time the kernel needed to drop the veths.
run() {
        local label=$1 t0 t1 start_sum=0 stop_sum=0 i
        shift
        rm -f "$T/ready"/*
        # One after another: per-machine start, then per-machine stop.
        for ((i = 0; i < N; i++)); do
                t0=$(ms)
                start "bn-$i" "$@"
                wait_until ready "bn-$i"
                t1=$(ms)
                start_sum=$((start_sum + t1 - t0))
        done
        for ((i = 0; i < N; i++)); do
                t0=$(ms)
                stop_one "bn-$i"
                t1=$(ms)
                stop_sum=$((stop_sum + t1 - t0))
        done
        t0=$(ms)
        wait_until veths_gone
        local gone_seq=$((($(ms) - t0) / 1000000))
        pids=()

        # All at once.
        rm -f "$T/ready"/*
        t0=$(ms)
        for ((i = 0; i < N; i++)); do start "bn-$i" "$@"; done
        wait_until all_ready
        t1=$(ms)
        local par_start=$((t1 - t0))
        t0=$(ms)
        for p in "${pids[@]}"; do kill -TERM "$p"; done
        for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
        t1=$(ms)
        local par_stop=$((t1 - t0))
        t0=$(ms)
        wait_until veths_gone
        local gone_par=$((($(ms) - t0) / 1000000))
        pids=()

        printf '%-8s %10.2f %10.2f %10.1f %10.1f %12s\n' "$label" \
                "$(calc "$start_sum / $N / 1000000")" "$(calc "$stop_sum / $N / 1000000")" \
                "$(calc "$par_start / 1000000")" "$(calc "$par_stop / 1000000")" \
                "$gone_seq/$gone_par"
        eval "res_$label='$(calc "$start_sum / $N / 1000000") $(calc "$stop_sum / $N / 1000000") $(calc "$par_start / $N / 1000000") $(calc "$par_stop / $N / 1000000")'"
}

echo "# host: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg); $N machines per run (busybox sh + sleep)"
echo "# sequential: mean ms per machine; parallel: ms for all $N; veths gone: ms after the last stop (seq/par)"
printf '%-8s %10s %10s %10s %10s %12s\n' mode seq-start seq-stop par-start par-stop "veths-gone"
run none
run veth --network-veth
run bridge --network-bridge=corral0

# Per-machine cost of networking = mode minus the baseline.
read -r ns nt nps npt <<<"$res_none"
for m in veth bridge; do
        v="res_$m"
        read -r s t ps pt <<<"${!v}"
        printf '# %-6s adds per machine: start %+.2f ms, stop %+.2f ms (sequential); start %+.2f ms, stop %+.2f ms (parallel, total/N)\n' \
                "$m" "$(calc "$s - $ns")" "$(calc "$t - $nt")" \
                "$(calc "$ps - $nps")" "$(calc "$pt - $npt")"
done

# For comparison: creating and explicitly deleting veth pairs with ip(8)
# (what a stop path that deletes its veth would pay).
K=20
t0=$(ms)
for ((i = 0; i < K; i++)); do ip link add "bn-x$i" type veth peer name "bn-y$i"; done
t1=$(ms)
for ((i = 0; i < K; i++)); do ip link del "bn-x$i"; done
t2=$(ms)
printf '# ip link add veth: %.2f ms, ip link del veth: %.2f ms (mean of %d, including the ip(8) exec)\n' \
        "$(calc "($t1 - $t0) / $K / 1000000")" "$(calc "($t2 - $t1) / $K / 1000000")" "$K"

if [ -x "$CORE" ]; then
        echo "# the network module alone ($N machines; load average $(cut -d' ' -f1 /proc/loadavg))"
        for m in private veth bridge; do "$CORE" "$T/core" $m "$N"; done
        "$CORE" "$T/core" veth-delete 20
else
        echo "# bench-network-core not built (ninja -C BUILD tests/bench/bench-network-core): module figures skipped"
fi
