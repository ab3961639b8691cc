#!/bin/bash
# The README's demo, on a fresh Debian 12 machine, as root: installs what
# corral needs, builds it, makes a busybox root file system in a cache
# directory outside the repository, then starts corrald on a private D-Bus
# and a temporary --root with machine definitions taken from
# units/machines/. corrald boots every Autostart=yes machine at start; the
# demo lists them, shows one machine's status, runs a command in another,
# stops them all and cleans up.
#
#   tools/demo.sh             busybox app and boot machines
#   tools/demo.sh --debian    also the Debian (systemd) OS machine; the first
#                             run makes its rootfs with debootstrap (minutes)
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_DEBIAN=0
case "${1:-}" in
--debian) WITH_DEBIAN=1 ;;
"") ;;
*)
        echo "usage: $0 [--debian]" >&2
        exit 2
        ;;
esac

if [ "$(id -u)" != 0 ]; then
        echo "demo.sh: run as root (containers need it)" >&2
        exit 1
fi

./tools/install-deps.sh
BUILD=${BUILD_DIR:-build}
[ -d "$BUILD" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" >/dev/null
SRC=$PWD
CTL="$BUILD/tools/corralctl"

CACHE=${CORRAL_DEMO_CACHE:-/var/cache/corral-demo}
ROOTFS=$CACHE/busybox
if [ ! -x "$ROOTFS/bin/busybox" ]; then
        echo "== making a busybox rootfs in $ROOTFS"
        # shellcheck source=../tests/lib/busybox-rootfs.sh
        . "$(dirname "$0")/../tests/lib/busybox-rootfs.sh"
        busybox_rootfs "$ROOTFS"
        mkdir -p "$ROOTFS/www"
fi
# busybox init's default table asks for Enter on the console in a loop;
# this one brings the machine up, keeps a shell on the console (for
# "corralctl login") and says when it goes down.
if [ ! -f "$ROOTFS/etc/inittab" ]; then
        cat >"$ROOTFS/etc/inittab" <<'EOF'
::sysinit:/bin/echo "busybox init: booted"
console::respawn:-/bin/sh
::shutdown:/bin/echo "busybox init: powering off"
EOF
fi
mkdir -p "$CACHE/www"
echo "hello from a corral machine" >"$CACHE/www/index.html"

ROOT=$(mktemp -d /tmp/corral-demo.XXXXXX)
chmod 755 "$ROOT"
BUS="unix:path=$ROOT/bus"
DBUS_PID= CORRALD_PID=
export CORRAL_BUS_ADDRESS=$BUS

cleanup() {
        set +e
        if [ -n "$CORRALD_PID" ]; then
                for m in $("$CTL" --no-legend --no-pager list 2>/dev/null | awk '{print $1}'); do
                        "$CTL" terminate "$m" 2>/dev/null
                done
                kill "$CORRALD_PID" 2>/dev/null
                wait "$CORRALD_PID" 2>/dev/null
        fi
        [ -n "$DBUS_PID" ] && kill "$DBUS_PID" 2>/dev/null
        awk -v r="$ROOT" 'index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
                while read -r m; do umount -l "$m"; done
        rm -rf "$ROOT"
}
trap cleanup EXIT

# A bus of our own, with the project's policy file, so the demo needs no
# system bus and touches nothing of the host's.
cat >"$ROOT/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>corral-demo</type>
  <listen>$BUS</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow receive_type="method_call"/>
  </policy>
  <include>$SRC/units/org.corral.machine1.conf</include>
</busconfig>
EOF
dbus-daemon --config-file="$ROOT/bus.conf" --nofork --nopidfile &
DBUS_PID=$!
for _ in $(seq 100); do [ -S "$ROOT/bus" ] && break; sleep 0.05; done

# The definitions of units/machines/, pointed at the demo's rootfs and set
# to start with corrald. Two machines from the app example, one from the
# boot example.
DEFS=$ROOT/etc/corral/machines
mkdir -p "$DEFS"
adapt() {
        sed -e "s|^Directory=.*|Directory=$ROOTFS|" -e 's|^Autostart=.*|Autostart=yes|' \
                -e "s|/srv/www|$CACHE/www|" "$1"
}
adapt units/machines/busybox-app.machine >"$DEFS/web1.machine"
# Both share the host's network, as the example does: web2 listens elsewhere.
adapt units/machines/busybox-app.machine | sed 's/-p 8080/-p 8081/' >"$DEFS/web2.machine"
adapt units/machines/busybox-boot.machine >"$DEFS/busybox-boot.machine"
MACHINES="web1 web2 busybox-boot"

if [ "$WITH_DEBIAN" = 1 ]; then
        DEBIAN_ROOTFS=$(./tests/lib/make-debian-rootfs.sh)
        tar -C "$DEBIAN_ROOTFS" -cf "$ROOT/debian.tar" .
fi

echo "== corrald --root $ROOT --bus $BUS"
"$BUILD/machined/corrald" --root "$ROOT" --bus "$BUS" --corral-run "$BUILD/machined/corral-run" &
CORRALD_PID=$!
for _ in $(seq 200); do "$CTL" --no-pager list >/dev/null 2>&1 && break; sleep 0.05; done

if [ "$WITH_DEBIAN" = 1 ]; then
        echo "== corralctl import-tar debian.tar debian-bookworm"
        "$CTL" import-tar "$ROOT/debian.tar" debian-bookworm
        cp units/machines/debian.machine "$DEFS/debian.machine"
        "$CTL" daemon-reload
        "$CTL" start debian
        MACHINES="$MACHINES debian"
fi

# Autostart machines come up in parallel; wait until each reports running.
for m in $MACHINES; do
        for _ in $(seq 400); do
                [ "$("$CTL" show -p State --value "$m" 2>/dev/null)" = running ] && break
                sleep 0.05
        done
done

echo
echo "== corralctl list"
"$CTL" --no-pager list
echo
echo "== corralctl status busybox-boot"
"$CTL" --no-pager status busybox-boot
echo
echo "== corralctl shell web1 -- /bin/ps -o pid,ppid,comm,args"
"$CTL" shell web1 -- /bin/ps -o pid,ppid,comm,args
echo
echo "== corralctl shell web2 -- /usr/bin/wget -qO- http://127.0.0.1:8081/index.html"
"$CTL" shell web2 -- /usr/bin/wget -qO- http://127.0.0.1:8081/index.html || true
echo
echo "== corralctl stop $MACHINES"
# shellcheck disable=SC2086
"$CTL" stop $MACHINES
"$CTL" --no-pager list --all
