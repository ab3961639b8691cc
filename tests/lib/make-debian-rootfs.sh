#!/bin/sh
# Makes (once) and prints the path of a cached Debian 12 rootfs for the
# full-OS tests and benchmark: debootstrap --variant=minbase with systemd,
# systemd-sysv and dbus. It lives outside the repository, under
# CORRAL_DEBIAN_CACHE (default /var/cache/corral-tests/debian-bookworm),
# and is built in a temporary sibling directory that is renamed in only
# when debootstrap finished, so a killed run never leaves a half rootfs
# under the real name. Tests must not write into it: they run it
# --ephemeral or import it as an image.
#
#   root=$(tests/lib/make-debian-rootfs.sh) || skip...
set -eu

dir=${CORRAL_DEBIAN_CACHE:-/var/cache/corral-tests/debian-bookworm}
# The archive debootstrap fetches from: the one apt on this host already
# uses for bookworm (deb822 .sources files or a classic sources.list), so
# the tests go wherever the host's packages come from.
apt_mirror() {
        awk '
                /^URIs:/ { uri = $2 }
                /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") ok = 1 }
                /^$/ { if (ok && uri !~ /security/) { print uri; exit } uri = ""; ok = 0 }
                END { if (ok && uri !~ /security/) print uri }
        ' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1
        awk '$1 == "deb" && $3 == "bookworm" { print $2 }' \
                /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1
}
mirror=${CORRAL_DEBIAN_MIRROR:-$(apt_mirror | head -n 1)}
if [ -z "$mirror" ]; then
        echo "no bookworm archive found in apt's sources; set CORRAL_DEBIAN_MIRROR" >&2
        exit 1
fi

if [ -x "$dir/lib/systemd/systemd" ] && [ -e "$dir/.corral-complete" ]; then
        echo "$dir"
        exit 0
fi

command -v debootstrap >/dev/null || {
        echo "debootstrap missing (tools/install-deps.sh)" >&2
        exit 1
}

parent=$(dirname "$dir")
mkdir -p "$parent"
# One builder at a time; a second caller waits and then finds the result.
exec 9>"$parent/.$(basename "$dir").lock"
flock 9
if [ -e "$dir/.corral-complete" ]; then
        echo "$dir"
        exit 0
fi

tmp="$parent/.$(basename "$dir").tmp"
# A killed debootstrap may have left proc or sys mounted inside.
rm -rf --one-file-system "$tmp" "$dir"
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus \
        bookworm "$tmp" "$mirror" >"$parent/debootstrap.log" 2>&1 || {
        echo "debootstrap failed, see $parent/debootstrap.log" >&2
        rm -rf --one-file-system "$tmp"
        exit 1
}
# A booted OS container gets its machine-id from the container manager
# (container_uuid); an empty file is what an image ships, as on installs.
: >"$tmp/etc/machine-id"
rm -f "$tmp/var/lib/dbus/machine-id"
# root may log in on the console without a password (test images only).
sed -i 's/^root:[^:]*:/root::/' "$tmp/etc/shadow"
rm -rf "$tmp/var/cache/apt/archives/"*.deb
touch "$tmp/.corral-complete"
mv "$tmp" "$dir"
echo "$dir"
