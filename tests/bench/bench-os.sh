#!/bin/bash
# Full-OS benchmark (root): boot to READY=1 and poweroff time of the same
# Debian rootfs (tests/lib/make-debian-rootfs.sh; each boot on a
# throwaway overlay) under corrald, under `corral-run --monitor` alone,
# and under `systemd-nspawn -b --register=no --keep-unit
# --notify-ready=yes --volatile=overlay`, interleaved in the same run.
# Prints medians in ms; asserts nothing.
#
#   tests/bench/bench-os.sh [BUILD_DIR] [N_RUNS]
#
# READY: corral's monitor stamps TIMESTAMP= into the state file when
# systemd inside sends READY=1; nspawn forwards READY=1 to its own
# NOTIFY_SOCKET, a socket of ours. Poweroff: the stop request (corrald's
# StopMachine, SIGTERM to corral-run or nspawn, which both turn it into
# SIGRTMIN+3 for systemd) until the monitor or nspawn process has exited.
set -u
BUILD=${1:-build}
RUNS=${2:-5}
CORRAL_BUILD_DIR=$(cd "$BUILD" && pwd)
CORRAL_SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
export CORRAL_BUILD_DIR CORRAL_SOURCE_DIR
. "$CORRAL_SOURCE_DIR/tests/root/lib.sh"
. "$CORRAL_SOURCE_DIR/tests/root/corrald-lib.sh"
require_root
exec 3>&1 >/dev/null
say() { echo "$@" >&3; }

DEB=$("$S/tests/lib/make-debian-rootfs.sh") || { say "no Debian rootfs"; exit 1; }
command -v systemd-nspawn >/dev/null || { say "systemd-nspawn missing (systemd-container)"; exit 1; }
defer "cleanup_machines"

cat >"$ROOT/etc/corral/machines/deb.machine" <<EOF2
[Machine]
Directory=$DEB
StopTimeoutSec=30s
[Exec]
Boot=yes
Ephemeral=yes
NotifyReady=yes
EOF2
start_bus
start_corrald

usec() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ready_ts() { sed -n 's/^TIMESTAMP=//p' "$1" 2>/dev/null; }
monitor_of() { sed -n 's/^MONITOR=//p' "$1" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# nspawn_once: prints "READY_US POWEROFF_US".
nspawn_once() {
        /usr/bin/python3 - "$DEB" <<'PY'
import os, signal, socket, subprocess, sys, tempfile, time
d = tempfile.mkdtemp()
path = os.path.join(d, "notify")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
env = dict(os.environ, NOTIFY_SOCKET=path)
t0 = time.monotonic()
p = subprocess.Popen(["systemd-nspawn", "-q", "-b", "--register=no", "--keep-unit",
                      "--notify-ready=yes", "--volatile=overlay", "-D", sys.argv[1]],
                     env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
s.settimeout(60)
while b"READY=1" not in s.recv(4096):
    pass
ready = time.monotonic() - t0
t1 = time.monotonic()
p.send_signal(signal.SIGTERM)
p.wait(60)
off = time.monotonic() - t1
os.unlink(path); os.rmdir(d)
print(int(ready * 1e6), int(off * 1e6))
PY
}

SF=$ROOT/run/corral/machines/deb/state
SOLO=$T/solo
mkdir -p "$SOLO"
SOLO_SF=$SOLO/run/corral/machines/solo/state
: >"$T/cd-ready"; : >"$T/cd-off"; : >"$T/cr-ready"; : >"$T/cr-off"; : >"$T/ns-ready"; : >"$T/ns-off"
for i in $(seq 1 "$RUNS"); do
        # corrald
        t0=$(usec)
        call StartMachine s deb >/dev/null
        wait_for 60 grep -qsx STATE=running "$SF"
        echo $(($(ready_ts "$SF") - t0)) >>"$T/cd-ready"
        mon=$(monitor_of "$SF")
        t0=$(usec)
        call StopMachine s deb >/dev/null
        wait_for 60 gone "$mon"
        echo $(($(usec) - t0)) >>"$T/cd-off"
        wait_state deb stopped 10

        # corral-run --monitor alone, the same definition
        t0=$(usec)
        "$CORRAL_RUN" --monitor -M solo --machine "$ROOT/etc/corral/machines/deb.machine" --root "$SOLO" \
                >/dev/null 2>&1 &
        pid=$!
        wait_for 60 grep -qsx STATE=running "$SOLO_SF"
        echo $(($(ready_ts "$SOLO_SF") - t0)) >>"$T/cr-ready"
        t0=$(usec)
        kill -TERM $pid
        wait $pid
        echo $(($(usec) - t0)) >>"$T/cr-off"

        # systemd-nspawn
        read -r r o < <(nspawn_once)
        echo "$r" >>"$T/ns-ready"
        echo "$o" >>"$T/ns-off"
done

ms() { median <"$1" | awk '{ printf "%.0f", $1 / 1000 }'; }
say "Debian 12 (systemd) boot to READY=1 and poweroff, median of $RUNS runs, ms"
say "$(printf '%-28s %10s %10s' runner ready poweroff)"
say "$(printf '%-28s %10s %10s' corrald "$(ms "$T/cd-ready")" "$(ms "$T/cd-off")")"
say "$(printf '%-28s %10s %10s' "corral-run --monitor" "$(ms "$T/cr-ready")" "$(ms "$T/cr-off")")"
say "$(printf '%-28s %10s %10s' systemd-nspawn "$(ms "$T/ns-ready")" "$(ms "$T/ns-off")")"
