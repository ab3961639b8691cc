#!/bin/bash
# The pool of corral0: chosen at start among the 10.x /16s the host does
# not use (an address of the host in 10.88.0.0/16 pushes it elsewhere),
# remembered in ROOT/var/lib/corral/network/pool, and overridden by an
# administrator's ROOT/etc/corral/network/pool.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/network-lib.sh"

defer_corral_cleanup
if ip link show corral0 >/dev/null 2>&1; then
        echo "1..0 # SKIP corral0 exists on this host: its address decides the pool"
        exit 0
fi

gateway() {
        ip -4 -o addr show dev corral0 | awk '{ print $4 }'
}

# The host uses 10.88.0.0/16 (on a veth of the test's own: this kernel
# may have no dummy links).
d=cpool$$
ip link add $d type veth peer name ${d}p
defer "ip link del $d"
ip addr add 10.88.77.1/16 dev $d
ok "the host has an address in 10.88.0.0/16 now" sh -c "ip -4 -o addr show dev $d | grep -q 10.88.77.1"

m=pa-$$
net_start $m --network-bridge=corral0 -- /bin/sleep 1000
ok "machine $m is up" wait_for 20 machine_up $m
gw=$(gateway)
like "$gw" '^10\.[0-9]+\.0\.1/16$' "corral0 got a 10.x /16 gateway: $gw"
ok "the pool avoids the host's 10.88.0.0/16" test "${gw%%.0.1/16}" != 10.88
is "$(cat "$T/root/var/lib/corral/network/pool")" "${gw%.1/16}.0/16" "the chosen pool is remembered"
addr=$(machine_addr $m)
is "${addr%.*.*}" "${gw%.0.1/16}" "the machine's address is in the pool ($addr)"
net_stop $m
ok "corral0 is gone with its last machine" wait_for 10 sh -c '! ip link show corral0 >/dev/null 2>&1'

# An administrator's pool wins.
mkdir -p "$T/root/etc/corral/network"
echo 10.123.0.0/16 >"$T/root/etc/corral/network/pool"
m2=pb-$$
net_start $m2 --network-bridge=corral0 -- /bin/sleep 1000
ok "machine $m2 is up" wait_for 20 machine_up $m2
is "$(gateway)" 10.123.0.1/16 "corral0 carries the configured pool's gateway"
like "$(machine_addr $m2)" '^10\.123\.' "the machine's address is in the configured pool"
net_stop $m2

wait_for 10 no_leftovers
is "$(corral_leftovers)" "" "no link, route or nft table of corral is left"
done_testing
