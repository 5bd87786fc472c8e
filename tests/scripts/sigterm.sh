#!/usr/bin/env bash
# SIGTERM (and SIGINT) in the middle of `gpucert run`: the results file keeps what was measured,
# marked complete=false with the signal as reason; the certificate is written, NOT CERTIFIED,
# lists the clauses not reached; exit 1. Usage: sigterm.sh GPUCERT_BIN BUILD_DIR.
set -euo pipefail
bin="$1"
src="${GPUCERT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

interrupt() { # signal name
  local sig="$1" out="$work/$1"
  # --pace-ms (test hook) holds each simulated measurement 100 ms of real time, so the run is
  # still going when the signal arrives.
  "$bin" run --profile "$src/profiles/h100-sxm5-80gb-8x-quick.yaml" --simulate h100-sxm5-80gb-8x \
    --out "$out" --pace-ms 100 >"$work/$sig.out" 2>"$work/$sig.err" &
  local pid=$!
  # Wait until some measurements are on disk, then signal.
  for _ in $(seq 1 100); do
    if [[ -f "$out/results.json" ]] && python3 - "$out/results.json" <<'PY'
import json, sys
sys.exit(0 if len(json.load(open(sys.argv[1]))["measurements"]) >= 3 else 1)
PY
    then break; fi
    sleep 0.1
  done
  kill "-$sig" "$pid"
  local rc=0
  wait "$pid" || rc=$?
  if [[ "$rc" != 1 ]]; then echo "FAIL $sig: exit $rc, expected 1"; cat "$work/$sig.err"; exit 1; fi
  # The certificate's full form, as a script reads it (certificate.json itself is compact).
  "$bin" report "$out/certificate.json" --format json-full -o "$work/$sig.full.json"
  python3 - "$out" "SIG$sig" "$work/$sig.full.json" <<'PY'
import json, os, sys
out, sig, full = sys.argv[1], sys.argv[2], sys.argv[3]
r = json.load(open(os.path.join(out, "results.json")))
assert r["complete"] is False, "results marked complete"
assert r["incomplete_reason"] == sig, r["incomplete_reason"]
n = len(r["measurements"])
assert n >= 3, f"only {n} measurements kept"
assert r["method"]["planned_measurements"] > n, "the run was not interrupted mid-way"
c = json.load(open(full))
assert c["outcome"] == "NOT CERTIFIED", c["outcome"]
assert c["results"]["complete"] is False
unreached = [k for k in c["checks"] if k["message"] == f"not reached: run interrupted ({sig})"]
assert unreached, "no clause listed as not reached"
assert all(k["verdict"] == "ERROR" for k in unreached)
assert os.path.exists(os.path.join(out, "junit.xml")) and os.path.exists(os.path.join(out, "report.md"))
assert not os.path.exists(os.path.join(out, "results.json.tmp"))
print(f"ok {sig}: {n} of {r['method']['planned_measurements']} measurements kept, {len(unreached)} checks not reached")
PY
  grep -q "SIG$sig received" "$work/$sig.err" || { echo "FAIL $sig: no notice on stderr"; exit 1; }
}

interrupt TERM
interrupt INT
