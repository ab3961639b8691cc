#!/bin/bash
# The console. Without a terminal: plain pipes, so that corral-run works
# in a pipeline and exit codes pass through. With a terminal (script(1)
# gives us one): a pty that is the container's /dev/console and stdio,
# its size taken from ours and updated on SIGWINCH, the exit code still
# passed through.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/root"
run() {
        timeout 60 "$CORRAL_RUN" -q -D "$T/root" "$@"
}

# Pipes.
is "$(run sh -c 'echo a; echo b; echo c' | grep b)" "b" "stdout into a pipeline"
is "$(printf 'x\ny\n' | run sh -c 'wc -l')" "2" "stdin from a pipe"
run sh -c 'echo err >&2' 2>"$T/err" >/dev/null
is "$(cat "$T/err")" "err" "stderr separate from stdout"
run sh -c 'exit 42'
is "$?" "42" "exit status passes through"
run sh -c 'kill -KILL $$'
is "$?" "137" "payload killed by SIGKILL: 128+9"
is "$(run sh -c '[ -t 0 ] || [ -t 1 ] || echo no-tty')" "no-tty" "no terminal inside without one outside"
like "$(run readlink /proc/self/fd/1)" "^pipe:" "stdout is our own pipe, passed through"

# A terminal.
if ! command -v script >/dev/null; then
        skip "tty mode" "script(1) missing"
        done_testing
        exit
fi
out=$(script -qec "stty cols 91 rows 27; $CORRAL_RUN -q -D $T/root sh -c 'tty; stty size; [ -t 0 ] && echo stdin-tty; ls -l /dev/console | cut -c1; exit 3'" /dev/null </dev/null)
rc=$?
out=$(tr -d '\r' <<<"$out")
like "$out" "/dev/console" "tty inside is /dev/console"
like "$out" "27 91" "window size taken from our terminal"
like "$out" "stdin-tty" "stdin is the terminal"
like "$out" "
c" "/dev/console is a character device (the pty)"
is "$rc" "3" "exit status passes through in tty mode"

out=$(script -qec "stty cols 80 rows 24; $CORRAL_RUN -q --console=interactive -D $T/root sh -c 'sleep 2; stty size' & p=\$!; sleep 1; stty cols 132 rows 43; kill -WINCH \$p; wait \$p" /dev/null </dev/null)
like "$(tr -d '\r' <<<"$out")" "43 132" "window size change reaches the container"

done_testing
