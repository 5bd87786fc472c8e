#!/usr/bin/env bash
# The device check: the acceptance test on a machine with an NVIDIA GPU (issue 10). In one
# bounded run it runs the GPU test tier, a quick certification of GPU 0 and the same figures
# through PyTorch on the same card, then prints one table last: figure | ours | peer | ratio |
# target | ok. Targets: ours >= 0.98 x PyTorch on every figure, and ours >= the card's
# acceptance floors from the SKU table (the node files, read through gpucert-sku). Builds
# nothing: it runs a bundle (ci/bundle.sh build/default).
#   usage: ci/gpu-check.sh [BUNDLE]          (default: .bundle)
# Environment: GPUCERT_CHECK_OUT (folder for logs and JSON; default a temp dir), PYTHON (the
# Python that has PyTorch; default python3). The card is measured as found: no clock, power or
# mode setting is touched.
# Exit: 0 every target met; 1 a target missed, a test failed or a step failed or timed out;
# 2 usage, or something the check needs is missing (named on stderr); 77 no GPU here.
# Budget: about 4 minutes (GPU tests <= 150 s, certification <= 120 s, PyTorch <= 90 s).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
py="${PYTHON:-python3}"
need() { echo "gpu-check: $*" >&2; exit 2; }

# --- What the check relies on, before anything runs.
bundle="${1:-$here/.bundle}"
[[ -d "$bundle" ]] || need "no bundle at $bundle (make one: ci/bundle.sh build/default)"
bundle="$(cd "$bundle" && pwd)"
for b in gpucert gpu_tests gpucert-sku; do
  [[ -x "$bundle/$b" ]] || need "the bundle $bundle has no $b (remake it: ci/bundle.sh build/default)"
done
plugin="$bundle/lib/gpucert/libgpucert-cuda.so"
[[ -f "$plugin" ]] || need "the bundle has no CUDA backend plugin ($plugin)"
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: skipped: no NVIDIA GPU visible here (nvidia-smi -L fails)" >&2
  exit 77
fi
command -v "$py" >/dev/null || need "no $py (set PYTHON to the Python that has PyTorch)"
torch_line="$("$py" -c 'import torch; assert torch.cuda.is_available(), "no CUDA GPU"
print(torch.__version__, torch.version.cuda)' 2>&1)" ||
  need "the PyTorch peer cannot run with $py: ${torch_line##*$'\n'}"

orig_ld="${LD_LIBRARY_PATH-}" # PyTorch runs with the path as found: its wheels carry their own
# Libraries the bundle leaves to the machine (CUDA runtime, cuBLAS, NCCL): from the loader's
# path, else the CUDA toolkit, else PyTorch's wheels (site-packages/nvidia/*/lib), which carry
# NCCL where no system package does.
missing() {
  LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$plugin" 2>&1 |
    awk '/not found/ {print $1}' | sort -u
}
libs_missing="$(missing)"
if [[ -n "$libs_missing" ]]; then
  dirs=(/usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/*/lib)
  while read -r s; do
    [[ -n "$s" ]] && dirs+=("$s"/nvidia/*/lib "$s"/nvidia/*/*/lib)
  done < <("$py" -c 'import site; print("\n".join(site.getsitepackages()))' 2>/dev/null)
  for lib in $libs_missing; do
    for d in "${dirs[@]}"; do
      if [[ -e "$d/$lib" ]]; then
        export LD_LIBRARY_PATH="$d${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        echo "gpu-check: $lib from $d" >&2
        break
      fi
    done
  done
  libs_missing="$(missing)"
  [[ -z "$libs_missing" ]] || need "the CUDA backend needs ${libs_missing//$'\n'/ }" \
    "(not in the loader's path, /usr/local/cuda or $py's site-packages/nvidia)"
fi

# An NCCL or cuBLAS older than the build's loads but lacks symbols: say which, before a step fails.
undefined="$(LD_LIBRARY_PATH="$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd -r "$plugin" 2>&1 |
  sed -n 's/^undefined symbol: \([A-Za-z0-9_]*\).*/\1/p' | grep -E '^(nccl|cublas|cuda)' | head -5)"
