#!/bin/bash
# Definitions through corrald: good ones become machines, a bad one is
# refused with FILE:LINE and the key while the others work, /etc wins over
# /run and /usr/lib, a .nspawn file works, Reload() and SIGHUP re-read, a
# running machine keeps its old definition until restarted, and a machine
# whose definition vanished goes away once stopped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

make_test_rootfs
mkdir -p "$ROOT/run/corral/machines" "$ROOT/usr/lib/corral/machines"
define good "/usr/bin/corral-test-payload sleep" "Description=good one"
printf '[Machine]\nDirectory=%s\n[Exec]\nParameters=/usr/bin/corral-test-payload sleep\nFrobnicate=yes\n' \
        "$ROOTFS" >"$ROOT/etc/corral/machines/bad.machine"
printf '[Machine]\nDirectory=%s\nDescription=from etc\n[Exec]\nParameters=/usr/bin/corral-test-payload sleep\n' \
        "$ROOTFS" >"$ROOT/etc/corral/machines/prec.machine"
printf '[Machine]\nDirectory=%s\nDescription=from usr\n[Exec]\nParameters=/usr/bin/corral-test-payload sleep\n' \
        "$ROOTFS" >"$ROOT/usr/lib/corral/machines/prec.machine"
printf '[Machine]\nDirectory=%s\nDescription=from run\n[Exec]\nParameters=/usr/bin/corral-test-payload sleep\n' \
        "$ROOTFS" >"$ROOT/run/corral/machines/runonly.machine"
printf '[Exec]\nParameters=/usr/bin/corral-test-payload sleep\n[Files]\nBindReadOnly=%s:/mnt\n' \
        "$T" >"$ROOT/etc/corral/machines/legacy.nspawn"
mkdir -p "$ROOT/var/lib/machines"
ln -s "$ROOTFS" "$ROOT/var/lib/machines/legacy"

start_bus
start_corrald

list=$(call ListMachines)
like "$list" '"good"' "a good definition is a machine"
like "$list" '"runonly"' "definitions in /run/corral/machines count"
ok "a bad definition is not a machine" bash -c "! grep -q '\"bad\"' <<<'$list'"
refused=$(call ListRefusedDefinitions)
like "$refused" 'bad.machine:5' "it is refused with file:line"
like "$refused" 'Frobnicate' "... naming the key"
is "$(prop prec Description)" "from etc" "/etc wins over /usr/lib"
ok "corrald still runs" kill -0 "$CORRALD_PID"

call StartMachine s good >/dev/null
ok "a good machine starts next to a refused one" wait_state good running
call StartMachine s legacy >/dev/null
ok "a .nspawn definition starts" wait_state legacy running

# Change a running machine's definition; reload.
leader=$(prop good Leader)
define good "/usr/bin/corral-test-payload sleep" "Description=second version"
printf '[Machine]\nDirectory=%s\n[Exec]\nParameters=/usr/bin/corral-test-payload sleep\n' \
        "$ROOTFS" >"$ROOT/etc/corral/machines/bad.machine"
ok "Reload" call Reload
is "$(prop good Leader)" "$leader" "a reload leaves a running machine alone"
is "$(prop good Description)" "good one" "a running machine keeps its old definition"
like "$(call ListMachines)" '"bad"' "a fixed definition becomes a machine on reload"
call StopMachine s good >/dev/null
wait_state good stopped
is "$(prop good Description)" "second version" "the new definition counts once it is stopped"

# A definition removed while its machine runs: SIGHUP reloads.
rm "$ROOT/etc/corral/machines/legacy.nspawn"
kill -HUP "$CORRALD_PID"
sleep 0.5
is "$(prop legacy State)" running "a machine whose definition vanished keeps running"
call StopMachine s legacy >/dev/null
ok "... and goes away once stopped" wait_for 10 bash -c "! busctl --address='$BUS' call org.corral.machine1 $MANAGER_PATH $MANAGER_IFACE ListMachines | grep -q legacy"

done_testing
