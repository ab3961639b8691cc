# shellcheck shell=bash
# Helpers of the network root tests (after lib.sh): start a machine in the
# background, find its PID 1, run a command in its namespaces, and check
# that nothing corral makes on the host is left.

ROOTFS=$T/rootfs
make_rootfs "$ROOTFS"
mkdir -p "$T/root"
mkdir -p "$ROOTFS/www"
echo "hello from corral" >"$ROOTFS/www/index.html"

# net_start NAME ARGS... : corral-run -M NAME in the background, each
# machine on its own ephemeral copy of the rootfs so that every test
# machine starts from the same tree; sets START_PID_NAME.
net_start() {
        local name=$1
        shift
        "$CORRAL_RUN" --root "$T/root" -D "$ROOTFS" --ephemeral -M "$name" --console=pipe -q "$@" \
                >"$T/$name.out" 2>"$T/$name.err" &
        eval "RUN_PID_${name//-/_}=$!"
        defer "kill -KILL $! 2>/dev/null"
}

run_pid() {
        local v="RUN_PID_${1//-/_}"
        echo "${!v}"
}

# PID 1 of machine NAME (host PID), once it has been released by the
# monitor (its network is then set up).
leader() {
        local rp c
        rp=$(run_pid "$1")
        c=$(cat /proc/"$rp"/task/*/children 2>/dev/null | awk '{print $1}')
        [ -n "$c" ] && echo "$c"
}

# in_machine NAME CMD...: CMD in all of the machine's namespaces and root.
in_machine() {
        local name=$1 pid
        shift
        pid=$(leader "$name") || return 1
        nsenter -t "$pid" -m -u -i -n -p -r -w "$@"
}

# Waits until the machine runs its payload with the network configured.
machine_up() {
        local pid
        pid=$(leader "$1") || return 1
        # The payload is PID 2 only after the monitor's go.
        [ -n "$(cat /proc/"$pid"/task/*/children 2>/dev/null)" ]
}

# net_stop NAME: clean stop (SIGTERM to corral-run), waits for the monitor.
net_stop() {
        local rp
        rp=$(run_pid "$1")
        kill -TERM "$rp" 2>/dev/null
        wait "$rp" 2>/dev/null
}

# Machine's IPv4 address on host0 as A.B.C.D (no prefix).
machine_addr() {
        in_machine "$1" ip -4 -o addr show dev host0 2>/dev/null |
                awk '{ split($4, a, "/"); print a[1] }'
}

# Every link, address, route and nft table corral may have made.
corral_leftovers() {
        ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep -E '^(corral0|vb-|ve-|vz-)' || true
        ip -4 route show | grep -E 'corral0|vz-' || true
        nft list tables 2>/dev/null | grep -w corral || true
}

no_leftovers() {
        [ -z "$(corral_leftovers)" ]
}

# quiet CMD...: CMD without its output (ping's chatter stays out of TAP).
quiet() {
        "$@" >/dev/null 2>&1
}

# The host may have no ping of its own; busybox-static is a dependency.
host_ping() {
        busybox ping -c1 -W2 "$1" >/dev/null 2>&1
}

# If the test fails half-way, what corral made must still go: the bridge
# and the nft table, unless they were there before the test (a host that
# runs corral for real keeps its own).
defer_corral_cleanup() {
        ip link show corral0 >/dev/null 2>&1 || defer 'ip link del corral0'
        nft list table ip corral >/dev/null 2>&1 || defer 'nft delete table ip corral'
}
