# shellcheck shell=bash
# For the corralctl root tests: a private dbus-daemon on $T/bus and a
# corrald under $T/root, both stopped by defer; machines get terminated and
# any monitor left under this $T is killed by PID at the end. Source after
# lib.sh and require_root.

export CORRAL_BUS_ADDRESS="unix:path=$T/bus"
# Debian's python3 (install-deps.sh), not whatever wrapper PATH finds first.
PY=/usr/bin/python3
ROOT=$T/root
DEFS=$ROOT/etc/corral/machines
mkdir -p "$DEFS"

# Kills the processes whose command line mentions this test's $T (the
# corral-run monitors and their containers), by PID.
_kill_our_processes() {
        local p args
        for p in /proc/[0-9]*; do
                [ "${p#/proc/}" = $$ ] && continue
                mapfile -d '' args <"$p/cmdline" 2>/dev/null || continue
                [[ "${args[*]}" == *"$T/"* ]] && kill -KILL "${p#/proc/}" 2>/dev/null
        done
        return 0
}

# The cgroups of this test's machines, in case their monitors had to be
# killed outright above (their cgroups are only cleaned at the next start).
_remove_our_cgroups() {
        local f
        sleep 0.2
        for f in "$T"/root/etc/corral/machines/*.machine; do
                [ -e "$f" ] && remove_machine_cgroups "$(basename "$f" .machine)"
        done
        return 0
}

# start_bus: a private dbus-daemon on $T/bus; $BUS_LIMITS (<limit> lines)
# go into its configuration.
start_bus() {
        cat >"$T/bus.conf" <<XML
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>custom</type>
  <listen>unix:path=$T/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
${BUS_LIMITS:-}
</busconfig>
XML
        dbus-daemon --config-file="$T/bus.conf" --fork --print-pid=3 3>"$T/bus.pid" >/dev/null
        defer "kill \$(cat '$T/bus.pid')"
        wait_for 5 test -S "$T/bus"
}

# start_corrald [ARGS...]: waits until the name is on the bus.
start_corrald() {
        "$CORRALD" --root "$ROOT" --bus "$CORRAL_BUS_ADDRESS" --corral-run "$CORRAL_RUN" "$@" \
                >>"$T/corrald.log" 2>&1 &
        CORRALD_PID=$!
        defer "kill $CORRALD_PID; wait $CORRALD_PID"
        wait_for 10 "$CORRALCTL" --no-pager list >/dev/null 2>&1
}

# Terminates every machine corrald knows, then kills what is left of ours.
# defer is LIFO: call this after start_corrald so that it runs first.
defer_machine_cleanup() {
        defer "for m in \$('$CORRALCTL' --no-legend --no-pager list --all | awk '{print \$1}'); do '$CORRALCTL' terminate \$m; done; sleep 0.3; _kill_our_processes; _remove_our_cgroups"
}

# ctl ARGS...: corralctl with stdout in $OUT, stderr in $ERR, status in $RC.
ctl() {
        OUT=$("$CORRALCTL" --no-pager "$@" 2>"$T/ctl.err")
        RC=$?
        ERR=$(cat "$T/ctl.err")
}

# As an unprivileged user (nobody).
ctl_nobody() {
        OUT=$(setpriv --reuid nobody --regid nogroup --clear-groups "$CORRALCTL" --no-pager "$@" 2>"$T/ctl.err")
        RC=$?
        ERR=$(cat "$T/ctl.err")
}

# define_machine NAME SCRIPT [EXEC-LINES]: a busybox rootfs and a
# definition running sh -c SCRIPT (Parameters= quoting: no double quotes
# or backslashes in SCRIPT; single quotes are fine).
define_machine() {
        local name=$1 script=$2 extra=${3:-}
        [ -d "$T/rootfs" ] || make_rootfs "$T/rootfs"
        cat >"$DEFS/$name.machine" <<INI
[Machine]
Description=Test machine $name
Directory=$T/rootfs
StopTimeoutSec=2s

[Exec]
Parameters=/bin/sh -c "$script"
$extra
INI
}

# json_get JSON PYTHON-EXPR: evaluates EXPR with the parsed JSON as j.
json_get() {
        "$PY" -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}
