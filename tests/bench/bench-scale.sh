# shellcheck shell=bash
# The scale run of tools/bench, for corral (through corrald) and for each
# peer: N machines started one at a time with figures taken at checkpoints
# on the way (latency of the next starts, memory per machine), `list`
# with all N running, stop of all N, a check that nothing is left, then
# all N started at once and stopped again. Sourced by tools/bench after
# tests/root/lib.sh, corrald-lib.sh and bench-lib.sh.
#
# Each tool TOOL provides:
#   TOOL_prepare N          everything made before the clock runs
#   TOOL_start NAME         starts one machine, returns when it runs
#   TOOL_start_all NAME...  starts all at once, returns when all run
#   TOOL_pids               the host PIDs at the top of every running
#                           machine (their descendants are added)
#   TOOL_list               one list of the running machines
#   TOOL_stop_all NAME...   stops all, returns when all are gone
#   TOOL_leftovers          prints what is left of this tool's machines
# Names are scale_name TOOL I; they are unique to this run (cgroups are
# named after them), so parallel tests never collide.

# put KEY VALUE / note TOOL SECTION TEXT: a result line for bench-report.py.
put() {
        printf '%s\t%s\n' "$1" "$2" >>"$RES"
}
put_skip() {
        put "skipped.$1.$2" "$3"
        say "skipped: $1 $2: $3"
}
put_note() {
        put "notes.$1.$2" "$3"
}
put_error() {
        put "errors.$1.$2" "$3"
        say "ERROR: $1 $2: $3"
}

# say TEXT: progress, on stderr (stdout is the table).
say() {
        echo "bench: $*" >&2
}

scale_name() {
        echo "$PREFIX-$1-$2"
}

# scale_checkpoints N: where figures are taken while ramping up.
scale_checkpoints() {
        local c
        for c in 1 10 50 100 250 500 1000 2500 5000 10000; do
                [ "$c" -lt "$1" ] && echo "$c"
        done
        echo "$1"
}

# scale_wait TIMEOUT COMMAND...: polls COMMAND every SCALE_POLL seconds
# (50 ms).
scale_wait() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@"; do
                [ $SECONDS -ge "$deadline" ] && return 1
                sleep "${SCALE_POLL:-0.05}"
        done
}

# scale_leftover_common TOOL: what any tool may leave behind, named after
# its machines: cgroups in every hierarchy, mounts, network links.
scale_leftover_common() {
        local cg mnt links
        cg=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$PREFIX-$1-*" 2>/dev/null)
        mnt=$(awk -v p="$PREFIX-$1-" -v t="$T/$1" 'index($0, p) || index($5, t) == 1' /proc/self/mountinfo)
        links=$(ip -o link show 2>/dev/null | grep -F -- "$PREFIX-$1" || true)
        [ -n "$cg" ] && printf '%s\n' "$cg" | sed 's/^/cgroup /'
        [ -n "$mnt" ] && printf 'mount %s\n' "$mnt"
        [ -n "$links" ] && printf 'link %s\n' "$links"
        return 0
}

# scale_pids_alive FILE: those of the PIDs in FILE that still exist and
# are not zombies. A detached container's PID 1 is reparented to the
# host's PID 1, which reaps when it gets to it; an exited process waiting
# there is not ours to count.
scale_pids_alive() {
        local list
        list=$(sort -u "$1" 2>/dev/null | paste -sd, -)
        [ -n "$list" ] || return 0
        ps -o pid=,stat=,args= -p "$list" 2>/dev/null |
                awk '$2 !~ /^Z/ { $2 = ""; print "process " substr($0, 1, 100) }'
        return 0
}

# scale_check TOOL WHEN: counts what is left after a stop; the details go
# to the log.
scale_check() {
        local tool=$1 when=$2 left n
        left=$({
                scale_pids_alive "$T/$tool.pids"
                "${tool}_leftovers"
                scale_leftover_common "$tool"
        })
        n=0
        [ -n "$left" ] && n=$(printf '%s\n' "$left" | wc -l)
        put "scale.$tool.leftovers${when}" "$n"
        if [ "$n" -gt 0 ]; then
                say "$tool: $n things left after stopping all$when:"
                printf '%s\n' "$left" | head -20 | sed 's/^/bench:   /' >&2
                put_error "$tool" "leftovers$when" "$(printf '%s\n' "$left" | head -3 | tr '\n' ';')"
        fi
}

