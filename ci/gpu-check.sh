#!/usr/bin/env bash
# GPU check, for a machine with an NVIDIA GPU: runs the GPU test tier, then a short gpucert-bench
# (GEMM bf16/fp8 8192^3, HBM copy/triad, PCIe H2D/D2H, launch latency, NCCL all_reduce when
# registered) and prints, last, one compact table with % of the datasheet peak of the card found,
# the card, driver, and the clocks/temperature seen while it ran. Builds nothing.
#   usage: ci/gpu-check.sh [DIR]
# DIR holds gpucert-bench and gpu_tests (a ci/bundle.sh folder, or a build's bin/ with
# gpu_tests in ../tests/); default: .bundle, then build/release/bin.
# Environment: GPUCERT_CHECK_OUT (folder for logs and JSON; default a temp dir),
# GPUCERT_CHECK_TORCH=0 to skip the PyTorch comparison. Exit: 0 all ran and verified, 1 a test
# or benchmark failed, 2 usage, 77 no GPU here. Budget: under 4 minutes.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

dir="${1:-}"
if [[ -z "$dir" ]]; then
  for d in "$here/.bundle" "$here/build/release/bin"; do
    [[ -x "$d/gpucert-bench" ]] && dir="$d" && break
  done
fi
if [[ -z "$dir" || ! -x "$dir/gpucert-bench" ]]; then
  echo "gpu-check: no gpucert-bench in '${dir:-.bundle or build/release/bin}' (build it, or run ci/bundle.sh)" >&2
  exit 2
fi
dir="$(cd "$dir" && pwd)"
bench="$dir/gpucert-bench"
tests="$dir/gpu_tests"
[[ -x "$tests" ]] || tests="$dir/../tests/gpu_tests"
if [[ ! -x "$tests" ]]; then
  echo "gpu-check: no gpu_tests next to $bench" >&2
  exit 2
fi
[[ -d "$dir/lib" ]] && export LD_LIBRARY_PATH="$dir/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: skipped: no NVIDIA GPU visible here (nvidia-smi -L fails)" >&2
  exit 77
fi
command -v python3 >/dev/null || { echo "gpu-check: python3 is needed for the table" >&2; exit 2; }

out="${GPUCERT_CHECK_OUT:-$(mktemp -d -t gpucert-check.XXXXXX)}"
mkdir -p "$out"
t0=$SECONDS

# The card as found (never changed: no clocks, power or mode settings are touched).
nvidia-smi --query-gpu=index,name,driver_version,pci.bus_id,pcie.link.gen.current,pcie.link.width.current,clocks.max.sm,power.limit \
  --format=csv,noheader >"$out/gpus.csv" 2>&1
# Clocks, temperature, power and clock-event reasons every 500 ms while everything runs.
reasons=clocks_event_reasons.active
nvidia-smi --query-gpu=$reasons --format=csv,noheader >/dev/null 2>&1 || reasons=clocks_throttle_reasons.active
nvidia-smi --query-gpu=index,clocks.sm,clocks.mem,temperature.gpu,power.draw,$reasons \
  --format=csv,noheader,nounits -lms 500 >"$out/telemetry.csv" 2>/dev/null &
smi_pid=$!
trap 'kill "$smi_pid" 2>/dev/null' EXIT

echo "gpu-check: GPU tests ($tests)" >&2
timeout 150 "$tests" --gtest_color=no >"$out/gpu_tests.log" 2>&1
tests_rc=$?
grep -E '^\[ *(FAILED|SKIPPED|figure|skipped) *\]|^\[  PASSED  \]' "$out/gpu_tests.log" >&2

echo "gpu-check: gpucert-bench" >&2
filter='^((gemm/dtype:(bf16|fp8)/m:8192/n:8192/k:8192/layout:tn/algos:1|hbm\.(copy|triad)/bytes:1GiB|pcie\.(h2d|d2h)/bytes:256MiB/engine:ce|launch\.stream/launches:1000)/gpu:0|nccl\.all_reduce/bytes:1GiB/dtype:float/inplace:false/iters:20/graph:false/node)(/manual_time)?$'
timeout 90 "$bench" --benchmark_filter="$filter" --benchmark_min_time=0.5 \
  --benchmark_format=json >"$out/bench.json" 2>"$out/bench.log"
bench_rc=$?
[[ $bench_rc -eq 0 ]] || { echo "gpu-check: gpucert-bench exit $bench_rc" >&2; tail -5 "$out/bench.log" >&2; }

# The same two figures through PyTorch, when it is installed, to compare readings.
torch_rc=0
if [[ "${GPUCERT_CHECK_TORCH:-1}" != 0 ]] && python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  echo "gpu-check: PyTorch comparison" >&2
  timeout 45 python3 - >"$out/torch.json" 2>"$out/torch.log" <<'PY'
