#!/usr/bin/env bash
# Fuzzes each input parser (profiles, simulator node files, results, certificates, fault tokens)
# with libFuzzer for GPUCERT_FUZZ_SECONDS (default 60) each, starting from its seed corpus. Needs
# the `sanitize` build (ci/sanitize.sh). Fails on any crash, leak, undefined behaviour, timeout
# or out-of-memory, and prints the reproducer. The committed corpus is never written to: each
# target fuzzes a copy in a temporary folder.
#   usage: ci/fuzz.sh [TARGET...]   (default: every target; names as in tests/fuzz/*_fuzz.cpp)
# Environment: GPUCERT_FUZZ_SECONDS (per target), GPUCERT_FUZZ_JOBS (targets at once; default
# the number of CPUs), GPUCERT_FUZZ_BUILD (default build/sanitize).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${GPUCERT_FUZZ_BUILD:-$here/build/sanitize}"
seconds="${GPUCERT_FUZZ_SECONDS:-60}"
jobs="${GPUCERT_FUZZ_JOBS:-$(nproc)}"
artifacts="$build/fuzz/artifacts"

targets=("$@")
if ((${#targets[@]} == 0)); then
  for spec in "$build"/fuzz/*.fuzz; do
    [[ -f "$spec" ]] && targets+=("$(basename "$spec" .fuzz)")
  done
fi
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz targets in $build/fuzz (run ci/sanitize.sh first)" >&2
  exit 2
fi

work="$(mktemp -d -t gpucert-fuzz.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# fuzz_one NAME: fuzzes one target; its log is $work/NAME.log, its exit status the fuzzer's.
fuzz_one() {
  local t="$1" bin="$build/fuzz/fuzz_$1" spec="$build/fuzz/$1.fuzz"
  if [[ ! -x "$bin" || ! -f "$spec" ]]; then
    echo "fuzz: $bin or $spec missing (run ci/sanitize.sh first)" >"$work/$t.log"
    return 2
  fi
  local max_len dict corpus="$work/$t/corpus"
  max_len="$(sed -n 's/^max_len=//p' "$spec")"
  dict="$(sed -n 's/^dict=//p' "$spec")"
  mkdir -p "$corpus" "$artifacts/$t"
  # Seed folders: the lines of the spec that are not key=value. Flat copy, names made unique.
  while read -r d; do
    [[ -z "$d" || "$d" == *=* || ! -d "$d" ]] && continue
    for f in "$d"/*; do
      [[ -f "$f" ]] && cp "$f" "$corpus/$(basename "$d")-$(basename "$f")"
    done
  done <"$spec"
  # No RSS limit: libFuzzer watches RSS on a thread of its own, and in a threaded process the
  # YAML parsers' hang probe must run on a thread too, where a looping yaml-cpp keeps allocating
  # until the limit kills the fuzzer (a seed grew 1 GB in 6 s). Single-threaded, the probe runs
  # in a child that an alarm ends. A single allocation over 2 GB is still an out-of-memory.
  "$bin" -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=0 -malloc_limit_mb=2048 \
    -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$t/" ${dict:+-dict="$dict"} "$corpus" \
    >"$work/$t.log" 2>&1
}

declare -A pids=()
fail=0
report() { # report NAME STATUS
  local t="$1" rc="$2"
  local execs cov
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)"
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' "$work/$t.log" | tail -1)"
  if [[ "$rc" -eq 0 ]]; then
    echo "fuzz: $t: ok, ${seconds}s, ${execs:-?} inputs, ${cov:-no coverage line}" >&2
  else
    fail=1
    echo "fuzz: $t: FAILED (exit $rc)" >&2
    tail -60 "$work/$t.log" >&2
    local a
    for a in "$artifacts/$t"/*; do
      [[ -f "$a" ]] && echo "fuzz: $t: reproducer: $a (replay: $build/fuzz/fuzz_$t $a)" >&2
    done
  fi
}

echo "fuzz: ${#targets[@]} target(s), ${seconds}s each, $jobs at a time" >&2
for t in "${targets[@]}"; do
  while ((${#pids[@]} >= jobs)); do
    wait -n -p done_pid
    rc=$?
    for k in "${!pids[@]}"; do
      if [[ "${pids[$k]}" == "$done_pid" ]]; then
        report "$k" "$rc"
        unset "pids[$k]"
      fi
    done
  done
  fuzz_one "$t" &
  pids[$t]=$!
done
for t in "${!pids[@]}"; do
  wait "${pids[$t]}"
  report "$t" "$?"
done
exit "$fail"
