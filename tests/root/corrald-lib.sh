# shellcheck shell=bash
# Helpers for the corrald root tests, sourced after lib.sh: a private
# dbus-daemon (with units/org.corral.machine1.conf as its policy), a corrald
# on a temporary --root, machine definitions, and busctl wrappers.
#
#   start_bus                  # sets BUS (address); stopped by defer
#   start_corrald [ARGS...]    # sets CORRALD_PID; killed (not the machines) by defer
#   define NAME [EXTRA INI]    # ROOT/etc/corral/machines/NAME.machine on $ROOTFS
#   call METHOD SIG ARGS...    # busctl call on the manager, prints the reply
#   prop NAME PROPERTY         # one property of machine NAME, value only
#   wait_state NAME STATE [S]  # waits (S seconds, 20) until State is STATE

ROOT=$T/root
ROOTFS=$T/rootfs
BUS_SOCKET=$T/bus
BUS="unix:path=$BUS_SOCKET"
MANAGER_PATH=/org/corral/machine1
MANAGER_IFACE=org.corral.machine1.Manager
MACHINE_IFACE=org.corral.machine1.Machine

mkdir -p "$ROOT/etc/corral/machines"

start_bus() {
        cat >"$T/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>corral-test</type>
  <listen>unix:path=$BUS_SOCKET</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"/>
  </policy>
  <include>$S/units/org.corral.machine1.conf</include>
</busconfig>
EOF
        dbus-daemon --config-file="$T/bus.conf" --nofork --nopidfile >"$T/dbus.log" 2>&1 &
        local pid=$!
        defer "kill $pid"
        wait_for 10 test -S "$BUS_SOCKET"
        chmod 755 "$T"
}

start_corrald() {
        "$CORRALD" --root "$ROOT" --bus "$BUS" --corral-run "$CORRAL_RUN" --log-level debug "$@" \
                >>"$T/corrald.log" 2>&1 &
        CORRALD_PID=$!
        defer "kill -9 $CORRALD_PID"
        wait_for 10 busctl --address="$BUS" status org.corral.machine1 >/dev/null 2>&1
}

# Stops every monitor and container a test started (by state file), as the
# last cleanup step: machines outlive corrald by design.
cleanup_machines() {
        local s pid
        for s in "$ROOT"/run/corral/machines/*/state; do
                [ -f "$s" ] || continue
                pid=$(sed -n 's/^MONITOR=//p' "$s")
                [ -n "$pid" ] && [ "$pid" != 0 ] && kill -TERM "$pid" 2>/dev/null
        done
        sleep 0.5
        for s in "$ROOT"/run/corral/machines/*/state; do
                [ -f "$s" ] || continue
                pid=$(sed -n 's/^MONITOR=//p' "$s")
                [ -n "$pid" ] && [ "$pid" != 0 ] && kill -KILL "$pid" 2>/dev/null
                pid=$(sed -n 's/^LEADER=//p' "$s")
                [ -n "$pid" ] && [ "$pid" != 0 ] && kill -KILL "$pid" 2>/dev/null
        done
        return 0
}

make_test_rootfs() {
        make_rootfs "$ROOTFS"
        defer cleanup_machines
}

# define NAME PARAMETERS [EXTRA LINES...]
define() {
        local name=$1 params=$2
        shift 2
        {
                echo "[Machine]"
                echo "Directory=$ROOTFS"
                echo "StopTimeoutSec=3s"
                printf '%s\n' "$@"
                echo "[Exec]"
                echo "Parameters=$params"
        } >"$ROOT/etc/corral/machines/$name.machine"
}

call() {
        local method=$1
        shift
        busctl --address="$BUS" call org.corral.machine1 $MANAGER_PATH $MANAGER_IFACE "$method" "$@"
}

machine_path() {
        call GetMachine s "$1" | sed 's/^o "\(.*\)"$/\1/'
}

prop() {
        local p
        p=$(machine_path "$1") || return 1
        busctl --address="$BUS" get-property org.corral.machine1 "$p" $MACHINE_IFACE "$2" |
                sed 's/^[a-z]* //; s/^"\(.*\)"$/\1/'
}

state_is() {
        [ "$(prop "$1" State 2>/dev/null)" = "$2" ]
}

wait_state() {
        wait_for "${3:-20}" state_is "$1" "$2"
}