[[ -z "$undefined" ]] ||
  need "the CUDA backend's libraries are older than the build's (undefined: ${undefined//$'\n'/ })"

out="${GPUCERT_CHECK_OUT:-$(mktemp -d -t gpucert-check.XXXXXX)}"
mkdir -p "$out" || need "cannot create $out"
t_start=$SECONDS
card="$(nvidia-smi --query-gpu=name --format=csv,noheader -i 0 | head -1)"
ngpus="$(nvidia-smi -L | grep -c '^GPU ')"
"$bundle/gpucert-sku" --gpu-count "$ngpus" "$card" >"$out/sku.json"
case $? in
  0) ;;
  1) need "$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["why"])' "$out/sku.json")" ;;
  *) need "gpucert-sku failed for '$card'" ;;
esac
driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader -i 0)"
echo "gpu-check: $card (GPU 0 of $ngpus), driver $driver, torch $torch_line; logs in $out" >&2

# Clocks, temperature and power of every GPU every 500 ms while the check runs.
nvidia-smi --query-gpu=index,clocks.sm,clocks.mem,temperature.gpu,power.draw \
  --format=csv,noheader,nounits -lms 500 >"$out/telemetry.csv" 2>/dev/null &
smi_pid=$!
trap 'kill "$smi_pid" 2>/dev/null' EXIT
steps=()
exec 3>&2 # the check's own progress lines, also from inside a step whose output goes to a log
step() { # NAME LIMIT CMD...: runs CMD under a time limit and records NAME:RC:SECONDS
  local name=$1 limit=$2 t0=$SECONDS rc
  shift 2
  echo "gpu-check: $name (at most ${limit} s)" >&3
  timeout --kill-after=10 "$limit" "$@"
  rc=$?
  steps+=("--step" "$name:$rc:$((SECONDS - t0))")
  [[ $rc -eq 0 ]] || echo "gpu-check: $name: exit $rc" >&3
}

step "gpu tests" 150 "$bundle/gpu_tests" --gtest_color=no --gtest_output="json:$out/gpu_tests.json" \
  >"$out/gpu_tests.log" 2>&1
grep -E '^\[ *(FAILED|SKIPPED) *\]' "$out/gpu_tests.log" | sort -u | head -40 >&2

# FP8 fast accumulation as the shipped fp8 clauses, once gpucert's gemm has the axis.
fast=()
[[ "$("$bundle/gpucert" list 2>/dev/null)" == *fast_accum* ]] && fast=(--fast-accum)
"$py" "$here/ci/gpu_check_table.py" profile --sku "$out/sku.json" "${fast[@]}" -o "$out/check-profile.yaml" ||
  need "could not write the certification profile"
step "certification" 120 "$bundle/gpucert" run --profile "$out/check-profile.yaml" --gpus 0 \
  --out "$out/cert" >"$out/certification.log" 2>&1
tail -n 15 "$out/certification.log" >&2
step "pytorch" 90 env LD_LIBRARY_PATH="$orig_ld" "$py" "$here/ci/torch_peer.py" --device 0 \
  >"$out/peer.json" 2>"$out/peer.log"
cat "$out/peer.log" >&2

kill "$smi_pid" 2>/dev/null
wait "$smi_pid" 2>/dev/null
trap - EXIT
args=(--sku "$out/sku.json" --telemetry "$out/telemetry.csv" "${steps[@]}")
[[ -s "$out/gpu_tests.json" ]] && args+=(--tests "$out/gpu_tests.json")
# The table reads the certificate's full form (certificate.json is its compact file form).
[[ -s "$out/cert/certificate.json" ]] &&
  "$bundle/gpucert" report "$out/cert/certificate.json" --format json-full \
    -o "$out/cert/certificate-full.json" 2>>"$out/certification.log" &&
  args+=(--cert "$out/cert/certificate-full.json")
[[ -s "$out/peer.json" ]] && args+=(--peer "$out/peer.json")
echo "gpu-check: $((SECONDS - t_start)) s in all" >&2
"$py" "$here/ci/gpu_check_table.py" table "${args[@]}"
