#!/bin/bash
# Nothing inside a container can write a host file: not the corral-run
# binary through /proc/1/exe (CVE-2019-5736, also by reopening an O_PATH
# fd later), not the host libraries PID 1 maps through
# /proc/1/map_files, not through a device node made inside, not by
# file handle; the monitor on the host is not visible at all.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/root"
run() {
        timeout 60 "$CORRAL_RUN" -q --console=pipe -D "$T/root" "$@" 2>>"$T/stderr"
}

# Hash everything PID 1 maps on the host before and after the attacks.
# corral-run is a static launcher; the binary PID 1 is a clone of is
# corral-run-real next to it.
REAL=$(dirname "$CORRAL_RUN")/corral-run-real
[ -x "$REAL" ] || REAL=$CORRAL_RUN
bin_sum=$(cat "$CORRAL_RUN" "$REAL" | sha256sum)
libs=$(ldd "$REAL" | awk '/=> \// { print $3 }')
lib_sum=$(cat $libs | sha256sum)

out=$(run sh -c '
        echo pwned >> /proc/1/exe 2>/dev/null && echo "exe: WRITTEN"
        exec 3</proc/1/exe
        echo pwned >> /proc/self/fd/3 2>/dev/null && echo "exe reopened: WRITTEN"
        n=0
        for f in /proc/1/map_files/*; do
                n=$((n + 1))
                echo pwned >> "$f" 2>/dev/null && echo "map_files: WRITTEN $f"
        done
        echo "tried $n"
        ls -l /proc/1/root/ >/dev/null
        ls /proc | grep -E "^[0-9]+$" | tr "\n" " "
')
like "$out" "tried [1-9][0-9]*" "the attacks ran (PID 1 maps files)"
ok "no write through /proc/1/exe or /proc/1/map_files succeeded" test -z "$(grep WRITTEN <<<"$out")"
is "$(cat "$CORRAL_RUN" "$REAL" | sha256sum)" "$bin_sum" "corral-run binaries unchanged"
is "$(cat $libs | sha256sum)" "$lib_sum" "host libraries unchanged"
like "$out" "^tried [0-9]+
1 [0-9 ]+$" "only the container's own processes are visible (no monitor)"

# Truncating open of the exe (the classic attack) fails too.
like "$(run sh -c '( : > /proc/1/exe ) 2>/dev/null; echo rc=$?')" "rc=[1-9]" "truncating /proc/1/exe fails"

# No block device of the host can be made and mounted inside.
dev=$(findmnt -n -o SOURCE / | head -1)
if [ -b "$dev" ]; then
        mm=$(stat -L -c '%t %T' "$dev")
        out=$(run sh -c "mknod /tmp/disk b \$((0x${mm% *})) \$((0x${mm#* })) 2>&1; echo rc=\$?")
        like "$out" "rc=1" "mknod of the host's root block device refused"
else
        skip "mknod of the host's root block device refused" "root is not a block device"
fi

# The payload's cwd and root are the container's.
is "$(run sh -c 'readlink /proc/self/root; readlink /proc/self/cwd')" "$(printf '/\n/')" "root and cwd inside"

if [ -s "$T/stderr" ]; then diag "$(cat "$T/stderr")"; fi
done_testing
