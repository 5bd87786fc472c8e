#!/usr/bin/env bash
# Outputs only ever replace regular files: an --out that is a link or not a directory, a
# results.json planted as a link to a file elsewhere, a FIFO, a device or a link as `report -o`
# are refused with exit 2 and a message naming the path and what it is; nothing outside is
# touched. `report -o -` writes to stdout. Usage: output_targets.sh GPUCERT_BIN BUILD_DIR.
set -uo pipefail
bin="$1"
src="${GPUCERT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
profile="$src/profiles/h100-sxm5-80gb-8x-quick.yaml"
node=h100-sxm5-80gb-8x
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect RC PATTERN CMD...: exit code RC, PATTERN (grep -E) on stderr, which is one line, and
# nothing on stdout; 20 s at most (a FIFO opened for writing would block forever).
expect() {
  local want="$1" pattern="$2" rc=0
  shift 2
  timeout 20 "$@" >"$work/out" 2>"$work/err" || rc=$?
  [[ "$rc" == "$want" ]] || { cat "$work/err"; fail "exit $rc, expected $want: $*"; }
  grep -Eq -- "$pattern" "$work/err" || { cat "$work/err"; fail "stderr lacks /$pattern/: $*"; }
  [[ "$(wc -l <"$work/err")" == 1 ]] || { cat "$work/err"; fail "not one line on stderr: $*"; }
  [[ ! -s "$work/out" ]] || { cat "$work/out"; fail "a refused command printed on stdout: $*"; }
  echo "ok (exit $rc): ${*:2}"
}
run_into=("$bin" run --profile "$profile" --simulate "$node" --out)

# A certificate to render.
"$bin" run --profile "$profile" --simulate "$node" --out "$work/cert" >/dev/null 2>&1
cert="$work/cert/certificate.json"
[[ -f "$cert" ]] || fail "no certificate from the first run"

# --out is a symbolic link (with and without a trailing slash): refused, nothing written there.
mkdir "$work/real"
ln -s "$work/real" "$work/link"
expect 2 "^gpucert: --out $work/link: is a symbolic link; give the directory itself" "${run_into[@]}" "$work/link"
expect 2 "^gpucert: --out $work/link/?: is a symbolic link" "${run_into[@]}" "$work/link/"
[[ -z "$(ls -A "$work/real")" ]] || fail "files written through the --out link"

# --out is a regular file.
echo keep >"$work/plain"
expect 2 "^gpucert: --out $work/plain: is a regular file, not a directory" "${run_into[@]}" "$work/plain"
expect 2 "^gpucert: --out $work/plain: is a regular file, not a directory" \
  "$bin" evaluate --profile "$profile" "$work/cert/results.json" --out "$work/plain"

# --out is a FIFO; evaluate --out holding a planted link among its three files.
mkfifo "$work/out-fifo"
expect 2 "^gpucert: --out $work/out-fifo: is a FIFO, not a directory" "${run_into[@]}" "$work/out-fifo"
for name in certificate.json junit.xml report.md; do
  d="$work/eval-planted-$name"
  mkdir "$d"
  echo "outside, must stay" >"$work/eval-outside-$name"
  ln -s "$work/eval-outside-$name" "$d/$name"
  expect 2 "^gpucert: $d/$name: is a symbolic link" \
    "$bin" evaluate --profile "$profile" "$work/cert/results.json" --out "$d"
  [[ "$(cat "$work/eval-outside-$name")" == "outside, must stay" ]] || fail "evaluate followed $name"
  [[ -L "$d/$name" ]] || fail "evaluate replaced the $name link"
done

# results.json (and its temp name) planted as links to a file outside: never followed.
for name in results.json results.json.tmp certificate.json; do
  d="$work/planted-$name"
  mkdir "$d"
  echo "outside, must stay" >"$work/outside-$name"
  ln -s "$work/outside-$name" "$d/$name"
  expect 2 "^gpucert: $d/$name: is a symbolic link" "${run_into[@]}" "$d"
  [[ "$(cat "$work/outside-$name")" == "outside, must stay" ]] || fail "$name link followed"
  [[ -L "$d/$name" ]] || fail "$name link replaced"
done

# report -o: a FIFO, a device, a link; "-" is stdout.
mkfifo "$work/fifo"
expect 2 "^gpucert: $work/fifo: is a FIFO" "$bin" report "$cert" --format md -o "$work/fifo"
expect 2 "^gpucert: /dev/null: is a character device" "$bin" report "$cert" --format md -o /dev/null
echo "outside, must stay" >"$work/outside-report"
ln -s "$work/outside-report" "$work/report-link.md"
expect 2 "^gpucert: $work/report-link.md: is a symbolic link" "$bin" report "$cert" --format md -o "$work/report-link.md"
[[ "$(cat "$work/outside-report")" == "outside, must stay" ]] || fail "report -o link followed"
mkdir "$work/adir"
expect 2 "^gpucert: $work/adir: is a directory" "$bin" report "$cert" --format md -o "$work/adir"
expect 2 "$work/none/r\.md.*its directory does not exist" "$bin" report "$cert" --format md -o "$work/none/r.md"
"$bin" report "$cert" --format md -o - >"$work/stdout.md" || fail "report -o - failed"
grep -q "CERTIFIED" "$work/stdout.md" || fail "report -o - wrote nothing useful to stdout"
# A regular file is replaced, as before.
echo old >"$work/r.md"
"$bin" report "$cert" --format md -o "$work/r.md" || fail "report -o over a regular file failed"
cmp -s "$work/r.md" "$work/stdout.md" || fail "report -o FILE differs from report -o -"
echo "ok: report -o - and -o over a regular file"
