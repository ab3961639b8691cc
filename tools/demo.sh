#!/bin/bash
# The README's demo, on a fresh Debian 12 machine, as root: installs what
# corral needs, builds it, makes a busybox root file system in a cache
# directory outside the repository, and runs one container from it with
# corral-run: the supervisor is PID 1, the payload prints the container's
# process tree and a few facts, and the demo prints the exit status.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
        echo "demo.sh: run as root (containers need it)" >&2
        exit 1
fi

./tools/install-deps.sh
BUILD=${BUILD_DIR:-build}
[ -d "$BUILD" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD" >/dev/null

CACHE=${CORRAL_DEMO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corral-demo}
ROOTFS=$CACHE/busybox
if [ ! -x "$ROOTFS/bin/busybox" ]; then
        echo "== making a busybox rootfs in $ROOTFS"
        mkdir -p "$ROOTFS"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,usr/bin,usr/sbin,var}
        cp /bin/busybox "$ROOTFS/bin/busybox"
        for a in $("$ROOTFS/bin/busybox" --list-full); do
                [ -e "$ROOTFS/$a" ] || ln -s /bin/busybox "$ROOTFS/$a"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOTFS/etc/passwd"
        printf 'root:x:0:\n' >"$ROOTFS/etc/group"
        chmod 1777 "$ROOTFS/tmp"
fi

echo "== corral-run -D $ROOTFS --hostname demo -- sh -c '...'"
set +e
"$BUILD/machined/corral-run" -q -D "$ROOTFS" --hostname demo -- /bin/sh -c '
        echo "hostname: $(hostname)   container=$container"
        echo "process tree inside the container:"
        ps -o pid,ppid,comm,args | cut -c1-60
        echo "capability bounding set: $(grep CapBnd /proc/self/status | cut -f2)"
        echo "mounts: $(cut -d" " -f5 /proc/self/mountinfo | tr "\n" " ")"
        exit 3'
status=$?
set -e
echo "== corral-run exited with status $status (the payload said: exit 3)"
