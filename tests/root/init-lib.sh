# shellcheck shell=bash
# Helpers shared by the corral-init root tests (test-init-*.sh), on top of
# lib.sh: start corral-init as PID 1 of a new PID namespace ("pid1") or as
# a plain process that must make itself a subreaper ("plain"), find its
# payload, and collect its exit status.
#
#   start_init pid1 [OPTIONS] -- CMD...   # sets WRAP and INIT
#   finish_init                           # waits, sets RC
#
# WRAP is the background job to wait for (unshare or corral-init itself),
# INIT corral-init's PID as the host sees it.

# shellcheck disable=SC2034 # P and RC are for the scripts that source us.
P=$PAYLOAD

_child_of() {
        _child=$(pgrep -o -P "$1" 2>/dev/null) && [ -n "$_child" ]
}

_up_or_gone() {
        _child_of "$1" || ! kill -0 "$1" 2>/dev/null
}

start_init() {
        local mode=$1
        shift
        if [ "$mode" = pid1 ]; then
                unshare --pid --fork --kill-child "$CORRAL_INIT" "$@" &
                WRAP=$!
                # A quick payload may be done before we look: then there is
                # no corral-init to find, and only WRAP's status counts.
                _child=0
                wait_for 5 _up_or_gone "$WRAP" || return 1
                INIT=$_child
        else
                "$CORRAL_INIT" "$@" &
                WRAP=$!
                INIT=$WRAP
        fi
        defer "_kill_if_ours $INIT $WRAP"
        return 0
}

# Cleanup runs at the end of the test, when these PIDs may long be gone
# (pid_max can be as low as 32768): only kill a process whose command line
# still matches, never a recycled PID.
is_cmd() {
        [ "$1" -gt 0 ] 2>/dev/null && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q -e "$2"
}

kill_if_cmd() {
        is_cmd "$1" "$2" && kill -9 "$1" 2>/dev/null
        return 0
}

# descendants PID: every process below PID, children first.
descendants() {
        local c
        for c in $(pgrep -P "$1"); do
                echo "$c"
                descendants "$c"
        done
}

_kill_if_ours() {
        local p d
        for p in "$@"; do
                # As a plain subreaper, what is below corral-init would outlive
                # it: take the tree down while we still know it is ours.
                if is_cmd "$p" corral-init; then
                        kill -STOP "$p" 2>/dev/null
                        d=$(descendants "$p")
                        # shellcheck disable=SC2086
                        [ -n "$d" ] && kill -9 $d 2>/dev/null
                fi
                kill_if_cmd "$p" corral-init
                kill_if_cmd "$p" unshare
        done
}

# payload_pid: the PID of corral-init's first child, waiting for it.
payload_pid() {
        wait_for 5 _child_of "$INIT" && echo "$_child"
}

# finish_init [TIMEOUT]: waits for WRAP (SIGKILL after TIMEOUT seconds,
# default 20) and sets RC to its exit status.
finish_init() {
        local t=${1:-20} i
        for ((i = 0; i < t * 50; i++)); do
                kill -0 "$WRAP" 2>/dev/null || break
                sleep 0.02
        done
        kill -0 "$WRAP" 2>/dev/null && kill -9 "$WRAP"
        wait "$WRAP"
        # shellcheck disable=SC2034
        RC=$?
}

# ms: monotonic-enough milliseconds for elapsed-time checks.
ms() {
        echo $(($(date +%s%N) / 1000000))
}

# lines FILE: the file's lines joined by spaces ("" when missing).
lines() {
        [ -f "$1" ] && tr '\n' ' ' <"$1" | sed 's/ $//'
}

# has_lines N FILE: FILE has at least N lines.
has_lines() {
        [ -f "$2" ] && [ "$(wc -l <"$2")" -ge "$1" ]
}

# zombies_below PID: how many processes below PID (children and deeper) are zombies.
zombies_below() {
        local n=0 p pids=("$1") all=()
        while [ ${#pids[@]} -gt 0 ]; do
                p=${pids[0]}
                pids=("${pids[@]:1}")
                for c in $(pgrep -P "$p"); do
                        all+=("$c")
                        pids+=("$c")
                done
        done
        for p in "${all[@]}"; do
                [ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$p/stat" 2>/dev/null)" = Z ] && n=$((n + 1))
        done
        echo "$n"
}

# alive PID: the process exists and is not a zombie.
alive() {
        [ -e "/proc/$1/stat" ] && [ "$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}