import json, statistics, torch
def median_ms(fn, reps):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    s, e, t = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True), []
    for _ in range(reps):
        s.record(); fn(); e.record(); e.synchronize(); t.append(s.elapsed_time(e))
    return statistics.median(t)
n = 8192
a = torch.rand(n, n, device="cuda", dtype=torch.bfloat16) * 2 - 1
b = torch.rand(n, n, device="cuda", dtype=torch.bfloat16) * 2 - 1
ms = median_ms(lambda: torch.matmul(a, b), 30)
x = torch.rand(1 << 28, device="cuda")  # 1 GiB of float32
y = torch.empty_like(x)
ms_copy = median_ms(lambda: y.copy_(x), 30)
print(json.dumps({"matmul_tflops": 2 * n**3 / (ms * 1e-3) / 1e12,
                  "copy_gbps": 2 * x.numel() * 4 / (ms_copy * 1e-3) / 1e9,
                  "torch": torch.__version__}))
PY
  torch_rc=$?
fi

kill "$smi_pid" 2>/dev/null
wait "$smi_pid" 2>/dev/null
trap - EXIT

OUT="$out" TESTS_RC=$tests_rc BENCH_RC=$bench_rc TORCH_RC=$torch_rc ELAPSED=$((SECONDS - t0)) python3 - <<'PY'
import csv, json, os, re, sys

out = os.environ["OUT"]
tests_rc, bench_rc = int(os.environ["TESTS_RC"]), int(os.environ["BENCH_RC"])

def read(path):
    try:
        with open(os.path.join(out, path)) as f:
            return f.read()
    except OSError:
        return ""

gpus = [r for r in csv.reader(read("gpus.csv").splitlines()) if len(r) >= 8]
card = gpus[0][1].strip() if gpus else "unknown card"
driver = gpus[0][2].strip() if gpus else "?"

# Dense datasheet peaks (TFLOP/s, GB/s per direction for PCIe); the first matching name wins.
PEAKS = [
    ("H200", {"bf16": 989, "fp8": 1979, "hbm": 4800, "pcie": 63}),
    ("H100 NVL", {"bf16": 835, "fp8": 1671, "hbm": 3900, "pcie": 63}),
    ("H100 PCIe", {"bf16": 756, "fp8": 1513, "hbm": 2000, "pcie": 63}),
    ("H100", {"bf16": 989, "fp8": 1979, "hbm": 3350, "pcie": 63}),
]
# Targets of the measurement issue (H100 SXM; H200 from its datasheet), where they apply.
TARGETS = {
    "H200": {"bf16": 780, "fp8": 1300, "hbm.copy": 4100, "pcie": 50, "launch": 3.0},
    "H100": {"bf16": 780, "fp8": 1300, "hbm.copy": 2850, "pcie": 50, "launch": 3.0},
}
peaks = next((p for key, p in PEAKS if key in card), {})
targets = {} if ("PCIe" in card or "NVL" in card) else next(
    (t for key, t in TARGETS.items() if key in card), {})

rows, failures = [], []
try:
    doc = json.loads(read("bench.json") or "{}")
except json.JSONDecodeError as e:
    doc = {}
    failures.append(f"gpucert-bench JSON unreadable: {e}")
ctx = doc.get("context", {})
if str(ctx.get("simulated", "false")) == "true":
    failures.append("gpucert-bench ran on the SIMULATOR: these are not measurements")
ngpus = len([g for g in str(ctx.get("gpus", "")).split(",") if g.strip()])

def pct(v, key):
    return f"{100 * v / peaks[key]:.1f}%" if key in peaks else "-"

def target(v, key, lower=False):
    if key not in targets:
        return "-"
    t = targets[key]
    ok = v <= t if lower else v >= t
    return f"{'<=' if lower else '>='} {t:g} {'ok' if ok else 'MISS'}"