# scale_measure TOOL RUNNING AVAIL0: memory per machine with RUNNING up.
scale_measure() {
        local tool=$1 running=$2 avail0=$3 pids kb procs
        mapfile -t pids < <("${tool}_pids")
        printf '%s\n' "${pids[@]}" >"$T/$tool.pids"
        read -r kb procs < <(bench_pss_tree "${pids[@]}")
        printf '%s %s %s %s\n' "$running" "$(bench_div "$kb" "$running" 1)" \
                "$(bench_div $((avail0 - $(bench_memavail))) "$running" 1)" \
                "$(bench_div "$procs" "$running" 2)" >>"$T/$tool.mem"
}

# scale_run TOOL N: the whole scale run of one tool.
scale_run() {
        local tool=$1 n=$2 i name t0 dt started=0 avail0 cps c names=() ok
        : >"$T/$tool.lat"
        : >"$T/$tool.mem"
        : >"$T/$tool.pids"
        for i in $(seq 1 "$n"); do
                names+=("$(scale_name "$tool" "$i")")
        done
        if ! "${tool}_prepare" "$n"; then
                put_error "$tool" scale "could not prepare the machines (see the log)"
                return 1
        fi
        cps=" $(scale_checkpoints "$n" | tr '\n' ' ') "
        say "$tool: starting $n machines one at a time"
        avail0=$(bench_memavail)
        for i in $(seq 1 "$n"); do
                name=${names[$((i - 1))]}
                t0=$(bench_usec)
                if ! "${tool}_start" "$name" >>"$T/$tool.log" 2>&1; then
                        put_error "$tool" scale "machine $i ($name) did not start; see $T/$tool.log"
                        say "$tool: last lines of its log:"
                        tail -5 "$T/$tool.log" | sed 's/^/bench:   /' >&2
                        break
                fi
                dt=$(($(bench_usec) - t0))
                echo "$dt" >>"$T/$tool.lat"
                started=$i
                if [[ $cps == *" $i "* ]]; then
                        scale_measure "$tool" "$i" "$avail0"
                        [ $((i % 100)) -eq 0 ] || [ "$i" -eq "$n" ] && say "$tool: $i running"
                fi
        done
        put "scale.$tool.n" "$started"
        if [ "$started" -gt 0 ]; then
                put "scale.$tool.start_rate_seq" \
                        "$(bench_div "$started" "$(awk '{ s += $1 } END { print s / 1e6 }' "$T/$tool.lat")" 1)"
                put "scale.$tool.start_ms_median" "$(awk '{ print $1 / 1000 }' "$T/$tool.lat" | bench_median)"
                # The series: at each checkpoint X, the median latency of
                # the starts of machines X..X+4 (X-1..X+3 already running).
                for c in $cps; do
                        [ "$c" -le "$started" ] || continue
                        read -r _ pss avail procs < <(awk -v c="$c" '$1 == c' "$T/$tool.mem")
                        printf 'point\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$c" \
                                "$(awk -v c="$c" 'NR >= c && NR < c + 5 { print $1 / 1000 }' "$T/$tool.lat" | bench_median)" \
                                "${pss:-}" "${avail:-}" "${procs:-}" >>"$RES"
                done
                read -r _ pss avail procs < <(tail -1 "$T/$tool.mem")
                put "scale.$tool.mem_pss_kb" "${pss:-}"
                put "scale.$tool.memavail_kb" "${avail:-}"
                put "scale.$tool.procs_per_machine" "${procs:-}"
        fi
        [ "$started" -eq "$n" ] && ok=1 || ok=0

        # Only a daemon has an idle cost of its own.
        if declare -F "${tool}_idle" >/dev/null; then
                "${tool}_idle"
        fi

        if declare -F "${tool}_list" >/dev/null && [ "$started" -gt 0 ]; then
                : >"$T/$tool.list"
                for i in $(seq 1 "$LIST_RUNS"); do
                        t0=$(bench_usec)
                        "${tool}_list" >/dev/null 2>>"$T/$tool.log"
                        echo $(($(bench_usec) - t0)) >>"$T/$tool.list"
                done
                put "scale.$tool.list_ms" "$(awk '{ print $1 / 1000 }' "$T/$tool.list" | bench_median)"
        fi

        say "$tool: stopping $started machines"
        t0=$(bench_usec)
        if ! "${tool}_stop_all" "${names[@]:0:$started}" >>"$T/$tool.log" 2>&1; then
                put_error "$tool" stop "not all machines stopped in time"
        fi
        put "scale.$tool.stop_all_s" "$(bench_div $(($(bench_usec) - t0)) 1000000 2)"
        scale_check "$tool" ""
        [ "$ok" = 1 ] || return 1

        say "$tool: starting $n machines at once"
        avail0=$(bench_memavail)
        t0=$(bench_usec)
        if "${tool}_start_all" "${names[@]}" >>"$T/$tool.log" 2>&1; then
                put "scale.$tool.start_rate_all" "$(bench_div "$n" "$(bench_div $(($(bench_usec) - t0)) 1000000 6)" 1)"
        else
                put_error "$tool" start_all "not all $n machines ran (see $T/$tool.log)"
        fi
        "${tool}_pids" >"$T/$tool.pids"
        if declare -F "${tool}_exit" >/dev/null; then
                "${tool}_exit"
        else
                "${tool}_stop_all" "${names[@]}" >>"$T/$tool.log" 2>&1 ||
                        put_error "$tool" stop "not all machines stopped in time"
        fi
        scale_check "$tool" _after_all
}

