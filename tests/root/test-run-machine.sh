#!/bin/bash
# corral-run --machine FILE|NAME: definitions found by name below --root
# with /etc over /run over /usr/lib, every setting that reaches the
# container observed from inside it (payload, environment, host name,
# working directory, bind mounts, no_new_privs, memory limit), the
# command line winning over the file, an nspawn file without [Machine],
# and a broken or unsupported definition refused before anything runs
# (the wording of the refusals is the unit tests' business).
. "$(dirname "$0")/lib.sh"
require_root

R=$T/root
ETC=$R/etc/corral/machines
USR=$R/usr/lib/corral/machines
mkdir -p "$ETC" "$USR" "$R/run/corral/machines" "$T/data"
make_rootfs "$T/rootfs"
echo "from the host" >"$T/data/file"

run() {
        timeout 60 "$CORRAL_RUN" --root "$R" --console=pipe "$@" 2>"$T/stderr"
}

# 1. By name, from /etc; /usr/lib's file of the same name is ignored.
cat >"$ETC/app.machine" <<EOF
[Machine]
Description=root test
Directory=$T/rootfs

[Exec]
Parameters=/bin/sh -c 'echo "host=\$(hostname) pwd=\$(pwd) foo=\$FOO bar=\$BAR"; \\
  grep NoNewPrivs /proc/self/status; cat /data/file; \\
  touch /data/new 2>/dev/null && echo writable || echo read-only; \\
  cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; \\
  exit 7'
Environment=FOO=one "BAR=two words"
Hostname=defhost
WorkingDirectory=/tmp
NoNewPrivileges=yes

[Files]
BindReadOnly=$T/data:/data

[Resources]
MemoryMax=48M
EOF
cat >"$USR/app.machine" <<EOF
[Machine]
Directory=$T/rootfs
[Exec]
Parameters=/bin/sh -c 'echo wrong file; exit 9'
EOF

out=$(run --machine app)
rc=$?
is "$rc" 7 "the payload's exit status is corral-run's"
like "$out" "host=defhost pwd=/tmp foo=one bar=two words" "Parameters=, Environment=, Hostname=, WorkingDirectory= reach the payload"
like "$out" "NoNewPrivs:[[:space:]]+1" "NoNewPrivileges=yes sets no_new_privs"
like "$out" "from the host" "BindReadOnly= mounts the host directory"
like "$out" "read-only" "BindReadOnly= is read-only inside"
ok "nothing was written through the read-only bind" test ! -e "$T/data/new"
like "$out" "(^|[[:space:]])50331648($|[[:space:]])" "MemoryMax= is the machine's cgroup memory limit"
ok "/usr/lib's definition of the same name was not used" test "${out/wrong file/}" = "$out"

# 2. The same file by path; the command line wins over the file.
out=$(run --machine "$ETC/app.machine" --hostname cli-host -E FOO=cli)
like "$out" "host=cli-host pwd=/tmp foo=cli bar=two words" "--hostname and -E win over Hostname= and Environment="
out=$(run --machine app -- /bin/sh -c 'echo own payload; exit 3')
is "$?" 3 "a command on the command line replaces Parameters="
is "$out" "own payload" "the command line's payload ran"

# 3. An nspawn file without [Machine]: the rootfs is var/lib/machines/NAME below --root.
mkdir -p "$R/var/lib/machines"
make_rootfs "$R/var/lib/machines/legacy"
cat >"$USR/legacy.nspawn" <<'EOF'
[Exec]
Parameters=/bin/sh -c 'echo "legacy $(hostname)"'
Hostname=old-style
EOF
out=$(run --machine legacy)
is "$?" 0 "an nspawn file runs"
is "$out" "legacy old-style" "the nspawn file's rootfs and settings are used"

# 4. A broken definition is refused before anything is started.
cat >"$ETC/broken.machine" <<EOF
[Machine]
Directory=$T/rootfs
[Exec]
Parameters=/bin/touch /tmp/ran
Boot=perhaps
Colour=blue
EOF
run --machine broken >/dev/null
is "$?" 1 "a broken definition makes corral-run fail"
ok "the payload of a broken definition never ran" test ! -e "$T/rootfs/tmp/ran"

# 5. A setting corral-run cannot honour is refused, not dropped.
cat >"$ETC/limits.machine" <<EOF
[Machine]
Directory=$T/rootfs
[Exec]
Parameters=/bin/touch /tmp/ran
LimitNOFILE=64
EOF
run --machine limits >/dev/null
is "$?" 1 "an unsupported setting makes corral-run fail"
ok "the payload of an unsupported definition never ran" test ! -e "$T/rootfs/tmp/ran"

# 6. Names that are no machine names, and missing ones.
run --machine no_such_name >/dev/null
is "$?" 1 "an invalid machine name is refused"
run --machine absent >/dev/null
is "$?" 1 "a name without a definition is refused"

done_testing
