#!/usr/bin/env bash
# Configures, builds and runs the test suite (CPU tier; GPU tests skip with a reason).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
bash ci/setup.sh
preset="${GPUCERT_PRESET:-default}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "${GPUCERT_JOBS:-2}"
ctest --preset "$preset" "$@"
