#!/bin/bash
# What corral-run makes on the host goes away: after a normal exit, after
# bad input (one-line error, exit 1, nothing made), and after SIGKILL of
# corral-run (the container dies with it; its stale cgroup is removed by
# the next start of the same machine).
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/root"
name=cleanup-$$
cgroups() {
        find /sys/fs/cgroup -maxdepth 4 -type d -name "$name" 2>/dev/null
}
defer "find /sys/fs/cgroup -maxdepth 4 -depth -type d -name $name -exec rmdir {} \\;"

run() {
        timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" -M "$name" "$@"
}

# While it runs, the cgroup exists; after a normal exit it is gone.
out=$(run cat /proc/self/cgroup)
is "$(grep -cv ':/$' <<<"$out")" "0" "inside, every hierarchy shows the container's cgroup as / (own cgroup namespace)"
is "$(cgroups)" "" "no cgroup left after a normal exit"
is "$(grep -c "$T" /proc/self/mountinfo)" "0" "no mount left after a normal exit (below the test directory)"

# Bad input: one line, exit 1, nothing made.
bad() {
        local desc=$1
        shift
        timeout 60 "$CORRAL_RUN" -q --console=pipe -M "$name" "$@" >"$T/out" 2>"$T/err"
        local rc=$?
        is "$rc:$(wc -l <"$T/err")" "1:1" "$desc: exit 1 with one line"
        is "$(cgroups)" "" "$desc: no cgroup made"
}
bad "missing directory" -D "$T/nonexistent" true
like "$(cat "$T/err")" "$T/nonexistent" "the error names the directory"
bad "not a directory" -D "$T/root/etc/passwd" true
bad "command not in the rootfs" -D "$T/root" /bin/no-such-command
like "$(cat "$T/err")" "no-such-command" "the error names the command"
bad "unknown capability" -D "$T/root" --capability=CAP_BOGUS true
like "$(cat "$T/err")" "CAP_BOGUS" "the error names the capability"
bad "unknown system call" -D "$T/root" --system-call-filter=bogus_call true
like "$(cat "$T/err")" "bogus_call" "the error names the system call"
bad "malformed bind" -D "$T/root" --bind=nocolon-relative true
like "$(cat "$T/err")" "nocolon-relative" "the error names the bind"
bad "missing --root" -D "$T/root" --root "$T/no-root" true
like "$(cat "$T/err")" "$T/no-root" "the error names the root directory"
bad "bind source missing" -D "$T/root" --bind="$T/missing:/x" true
ok "a failed bind made no mount point in the image" test ! -e "$T/root/x"

# SIGKILL of corral-run: the container dies with it.
"$CORRAL_RUN" -q --console=pipe -D "$T/root" -M "$name" sh -c "exec sleep 4711" &
pid=$!
defer "kill -9 $pid"
ok "container started" wait_for 20 sh -c 'pgrep -f "sleep 4711" >/dev/null'
ok "its cgroup exists while it runs" test -n "$(cgroups)"
kill -9 $pid
wait $pid 2>/dev/null
alive() {
        local p
        for p in $(pgrep -f "sleep 4711"); do
                grep -q '^State:.*Z' /proc/$p/status 2>/dev/null || return 0
        done
        return 1
}
gone() {
        ! alive
}
ok "no process of the container survives SIGKILL of corral-run" wait_for 10 gone
is "$(grep -c "$T" /proc/self/mountinfo)" "0" "no mount left after SIGKILL (below the test directory)"

# The next start of the machine cleans the stale cgroup and runs.
is "$(run sh -c 'echo again')" "again" "the machine starts again after a SIGKILLed monitor"
is "$(cgroups)" "" "and its cgroup is gone after it exits"

done_testing
