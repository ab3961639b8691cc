#!/bin/bash
# User= and -u/--user: the payload runs as a user of the container's own
# /etc/passwd and /etc/group (never the host's: a name only the host knows
# is unknown, a name only the container knows works), numeric uids work
# without an entry, HOME/USER/LOGNAME/SHELL come from the entry unless
# given, PID 1 stays root, an unknown user is a one-line error and exit 1
# before the payload runs, boot mode refuses a user, and the definition's
# [Exec] User= reaches the container through --machine FILE.
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/rootfs"
mkdir -p "$T/rootfs/home/zed"
cat >>"$T/rootfs/etc/passwd" <<'PW'
zed:x:1234:2345:Zed:/home/zed:/bin/ash
PW
cat >>"$T/rootfs/etc/group" <<'GR'
zedgrp:x:2345:
wheel:x:10:root,zed
audio:x:29:other,zed
GR
chown 1234:2345 "$T/rootfs/home/zed"
mkdir -p "$T/r"

# A machine name of our own: other tests may run a "rootfs" or an "app".
run() {
        timeout 60 "$CORRAL_RUN" -q --root "$T/r" --console=pipe -M "user-test-$$" "$@" 2>"$T/stderr"
}

# A name the host does not have (the host's NSS would fail), with groups.
getent passwd zed >/dev/null && diag "the host has a user 'zed' too; the uid below tells them apart"
out=$(run -D "$T/rootfs" -u zed sh -c 'id; echo "HOME=$HOME USER=$USER LOGNAME=$LOGNAME SHELL=$SHELL"; grep -E "^(Uid|Gid|Groups):" /proc/1/status | tr -s "\t" " "')
rc=$?
is "$rc" 0 "--user zed: the payload ran"
like "$out" "^uid=1234\(zed\) gid=2345\(zedgrp\) groups=" "uid and gid from the container's passwd and group"
like "$out" "groups=[^
]*10\(wheel\)" "supplementary group wheel (member list)"
like "$out" "groups=[^
]*29\(audio\)" "supplementary group audio (member list)"
like "$out" "HOME=/home/zed USER=zed LOGNAME=zed SHELL=/bin/ash" "HOME, USER, LOGNAME, SHELL from the entry"
like "$out" "Uid: 0 0 0 0" "PID 1 stays root"

# Given variables win over the entry.
out=$(run -D "$T/rootfs" --user=zed -E HOME=/tmp -E SHELL=/bin/sh sh -c 'echo "HOME=$HOME USER=$USER SHELL=$SHELL"')
is "$out" "HOME=/tmp USER=zed SHELL=/bin/sh" "-E HOME= and SHELL= win over the entry"

# Numeric uid with and without an entry.
is "$(run -D "$T/rootfs" -u 1234 id -u -n)" "zed" "a numeric uid with an entry is that user"
out=$(run -D "$T/rootfs" -u 4242 sh -c 'id; echo "HOME=$HOME"')
like "$out" "^uid=4242 gid=4242 groups=4242
HOME=/$" "a numeric uid without an entry: gid = uid, HOME=/"
is "$(run -D "$T/rootfs" -u 1234:29 id -g)" "29" "USER:GROUP picks the primary group"

# The payload really is unprivileged: root's files are out of reach.
chmod 700 "$T/rootfs/root"
out=$(run -D "$T/rootfs" -u zed sh -c 'ls /root 2>/dev/null && echo readable || echo denied; touch /home/zed/f && echo home-ok')
is "$out" "denied
home-ok" "root's home denied, own home writable"

# A user the host has but the container does not: unknown, one line, exit 1.
hostonly=$(getent passwd | awk -F: '$1 != "root" && $1 != "nobody" && $1 != "zed" { print $1; exit }')
out=$(run -D "$T/rootfs" -u "${hostonly:-daemon}" sh -c 'echo RAN')
rc=$?
is "$rc" 1 "a user only the host has: exit 1"
ok "... the payload did not run" test -z "$out"
is "$(wc -l <"$T/stderr")" 1 "... one line of error"
like "$(cat "$T/stderr")" "'${hostonly:-daemon}'" "... naming the user"

out=$(run -D "$T/rootfs" -u nosuchuser true)
is "$? $(wc -l <"$T/stderr")" "1 1" "unknown user: exit 1, one line"
run -D "$T/rootfs" -u 'a:b:c' true
is "$?" 1 "malformed --user refused"

# Boot mode refuses a user (nspawn does the same).
run -D "$T/rootfs" -b -u zed
rc=$?
is "$rc" 1 "--boot with --user refused"
like "$(cat "$T/stderr")" "boot" "... saying why"

# The definition key, through --machine FILE.
cat >"$T/app.machine" <<DEF
[Machine]
Directory=$T/rootfs

[Exec]
User=zed
Parameters=/bin/sh -c 'id -u; echo \$HOME'
DEF
is "$(run --machine "$T/app.machine")" "1234
/home/zed" "[Exec] User= through --machine FILE"
# The command line wins over the file.
is "$(run -u 4242 --machine "$T/app.machine" id -u)" "4242" "--user wins over User="
cat >"$T/bad.machine" <<DEF
[Machine]
Directory=$T/rootfs

[Exec]
User=ghost
Parameters=/bin/echo RAN
DEF
out=$(run --machine "$T/bad.machine")
rc=$?
is "$rc:$out" "1:" "User= naming an unknown user: exit 1, nothing ran"
cat >"$T/boot.machine" <<DEF
[Machine]
Directory=$T/rootfs

[Exec]
Boot=yes
User=zed
DEF
run --machine "$T/boot.machine"
is "$?" 1 "Boot=yes with User= refused"

done_testing
