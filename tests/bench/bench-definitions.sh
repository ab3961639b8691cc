#!/bin/sh
# Prints how long parsing machine definitions and loading a host's whole
# set (corrald's start and Reload()) take. Usage: bench-definitions.sh [BUILDDIR] [N]
set -eu
B=${1:-build}
N=${2:-1000}
ninja -C "$B" tests/bench/bench-definitions >/dev/null
exec "$B/tests/bench/bench-definitions" "$N"