for b in doc.get("benchmarks", []):
    if b.get("run_type", "iteration") != "iteration":
        continue
    name = b["name"]
    if b.get("error_occurred"):
        failures.append(f"{name}: {b.get('error_message', 'error')}")
        rows.append((name.split("/")[0], "ERROR", "", "-", (b.get("error_message") or "")[:60]))
        continue
    m = re.match(r"gemm/dtype:(\w+)/m:(\d+)/n:(\d+)/k:(\d+)", name)
    if m:
        v = b["FLOP/s"] / 1e12
        rows.append((f"gemm {m[1]} {m[2]}x{m[3]}x{m[4]}", f"{v:.1f}", "TFLOP/s", pct(v, m[1]),
                     target(v, m[1])))
    elif name.startswith("hbm."):
        op = name.split("/")[0]
        v = b["bytes/s"] / 1e9
        rows.append((f"{op} 1 GiB/array", f"{v:.0f}", "GB/s", pct(v, "hbm"), target(v, op)))
    elif name.startswith("pcie."):
        v = b["bytes/s"] / 1e9
        rows.append((f"{name.split('/')[0]} 256 MiB ce", f"{v:.1f}", "GB/s", pct(v, "pcie"),
                     target(v, "pcie")))
    elif name.startswith("launch."):
        v = b["us/item"]
        rows.append(("launch.stream empty kernel", f"{v:.2f}", "us", "-",
                     target(v, "launch", lower=True)))
    elif name.startswith("nccl.all_reduce"):
        algbw = b["bytes/s"] / 1e9
        busbw = algbw * 2 * (ngpus - 1) / ngpus if ngpus > 1 else float("nan")
        rows.append((f"nccl.all_reduce 1 GiB x{ngpus}", f"{busbw:.0f}" if ngpus > 1 else "-",
                     "GB/s busbw", "-", f"algbw {algbw:.0f} GB/s"))
if not doc.get("benchmarks"):
    failures.append("gpucert-bench produced no results (see bench.log)")

try:
    t = json.loads(read("torch.json") or "null")
except json.JSONDecodeError:
    t = None
if t:
    rows.append((f"torch.matmul bf16 8192^3 ({t['torch']})", f"{t['matmul_tflops']:.1f}",
                 "TFLOP/s", pct(t["matmul_tflops"], "bf16"), "reference"))
    rows.append(("torch copy_ 1 GiB (read+write)", f"{t['copy_gbps']:.0f}", "GB/s",
                 pct(t["copy_gbps"], "hbm"), "reference"))

# Telemetry of GPU 0 over the whole check. Clock-event bits (nvml.h); "gpu_idle" is left out.
REASONS = {0x2: "app_clocks", 0x4: "sw_power_cap", 0x8: "hw_slowdown", 0x10: "sync_boost",
           0x20: "sw_thermal", 0x40: "hw_thermal", 0x80: "hw_power_brake", 0x100: "display_clocks"}
sm, mem, temp, power, reasons = [], [], [], [], set()
for r in csv.reader(read("telemetry.csv").splitlines()):
    if len(r) < 6 or r[0].strip() != "0":
        continue
    try:
        sm.append(float(r[1])); mem.append(float(r[2])); temp.append(float(r[3]))
        power.append(float(r[4]))
    except ValueError:
        continue
    try:
        code = int(r[5].strip(), 16)
    except ValueError:
        continue
    for bit, why in REASONS.items():
        if code & bit:
            reasons.add(why)
tel = (f"SM clock {min(sm):.0f}-{max(sm):.0f} MHz, memory clock {max(mem):.0f} MHz, "
       f"max {max(temp):.0f} C, max {max(power):.0f} W, clock-event reasons "
       f"{', '.join(sorted(reasons)) or 'none'} ({len(sm)} samples)") if sm else "no telemetry"

tests_line = re.findall(r"^\[  PASSED  \] (\d+) tests?", read("gpu_tests.log"), re.M)
skipped = re.findall(r"^\[  SKIPPED \] (\d+) tests?", read("gpu_tests.log"), re.M)
failed = re.findall(r"^\[  FAILED  \] (\S+)", read("gpu_tests.log"), re.M)
if tests_rc != 0:
    failures.append(f"gpu_tests exit {tests_rc}" + (f": {', '.join(sorted(set(failed)))}"
                                                     if failed else ""))
if bench_rc != 0:
    failures.append(f"gpucert-bench exit {bench_rc}")

w = max([len(r[0]) for r in rows] + [30])
print()
print(f"gpucert GPU check: {card} (GPU 0 of {len(gpus)}), driver {driver}, "
      f"{os.environ['ELAPSED']} s")
print(f"gpu tests: {'PASS' if tests_rc == 0 else 'FAIL'} ({tests_line[0] if tests_line else 0} "
      f"passed, {skipped[0] if skipped else 0} skipped, {len(set(failed))} failed)")
print(f"{'benchmark':<{w}}  {'value':>8}  {'unit':<11} {'% peak':>7}  target")
for r in rows:
    print(f"{r[0]:<{w}}  {r[1]:>8}  {r[2]:<11} {r[3]:>7}  {r[4]}")
print(f"during the check (gpu0): {tel}")
print(f"logs: {out}")
for f in failures:
    print(f"FAILED: {f}")
sys.exit(1 if failures else 0)
PY
