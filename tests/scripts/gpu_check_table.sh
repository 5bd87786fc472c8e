#!/usr/bin/env bash
# The device check (ci/gpu-check.sh) without a GPU: gpucert-sku reads the SKU table, the
# check's certification profile validates and runs on the simulator, the table compares
# canned and simulated figures with a canned PyTorch peer (ratios, the ok column, the exit
# status), bad input exits 2, and the whole script runs end to end against stand-ins for
# nvidia-smi, PyTorch and the GPU tests.
#   usage: gpu_check_table.sh GPUCERT_BIN BUILD_DIR   (KEEP_TMP=1 keeps its scratch folder)
set -euo pipefail
gpucert="$1"
build="$2"
src="${GPUCERT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
sku="$build/tests/gpucert-sku"
table=(python3 "$src/ci/gpu_check_table.py")
[[ -x "$sku" ]] || { echo "SKIP: $sku not built"; exit 77; }
tmp="$(mktemp -d)"
[[ -n "${KEEP_TMP:-}" ]] || trap 'rm -rf "$tmp"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# rc CMD...: the exit status of CMD, without set -e stopping here
rc() {
  set +e
  "$@"
  local r=$?
  set -e
  return_code=$r
}
contains() { grep -qF -- "$2" "$1" || fail "$1 lacks '$2':$(printf '\n')$(cat "$1")"; }
ok_rows() { grep -E '^(gemm|hbm|pcie)\.' "$1" | grep -c ' ok$' || true; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# --- gpucert-sku: the card's node file and figures; unknown cards exit 1 saying why; usage 2.
"$sku" "NVIDIA H100 80GB HBM3" >"$tmp/sxm.json"
[[ "$(json "$tmp/sxm.json" 'd["node"]')" == h100-sxm5-80gb-8x ]] || fail "sxm node"
[[ "$(json "$tmp/sxm.json" 'd["figures"]["gemm.bf16"]["acceptance"]')" == 780.0 ]] || fail "bf16 floor"
[[ "$(json "$tmp/sxm.json" 'd["figures"]["hbm.copy"]["acceptance"]')" == 2850.0 ]] || fail "copy floor"
"$sku" "NVIDIA H100 NVL" >"$tmp/nvl.json"
[[ "$(json "$tmp/nvl.json" 'd["node"]')" == h100-nvl-94gb-1x ]] || fail "nvl node"
[[ "$(json "$tmp/nvl.json" 'd["figures"]["gemm.bf16"]["acceptance"]')" == None ]] || fail "nvl floor"
"$sku" "NVIDIA H200" >"$tmp/h200.json"
rc "$sku" "NVIDIA A100-SXM4-80GB" >"$tmp/a100.json"
[[ $return_code -eq 1 ]] || fail "unknown card: exit $return_code, expected 1"
contains "$tmp/a100.json" "no SKU entry for NVIDIA A100-SXM4-80GB"
rc "$sku" 2>/dev/null
[[ $return_code -eq 2 ]] || fail "no card: exit $return_code, expected 2"

# --- The certification profile: valid, floors from acceptance, else the tier's 0.8 x achievable.
fast=()
[[ "$("$gpucert" list 2>/dev/null)" == *fast_accum* ]] && fast=(--fast-accum)
for card in sxm nvl h200; do
  "${table[@]}" profile --sku "$tmp/$card.json" "${fast[@]}" -o "$tmp/$card.yaml"
  "$gpucert" profile validate "$tmp/$card.yaml" >/dev/null || fail "$card profile invalid"
done
contains "$tmp/sxm.yaml" 'gpu_name: "NVIDIA H100 80GB HBM3"'
contains "$tmp/sxm.yaml" "min: 780 # acceptance floor for gemm.bf16"
contains "$tmp/sxm.yaml" "min: 50 # acceptance floor for pcie.d2h"
contains "$tmp/nvl.yaml" "min: 512.8 # tier floor for gemm.bf16" # 0.8 x 641
contains "$tmp/h200.yaml" "min: 4000 # acceptance floor for hbm.copy"
contains "$tmp/h200.yaml" "min: 638.4 # tier floor for gemm.bf16" # 0.8 x 798
[[ ${#fast[@]} -eq 0 ]] || contains "$tmp/sxm.yaml" "fast_accum: true"

# --- A simulated certification of GPU 0 with that profile, against a peer at 99 % of achievable.
"$gpucert" run --profile "$tmp/sxm.yaml" --simulate h100-sxm5-80gb-8x --gpus 0 --seed 7 \
  --out "$tmp/cert" >"$tmp/run.log" 2>&1 || true
[[ -s "$tmp/cert/certificate.json" ]] || fail "no certificate: $(cat "$tmp/run.log")"
# The table reads the full form, as ci/gpu-check.sh gives it.
full() { "$gpucert" report "$1/certificate.json" --format json-full -o "$1/full.json"; }
full "$tmp/cert"
peer() { # PEER.json DEVICE bf16 fp8 copy h2d d2h [error...] ("-": not measured)
  python3 - "$@" <<'PY'
import json, sys
path, device, *rest = sys.argv[1:]
vals, errors = rest[:5], rest[5:]
keys = ["gemm.bf16", "gemm.fp8", "hbm.copy", "pcie.h2d", "pcie.d2h"]
figs = {k: {"value": float(v), "unit": "x"} for k, v in zip(keys, vals) if v != "-"}
json.dump({"schema": "gpucert/torch-peer/v1", "torch": "2.11.0", "cuda": "13.0",
           "device": {"name": device}, "figures": figs, "errors": errors},
          open(path, "w"))
PY
}
sxm="NVIDIA H100 80GB HBM3"
peer "$tmp/peer.json" "$sxm" 785 1380 2870 54.8 54.6
rc "${table[@]}" table --sku "$tmp/sxm.json" --cert "$tmp/cert/full.json" \
  --peer "$tmp/peer.json" --allow-simulated >"$tmp/t1.txt"
[[ $return_code -eq 0 ]] || fail "simulated H100 at its figures: exit $return_code$(printf '\n')$(cat "$tmp/t1.txt")"
[[ "$(ok_rows "$tmp/t1.txt")" -eq 5 ]] || fail "five ok rows expected: $(cat "$tmp/t1.txt")"
tail -n 1 "$tmp/t1.txt" | grep -q "^gpu-check: PASS (5 of 5 figures on target" || fail "PASS line"
contains "$tmp/t1.txt" "figure"
contains "$tmp/t1.txt" ">= 0.98 x peer, >= 780"
# The same without --allow-simulated: simulated figures are never an acceptance.
rc "${table[@]}" table --sku "$tmp/sxm.json" --cert "$tmp/cert/full.json" \
  --peer "$tmp/peer.json" >"$tmp/t2.txt"
[[ $return_code -eq 1 ]] || fail "simulated accepted"
contains "$tmp/t2.txt" "FAILED: the certificate is SIMULATED"

# PyTorch 3 % faster on HBM copy: that row misses the 0.98 ratio, the others stay ok.
ours_copy="$(python3 -c "import json; c=json.load(open('$tmp/cert/full.json'));
print(next(x['value'] for x in c['checks'] if x['clause_id']=='hbm-copy'))")"
peer "$tmp/peer-fast.json" "$sxm" 785 1380 "$(python3 -c "print($ours_copy / 0.97)")" 54.8 54.6
rc "${table[@]}" table --sku "$tmp/sxm.json" --cert "$tmp/cert/full.json" \
  --peer "$tmp/peer-fast.json" --allow-simulated >"$tmp/t3.txt"
[[ $return_code -eq 1 ]] || fail "ratio 0.97 passed"
grep -E '^hbm\.copy .* 0\.970 .* MISS$' "$tmp/t3.txt" >/dev/null || fail "copy row: $(cat "$tmp/t3.txt")"
[[ "$(ok_rows "$tmp/t3.txt")" -eq 4 ]] || fail "four ok rows expected"
contains "$tmp/t3.txt" "FAILED: hbm.copy: 0.970 x PyTorch"
tail -n 1 "$tmp/t3.txt" | grep -q "^gpu-check: FAIL (4 of 5" || fail "FAIL line"

# A card 10 % slow on HBM: as slow as PyTorch on it (ratio 1), but under the 2850 floor.
"$gpucert" run --profile "$tmp/sxm.yaml" --simulate h100-sxm5-80gb-8x --gpus 0 --seed 7 \
  --fault gpu0:hbm=0.9 --out "$tmp/cert-slow" >"$tmp/run-slow.log" 2>&1 || true
full "$tmp/cert-slow"
slow_copy="$(python3 -c "import json; c=json.load(open('$tmp/cert-slow/full.json'));
print(next(x['value'] for x in c['checks'] if x['clause_id']=='hbm-copy'))")"
peer "$tmp/peer-slow.json" "$sxm" 785 1380 "$slow_copy" 54.8 54.6
rc "${table[@]}" table --sku "$tmp/sxm.json" --cert "$tmp/cert-slow/full.json" \
  --peer "$tmp/peer-slow.json" --allow-simulated >"$tmp/t4.txt"
[[ $return_code -eq 1 ]] || fail "HBM under the floor passed"
grep -E '^hbm\.copy .* 1\.000 .* MISS$' "$tmp/t4.txt" >/dev/null || fail "slow copy row: $(cat "$tmp/t4.txt")"
contains "$tmp/t4.txt" "is below the acceptance floor 2850 (harness/backends/sim/nodes/h100-sxm5-80gb-8x.yaml)"

# --- Canned certificates: the ratio's edge, an ERROR, a missing peer figure, failed steps.
cert() { # CERT.json bf16 fp8 copy h2d d2h (a value, or ERROR)
  python3 - "$@" <<'PY'
import json, sys
path, *vals = sys.argv[1:]
ids = ["gemm-bf16", "gemm-fp8", "hbm-copy", "pcie-h2d", "pcie-d2h"]
checks = [{"clause_id": "match.gpu_name", "target": "gpu0", "verdict": "PASS", "value": None}]
for cid, v in zip(ids, vals):
    if v == "ERROR":
        checks.append({"clause_id": cid, "target": "gpu0", "verdict": "ERROR", "value": 1.0,
                       "message": "verification failed: checksum mismatch"})
    else:
        checks.append({"clause_id": cid, "target": "gpu0", "verdict": "PASS", "value": float(v)})
json.dump({"simulated": False, "outcome": "CERTIFIED", "summary": "canned", "checks": checks},
          open(path, "w"))
PY
}
# NVL: no acceptance floors, so only the ratios decide. 98/100 is exactly 0.98: on target.
cert "$tmp/c1.json" 98 97.9 100 50 50
peer "$tmp/p1.json" "NVIDIA H100 NVL" 100 100 100 50 51.1
rc "${table[@]}" table --sku "$tmp/nvl.json" --cert "$tmp/c1.json" --peer "$tmp/p1.json" >"$tmp/t5.txt"
[[ $return_code -eq 1 ]] || fail "97.9/100 passed"
grep -E '^gemm\.bf16 .* 98\.0 +100\.0 +0\.980 +>= 0\.98 x peer +ok$' "$tmp/t5.txt" >/dev/null ||
  fail "0.980 must be on target: $(cat "$tmp/t5.txt")"
grep -E '^gemm\.fp8 .* 0\.979 .* MISS$' "$tmp/t5.txt" >/dev/null || fail "0.979 must miss"
grep -E '^pcie\.d2h .* 0\.978 .* MISS$' "$tmp/t5.txt" >/dev/null || fail "50/51.1 must miss"
[[ "$(ok_rows "$tmp/t5.txt")" -eq 3 ]] || fail "three ok rows expected: $(cat "$tmp/t5.txt")"
# The peer on another card than the SKU entry's is refused.
peer "$tmp/p1-other.json" "$sxm" 100 100 100 50 50
rc "${table[@]}" table --sku "$tmp/nvl.json" --cert "$tmp/c1.json" --peer "$tmp/p1-other.json" >"$tmp/t6.txt"
[[ $return_code -eq 1 ]] || fail "peer on another card passed"
contains "$tmp/t6.txt" "FAILED: the peer ran on NVIDIA H100 80GB HBM3, the SKU entry is for NVIDIA H100 NVL"

# An ERROR verdict (a wrong result) and a figure PyTorch could not measure; failed steps; a
# failed GPU test.
cert "$tmp/c2.json" 100 ERROR 100 50 50
peer "$tmp/p2.json" "NVIDIA H100 NVL" 100 100 100 - 50 \
  "pcie.h2d: the device buffer differs from the host source"
cat >"$tmp/gtest.json" <<'EOF'
{"tests": 3, "failures": 1, "testsuites": [{"name": "Gemm", "testsuite": [
  {"name": "Verifies", "status": "RUN", "result": "COMPLETED"},
  {"name": "Bounds", "status": "RUN", "result": "COMPLETED", "failures": [{"failure": "x"}]},
  {"name": "TwoGpus", "status": "RUN", "result": "SKIPPED"}]}]}
EOF
rc "${table[@]}" table --sku "$tmp/nvl.json" --cert "$tmp/c2.json" --peer "$tmp/p2.json" \
  --tests "$tmp/gtest.json" --step "gpu tests:1:61" --step "certification:1:40" \
  --step "pytorch:124:90" >"$tmp/t7.txt"
[[ $return_code -eq 1 ]] || fail "errors passed"
contains "$tmp/t7.txt" "FAILED: gemm.fp8: check gemm-fp8 on gpu0 is ERROR: verification failed: checksum mismatch"
contains "$tmp/t7.txt" "FAILED: pcie.h2d: no PyTorch figure (pcie.h2d: the device buffer differs from the host source)"
contains "$tmp/t7.txt" "FAILED: gpu tests: exit 1"
contains "$tmp/t7.txt" "FAILED: pytorch: timed out after 90 s"
contains "$tmp/t7.txt" "FAILED: gpu test failed: Gemm.Bounds"
contains "$tmp/t7.txt" "gpu tests: 1 passed, 1 skipped, 1 failed"
grep -q "FAILED: certification" "$tmp/t7.txt" && fail "the certification's own exit is judged per figure"
grep -E '^gemm\.fp8 .* - +100\.0 +- .* MISS$' "$tmp/t7.txt" >/dev/null || fail "fp8 row: $(cat "$tmp/t7.txt")"
grep -E '^pcie\.h2d .* 50\.0 +- +- .* MISS$' "$tmp/t7.txt" >/dev/null || fail "h2d row"
# Nothing ran: every figure misses, and the reasons say what did not run.
rc "${table[@]}" table --sku "$tmp/nvl.json" >"$tmp/t8.txt"
[[ $return_code -eq 1 ]] || fail "nothing ran, yet passed"
contains "$tmp/t8.txt" "FAILED: no certificate: the certification did not run"
contains "$tmp/t8.txt" "FAILED: no PyTorch figures: the peer did not run"

# --- Bad input: exit 2 with the reason.
rc "${table[@]}" table --sku "$tmp/a100.json" 2>"$tmp/e1.txt"
[[ $return_code -eq 2 ]] || fail "unknown card: exit $return_code"
contains "$tmp/e1.txt" "no SKU entry for NVIDIA A100-SXM4-80GB"
python3 -c "import json; d=json.load(open('$tmp/sxm.json')); d['acceptance_unchecked']=['launch.stream']; json.dump(d, open('$tmp/bad-sku.json','w'))"
rc "${table[@]}" profile --sku "$tmp/bad-sku.json" 2>"$tmp/e2.txt"
[[ $return_code -eq 2 ]] || fail "acceptance on an unchecked figure: exit $return_code"
contains "$tmp/e2.txt" "acceptance on launch.stream, which the device check does not compare"
echo '{"checks": [' >"$tmp/broken.json"
rc "${table[@]}" table --sku "$tmp/sxm.json" --cert "$tmp/broken.json" 2>"$tmp/e3.txt"
[[ $return_code -eq 2 ]] || fail "broken certificate: exit $return_code"
contains "$tmp/e3.txt" "certificate $tmp/broken.json: not JSON"

# --- ci/gpu-check.sh end to end, with stand-ins: nvidia-smi and PyTorch (canned peer), a GPU
# test binary writing a report, and gpucert run on the simulator. Everything between them
# (preflight, SKU lookup, profile, steps, table) is the real script.
rc bash "$src/ci/gpu-check.sh" "$tmp/no-bundle" 2>"$tmp/e4.txt"
[[ $return_code -eq 2 ]] || fail "no bundle: exit $return_code"
contains "$tmp/e4.txt" "no bundle at $tmp/no-bundle"
fake="$tmp/fake"
mkdir -p "$fake/bin" "$fake/bundle/lib/gpucert"
cp "$build/lib/gpucert/libgpucert-core.so" "$fake/bundle/lib/gpucert/libgpucert-cuda.so"
cat >"$fake/bundle/gpucert" <<EOF
#!/bin/sh
# gpucert on the simulator: the real binary, run --simulate for run.
if [ "\$1" = run ]; then shift; exec "$gpucert" run --simulate h100-sxm5-80gb-8x --seed 7 "\$@"; fi
exec "$gpucert" "\$@"
EOF
cp "$sku" "$fake/bundle/gpucert-sku.bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$fake/bundle/gpucert-sku.bin" >"$fake/bundle/gpucert-sku"
cat >"$fake/bundle/gpu_tests" <<EOF
#!/bin/sh
for a in "\$@"; do case "\$a" in --gtest_output=json:*) cp "$tmp/gtest-ok.json" "\${a#--gtest_output=json:}";; esac; done
echo "[  PASSED  ] 2 tests."
EOF
cat >"$tmp/gtest-ok.json" <<'EOF'
{"testsuites": [{"name": "Gemm", "testsuite": [{"name": "A", "status": "RUN", "result": "COMPLETED"},
  {"name": "B", "status": "RUN", "result": "SKIPPED"}]}]}
EOF
cat >"$fake/bin/nvidia-smi" <<'EOF'
#!/bin/sh
case "$*" in
  -L) echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-00000000-0000-0000-0000-000000000000)" ;;
  *query-gpu=name*) echo "NVIDIA H100 80GB HBM3" ;;
  *query-gpu=driver_version*) echo "580.95.05" ;;
  *-lms*) echo "0, 1980, 2619, 41, 650.2"; exec sleep 60 ;;
