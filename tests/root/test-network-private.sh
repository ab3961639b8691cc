#!/bin/bash
# Network modes without a bridge: --private-network sees only lo (up);
# no option means the host's network (the same links as the host);
# --network-veth gives host0 inside and ve-NAME outside, both up, and the
# pair disappears with the machine; a long machine name gets nspawn's
# shortened interface name (15 characters).
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/network-lib.sh"

links_of() {
        ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' '
}
run() {
        "$CORRAL_RUN" --root "$T/root" -D "$ROOTFS" --ephemeral --console=pipe -q "$@" 2>>"$T/err"
}

out=$(run -M p-$$ --private-network -- /bin/sh -c "ip -o link show | awk -F': ' '{print \$2}' | tr '\n' ' '")
is "$out" "lo " "a private-network machine sees only lo"
out=$(run -M p-$$ --private-network -- /bin/sh -c "ip -o link show lo")
like "$out" 'LOOPBACK,UP' "lo is up inside"
ok "the private machine reaches its own lo" quiet run -M p-$$ --private-network -- /bin/ping -c1 -W2 127.0.0.1

host_links=$(links_of)
out=$(run -M h-$$ -- /bin/sh -c "ip -o link show | awk -F': ' '{ sub(/@.*/, \"\", \$2); print \$2 }' | sort | tr '\n' ' '")
is "$out" "$host_links" "a machine without network options sees the host's links"

out=$(run -M v-$$ --network-veth -- /bin/sh -c "ip -o link show | awk -F': ' '{ sub(/@.*/, \"\", \$2); print \$2 }' | sort | tr '\n' ' '")
is "$out" "host0 lo " "a veth machine has lo and host0"

# The host end exists while the machine runs, named ve-NAME.
net_start v2-$$ --network-veth -- /bin/sleep 1000
ok "veth machine is up" wait_for 20 machine_up v2-$$
like "$(ip -o link show ve-v2-$$)" 'UP' "the host end ve-v2-$$ exists and is up"
like "$(in_machine v2-$$ ip -o link show host0)" '[<,]UP,LOWER_UP' "host0 is up with carrier inside"
net_stop v2-$$
ok "ve-v2-$$ disappears with the machine" wait_for 10 sh -c "! ip link show ve-v2-$$ >/dev/null 2>&1"

# nspawn's rule for long names: 11 characters kept, 4 of a hash appended.
long=averyveryverylongname-$$
net_start $long --network-veth -- /bin/sleep 1000
ok "long-named machine is up" wait_for 20 machine_up $long
name=$(ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | grep '^ve-averyver')
is "${#name}" 15 "the host end's name is shortened to 15 characters ($name)"
like "$name" '^ve-averyver[A-Za-z0-9_-]{4}$' "it keeps the first 11 characters"
net_stop $long

# A zone: bridge vz-ZONE made for the first machine, gone after the last.
zone=t$$
defer "ip link del vz-$zone"
net_start z1-$$ --network-zone=$zone -- /bin/sleep 1000
net_start z2-$$ --network-zone=$zone -- /bin/sleep 1000
zones_up() { machine_up z1-$$ && machine_up z2-$$; }
ok "zone machines are up" wait_for 20 zones_up
like "$(ip -o link show vz-$zone)" 'UP' "the zone bridge vz-$zone exists"
is "$(ip -o link show master vz-$zone | grep -c 'vb-z[12]-')" 2 "both host ends joined it"
net_stop z1-$$
ok "the zone bridge stays while a machine uses it" quiet ip link show vz-$zone
net_stop z2-$$
ok "the zone bridge is gone after the last machine" wait_for 10 sh -c "! ip link show vz-$zone >/dev/null 2>&1"

wait_for 10 no_leftovers
is "$(corral_leftovers)" "" "no link of corral is left"
done_testing