# --- corral, through corrald ------------------------------------------------------------

corral_state_files() {
        compgen -G "$ROOT/run/corral/machines/$PREFIX-corral-*/state" || true
}

corral_prepare() {
        local n=$1 i
        mkdir -p "$T/corral"
        start_bus
        # The image every machine layers its own upper directory on.
        tar -C "$BENCH_ROOTFS" -cf "$T/corral/busybox.tar" . || return 1
        "$CORRALD" --root "$ROOT" --bus "$BUS" --corral-run "$CORRAL_RUN" --log-level notice \
                --stop-machines-on-exit >>"$T/corrald.log" 2>&1 &
        CORRALD_PID=$!
        defer "kill -9 $CORRALD_PID"
        defer corral_cleanup
        wait_for 20 busctl --address="$BUS" status org.corral.machine1 >/dev/null 2>&1 || return 1
        "$CORRALCTL" --bus="$BUS" --no-pager import-tar "$T/corral/busybox.tar" "$PREFIX-img" \
                >>"$T/corral.log" 2>&1 || return 1
        for i in $(seq 1 "$n"); do
                printf '[Machine]\nImage=%s\nStopTimeoutSec=5s\n[Exec]\nParameters=/bin/sleep 1000000\n' \
                        "$PREFIX-img" >"$ROOT/etc/corral/machines/$(scale_name corral "$i").machine"
        done
        "$CORRALCTL" --bus="$BUS" --no-pager daemon-reload >>"$T/corral.log" 2>&1
}

corral_start() {
        timeout 60 "$CORRALCTL" --bus="$BUS" --no-pager start "$1"
}

# All StartMachine calls at once (corralctl --no-block sends them all
# before it reads a reply), then the state files until every monitor
# wrote STATE=running, polled slowly so the poll costs little CPU.
corral_start_all() {
        timeout "$BIG_TIMEOUT" "$CORRALCTL" --bus="$BUS" --no-pager --no-block start "$@" || return 1
        SCALE_POLL=0.25 scale_wait "$BIG_TIMEOUT" corral_all_running "$#"
}

corral_all_running() {
        [ "$(corral_state_files | xargs -r grep -l -x STATE=running | wc -l)" -ge "$1" ]
}

corral_pids() {
        corral_state_files | xargs -r awk -F= '$1 == "MONITOR" || $1 == "LEADER" { print $2 }'
}

corral_list() {
        "$CORRALCTL" --bus="$BUS" --no-pager list
}

# corrald's own cost with every machine up: PSS, and CPU over IDLE seconds.
corral_idle() {
        local c0 c1 hz
        hz=$(getconf CLK_TCK)
        put "scale.corral.corrald_pss_kb" "$(bench_pss "$CORRALD_PID")"
        c0=$(bench_cpu_ticks "$CORRALD_PID")
        sleep "$IDLE"
        c1=$(bench_cpu_ticks "$CORRALD_PID")
        put "scale.corral.corrald_cpu_pct" "$(awk -v d=$((c1 - c0)) -v hz="$hz" -v s="$IDLE" 'BEGIN { printf "%.2f", 100 * d / hz / s }')"
}

