#!/bin/bash
# tools/bench --quick, so the benchmark cannot rot: it exits 0, its JSON
# parses and holds every figure corral must have as a number (peers: a
# figure or the reason they were skipped), its plot is a PNG, and nothing
# of its machines is left afterwards (processes, cgroups, mounts, links,
# its work directory). The figures themselves are not asserted.
. "$(dirname "$0")/lib.sh"
require_root

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
OUT=$T/out

"$S/tools/bench" --build "$B" --quick --out "$OUT" >"$T/bench.out" 2>"$T/bench.err" &
bench=$!
# The bench names its machines and cgroups cb<its PID>-TOOL-N; should it
# be killed half-way, whatever it left goes by that name.
PREFIX=cb$bench
defer "pkill -KILL -f -- '$PREFIX-' ; for d in \$(find /sys/fs/cgroup -maxdepth 4 -type d -name '*$PREFIX*' | sort -r); do rmdir \"\$d\"; done"
wait "$bench"
rc=$?
is "$rc" 0 "tools/bench --quick exits 0"
[ "$rc" = 0 ] || diag "$(tail -30 "$T/bench.err")"

J=$OUT/results.json
ok "results.json exists" test -s "$J"
ok "results.json parses" "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$J"

# check EXPR: a python expression over j (the JSON) that must be true.
check() {
        "$PY" - "$J" "$1" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
def num(path):
    v = j
    for k in path.split("."):
        v = v[k]
    return isinstance(v, (int, float)) and not isinstance(v, bool)
def has(path):
    v = j
    for k in path.split("."):
        if not isinstance(v, dict) or k not in v:
            return False
        v = v[k]
    return True
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}

for key in start.corral.median_ms init.corral-init.pss_kb \
        scale.corral.n scale.corral.start_rate_seq scale.corral.start_rate_all \
        scale.corral.start_ms_median scale.corral.mem_pss_kb scale.corral.memavail_kb \
        scale.corral.procs_per_machine scale.corral.list_ms scale.corral.stop_all_s \
        scale.corral.stop_all_exit_s scale.corral.corrald_pss_kb scale.corral.corrald_cpu_pct \
        scale.corral.leftovers scale.corral.leftovers_after_all host.cpus options.n; do
        ok "results.json: $key is a number" check "num('$key')"
done
ok "results.json: scale.corral.n is 10" check "j['scale']['corral']['n'] == 10"
ok "results.json: corral's series has a point per checkpoint, all numbers" \
        check "[p['running'] for p in j['scale']['corral']['series']] == [1, 10] and all(isinstance(p[k], (int, float)) for p in j['scale']['corral']['series'] for k in ('start_ms', 'pss_kb_per_machine', 'memavail_kb_per_machine'))"
for peer in crun runc lxc nspawn; do
        ok "results.json: $peer has start figures or says why not" \
                check "num('start.$peer.median_ms') or has('skipped.$peer.start') or has('errors.$peer.start')"
        ok "results.json: $peer has scale figures or says why not" \
                check "num('scale.$peer.n') if has('scale.$peer.n') else has('skipped.$peer.scale')"
done
ok "results.json: tini has an init figure or says why not" \
        check "num('init.tini.pss_kb') if has('init.tini.pss_kb') else has('skipped.tini.init')"
ok "results.json: corral reports no errors" check "'corral' not in j.get('errors', {})"
ok "results.json: nothing of corral's machines was left" \
        check "j['scale']['corral']['leftovers'] == 0 and j['scale']['corral']['leftovers_after_all'] == 0"

ok "scale.png is a PNG" bash -c '[ "$(head -c 8 "$1" | od -An -tx1 | tr -d " \n")" = 89504e470d0a1a0a ]' _ "$OUT/scale.png"
ok "the table was printed" grep -q "scale: start one at a time" "$T/bench.out"

# Nothing left, checked here rather than believed from the JSON.
ok "no process of the bench's machines is left" bash -c '! pgrep -f -- "$1-" >/dev/null' _ "$PREFIX"
ok "no cgroup named after the bench's machines is left" \
        test -z "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "*$PREFIX*" 2>/dev/null)"
ok "no mount of the bench is left" bash -c '! grep -q -- "$1" /proc/self/mountinfo' _ "$PREFIX"
work=$(sed -n 's/^options\.workdir\t//p' "$OUT/results.tsv")
ok "the bench's work directory is gone" test -n "$work" -a ! -e "$work"
ok "no mount below the bench's work directory is left" bash -c '! grep -qF -- " $1" /proc/self/mountinfo' _ "$work"
ok "no network link named after the bench's machines" bash -c '! ip -o link show | grep -q -- "$1"' _ "$PREFIX"

done_testing
