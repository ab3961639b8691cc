#!/bin/bash
# An unprivileged caller (setpriv to nobody) may list machines and read
# properties, and is refused with org.freedesktop.DBus.Error.AccessDenied
# for every method that changes something; nothing changes. A member of
# the configured --access-group may.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
define run "/usr/bin/corral-test-payload sleep"
define idle "/usr/bin/corral-test-payload sleep"
start_bus
start_corrald --access-group 4242

call StartMachine s run >/dev/null
ok "root may start a machine" wait_state run running
leader=$(prop run Leader)

as_nobody() {
        setpriv --reuid=65534 --regid=65534 --clear-groups -- \
                busctl --address="$BUS" call org.corral.machine1 $MANAGER_PATH $MANAGER_IFACE "$@" 2>&1
}
as_group() {
        setpriv --reuid=65534 --regid=65534 --groups=4242 -- \
                busctl --address="$BUS" call org.corral.machine1 $MANAGER_PATH $MANAGER_IFACE "$@" 2>&1
}

like "$(as_nobody ListMachines)" '"run"' "nobody may list machines"
like "$(as_nobody GetMachine s run)" '^o ' "nobody may look a machine up"
st=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- busctl --address="$BUS" get-property \
        org.corral.machine1 /org/corral/machine1/machine/run $MACHINE_IFACE State 2>&1)
is "$st" 's "running"' "nobody may read properties"

denied() {
        local out
        out=$(as_nobody "$@")
        [[ $out == *"Access denied"* || $out == *AccessDenied* || $out == *"Only root"* ]] || {
                diag "$*: $out"
                return 1
        }
}
ok "StartMachine refused" denied StartMachine s idle
ok "StopMachine refused" denied StopMachine s run
ok "RebootMachine refused" denied RebootMachine s run
ok "TerminateMachine refused" denied TerminateMachine s run
ok "KillMachine refused" denied KillMachine ssi run all 9
ok "EnableMachine refused" denied EnableMachine s idle
ok "DisableMachine refused" denied DisableMachine s run
ok "OpenMachineShell refused" denied OpenMachineShell sssasas run "" "" 0 0
ok "OpenMachineLogin refused" denied OpenMachineLogin s run
ok "Reload refused" denied Reload
# busctl cannot pass fds: RunMachineCommand through corralctl shell.
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- "$CORRALCTL" --bus "$BUS" shell run -- /bin/true </dev/null 2>&1)
rc=$?
ok "RunMachineCommand refused (corralctl shell)" test "$rc" -ne 0
like "$out" "[Aa]ccess denied|Only root" "... with AccessDenied"

is "$(prop idle State)" stopped "the refused start started nothing"
is "$(prop run Leader)" "$leader" "the refused stop, kill and reboot changed nothing"
ok "the refused enable wrote nothing" test ! -e "$ROOT/var/lib/corral/autostart/idle"

ok "a member of the access group may stop a machine" as_group StopMachine s run
ok "... and it stops" wait_state run stopped

done_testing
