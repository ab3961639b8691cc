#!/bin/bash
# Installs what the tests need, builds corral and runs every test suite
# (unit, then root). Fails when a suite ran nothing but skips.
set -euo pipefail
cd "$(dirname "$0")/.."

CORRAL_WITH_PEERS=1 ./tools/install-deps.sh

BUILD=${BUILD_DIR:-build}
[ -d "$BUILD" ] || meson setup "$BUILD" >/dev/null
ninja -C "$BUILD"

rc=0
for suite in unit root; do
        meson test -C "$BUILD" --suite "$suite" --print-errorlogs \
                --logbase "testlog-$suite" || rc=1
        # A suite whose every test skipped tested nothing: that is a failure.
        python3 - "$BUILD/meson-logs/testlog-$suite.json" "$suite" <<'PY' || rc=1
import json, sys
path, suite = sys.argv[1], sys.argv[2]
results = [json.loads(l)["result"] for l in open(path) if l.strip()]
passed = sum(r == "OK" for r in results)
print(f"suite {suite}: {len(results)} tests, {passed} passed, "
      f"{sum(r == 'SKIP' for r in results)} skipped")
if passed == 0:
    print(f"suite {suite} executed nothing (all skipped or empty)", file=sys.stderr)
    sys.exit(1)
PY
done
exit $rc
