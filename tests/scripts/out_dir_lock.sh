#!/usr/bin/env bash
# One command at a time per --out directory, one run's files at a time: a second run (or
# evaluate) into a directory in use exits 2 naming the holder (pid, host, start); the lock of a
# killed run does not block; a new run first moves the previous run's files into
# DIR/previous-<UTC>/, so DIR never holds a mixture. Usage: out_dir_lock.sh GPUCERT_BIN BUILD_DIR.
set -uo pipefail
bin="$1"
src="${GPUCERT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
profile="$src/profiles/h100-sxm5-80gb-8x-quick.yaml"
node=h100-sxm5-80gb-8x
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 77; }
work="$(mktemp -d)"
bg=""
trap '[[ -n "$bg" ]] && kill -KILL "$bg" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run_into=("$bin" run --profile "$profile" --simulate "$node" --out)
verdict_rc() { [[ "$1" == 0 || "$1" == 1 || "$1" == 5 ]]; }
d="$work/out"

# A run in the background (--pace-ms, a test hook, holds each simulated measurement 200 ms), and
# its lock taken and described.
"${run_into[@]}" "$d" --pace-ms 200 >"$work/a.out" 2>"$work/a.err" &
bg=$!
for _ in $(seq 1 100); do
  grep -qs "^pid $bg\$" "$d/.gpucert.lock" && break
  sleep 0.1
done
grep -qs "^pid $bg\$" "$d/.gpucert.lock" || fail "the first run wrote no lock naming pid $bg"
for _ in $(seq 1 100); do # evaluate below reads it
  [[ -f "$d/results.json" ]] && break
  sleep 0.1
done

# A second run and an evaluate into the same directory: exit 2, naming the holder.
for cmd in run evaluate; do
  rc=0
  if [[ "$cmd" == run ]]; then
    "${run_into[@]}" "$d" >/dev/null 2>"$work/b.err" || rc=$?
  else
    "$bin" evaluate --profile "$profile" "$d/results.json" --out "$d" >/dev/null \
      2>"$work/b.err" || rc=$?
  fi
  [[ "$rc" == 2 ]] || { cat "$work/b.err"; fail "second $cmd: exit $rc, expected 2"; }
  grep -Eq "another gpucert is writing there \(pid $bg on host $(hostname), started [0-9T:-]+Z: .*gpucert run" \
    "$work/b.err" || { cat "$work/b.err"; fail "second $cmd does not name the holder"; }
  echo "ok: second $cmd into a locked --out: exit 2, $(cat "$work/b.err")"
done
ls -d "$d"/previous-* >/dev/null 2>&1 && fail "a refused command moved files"

# Killed outright (no cleanup): its lock file stays but no longer blocks.
{ kill -KILL "$bg" && wait "$bg"; } 2>/dev/null # the shell's "Killed" notice is expected
bg=""
[[ -f "$d/.gpucert.lock" ]] || fail "lock file gone"

# The next run moves the killed run's files aside, then writes its own.
rc=0
"${run_into[@]}" "$d" >/dev/null 2>"$work/c.err" || rc=$?
verdict_rc "$rc" || { cat "$work/c.err"; fail "run after a killed run: exit $rc"; }
grep -q "held a previous run's files: moved to $d/previous-" "$work/c.err" ||
  { cat "$work/c.err"; fail "no note about the files moved aside"; }
# And a rerun, then an evaluate into the same directory.
rc=0
"${run_into[@]}" "$d/" >/dev/null 2>"$work/e.err" || rc=$?
verdict_rc "$rc" || { cat "$work/e.err"; fail "rerun: exit $rc"; }
rc=0
"$bin" evaluate --profile "$profile" "$d/results.json" --out "$d" >/dev/null 2>"$work/f.err" || rc=$?
verdict_rc "$rc" || { cat "$work/f.err"; fail "evaluate into a used dir: exit $rc"; }

python3 - "$d" <<'PY'
import glob, json, os, sys
d = sys.argv[1]
prev = sorted(glob.glob(os.path.join(d, "previous-*")))
assert len(prev) == 3, f"expected 3 previous-* folders, found {prev}"
def files(p): return sorted(os.listdir(p))
def run_of(p):
    """The run a folder's files belong to: results.json and certificate.json must agree."""
    r = json.load(open(os.path.join(p, "results.json")))
    c = json.load(open(os.path.join(p, "certificate.json")))
    assert c["results"]["started_at"] == r["started_at"], f"{p}: certificate of another run"
    return r
# Killed run: results only (its certificate was never written), incomplete.
killed = [p for p in prev if "certificate.json" not in files(p)]
assert len(killed) == 1 and json.load(open(os.path.join(killed[0], "results.json")))["complete"] is False
full = [p for p in prev if p not in killed]
starts = set()
for p in full:
    assert files(p) == ["certificate.json", "junit.xml", "profile", "report.md", "results.json"], files(p)
    starts.add(run_of(p)["started_at"])
assert len(starts) == 2, "the two complete runs were not kept apart"
# DIR itself: the evaluation's three files only, no results.json of an earlier run beside them.
top = sorted(f for f in os.listdir(d) if not f.startswith("previous-"))
# evaluate --out copies the results it evaluated (the certificate keeps its samples there).
assert top == [".gpucert.lock", "certificate.json", "junit.xml", "report.md", "results.json"], top
print(f"ok: {len(prev)} earlier outputs kept apart in previous-*; {d} holds one command's files")
PY
[[ $? == 0 ]] || fail "move-aside checks"

# A lock file planted as a link is refused.
mkdir "$work/l"
ln -s "$work/elsewhere" "$work/l/.gpucert.lock"
rc=0
"${run_into[@]}" "$work/l" >/dev/null 2>"$work/g.err" || rc=$?
[[ "$rc" == 2 ]] && grep -q "gpucert.lock: is a symbolic link" "$work/g.err" ||
  { cat "$work/g.err"; fail "planted lock link: exit $rc"; }
[[ ! -e "$work/elsewhere" ]] || fail "lock link followed"
echo "ok: planted lock link refused"
