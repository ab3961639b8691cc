#!/bin/bash
# Two machines on the default bridge corral0: each gets a pool address, a
# default route through the bridge's gateway address and an /etc/hosts
# listing the machines and the host; they reach each other and the host
# by address and by name, the host reaches them. A machine's address is
# the same after a restart. When the last one stops, the bridge, its
# address and route, the veths and the nft table are gone, also when
# one monitor was killed without a chance to clean up.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/network-lib.sh"

defer_corral_cleanup
if ip link show corral0 >/dev/null 2>&1; then
        diag "corral0 exists before the test (left by someone else); the cleanup checks would be meaningless"
fi

a=na-$$
b=nb-$$
net_start $a --network-bridge=corral0 -- /bin/sleep 1000
net_start $b --network-bridge=corral0 -- /bin/sleep 1000
ok "machine $a is up" wait_for 20 machine_up $a
ok "machine $b is up" wait_for 20 machine_up $b

addr_a=$(machine_addr $a)
addr_b=$(machine_addr $b)
gw=$(ip -4 -o addr show dev corral0 | awk '{ split($4, x, "/"); print x[1] }')
like "$addr_a" '^10\.[0-9]+\.[0-9]+\.[0-9]+$' "$a got a 10.x address: $addr_a"
like "$addr_b" '^10\.[0-9]+\.[0-9]+\.[0-9]+$' "$b got a 10.x address: $addr_b"
ok "the addresses differ" test "$addr_a" != "$addr_b"
like "$gw" '^10\.[0-9]+\.0\.1$' "corral0 carries the gateway address $gw"
is "$(in_machine $a ip -4 route show default | awk '{print $3}')" "$gw" "$a's default route goes through the gateway"
is "$(ip -o link show master corral0 | grep -c 'vb-n[ab]-')" 2 "both host ends joined corral0"
like "$(in_machine $a ip -o link show host0)" '[<,]UP,LOWER_UP' "host0 is up, with carrier, inside"

ok "$a pings $b by address" quiet in_machine $a ping -c1 -W2 "$addr_b"
ok "$a pings $b by name" quiet in_machine $a ping -c1 -W2 $b
ok "$b pings $a by name" quiet in_machine $b ping -c1 -W2 $a
ok "$a pings the host by address" quiet in_machine $a ping -c1 -W2 "$gw"
ok "$a pings the host by its name" quiet in_machine $a ping -c1 -W2 "$(hostname)"
ok "the host pings $a" host_ping "$addr_a"
like "$(in_machine $a /bin/cat /etc/hosts)" "$addr_a	$a" "/etc/hosts inside lists the machine's own name"

# Restart $a: the same address again (lease), $b unaffected.
net_stop $a
ok "$b still answers while $a is down" host_ping "$addr_b"
net_start $a --network-bridge=corral0 -- /bin/sleep 1000
ok "machine $a is up again" wait_for 20 machine_up $a
addr_a2=$(machine_addr $a)
like "$addr_a2" '^10\.' "$a has an address after the restart"
is "$addr_a2" "$addr_a" "$a has the same address after a restart"
ok "$b pings the restarted $a by name" quiet in_machine $b ping -c1 -W2 $a

# A reboot in place (corral-run starts the machine again in a new
# namespace): the network is attached again, same address, /etc/hosts
# bound again and listing the machine.
r=nr-$$
mkdir -p "$T/mark"
out=$("$CORRAL_RUN" --root "$T/root" -D "$ROOTFS" --ephemeral -M $r --console=pipe -q --network-bridge=corral0 \
        --bind="$T/mark:/mark" -- /bin/sh -c \
        "if [ ! -e /mark/once ]; then touch /mark/once; kill -INT 1; sleep 10; exit 7; fi
         ip -4 -o addr show dev host0 | awk '{ print \$4 }'; grep -c '	$r\$' /etc/hosts" 2>>"$T/$r.err")
rc=$?
is "$rc" 0 "the machine rebooted (the first run never ended by itself) and ran to its end"
lease=$(cat "$T/root/var/lib/corral/network/leases/$r" 2>/dev/null)
like "$out" "^$lease/[0-9]+" "after the reboot host0 has the machine's lease $lease again"
like "$out" $'\n1$' "after the reboot /etc/hosts lists the machine"

# A monitor killed outright cannot detach: its machine dies with it
# (PDEATHSIG) and its record stays behind. The next change forgets it, so
# that it neither keeps the bridge nor its port forward alive.
c=nc-$$
defer "remove_machine_cgroups $c"
net_start $c --network-bridge=corral0 --port=9099:80 -- /bin/sleep 1000
ok "machine $c is up" wait_for 20 machine_up $c
c_leader=$(leader $c)
kill -KILL "$(run_pid $c)"
wait "$(run_pid $c)" 2>/dev/null
ok "$c's machine died with its monitor" wait_for 10 test ! -d /proc/$c_leader

net_stop $a
net_stop $b
# The veths go with the namespaces, which the kernel frees asynchronously.
wait_for 10 no_leftovers
is "$(corral_leftovers)" "" "no link, route or nft table of corral is left"
done_testing
