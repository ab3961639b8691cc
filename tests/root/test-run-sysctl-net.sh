#!/bin/bash
# /proc/sys/net is writable inside a container with its own network
# namespace (--private-network, --network-veth), as under systemd-nspawn,
# and the write changes only the container's namespace: the host's
# ip_forward stays as it was. On the host's network /proc/sys/net stays
# read-only with the rest of /proc/sys.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/rootfs"
mkdir -p "$T/r"
NAME=sysctl-net-$$

run() {
        timeout 60 "$CORRAL_RUN" -q --root "$T/r" --console=pipe -M "$NAME" -D "$T/rootfs" "$@" 2>>"$T/stderr"
}

host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
host_rpf=$(cat /proc/sys/net/ipv4/conf/all/rp_filter)
# Inside, the opposite of the host's value, so that a leak would show.
want=$((1 - host_fwd))

out=$(run --private-network sh -c "sysctl -w net.ipv4.ip_forward=$want >/dev/null && cat /proc/sys/net/ipv4/ip_forward")
is "$out" "$want" "--private-network: sysctl -w net.ipv4.ip_forward works inside"
is "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "... the host's ip_forward is unchanged"

out=$(run --private-network sh -c 'echo 2 >/proc/sys/net/ipv4/conf/all/rp_filter && cat /proc/sys/net/ipv4/conf/all/rp_filter')
is "$out" "2" "--private-network: writing /proc/sys/net/ipv4/conf/all/rp_filter works"
is "$(cat /proc/sys/net/ipv4/conf/all/rp_filter)" "$host_rpf" "... the host's rp_filter is unchanged"

# The rest of /proc/sys stays read-only with a private network.
out=$(run --private-network sh -c 'echo corral >/proc/sys/kernel/hostname 2>/dev/null && echo written || echo refused')
is "$out" "refused" "--private-network: /proc/sys/kernel stays read-only"

out=$(run sh -c "sysctl -w net.ipv4.ip_forward=$want >/dev/null 2>&1 && echo written || echo refused; cat /proc/sys/net/ipv4/ip_forward")
is "$out" "refused
$host_fwd" "host network: writing net.ipv4.ip_forward fails"
is "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "... the host's ip_forward is unchanged"
mounts='awk '\''$5 == "/proc/sys" || $5 == "/proc/sys/net" { print $5, substr($6, 1, 2) }'\'' /proc/self/mountinfo'
is "$(run sh -c "$mounts")" "/proc/sys ro" "host network: /proc/sys read-only, no mount of its own for /proc/sys/net"
is "$(run --private-network sh -c "$mounts")" "/proc/sys ro
/proc/sys/net rw" "--private-network: /proc/sys read-only, /proc/sys/net a writable mount"

if ip link add corral-probe0 type veth peer name corral-probe1 2>/dev/null; then
        ip link del corral-probe0
        out=$(run --network-veth sh -c "echo $want >/proc/sys/net/ipv4/ip_forward && cat /proc/sys/net/ipv4/ip_forward")
        is "$out" "$want" "--network-veth: ip_forward writable inside"
        is "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "... the host's ip_forward is unchanged"
else
        skip "--network-veth: ip_forward writable inside" "no veth support"
fi

if [ -s "$T/stderr" ]; then diag "$(cat "$T/stderr")"; fi
done_testing
