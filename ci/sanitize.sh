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
cmake --build --preset sanitize -j "${GPUCERT_JOBS:-2}"
ctest --preset sanitize "$@"
