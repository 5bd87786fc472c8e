#!/usr/bin/env bash
# The CPU test tier under ASan+UBSan: configures and builds the `sanitize` preset (clang++-14,
# host parts only; it also builds the fuzz targets ci/fuzz.sh runs) and runs every test not
# labelled gpu, each fuzz target's seeds replayed once included. Any sanitizer report fails.
#   usage: ci/sanitize.sh [CTEST_ARGS...]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
bash ci/setup.sh
cmake --preset sanitize >/dev/null
t0=$SECONDS
cmake --build --preset sanitize -j "${GPUCERT_JOBS:-2}"
echo "sanitize: build took $((SECONDS - t0)) s" >&2
t0=$SECONDS
rc=0
ctest --preset sanitize "$@" || rc=$?
echo "sanitize: tests took $((SECONDS - t0)) s; the slowest under the sanitizers:" >&2
# CTestCostData.txt: "name runs seconds" per test (the time budget of CI is spent here).
sort -k3 -g -r build/sanitize/Testing/Temporary/CTestCostData.txt 2>/dev/null |
  awk 'NF == 3 {printf "  %7.1f s  %s\n", $3, $1}' | head -15 >&2 || true
exit "$rc"
