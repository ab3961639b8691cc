#!/bin/sh
# Installs every package that building corral, its demo, tests and
# benchmarks need on a fresh Debian 12 machine. Idempotent; run as root.
set -eu
export DEBIAN_FRONTEND=noninteractive

BUILD="meson ninja-build pkg-config gcc libc6-dev \
  libsystemd-dev libseccomp-dev libinih-dev libarchive-dev libcmocka-dev \
  libjson-c-dev libssl-dev scdoc libmnl-dev libnftables-dev \
  clang libclang-rt-14-dev"
RUNTIME="busybox-static dbus-daemon dbus-bin util-linux procps iproute2 kmod \
  umoci skopeo python3 attr nftables systemd debootstrap gnuplot-nox"
PEERS="tini dumb-init catatonit crun runc systemd-container lxc"

missing=""
for p in $BUILD $RUNTIME ${CORRAL_WITH_PEERS:+$PEERS}; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