# Stopped means: every monitor has exited (also one that had not written
# a state file yet) and corrald has removed its state file.
corral_all_gone() {
        [ -z "$(corral_state_files)" ] && [ -z "$(scale_pids_alive "$T/corral.pids")" ] &&
                ! pgrep -f -- "--machine $PREFIX-corral-" >/dev/null
}

corral_stop_all() {
        corral_pids >"$T/corral.pids"
        timeout "$BIG_TIMEOUT" "$CORRALCTL" --bus="$BUS" --no-pager stop "$@" || return 1
        scale_wait "$BIG_TIMEOUT" corral_all_gone
}

# The second stop of all: corrald exits with --stop-machines-on-exit.
corral_exit() {
        local t0
        corral_pids >"$T/corral.pids"
        t0=$(bench_usec)
        kill -TERM "$CORRALD_PID"
        scale_wait "$BIG_TIMEOUT" corral_all_gone || put_error corral stop_exit "machines still up after corrald's exit"
        wait "$CORRALD_PID" 2>/dev/null
        put "scale.corral.stop_all_exit_s" "$(bench_div $(($(bench_usec) - t0)) 1000000 2)"
}

# Whatever a failed run left (deferred, after corrald is gone): the
# monitors and containers by state file, then their cgroups.
corral_cleanup() {
        local d
        kill -9 "$CORRALD_PID" 2>/dev/null
        cleanup_machines
        # Monitors that had not written a state file yet.
        pkill -KILL -f -- "--machine $PREFIX-corral-"
        sleep 0.5
        for d in /sys/fs/cgroup/*/corral.slice/"$PREFIX"-corral-* /sys/fs/cgroup/corral.slice/"$PREFIX"-corral-*; do
                [ -d "$d" ] && remove_machine_cgroups "${d##*/}"
        done
        return 0
}

corral_leftovers() {
        local f
        pgrep -a -f -- "--machine $PREFIX-corral-" | sed 's/^/process /'
        # A stopped machine keeps its console log for `corralctl logs`;
        # anything else in its state directory is left over.
        for f in "$ROOT/run/corral/machines/$PREFIX"-corral-*/*; do
                [ -e "$f" ] || [ -L "$f" ] || continue
                case ${f##*/} in log | log.*) ;; *) echo "state $f" ;; esac
        done
        awk -v r="$ROOT/" 'index($5, r) == 1 { print "mount " $5 }' /proc/self/mountinfo
        return 0
}

# --- crun and runc: detached OCI containers -----------------------------------------------

oci_prepare() {
        local tool=$1 n=$2 i
        mkdir -p "$T/$tool/state"
        bench_oci_bundle "$T/$tool/template" "$BENCH_ROOTFS" "/$PREFIX-$tool" /bin/sleep 1000000 || return 1
        for i in $(seq 1 "$n"); do
                bench_oci_config "$T/$tool/template" "$(scale_name "$tool" "$i")" "$T/$tool/$(scale_name "$tool" "$i")"
        done
}

oci_pids() {
        cat "$CGH/$PREFIX-$1"/*/cgroup.procs 2>/dev/null
        return 0
}

oci_stop_all() {
        local tool=$1 name
        shift
        oci_pids "$tool" >"$T/$tool.pids"
        local failed=0
        for name in "$@"; do
                timeout 60 "$tool" --root "$T/$tool/state" delete -f "$name" ||
                        { echo "$tool delete -f $name: exit $?"; failed=1; }
        done
        return $failed
}

oci_leftovers() {
        local s
        for s in "$T/$1/state"/*; do [ -e "$s" ] && echo "state $s"; done
        return 0
}

# oci_cleanup TOOL: whatever a failed run left (deferred).
oci_cleanup() {
        local s
        for s in "$T/$1/state"/*; do
                [ -e "$s" ] && timeout 20 "$1" --root "$T/$1/state" delete -f "${s##*/}"
        done
        bench_rm_cgroup "$PREFIX-$1"
}

# crun and runc at once: a bounded number of parallel starts, since each
# start is a process of its own (runc's is a Go binary of several MB).
oci_start_all() {
        local tool=$1
        shift
        printf '%s\n' "$@" | xargs -P "$PAR" -n 1 bash -c '"$0" "$1"' "${tool}_start"
}

