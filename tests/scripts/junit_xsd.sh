#!/usr/bin/env bash
# JUnit output of `gpucert run` validated against a JUnit XSD with xmllint: a clean simulated
# node, a faulty one (failures, errors: a lost GPU), and an inconclusive run. Also checks that the
# testcase names are unique. Usage: junit_xsd.sh GPUCERT_BIN BUILD_DIR (exit 77 = skipped).
set -euo pipefail
bin="$1"
src="${GPUCERT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
command -v xmllint >/dev/null || { echo "xmllint not installed: skipped"; exit 77; }
xsd="$src/tests/data/junit.xsd"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

check() { # name, expected exit code, run arguments...
  local name="$1" want="$2"
  shift 2
  local rc=0
  # --seed: the verdicts asserted are this seed's, every time (the CLI draws one otherwise).
  "$bin" run --simulate h100-sxm5-80gb-8x --seed 1 --out "$work/$name" "$@" >/dev/null \
    2>"$work/$name.err" || rc=$?
  if [[ "$rc" != "$want" ]]; then
    echo "FAIL $name: exit $rc, expected $want"; cat "$work/$name.err"; exit 1
  fi
  xmllint --noout --schema "$xsd" "$work/$name/junit.xml"
  local dups
  dups="$(grep -o '<testcase [^>]*name="[^"]*"' "$work/$name/junit.xml" | sed 's/.*name="//' | sort | uniq -d)"
  if [[ -n "$dups" ]]; then echo "FAIL $name: duplicate testcase names: $dups"; exit 1; fi
  echo "ok $name"
}

check clean 0 --profile "$src/profiles/h100-sxm5-80gb-8x-quick.yaml"
check faults 1 --profile "$src/profiles/h100-sxm5-80gb-8x-standard.yaml" --gpus 2,3 \
  --fault gpu2:pcie=gen4x8 --fault gpu3:lost@1 --fault gpu2:sdc
grep -q '<failure type="sla_violation"' "$work/faults/junit.xml" || { echo "FAIL: no sla_violation failure"; exit 1; }
grep -q '<failure type="wrong_results"' "$work/faults/junit.xml" || { echo "FAIL: no wrong_results failure"; exit 1; }
grep -q '<error type="not_measured"' "$work/faults/junit.xml" || { echo "FAIL: no error element"; exit 1; }
check noisy 5 --profile "$src/tests/data/profiles/noise-near-threshold.yaml" --gpus 0 --fault node:noise=0.2
grep -q '<failure type="inconclusive"' "$work/noisy/junit.xml" || { echo "FAIL: no inconclusive failure"; exit 1; }

# The XSD itself rejects what it should (so a pass above means something).
printf '<testsuites><testsuite name="x" tests="1"><testcase name="a" classname="b"><failure/><error/></testcase></testsuite></testsuites>\n' >"$work/bad.xml"
if xmllint --noout --schema "$xsd" "$work/bad.xml" 2>/dev/null; then echo "FAIL: XSD accepted two outcomes"; exit 1; fi
echo "junit: all valid"
