#!/bin/bash
# A port forward (--port=8080:80) reaches busybox httpd inside a machine
# on corral0: from another network namespace that the test connects to
# the host with a veth of its own, and from the host itself. The rules
# live in `table ip corral` only, which disappears with the machine.
# Outbound traffic is masqueraded. A static --address is what the
# machine gets.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/network-lib.sh"

defer_corral_cleanup

tables_before=$(nft list tables | grep -vw corral | sort | tr '\n' ' ')
ip_forward_before=$(cat /proc/sys/net/ipv4/ip_forward)

# The client: its own namespace, linked to the host by a veth. Forwarding
# is enabled on the host end of that veth only (a per-interface setting
# that vanishes with the link), never host-wide.
ns=corral-tc-$$
hv=tch$$
cv=tcc$$
ip netns add $ns
defer "ip netns del $ns"
ip link add $hv type veth peer name $cv
defer "ip link del $hv"
ip link set $cv netns $ns
ip addr add 172.31.254.1/30 dev $hv
ip link set $hv up
sysctl -qw net.ipv4.conf.$hv.forwarding=1
ip -n $ns addr add 172.31.254.2/30 dev $cv
ip -n $ns link set $cv up
ip -n $ns link set lo up
ip -n $ns route add default via 172.31.254.1

m=web-$$
net_start $m --network-bridge=corral0 --port=8080:80 --port=udp:5353:53 -- httpd -f -p 80 -h /www
ok "machine $m is up" wait_for 20 machine_up $m
addr=$(machine_addr $m)
like "$addr" '^10\.' "$m has an address: $addr"

rules=$(nft list table ip corral)
like "$rules" "tcp dport 8080 dnat to $addr:80" "a DNAT rule for tcp 8080 to $addr:80"
like "$rules" "udp dport 5353 dnat to $addr:53" "a DNAT rule for udp 5353 to $addr:53"
is "$(nft list tables | grep -vw corral | sort | tr '\n' ' ')" "$tables_before" "no other table was touched"

# GET with python3 (a dependency anyway; busybox's static wget crashes
# on this host). "$@" is a prefix such as "ip netns exec NS".
PYGET='import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode())'
get() {
        local url=$1
        shift
        "$@" python3 -c "$PYGET" "$url" 2>/dev/null
}
page_from_ns() {
        [ "$(get http://172.31.254.1:8080/ ip netns exec $ns)" = "hello from corral" ]
}
ok "the forward answers from another network namespace" wait_for 5 page_from_ns
is "$(get http://172.31.254.1:8080/)" "hello from corral" "the forward answers from the host itself"
is "$(get "http://$addr:80/" ip netns exec $ns)" "hello from corral" \
        "the machine's own address is routed from the other namespace too"
# Outbound NAT: with no route back to the pool in the client namespace,
# the machine's packets are answered only when they leave masqueraded.
ip -n $ns route del default
ok "the machine reaches another namespace through outbound NAT" \
        quiet in_machine $m ping -c1 -W2 172.31.254.2
is "$(cat /proc/sys/net/ipv4/ip_forward)" "$ip_forward_before" "the host-wide ip_forward was not changed"
net_stop $m

# A static address instead of a pool one.
s=st-$$
net_start $s --network-bridge=corral0 --address=10.88.250.250 -- /bin/sleep 1000
ok "machine $s is up" wait_for 20 machine_up $s
gw=$(ip -4 -o addr show dev corral0 | awk '{ split($4, x, "/"); print x[1] }')
if [ "$gw" = 10.88.0.1 ]; then
        is "$(machine_addr $s)" 10.88.250.250 "$s has its static address"
        ok "the host reaches the static address" host_ping 10.88.250.250
        # A second machine asking for the same static address is refused.
        "$CORRAL_RUN" --root "$T/root" -D "$ROOTFS" --ephemeral -M st2-$$ --console=pipe -q \
                --network-bridge=corral0 --address=10.88.250.250 -- /bin/true 2>/dev/null
        ok "a second machine with the same static address is refused" test $? -ne 0
        ok "the first one still answers" host_ping 10.88.250.250
else
        skip "static address check" "the pool is not 10.88.0.0/16 on this host"
        skip "static address ping" "the pool is not 10.88.0.0/16 on this host"
        skip "same static address refused" "the pool is not 10.88.0.0/16 on this host"
        skip "first one still answers" "the pool is not 10.88.0.0/16 on this host"
fi
net_stop $s

wait_for 10 no_leftovers
is "$(corral_leftovers)" "" "no link, route or nft table of corral is left"
done_testing