crun_prepare() { oci_prepare crun "$1"; }
crun_start() { timeout 60 crun --root "$T/crun/state" run -d -b "$T/crun/$1" "$1" </dev/null >/dev/null; }
crun_start_all() { oci_start_all crun "$@"; }
crun_pids() { oci_pids crun; }
crun_list() { crun --root "$T/crun/state" list; }
crun_stop_all() { oci_stop_all crun "$@"; }
crun_leftovers() { oci_leftovers crun; }

runc_prepare() { oci_prepare runc "$1"; }
runc_start() { timeout 60 runc --root "$T/runc/state" run -d -b "$T/runc/$1" "$1" </dev/null >/dev/null; }
runc_start_all() { oci_start_all runc "$@"; }
runc_pids() { oci_pids runc; }
runc_list() { runc --root "$T/runc/state" list; }
runc_stop_all() { oci_stop_all runc "$@"; }
runc_leftovers() { oci_leftovers runc; }

# --- lxc: lxc-start -d, a monitor process per container ----------------------------------

lxc_prepare() {
        mkdir -p "$T/lxc/path"
        bench_lxc_config "$T/lxc/config" "$BENCH_ROOTFS"
}

lxc_start() {
        timeout 60 lxc-start -n "$1" -P "$T/lxc/path" -f "$T/lxc/config" -d -- /bin/sleep 1000000
}

lxc_start_all() {
        printf '%s\n' "$@" | xargs -P "$PAR" -n 1 bash -c '"$0" "$1"' lxc_start
}

# The payload's cgroup and the monitor's ([lxc monitor] stays outside the
# container for its whole life).
lxc_pids() {
        cat "$CGH"/lxc.payload."$PREFIX"-lxc-*/cgroup.procs "$CGH"/lxc.monitor."$PREFIX"-lxc-*/cgroup.procs 2>/dev/null
        return 0
}

lxc_list() {
        lxc-ls -P "$T/lxc/path" --running
}

lxc_stop_all() {
        local name
        lxc_pids >"$T/lxc.pids"
        local failed=0
        for name in "$@"; do
                timeout 60 lxc-stop -n "$name" -P "$T/lxc/path" -k ||
                        { echo "lxc-stop -k $name: exit $?"; failed=1; }
        done
        return $failed
}

lxc_leftovers() {
        local d
        for d in "$T/lxc/path"/*; do [ -e "$d" ] && echo "lxcpath $d"; done
        return 0
}

lxc_cleanup() {
        local d
        for d in "$CGH"/lxc.payload."$PREFIX"-lxc-*; do
                [ -d "$d" ] && timeout 20 lxc-stop -n "${d##*/lxc.payload.}" -P "$T/lxc/path" -k
        done
        return 0
}

# --- systemd-nspawn: no detach without systemd, so backgrounded -----------------------------

nspawn_prepare() {
        mkdir -p "$T/nspawn/pid"
}

# Runs until the payload (sleep) is nspawn's child: then it runs. The
# rootfs is shared, so read-only, and nothing is bound into it.
nspawn_start() {
        local pid
        setsid systemd-nspawn -q --register=no --keep-unit --read-only --timezone=off \
                --resolv-conf=off -D "$BENCH_ROOTFS" -M "$1" /bin/sleep 1000000 \
                </dev/null >>"$T/nspawn/$1.log" 2>&1 &
        pid=$!
        echo "$pid" >"$T/nspawn/pid/$1"
        scale_wait 60 nspawn_payload_runs "$pid"
}

nspawn_payload_runs() {
        [ -d "/proc/$1" ] || return 2
        pgrep -P "$1" -x sleep >/dev/null
}

nspawn_start_all() {
        printf '%s\n' "$@" | xargs -P "$PAR" -n 1 bash -c '"$0" "$1"' nspawn_start
}

nspawn_pids() {
        cat "$T/nspawn/pid"/* 2>/dev/null
        return 0
}

nspawn_gone() {
        [ -z "$(scale_pids_alive "$T/nspawn.pids")" ]
}

# SIGTERM makes nspawn end its container and exit.
nspawn_stop_all() {
        local p
        nspawn_pids >"$T/nspawn.pids"
        for p in $(cat "$T/nspawn.pids"); do kill -TERM "$p" 2>/dev/null; done
        scale_wait "$BIG_TIMEOUT" nspawn_gone || return 1
        rm -f "$T/nspawn/pid"/*
}

nspawn_leftovers() {
        return 0
}

nspawn_cleanup() {
        local p
        for p in $(cat "$T/nspawn/pid"/* 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
        return 0
}
