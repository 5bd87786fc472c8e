#!/usr/bin/env bash
# A stdout that cannot be written is an environment error (exit 3, one line on stderr), never a
# success and never a crash: /dev/full, and a closed pipe while SIGPIPE is ignored. With SIGPIPE
# at its default a closed pipe ends gpucert quietly, like any Unix tool (`gpucert list | head`).
# Usage: stdout_errors.sh GPUCERT_BIN BUILD_DIR.
set -uo pipefail
bin="$1"
src="${GPUCERT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
profile="$src/profiles/h100-sxm5-80gb-8x-quick.yaml"
node=h100-sxm5-80gb-8x
[[ -c /dev/full ]] || { echo "no /dev/full: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$bin" run --profile "$profile" --simulate "$node" --out "$work/cert" >/dev/null 2>&1
[[ -f "$work/cert/certificate.json" ]] || fail "no certificate from the first run"

full() { # CMD...: stdout to /dev/full must exit 3 with exactly one line on stderr naming stdout
  local rc=0
  "$@" >/dev/full 2>"$work/err" || rc=$?
  [[ "$rc" == 3 ]] || { cat "$work/err"; fail "exit $rc, expected 3: $* >/dev/full"; }
  [[ "$(wc -l <"$work/err")" == 1 ]] || { cat "$work/err"; fail "not one line on stderr: $*"; }
  grep -q "cannot write to standard output: No space left on device" "$work/err" ||
    { cat "$work/err"; fail "stderr does not say why: $*"; }
  echo "ok (exit 3): $* >/dev/full"
}
full "$bin" list
full "$bin" list --json
full "$bin" --help
full "$bin" --version
full "$bin" report "$work/cert/certificate.json" --format md
full "$bin" report "$work/cert/certificate.json" --format json -o -
full "$bin" inventory --simulate "$node"
full "$bin" inventory --simulate "$node" --json
full "$bin" profile validate "$profile"
full "$bin" profile list --json
full "$bin" profile show h100-sxm5-80gb-8x-quick
# Evaluating against the profile the run used: no note about another profile, so one line.
full "$bin" evaluate --profile "$profile" "$work/cert/results.json"
# A verdict of 1 (not certified) is overridden too: the summary was lost, so exit 3.
"$bin" run --profile "$profile" --simulate "$node" --gpus 0 --fault gpu0:hbm=0.5 \
  --out "$work/fail" >/dev/null 2>&1
[[ -f "$work/fail/results.json" ]] || fail "no results from the failing run"
full "$bin" evaluate --profile "$profile" "$work/fail/results.json"

# A simulated run says SIMULATED on stderr before it starts; then the one line of the error.
rc=0
"$bin" run --profile "$profile" --simulate "$node" --gpus 0 --out "$work/run-full" \
  >/dev/full 2>"$work/err" || rc=$?
[[ "$rc" == 3 ]] || { cat "$work/err"; fail "run >/dev/full: exit $rc, expected 3"; }
grep -v "^gpucert: simulated node '$node': results and certificate are stamped SIMULATED" \
  "$work/err" >"$work/err.rest" || true
[[ "$(cat "$work/err.rest")" == "gpucert: cannot write to standard output: No space left on device" ]] ||
  { cat "$work/err"; fail "run >/dev/full: stderr is not the SIMULATED notice and one line"; }
[[ -f "$work/run-full/certificate.json" ]] || fail "run >/dev/full: the files were not written first"
echo "ok (exit 3): run >/dev/full"

# `profile list` (text): a lost stdout is one line too (where it searched is part of stdout).
rc=0
"$bin" profile list >/dev/full 2>"$work/err" || rc=$?
[[ "$rc" == 3 ]] || { cat "$work/err"; fail "profile list >/dev/full: exit $rc, expected 3"; }
[[ "$(cat "$work/err")" == "gpucert: cannot write to standard output: No space left on device" ]] ||
  { cat "$work/err"; fail "profile list >/dev/full: stderr is not that one line"; }
echo "ok (exit 3): profile list >/dev/full"

# A pipe whose reader is gone, deterministically: the read end is closed before gpucert starts.
python3 - "$bin" <<'PY'
import os, signal, subprocess, sys
bin = sys.argv[1]
def closed_pipe_run(ignore_sigpipe):
    r, w = os.pipe()
    os.close(r)
    pre = (lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN)) if ignore_sigpipe else None
    p = subprocess.run([bin, "list", "--json"], stdout=w, stderr=subprocess.PIPE,
                       preexec_fn=pre, timeout=60)
    os.close(w)
    return p.returncode, p.stderr.decode()
rc, err = closed_pipe_run(False)
assert rc == -signal.SIGPIPE, f"default SIGPIPE: returncode {rc}, expected the quiet SIGPIPE end"
assert err == "", f"default SIGPIPE: stderr not empty: {err!r}"
print("ok: closed pipe, SIGPIPE default: ended by SIGPIPE, nothing on stderr")
rc, err = closed_pipe_run(True)
assert rc == 3, f"SIGPIPE ignored: exit {rc}, expected 3 ({err!r})"
assert err.count("\n") == 1 and "cannot write to standard output: Broken pipe" in err, repr(err)
print("ok: closed pipe, SIGPIPE ignored: exit 3, one line on stderr")
PY
[[ $? == 0 ]] || fail "closed-pipe checks"

# What users type: `gpucert list | head -1` prints one line and says nothing on stderr.
line="$("$bin" list 2>"$work/err" | head -1)"
[[ -n "$line" && ! -s "$work/err" ]] || fail "gpucert list | head -1: '$line' / $(cat "$work/err")"
echo "ok: gpucert list | head -1"
