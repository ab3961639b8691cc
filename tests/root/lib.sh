# shellcheck shell=bash
# Shared harness for the root suite: TAP output, a private temporary
# directory per test, and cleanup that runs however the test ends.
#
#   . "$(dirname "$0")/lib.sh"
#   require_root
#   ok "description" test "$x" = y
#   is "$got" "$expected" "description"
#   defer 'command to run at exit'   # LIFO, runs even when the test fails
#   done_testing

set -u

B=${CORRAL_BUILD_DIR:?run through meson test}
S=${CORRAL_SOURCE_DIR:?run through meson test}
PAYLOAD=${CORRAL_TEST_PAYLOAD:-$B/tests/payload/corral-test-payload}
CORRAL_INIT=$B/supervisor/corral-init
CORRAL_RUN=$B/machined/corral-run
CORRALD=$B/machined/corrald
CORRALCTL=$B/tools/corralctl

_tap_n=0
_tap_failed=0
_deferred=()

T=$(mktemp -d /tmp/corral-test.XXXXXX)
chmod 755 "$T"

_run_deferred() {
        local i
        for ((i = ${#_deferred[@]} - 1; i >= 0; i--)); do
                eval "${_deferred[$i]}" >/dev/null 2>&1 || true
        done
        # Whatever a test mounted below $T goes, deepest first.
        if [ -d "$T" ]; then
                awk -v t="$T" '$5 == t || index($5, t "/") == 1 { print $5 }' /proc/self/mountinfo |
                        sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
                rm -rf "$T"
        fi
}
trap _run_deferred EXIT
trap 'exit 130' INT TERM

defer() {
        _deferred+=("$1")
}

require_root() {
        if [ "$(id -u)" != 0 ]; then
                echo "1..0 # SKIP needs root"
                exit 0
        fi
}

diag() {
        printf '# %s\n' "$@" | sed '2,$s/^/# /'
}

# ok DESCRIPTION COMMAND...: passes when COMMAND succeeds.
ok() {
        local desc=$1
        shift
        _tap_n=$((_tap_n + 1))
        if "$@"; then
                echo "ok $_tap_n - $desc"
        else
                echo "not ok $_tap_n - $desc"
                _tap_failed=$((_tap_failed + 1))
        fi
}

# is GOT EXPECTED DESCRIPTION
is() {
        _tap_n=$((_tap_n + 1))
        if [ "$1" = "$2" ]; then
                echo "ok $_tap_n - $3"
        else
                echo "not ok $_tap_n - $3"
                diag "got:      '$1'" "expected: '$2'"
                _tap_failed=$((_tap_failed + 1))
        fi
}

# like GOT REGEX DESCRIPTION
like() {
        _tap_n=$((_tap_n + 1))
        if [[ $1 =~ $2 ]]; then
                echo "ok $_tap_n - $3"
        else
                echo "not ok $_tap_n - $3"
                diag "got:      '$1'" "expected to match: '$2'"
                _tap_failed=$((_tap_failed + 1))
        fi
}

skip() {
        _tap_n=$((_tap_n + 1))
        echo "ok $_tap_n - $1 # SKIP ${2:-}"
}

done_testing() {
        echo "1..$_tap_n"
        [ "$_tap_failed" -eq 0 ]
}

# wait_for TIMEOUT_SECONDS COMMAND...: polls every 20 ms until COMMAND succeeds.
wait_for() {
        local deadline=$((SECONDS + $1))
        shift
        while ! "$@"; do
                [ $SECONDS -ge $deadline ] && return 1
                sleep 0.02
        done
        return 0
}

# shellcheck source=../lib/busybox-rootfs.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/busybox-rootfs.sh"

# make_rootfs DIR: a fresh busybox rootfs with the test payload at
# /usr/bin/corral-test-payload. Cheap (a copy of one static binary plus
# symlinks), so every test makes its own instead of sharing one.
make_rootfs() {
        busybox_rootfs "$1"
        cp "$PAYLOAD" "$1/usr/bin/corral-test-payload"
}

# remove_machine_cgroups NAME: removes the (empty) cgroup of machine NAME
# under corral.slice in every mounted hierarchy, deepest first. For tests
# that kill a monitor outright, whose cgroup is otherwise only cleaned at
# the next start of a machine of the same name.
remove_machine_cgroups() {
        local d
        for d in /sys/fs/cgroup/*/corral.slice/"$1" /sys/fs/cgroup/corral.slice/"$1"; do
                [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
        done
        return 0
}
