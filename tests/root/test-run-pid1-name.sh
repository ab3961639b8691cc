#!/bin/bash
# PID 1 of an app container is a clone of corral-run, but inside it reads
# as "corral-init": /proc/1/comm, /proc/1/cmdline (exactly, no tail), an
# environ without the host's variables, and ps shows no host path (the
# --root, the definition file, the rootfs directory).
. "$(dirname "$0")/lib.sh"
require_root

make_rootfs "$T/rootfs"
mkdir -p "$T/r"
NAME=pid1-name-$$

# line OUTPUT ERE DESCRIPTION: one whole line of OUTPUT matches ERE.
line() {
        ok "$3" grep -qxE -- "$2" <<<"$1"
}

probe='printf "comm=%s\n" "$(cat /proc/1/comm)"
printf "cmdline=%s\n" "$(tr "\0" "|" </proc/1/cmdline)"
printf "environ=%s\n" "$(tr -d "\0" </proc/1/environ)"
ps -o pid,args'

out=$(HOSTSECRET=leak timeout 60 "$CORRAL_RUN" -q --root "$T/r" --console=pipe -M "$NAME" -D "$T/rootfs" \
        sh -c "$probe" 2>"$T/stderr")
is "$?" 0 "the probe ran"
line "$out" "comm=corral-init" "/proc/1/comm is corral-init"
line "$out" "cmdline=corral-init\|" "/proc/1/cmdline is exactly 'corral-init'"
line "$out" "environ=" "/proc/1/environ holds no host variables"
line "$out" " +1 corral-init" "ps shows PID 1 as corral-init"
ok "ps shows no host path" test -z "$(grep -F "$T" <<<"$out")"
line "$out" " +2 .*sh -c .*" "the payload keeps its own command line"

# Through a definition, as corrald starts machines (--machine FILE).
cat >"$T/$NAME.machine" <<DEF
[Machine]
Directory=$T/rootfs

[Exec]
Parameters=/bin/sh -c 'tr "\\\\0" "|" </proc/1/cmdline; echo; ps -o args'
DEF
out=$(timeout 60 "$CORRAL_RUN" -q --root "$T/r" --console=pipe --machine "$T/$NAME.machine" 2>"$T/stderr")
line "$out" "corral-init\|" "--machine FILE: /proc/1/cmdline is corral-init"
ok "--machine FILE: ps shows no host path" test -z "$(grep -F "$T" <<<"$out")"

# A user's payload sees the same (and cannot rename PID 1 back).
out=$(timeout 60 "$CORRAL_RUN" -q --root "$T/r" --console=pipe -M "$NAME" -D "$T/rootfs" -u nobody \
        cat /proc/1/comm 2>"$T/stderr")
is "$out" "corral-init" "seen by an unprivileged payload too"

if [ -s "$T/stderr" ]; then diag "$(cat "$T/stderr")"; fi
done_testing
