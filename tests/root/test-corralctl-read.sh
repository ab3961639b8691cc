#!/bin/bash
# corralctl against a private corrald, without running containers: golden
# tables and JSON of list/show/status for stopped and refused machines,
# errors and exit codes (missing machine, usage, non-root caller, stopped
# machine), enable/disable, daemon-reload, --help of every verb, colours
# and the pager only on a terminal, bash completion.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/corralctl-lib.sh"

start_bus
define_machine web "echo hello; exec sleep 1000"
printf '[Machine]\nDirectory=%s\nBogus=1\n' "$T/rootfs" >"$DEFS/bad.machine"
start_corrald
defer_machine_cleanup

D=$T/rootfs
w=${#D}
[ "$w" -lt 5 ] && w=5

# --- list ---------------------------------------------------------------
ctl list
is "$RC" 0 "list exits 0"
is "$OUT" "NAME STATE CLASS IMAGE LEADER ADDRESSES

0 machines listed." "list shows no stopped machines (golden)"

ctl list --all
expected=$(printf '%s\n' \
        "$(printf 'NAME STATE   CLASS     %-*s LEADER ADDRESSES' "$w" IMAGE)" \
        "$(printf 'bad  refused -         %-*s -      -' "$w" -)" \
        "$(printf 'web  stopped container %-*s -      -' "$w" "$D")" \
        "" "2 machines listed.")
is "$(printf '%s\n' "$OUT" | head -5)" "$expected" "list --all table (golden)"
like "$(printf '%s\n' "$OUT" | sed -n 6p)" "^refused bad: $DEFS/bad.machine:3: .*Bogus" \
        "list --all names the refused definition with file:line"

ctl list --all --no-legend
is "$OUT" "$(printf 'bad refused -         %-*s - -\nweb stopped container %s - -' "$w" - "$D")" \
        "list --no-legend: no header, no footer (golden)"

ctl list --all --json
is "$RC" 0 "list --json exits 0"
is "$(json_get "$OUT" 'j[1]')" \
        "{'name': 'web', 'state': 'stopped', 'class': 'container', 'image': None, 'directory': '$D', 'leader': None, 'addresses': [], 'error': None}" \
        "list --json: the stopped machine's fields (golden)"
is "$(json_get "$OUT" '[j[0][k] for k in ("name", "state", "class", "leader")]')" "['bad', 'refused', None, None]" \
        "list --json: the refused definition"
like "$(json_get "$OUT" 'j[0]["error"]')" "bad.machine:3" "list --json: refused with its error"
is "$(printf '%s\n' "$OUT" | wc -l)" 1 "--json is one line"
pretty=$("$CORRALCTL" list --all --json=pretty)
ok "--json=pretty is several lines" test "$(printf '%s\n' "$pretty" | wc -l)" -gt 5
is "$(json_get "$pretty" 'j')" "$(json_get "$OUT" 'j')" "--json=pretty has the same content"

# --- status -------------------------------------------------------------
ctl status web
is "$RC" 0 "status exits 0"
is "$OUT" "● web - Test machine web
       State: stopped
       Class: container
   Directory: $D
   Autostart: no
    Restarts: 0" "status of a stopped machine (golden)"

ctl status web --json
is "$(json_get "$OUT" '(j["name"], j["state"], j["description"], j["directory"], j["leader"], j["restarts"], j["exit_status"], j["autostart"], j["memory_max"], j["log"])')" \
        "('web', 'stopped', 'Test machine web', '$D', None, 0, None, False, None, [])" \
        "status --json fields (golden)"

# --- show ---------------------------------------------------------------
ctl show web -p Name,State,Class -p RootDirectory,Leader,MemoryMax,CPUUsageNSec,Autostart
is "$OUT" "Autostart=no
CPUUsageNSec=[not set]
Class=container
Leader=0
MemoryMax=infinity
Name=web
RootDirectory=$D
State=stopped" "show -p (golden)"
ctl show web -p State --value
is "$OUT" "stopped" "show --value"
ctl show web
missing=""
for p in Name Class State Leader Image RootDirectory Timestamp Autostart RestartCount ExitStatus \
        MemoryCurrent CPUUsageNSec TasksCurrent NetworkInterfaces Addresses; do
        printf '%s\n' "$OUT" | grep -q "^$p=" || missing="$missing $p"
done
is "$missing" "" "show lists every property of DESIGN.md"
ctl show web --json
is "$(json_get "$OUT" '(j["Name"], j["State"], j["Leader"], j["Autostart"])')" "('web', 'stopped', 0, False)" \
        "show --json keeps the D-Bus names and types"

# --- errors and exit codes ------------------------------------------------
ctl status nope
is "$RC" 1 "status of a missing machine exits 1"
is "$ERR" "No machine 'nope'" "... with one line naming it"
ctl start nope
is "$RC" 1 "start of a missing machine exits 1"
is "$ERR" "No machine 'nope'" "... with one line naming it"
ctl start bad
is "$RC" 1 "start of a refused definition exits 1"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "... with one line"
like "$ERR" "^Failed to start machine 'bad': .*bad.machine:3" "... naming the machine and the file:line"
ctl show web nope
is "$RC" 1 "show of one good and one missing machine exits 1"
like "$OUT" "Name=web" "... and still shows the good one"

ctl kill web
is "$RC" 1 "kill of a stopped machine exits 1"
like "$ERR" "^Failed to kill machine 'web': .*not running" "... saying it is not running"
ctl login web
is "$RC" 1 "login to a stopped machine exits 1"
like "$ERR" "^Failed to log into machine 'web': .*not running" "... saying it is not running"
ctl shell web -- /bin/true </dev/null
is "$RC" 1 "shell in a stopped machine exits 1"
like "$ERR" "machine 'web'.*not running" "... saying it is not running"

for args in "start" "frobnicate" "list --signal KILL" "kill web --kill-whom=everyone" "logs web -n x" \
        "login a b" "shell web -- true" "list --json=ugly"; do
        # shellcheck disable=SC2086
        ctl $args
        is "$RC" 2 "usage error exits 2: corralctl $args"
done

ctl_nobody list --all --no-legend
is "$RC" 0 "a non-root caller may list"
like "$OUT" "web stopped" "... and sees the machines"
ctl_nobody status web
is "$RC" 0 "a non-root caller may see status"
for verb in start stop reboot terminate kill enable disable; do
        ctl_nobody "$verb" web
        is "$RC" 1 "a non-root caller may not $verb (exit 1)"
        like "$ERR" "^Failed to $verb machine 'web': Access denied" "... and is told access was denied"
done
ctl_nobody daemon-reload
is "$RC" 1 "a non-root caller may not daemon-reload"
ctl show web -p State --value
is "$OUT" stopped "the refused calls changed nothing"

# --- enable, disable, daemon-reload ---------------------------------------
ctl enable web
is "$RC" 0 "enable exits 0"
is "$("$CORRALCTL" show web -p Autostart --value)" yes "enable sets Autostart"
ctl disable web
is "$RC" 0 "disable exits 0"
is "$("$CORRALCTL" show web -p Autostart --value)" no "disable clears Autostart"

define_machine db "exec sleep 1000"
ctl status db
is "$RC" 1 "a new definition is unknown before daemon-reload"
ctl daemon-reload
is "$RC" 0 "daemon-reload exits 0"
ctl show db -p State --value
is "$OUT" stopped "a new definition is known after daemon-reload"
ctl --bus "$CORRAL_BUS_ADDRESS" list --all --no-legend
is "$(printf '%s\n' "$OUT" | awk '{print $1}' | tr '\n' ' ')" "bad db web " "--bus ADDRESS selects the bus"
OUT=$(CORRAL_BUS_ADDRESS=unix:path=$T/nobus "$CORRALCTL" list 2>&1)
is "$?" 1 "an unreachable bus exits 1"

# --- help ------------------------------------------------------------------
bad_help=""
for verb in list status show start stop reboot terminate kill enable disable login shell logs images \
        import-tar import-oci import-docker remove-image daemon-reload; do
        h=$("$CORRALCTL" "$verb" --help) && [[ $h == *"corralctl [OPTIONS...] $verb"* ]] || bad_help="$bad_help $verb"
done
is "$bad_help" "" "--help works for every verb"
ok "corralctl --help lists the verbs" bash -c "'$CORRALCTL' --help | grep -q 'import-docker FILE NAME'"

# --- colours and pager only on a terminal ------------------------------------
tty_out=$(script -qec "'$CORRALCTL' --no-pager list --all" /dev/null)
ok "colours on a terminal" grep -q $'\e\\[' <<<"$tty_out"
tty_out=$(NO_COLOR=1 script -qec "'$CORRALCTL' --no-pager list --all" /dev/null)
ok "no colours with NO_COLOR" bash -c '! grep -q $'"'"'\e\['"'"' <<<"$1"' _ "$tty_out"
ctl list --all
ok "no colours into a pipe" bash -c '! grep -q $'"'"'\e\['"'"' <<<"$1"' _ "$OUT"
tty_out=$(CORRAL_PAGER="sed s/^/PAGED:/" script -qec "'$CORRALCTL' list --all" /dev/null)
like "$tty_out" "PAGED:web" "the pager runs on a terminal"
tty_out=$(CORRAL_PAGER="sed s/^/PAGED:/" script -qec "'$CORRALCTL' --no-pager list --all" /dev/null)
ok "--no-pager disables it" bash -c '! grep -q PAGED <<<"$1"' _ "$tty_out"

# --- bash completion ---------------------------------------------------------
complete_words() {
        PATH=$B/tools:$PATH bash -c '
                complete() { :; }
                . "$1"; shift
                COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                _corralctl
                printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$S/tools/completion/corralctl.bash" "$@"
}
is "$(complete_words corralctl st)" "start status stop " "completion of verbs"
is "$(complete_words corralctl status "")" "bad db web " "completion of machine names"
is "$(complete_words corralctl kill --kill-whom "")" "all leader " "completion of option values"

# --- addresses ---------------------------------------------------------------
define_machine net 'exec sleep 1000'
printf '\n[Network]\nVirtualEthernet=yes\nAddress=10.231.7.2/24\n' >>"$DEFS/net.machine"
ctl daemon-reload
ctl list --all --no-legend
is "$(printf '%s\n' "$OUT" | grep '^net ')" "$(printf 'net stopped container %-*s - 10.231.7.2/24' "$w" "$D")" \
        "list shows a static address in ADDRESSES (golden)"
ctl list --all --json
is "$(json_get "$OUT" '[m["addresses"] for m in j if m["name"] == "net"][0]')" "['10.231.7.2/24']" \
        "list --json has the addresses as an array"
ctl status net
like "$OUT" $'\n   Addresses: 10.231.7.2/24' "status shows the address"

done_testing
