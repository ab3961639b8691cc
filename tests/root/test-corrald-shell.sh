#!/bin/bash
# OpenMachineShell / RunMachineCommand: the command
# runs in every namespace of the machine and in its cgroup, as the given
# user, with a clean environment; its output and exit status come back;
# the pty hangs up when it ends (corrald keeps no copy of the slave).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/corrald-lib.sh"
require_root

BUS_SHELL=$B/tests/root/corral-bus-shell
make_test_rootfs
define box "/usr/bin/corral-test-payload sleep"
start_bus
export CORRAL_HOST_SECRET=leak
start_corrald
call StartMachine s box >/dev/null
ok "machine running" wait_state box running
leader=$(prop box Leader)

out=$(timeout 20 "$BUS_SHELL" "$BUS" pty box "" /bin/sh -c 'echo out-$((6*7)); hostname; for n in pid mnt uts ipc; do readlink /proc/self/ns/$n; done' >"$T/pty-out")
rc=$?
out=$(tr -d '\r' <"$T/pty-out")
is "$rc" 0 "OpenMachineShell: the pty hangs up when the command ends"
like "$out" "out-42" "OpenMachineShell returns the command's output"
like "$out" "box" "... with the machine's host name"
for ns in pid mnt uts ipc; do
        ok "... in the machine's $ns namespace" grep -qxF "$(readlink /proc/$leader/ns/$ns)" <<<"$out"
done

out=$(timeout 20 "$BUS_SHELL" "$BUS" run box "" /bin/sh -c 'echo to-stdout; echo to-stderr >&2; exit 7' 2>"$T/err")
is "$?" 7 "RunMachineCommand returns the exit status"
is "$out" "to-stdout" "... and the output on our stdout"
is "$(cat "$T/err")" "to-stderr" "... and stderr on ours"
out=$(echo piped | timeout 20 "$BUS_SHELL" "$BUS" run box "" /bin/cat)
is "$out" "piped" "... and reads our stdin"
timeout 20 "$BUS_SHELL" "$BUS" run box "" /bin/sh -c 'kill -TERM $$'
is "$?" 143 "a command killed by signal N reports 128+N"

out=$(timeout 20 "$BUS_SHELL" "$BUS" run box nobody /bin/sh -c 'id -u; id -g')
is "$out" "65534
65534" "the command runs as the given user"
out=$(timeout 20 "$BUS_SHELL" "$BUS" run box "" /bin/sh -c 'env')
ok "a clean environment: nothing of corrald's" bash -c "! grep -q CORRAL_HOST_SECRET <<<'$out'"
like "$out" "container=corral" "... with container=corral"
like "$out" "CORRAL_SHELL_TEST=1" "... and the caller's extra variables"
out=$(timeout 20 "$BUS_SHELL" "$BUS" run box "" /bin/cat /proc/self/cgroup)
ok "the command is in the machine's cgroup (root of its cgroup namespace)" \
        bash -c "[ -n '$out' ] && ! grep -v ':/\$' <<<'$out'"
caps=$(timeout 20 "$BUS_SHELL" "$BUS" run box "" /bin/sh -c 'grep CapBnd /proc/self/status')
is "$caps" "$(grep CapBnd /proc/$leader/status)" "the command has the container's bounding set"

# OpenMachineLogin attaches to the console instead: test-corrald-console.sh.

err=$(timeout 20 "$BUS_SHELL" "$BUS" run box ghost /bin/true 2>&1)
is "$?" 126 "an unknown user fails with 126"
call StopMachine s box >/dev/null
wait_state box stopped
err=$(timeout 20 "$BUS_SHELL" "$BUS" run box "" /bin/true 2>&1)
like "$err" "NotRunning" "no shell in a stopped machine"

done_testing
