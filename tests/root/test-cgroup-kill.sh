#!/bin/bash
# Kill takes down a machine whose processes fork continuously (chains
# that fork and exit, so PIDs keep changing): on v1 through freeze, kill,
# thaw; on v2 through cgroup.kill. Nothing survives, nothing is left.
. "$(dirname "$0")/lib.sh"
require_root
. "$(dirname "$0")/cgroup-lib.sh"

cp "$PAYLOAD" "$T/payload"
P=$T/payload

for round in 1 2 3; do
        name=fl-$$-$round
        "$CGRUN" --root "$CG_ROOT" --name $name --kill-after 1 --stats "$T/$name.stats" \
                -- "$P" forkloop 8 + sleep &
        tool=$!
        defer "kill $tool"
        wait $tool
        is "$?" 137 "round $round: the machine's leader died of SIGKILL"
        kill_usec=$(stat_of "$T/$name.stats" kill_usec)
        diag "round $round: kill until empty took $kill_usec us"
        ok "round $round: the cgroup was empty within 2 s of the kill" test "${kill_usec:-99999999}" -lt 2000000
        is "$(cg_left $name)" "" "round $round: the machine's cgroup is gone"
        # Processes signalled but not yet gone would still show up here.
        sleep 0.1
        is "$(pgrep -c -f "^$P")" 0 "round $round: no process of the machine survived"
done

# Another signal than SIGKILL goes through the freezer too (v1
# freezer.state, v2 cgroup.freeze): every chain gets it, none forks away.
"$CGRUN" --root "$CG_ROOT" --name term-$$ --kill-after 1 --kill-signal 15 --stats "$T/term.stats" \
        -- "$P" forkloop 8 + sleep
is "$?" 143 "SIGTERM: the leader died of it"
kill_usec=$(stat_of "$T/term.stats" kill_usec)
diag "SIGTERM: kill until empty took $kill_usec us"
ok "SIGTERM: the cgroup was empty within 2 s" test "${kill_usec:-99999999}" -lt 2000000
is "$(cg_left term-$$)" "" "SIGTERM: the machine's cgroup is gone"
sleep 0.1
is "$(pgrep -c -f "^$P")" 0 "SIGTERM: no process of the machine survived"

# Removing a machine whose leader is gone but left processes behind
# kills those first: the cgroup goes, and they with it.
"$CGRUN" --root "$CG_ROOT" --name left-$$ -- /bin/sh -c "$P sleep 100 & $P sleep 100 & exit 0"
is "$?" 0 "the leader exited by itself"
is "$(cg_left left-$$)" "" "the cgroup with the leftovers is gone"
sleep 0.1
is "$(pgrep -c -f "^$P")" 0 "no leftover survived"

# The freezer is left thawed for the next machine of that name.
"$CGRUN" --root "$CG_ROOT" --name fl-$$-1 -- /bin/true
is "$?" 0 "a machine of the same name starts again afterwards"
done_testing
