#!/usr/bin/env bash
# gpucert-error-rates (issue 9): a small run of the error-rate table with --check (the shipped
# methods meet their targets beyond Monte Carlo error), the table does not depend on the number
# of threads, and bad input is one line and exit 2. Args: $1 gpucert binary, $2 build dir.
set -euo pipefail
build="$2"
e="$build/bin/gpucert-error-rates"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Bad input: exit 2, one line on stderr naming what was wrong.
expect_bad() {
  local what="$1"; shift
  local rc=0
  "$e" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  if [[ $rc -ne 2 ]] || [[ $(wc -l <"$tmp/err") -ne 1 ]] || ! grep -q -- "$what" "$tmp/err"; then
    echo "FAIL: $* → exit $rc, stderr:"; cat "$tmp/err"; exit 1
  fi
}
expect_bad --trials --trials 0
expect_bad --format --format xml
expect_bad --bogus --bogus
expect_bad no-such-profile.yaml --profile no-such-profile.yaml
expect_bad --drift --drift -1
expect_bad --seed --seed -3
expect_bad --gpus --gpus 0

# Same seed, other thread counts: the same counts (wall times and thread count aside).
small=(--trials 16 --node-trials 1 --seed 9 --format json)
"$e" "${small[@]}" --threads 1 >"$tmp/one.json"
"$e" "${small[@]}" --threads 3 >"$tmp/three.json"
python3 - "$tmp/one.json" "$tmp/three.json" <<'PY'
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("wall_seconds", "threads")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
a, b = (strip(json.load(open(p))) for p in sys.argv[1:])
if a != b:
    sys.exit("FAIL: the table depends on the number of threads")
if not a["methods"] or not a["nodes"]:
    sys.exit("FAIL: no tables")
PY

# Under the sanitizers the path is exercised above; the statistical check needs the trials.
if grep -q '^GPUCERT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  exit 0
fi
"$e" --quick --check --threads 2 >"$tmp/table.md"
grep -q '^## Table 1' "$tmp/table.md" && grep -q '^## Table 2' "$tmp/table.md"
