#!/bin/bash
# Idle cost of corral-init as PID 1, side by side with tini, dumb-init and
# catatonit in the same run: each runs `sleep` as PID 1 of its own PID
# namespace, all at once; after a settling second we read PSS and USS from
# /proc/PID/smaps_rollup and count context switches over IDLE seconds
# (default 10). Prints a table; asserts nothing.
#
#   tests/bench/bench-init.sh [BUILD_DIR]      (as root)
set -euo pipefail
cd "$(dirname "$0")/../.."

BUILD=${1:-${BUILD_DIR:-build}}
IDLE=${IDLE:-10}
CORRAL_INIT=$BUILD/supervisor/corral-init
[ -x "$CORRAL_INIT" ] || { echo "no $CORRAL_INIT; build first (ninja -C $BUILD)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root (PID namespaces)" >&2; exit 1; }

# name:command; peers missing from the machine are reported, not fatal.
INITS=(
        "corral-init:$CORRAL_INIT --"
        "tini:tini --"
        "tini-static:tini-static --"
        "dumb-init:dumb-init"
        "catatonit:catatonit --"
)

declare -A wrap pid
cleanup() {
        for n in "${!wrap[@]}"; do kill -9 "${wrap[$n]}" 2>/dev/null || true; done
}
trap cleanup EXIT

for entry in "${INITS[@]}"; do
        name=${entry%%:*}
        cmd=${entry#*:}
        if ! command -v "${cmd%% *}" >/dev/null; then
                echo "# $name: not installed (tools/install-deps.sh with CORRAL_WITH_PEERS=1)" >&2
                continue
        fi
        # shellcheck disable=SC2086
        unshare --pid --fork --kill-child $cmd sleep 100000 &
        wrap[$name]=$!
done

sleep 1
for name in "${!wrap[@]}"; do
        p=$(pgrep -o -P "${wrap[$name]}" || true)
        [ -n "$p" ] && pid[$name]=$p
done

# shellcheck source=bench-lib.sh
. tests/bench/bench-lib.sh
smap() { bench_smap "$@"; }
switches() {
        awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$1/status"
}

declare -A cs0
for name in "${!pid[@]}"; do
        cs0[$name]=$(switches "${pid[$name]}")
done
sleep "$IDLE"

printf '%-12s %8s %8s %8s %14s\n' "init" "PSS kB" "USS kB" "RSS kB" "ctxsw/${IDLE}s"
for entry in "${INITS[@]}"; do
        name=${entry%%:*}
        p=${pid[$name]:-}
        [ -n "$p" ] || continue
        uss=$(($(smap "$p" Private_Clean) + $(smap "$p" Private_Dirty)))
        printf '%-12s %8s %8s %8s %14s\n' "$name" "$(smap "$p" Pss)" "$uss" "$(smap "$p" Rss)" \
                "$(($(switches "$p") - cs0[$name]))"
done
