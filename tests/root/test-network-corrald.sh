#!/bin/bash
# [Network] in a machine definition under corrald: Bridge=corral0 gives
# the machine a pool address (shown in the Addresses and
# NetworkInterfaces properties) that stays the same across a corrald restart
# (the machine keeps running and is adopted) and across a stop and start
# of the machine; Private=yes sees only lo. Nothing is left afterwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

# The bridge and table go even if the test fails, unless they were there before.
ip link show corral0 >/dev/null 2>&1 || defer 'ip link del corral0'
nft list table ip corral >/dev/null 2>&1 || defer 'nft delete table ip corral'

make_test_rootfs
define web "/bin/sleep 1000" "[Network]" "Bridge=corral0"
define priv "/bin/sleep 1000" "[Network]" "Private=yes"
start_bus
start_corrald

quiet() { "$@" >/dev/null 2>&1; }
addr_of() {
        local leader
        leader=$(prop "$1" Leader) || return 1
        nsenter -t "$leader" -n ip -4 -o addr show dev host0 2>/dev/null | awk '{ split($4, a, "/"); print a[1] }'
}

ok "StartMachine web" call StartMachine s web
ok "web is running" wait_state web running
a1=$(addr_of web)
like "$a1" '^10\.[0-9]+\.[0-9]+\.[0-9]+$' "web has a pool address: $a1"
ok "the host reaches web" quiet busybox ping -c1 -W2 "$a1"
like "$(prop web Addresses)" "\"$a1/[0-9]+\"" "the Addresses property lists it"
like "$(prop web NetworkInterfaces)" '"vb-web"' "the NetworkInterfaces property lists the host end vb-web"
# machine1's shape: a(iay), the family (2, AF_INET) and the address bytes.
bytes=$(echo "$a1" | tr . ' ')
is "$(busctl --address="$BUS" call org.corral.machine1 "$(machine_path web)" $MACHINE_IFACE GetAddresses)" \
        "a(iay) 1 2 4 $bytes" "Machine.GetAddresses() returns web's address"
is "$(call GetMachineAddresses s web)" "a(iay) 1 2 4 $bytes" "Manager.GetMachineAddresses() too"
ctl() { CORRAL_BUS_ADDRESS="$BUS" "$CORRALCTL" --no-pager "$@" 2>/dev/null; }
like "$(ctl list)" "web +running .*$a1" "corralctl list shows web's address"
st=$(ctl status web)
like "$st" "$a1" "corralctl status shows the address"
like "$st" "vb-web" "corralctl status shows the interface"

# corrald dies and comes back: the machine keeps running, same address.
leader=$(prop web Leader)
kill -9 "$CORRALD_PID"
wait "$CORRALD_PID" 2>/dev/null
start_corrald
ok "web is running after the corrald restart" wait_state web running
is "$(prop web Leader)" "$leader" "the same leader was adopted"
is "$(addr_of web)" "$a1" "the address is the same after a corrald restart"

# Stop and start the machine: same address from the lease.
ok "StopMachine web" call StopMachine s web
ok "web is stopped" wait_state web stopped
ok "StartMachine web again" call StartMachine s web
ok "web is running again" wait_state web running
a2=$(addr_of web)
like "$a2" '^10\.' "web has an address again"
is "$a2" "$a1" "the address is the same after a machine restart"

ok "StartMachine priv" call StartMachine s priv
ok "priv is running" wait_state priv running
pl=$(prop priv Leader)
is "$(nsenter -t "$pl" -n ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" "lo " \
        "a Private=yes machine sees only lo"
is "$(call GetMachineAddresses s priv)" "a(iay) 0" "GetMachineAddresses of a private-network machine is empty"

call StopMachine s web >/dev/null
call StopMachine s priv >/dev/null
wait_state web stopped
wait_state priv stopped
like "$(call GetMachineAddresses s web 2>&1)" "not running" "GetMachineAddresses of a stopped machine says it is not running"

no_leftovers() {
        ! ip -o link show | grep -qE ': (corral0|vb-web|ve-)' && ! nft list tables 2>/dev/null | grep -qw corral
}
ok "no link or nft table of corral is left" wait_for 10 no_leftovers
done_testing
