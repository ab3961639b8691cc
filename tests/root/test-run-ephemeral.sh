#!/bin/bash
# --ephemeral runs on an overlay whose upper layer lives only in the
# container's mount namespace: writes inside (also over image files and
# into /etc) leave DIR unchanged, and nothing is left on the host, even
# after SIGKILL of corral-run. --read-only makes the root read-only while
# /run, /tmp and binds stay writable.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/root"
echo original >"$T/root/etc/motd"
tree_sum() {
        (cd "$T/root" && find . -printf '%p %y %m %s %T@\n' | sort | md5sum)
}
before=$(tree_sum)

run() {
        timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" "$@"
}

out=$(run --ephemeral sh -c 'echo changed > /etc/motd; touch /newfile; rm /bin/ls; mkdir /var/x; cat /etc/motd; ls /newfile')
is "$out" "$(printf 'changed\n/newfile')" "writes work inside an ephemeral container"
is "$(tree_sum)" "$before" "the directory is unchanged afterwards"
is "$(run --ephemeral cat /etc/motd)" "original" "the next ephemeral run starts from the image again"

# SIGKILL of corral-run in the middle of an ephemeral run.
"$CORRAL_RUN" -q --console=pipe -D "$T/root" --ephemeral sh -c 'echo x > /etc/motd; touch /ready-$$; sleep 1000' &
pid=$!
defer "kill -9 $pid"
ok "ephemeral container started" wait_for 20 sh -c "pgrep -P $pid >/dev/null"
sleep 0.5
kill -9 $pid
wait $pid 2>/dev/null
is "$(tree_sum)" "$before" "directory unchanged after SIGKILL of an ephemeral run"
is "$(grep -c "$T" /proc/self/mountinfo)" "0" "no mount left on the host (below the test directory)"
ok "no overlay of the directory anywhere on the host" sh -c "! grep -q '$T/root' /proc/self/mountinfo"

# Read-only.
out=$(run --read-only sh -c 'touch /x 2>/dev/null || echo root-ro; touch /tmp/x /run/x && echo tmp-rw; echo y > /etc/hostname 2>/dev/null || echo etc-ro')
is "$out" "$(printf 'root-ro\ntmp-rw\netc-ro')" "--read-only: root and /etc read-only, /tmp and /run writable"
is "$(tree_sum)" "$before" "the directory is unchanged by a read-only run"

# A normal run writes through to the directory (that is what -D means).
run sh -c 'echo through > /written'
is "$(cat "$T/root/written")" "through" "without --ephemeral, writes reach the directory"

done_testing
