#!/usr/bin/env bash
# gpucert-mpi on the simulator under mpirun: 2 and 4 ranks write one results file with every
# rank's inventory and busbw/algbw = the nccl-tests factor; a rank that never arrives is named in
# an ERROR within the deadline (no hang); a bad sweep is exit 2. Skips (77) without mpirun or
# without the gpucert-mpi binary (a build without MPI).
# Usage: mpi_sim.sh GPUCERT_BIN BUILD_DIR
set -uo pipefail
build="${2:?usage: mpi_sim.sh GPUCERT_BIN BUILD_DIR}"
mpi_bin="$build/bin/gpucert-mpi"
command -v mpirun >/dev/null || { echo "SKIP: mpirun not found"; exit 77; }
[[ -x "$mpi_bin" ]] || { echo "SKIP: $mpi_bin not built (GPUCERT_WITH_MPI off or MPI missing)"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 not found (JSON checks)"; exit 77; }

# CI runs as root and has 2 cores: both need explicit permission from Open MPI.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# No network daemons to wait for on a CI box: shared memory and loopback only.
export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo
export OMPI_MCA_plm_rsh_agent=false
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0
node=h100-sxm5-80gb-8x

check() { # check NAME RESULTS NP: python assertions over one results file
  python3 - "$2" "$3" <<'PY' || { echo "FAIL: $1"; fail=1; }
import json, sys
r = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
assert r["schema"] == "gpucert/results/v1", r["schema"]
assert r["simulated"] is True and r["backend"] == "sim"
ranks = r["provenance"]["mpi"]["ranks"]
assert r["provenance"]["mpi"]["world_size"] == n and len(ranks) == n, ranks
for i, k in enumerate(ranks):
    assert k["rank"] == i and k["arrived"] is True, k
    inv = k["inventory"]
    assert inv["simulated"] is True, inv
    assert [g["index"] for g in inv["gpus"]] == [i], inv["gpus"]   # each rank: its own GPU
assert "env" in r["provenance"]["nccl"]
factors = {"all_reduce": 2.0 * (n - 1) / n, "all_gather": (n - 1) / n}
ms = r["measurements"]
assert len(ms) == 2 * 3, [m["benchmark"] for m in ms]  # 2 collectives x 3 sizes
for m in ms:
    coll = m["benchmark"].split(".", 1)[1]
    assert m["status"] == "ok", (m["benchmark"], m["status"], m["message"])
    assert m["target"]["gpus"] == list(range(n)), m["target"]
    assert len(m["seconds"]) == 5, m["seconds"]
    bus, alg = m["metrics"][f"nccl.{coll}.busbw_gbps"], m["metrics"][f"nccl.{coll}.algbw_gbps"]
    for b, a in zip(bus, alg):
        assert abs(b / a - factors[coll]) < 1e-9, (coll, b, a)
    assert m["verification"]["checked"] and m["verification"]["passed"], m["verification"]
    assert len(m["extra"]["mpi_ranks"]) == n
    # the sample time is the slowest rank's
    per_rank = [x["seconds"] for x in m["extra"]["mpi_ranks"]]
    for i, t in enumerate(m["seconds"]):
        assert t == max(p[i] for p in per_rank), (t, per_rank)
print(f"ok: {n} ranks, {len(ms)} measurements")
PY
}

for np in 2 4; do
  out="$tmp/np$np.json"
  start=$SECONDS
  timeout 120 mpirun --allow-run-as-root --oversubscribe -np "$np" "$mpi_bin" --simulate "$node" \
    --collective all_reduce,all_gather --bytes 1MiB:64MiB:8 --samples 5 --warmup 1 --timeout 20 \
    --out "$out" >"$tmp/np$np.out" 2>"$tmp/np$np.err"
  rc=$?
  echo "np=$np: rc=$rc in $((SECONDS - start)) s"
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: mpirun -np $np exited $rc"; cat "$tmp/np$np.err"; fail=1; continue
  fi
  check "np=$np results" "$out" "$np"
  grep -q "all_reduce" "$tmp/np$np.out" || { echo "FAIL: np=$np: no table on stdout"; fail=1; }
done

# A rank that never arrives: rank 0 names it within the deadline, records ERROR, writes the
# results and aborts the job (the hung rank included).
out="$tmp/hang.json"
start=$SECONDS
timeout 90 mpirun --allow-run-as-root --oversubscribe -np 4 -x GPUCERT_TEST_HANG_RANK=3 "$mpi_bin" \
  --simulate "$node" --collective all_reduce --bytes 1MiB --samples 3 --warmup 1 --timeout 3 \
  --out "$out" >"$tmp/hang.out" 2>"$tmp/hang.err"
rc=$?
took=$((SECONDS - start))
echo "hang: rc=$rc in $took s"
if [[ $rc -eq 0 || $rc -eq 124 ]]; then echo "FAIL: hung rank: rc=$rc (want a non-zero exit, no timeout)"; fail=1; fi
if ((took > 60)); then echo "FAIL: hung rank: took $took s"; fail=1; fi
grep -q "rank 3" "$tmp/hang.err" || { echo "FAIL: stderr does not name rank 3"; cat "$tmp/hang.err"; fail=1; }
python3 - "$out" <<'PY' || { echo "FAIL: hang results"; fail=1; }
import json, sys
r = json.load(open(sys.argv[1]))
ms = r["measurements"]
assert len(ms) == 1 and ms[0]["status"] == "error", ms
assert "rank 3 (host " in ms[0]["message"] and "did not arrive" in ms[0]["message"], ms[0]["message"]
assert "host unknown" not in ms[0]["message"], ms[0]["message"]  # named by its start-up report
assert r["provenance"]["watchdog"]["missing_ranks"] == [3], r["provenance"]["watchdog"]
ranks = r["provenance"]["mpi"]["ranks"]
assert [k["arrived"] for k in ranks] == [True, True, True, False], ranks
assert all("inventory" in k for k in ranks[:3]) and ranks[3]["silent_at"] == "rendezvous", ranks
print("ok: hung rank named:", ms[0]["message"])
PY

# The same when the rank hangs mid-measurement (after the rendezvous).
out="$tmp/hang2.json"
timeout 90 mpirun --allow-run-as-root --oversubscribe -np 2 -x GPUCERT_TEST_HANG_RANK=1 \
  -x GPUCERT_TEST_HANG_AT=sample "$mpi_bin" --simulate "$node" --collective all_reduce,broadcast \
  --bytes 1MiB --samples 3 --warmup 1 --timeout 3 --out "$out" >/dev/null 2>"$tmp/hang2.err"
rc=$?
echo "hang at sample: rc=$rc"
if [[ $rc -eq 0 || $rc -eq 124 ]]; then echo "FAIL: hang at sample: rc=$rc"; fail=1; fi
python3 - "$out" <<'PY' || { echo "FAIL: hang-at-sample results"; fail=1; }
import json, sys
ms = json.load(open(sys.argv[1]))["measurements"]
assert [m["status"] for m in ms] == ["error", "error"], ms
assert "rank 1 (host" in ms[0]["message"] and "sample 1" in ms[0]["message"], ms[0]["message"]
assert ms[1]["message"].startswith("not run"), ms[1]["message"]
print("ok:", ms[0]["message"])
PY

# Bad input on every rank: exit 2, one message (from one rank, not one per rank) naming the token.
bad_input() { # NAME MESSAGE ARGS...
  local name="$1" message="$2"
  shift 2
  timeout 60 mpirun --allow-run-as-root --oversubscribe -np 2 "$mpi_bin" --simulate "$node" \
    "$@" --out "$tmp/bad.json" >/dev/null 2>"$tmp/bad.err"
  local rc=$?
  echo "$name: rc=$rc"
  [[ $rc -eq 2 ]] || { echo "FAIL: $name: rc=$rc, want 2"; cat "$tmp/bad.err"; fail=1; }
  grep -qF "gpucert-mpi: $message" "$tmp/bad.err" ||
    { echo "FAIL: $name: stderr lacks '$message'"; cat "$tmp/bad.err"; fail=1; }
  [[ "$(grep -c '^gpucert-mpi: ' "$tmp/bad.err")" == 1 ]] ||
    { echo "FAIL: $name: not one message"; cat "$tmp/bad.err"; fail=1; }
  [[ ! -e "$tmp/bad.json" ]] || { echo "FAIL: $name: results written"; fail=1; }
}
bad_input "bad sweep" "sweep '8:4:2': MIN 8 is above MAX 4" --bytes 8:4:2
bad_input "unknown collective" "unknown collective 'frobnicate' (known: all_reduce," \
  --collective frobnicate

exit $fail
