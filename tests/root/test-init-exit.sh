#!/bin/bash
# corral-init's exit status: the payload's own code (every one of 0..255),
# 128+N when it died of signal N, 127/126 when it cannot be executed, -e
# remapping to 0, and 125 for a usage error; as PID 1 and as a subreaper.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/init-lib.sh"
require_root
ulimit -c 0

for mode in plain pid1; do
        wrong=""
        for code in $(seq 0 255); do
                if [ "$mode" = pid1 ]; then
                        unshare --pid --fork --kill-child "$CORRAL_INIT" "$P" exit "$code"
                else
                        "$CORRAL_INIT" "$P" exit "$code"
                fi
                rc=$?
                [ "$rc" = "$code" ] || wrong="$wrong $code:$rc"
        done
        is "$wrong" "" "$mode: exit codes 0..255 passed out unchanged"

        for sig in 1 2 3 6 9 10 12 15 $(($(kill -l RTMIN) + 2)); do
                if [ "$mode" = pid1 ]; then
                        unshare --pid --fork --kill-child "$CORRAL_INIT" "$P" kill-self "$sig"
                else
                        "$CORRAL_INIT" "$P" kill-self "$sig"
                fi
                is "$?" "$((128 + sig))" "$mode: death by signal $sig gives $((128 + sig))"
        done
done

# Exec failures, with what the message must name on stderr's side left to
# the user: only the codes are the contract checked here.
printf 'not a program\n' >"$T/data"
chmod 644 "$T/data"
printf '#!/bin/sh\nexit 0\n' >"$T/noexec.sh"
mkdir "$T/dir"
"$CORRAL_INIT" "$T/does-not-exist" 2>/dev/null
is "$?" 127 "missing program: 127"
"$CORRAL_INIT" corral-no-such-command-in-path 2>/dev/null
is "$?" 127 "program not in PATH: 127"
"$CORRAL_INIT" "$T/data" 2>/dev/null
is "$?" 126 "file without x bit: 126"
chmod 755 "$T/data"
"$CORRAL_INIT" "$T/data" 2>/dev/null
is "$?" 126 "executable that is no program: 126"
"$CORRAL_INIT" "$T/dir" 2>/dev/null
is "$?" 126 "directory: 126"
unshare --pid --fork --kill-child "$CORRAL_INIT" "$T/does-not-exist" 2>/dev/null
is "$?" 127 "pid1: missing program: 127"
# The payload's PATH (not corral-init's) finds it.
cp "$P" "$T/dir/my-payload"
env PATH="$T/dir" "$CORRAL_INIT" my-payload exit 9
is "$?" 9 "program found through PATH"

# -e remaps to 0, only the codes given, signal codes included.
"$CORRAL_INIT" -e 3 "$P" exit 3
is "$?" 0 "-e 3: exit 3 reported as 0"
"$CORRAL_INIT" -e 3 -e 5 "$P" exit 5
is "$?" 0 "-e 3 -e 5: exit 5 reported as 0"
"$CORRAL_INIT" -e 3 "$P" exit 4
is "$?" 4 "-e 3: exit 4 unchanged"
"$CORRAL_INIT" --remap-exit 143 "$P" kill-self 15
is "$?" 0 "-e 143: death by SIGTERM reported as 0"
"$CORRAL_INIT" -e 127 "$T/does-not-exist" 2>/dev/null
is "$?" 127 "-e 127 does not hide an exec failure"

# Usage errors have their own code.
"$CORRAL_INIT" --no-such-option "$P" exit 0 2>"$T/err"
is "$?" 125 "unknown option: 125"
like "$(cat "$T/err")" "no-such-option" "the message names the option"
"$CORRAL_INIT" -e 300 "$P" exit 0 2>/dev/null
is "$?" 125 "bad -e value: 125"
"$CORRAL_INIT" 2>/dev/null
is "$?" 125 "no command: 125"
"$CORRAL_INIT" --help >"$T/help"
is "$?" 0 "--help: 0"
like "$(cat "$T/help")" "--process-group" "--help documents the options"

done_testing