esac
EOF
peer "$fake/peer.json" "$sxm" 785 1380 2870 54.8 54.6
cat >"$fake/bin/fakepy" <<EOF
#!/bin/sh
# python3, except that torch is "there": the preflight's import and the peer are canned.
case "\$*" in
  -c*import\ torch*) echo "2.11.0 13.0"; exit 0 ;;
  *torch_peer.py*) cat "$fake/peer.json"; exit 0 ;;
esac
exec python3 "\$@"
EOF
chmod +x "$fake/bin/"* "$fake/bundle/gpucert" "$fake/bundle/gpucert-sku" "$fake/bundle/gpu_tests"
rc env PATH="$fake/bin:$PATH" PYTHON=fakepy GPUCERT_CHECK_OUT="$tmp/check" \
  bash "$src/ci/gpu-check.sh" "$fake/bundle" >"$tmp/check.txt" 2>"$tmp/check.err"
# Simulated figures are never an acceptance: the run fails on that alone.
[[ $return_code -eq 1 ]] || fail "gpu-check end to end: exit $return_code$(printf '\n')$(cat "$tmp/check.err" "$tmp/check.txt")"
contains "$tmp/check.txt" "FAILED: the certificate is SIMULATED"
[[ "$(grep -c 'FAILED' "$tmp/check.txt")" -eq 1 ]] || fail "only SIMULATED should fail: $(cat "$tmp/check.txt")"
[[ "$(ok_rows "$tmp/check.txt")" -eq 5 ]] || fail "five ok rows expected: $(cat "$tmp/check.txt")"
contains "$tmp/check.txt" "gpu tests: 1 passed, 1 skipped, 0 failed"
contains "$tmp/check.txt" "gpu0 during the check: SM clock 1980-1980 MHz"
[[ -s "$tmp/check/check-profile.yaml" && -s "$tmp/check/cert/certificate.json" ]] || fail "outputs"
echo "gpu_check_table: all checks passed"
