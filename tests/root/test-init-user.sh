#!/bin/bash
# What corral-run asks of supervisor_run() beyond corral-init's options:
# the payload switched to a user, group and supplementary groups, started
# in a working directory, with exactly the environment it was given (PATH
# from it, not ours); failures there are 126 and leave the loop sane.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/init-lib.sh"
require_root

SR=$B/tests/root/corral-supervisor-run

val() {
        sed -n "s/^$1=//p" "$2"
}

mkdir "$T/work"
"$SR" --uid 65534 --gid 65533 --groups 5,6 --chdir "$T/work" -- "$P" ids >"$T/ids"
is "$?" 0 "payload with a user ran"
is "$(val uid "$T/ids")" 65534 "uid switched"
is "$(val gid "$T/ids")" 65533 "gid switched"
is "$(val groups "$T/ids")" 5,6 "supplementary groups set"
is "$(val cwd "$T/ids")" "$T/work" "working directory set"

"$SR" --uid 65534 --gid 65534 -- "$P" ids >"$T/ids2"
is "$(val groups "$T/ids2")" "" "no supplementary groups unless given"

"$SR" --chdir "$T/missing" -- "$P" exit 0 2>/dev/null
is "$?" 126 "missing working directory: 126"

# An explicit environment: nothing of ours leaks, PATH comes from it.
mkdir "$T/bin"
cp "$P" "$T/bin/the-payload"
FOO=ours "$SR" --env PATH="$T/bin" --env BAR=theirs -- the-payload env FOO BAR PATH >"$T/env"
is "$?" 0 "program found through the given PATH"
is "$(lines "$T/env")" "FOO= BAR=theirs PATH=$T/bin" "exactly the given environment"

# A payload run as nobody cannot be executed from a 0700 directory: 126.
mkdir -m 700 "$T/private"
cp "$P" "$T/private/p"
"$SR" --uid 65534 --gid 65534 -- "$T/private/p" exit 0 2>/dev/null
is "$?" 126 "not executable for the payload's user: 126"

done_testing
