#!/usr/bin/env bash
# The HTML reports as a reader's browser shows them: headless Chromium renders the report of a
# simulated H100x8 run with a thermal and an NVLink fault, and the lot report of a generated lot
# with faulty nodes and outliers; tests/scripts/html_check.py fails on a
# console message, a performance clause without its chart, a headline that disagrees with the
# checks, or a blank screenshot. Each of those is planted once to show the check can fail.
# Usage: html_browser.sh GPUCERT_BIN BUILD_DIR.
set -uo pipefail
bin="$1"
build="$2"
src="${GPUCERT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
check="$src/tests/scripts/html_check.py"
if grep -q '^GPUCERT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: the page is the same as the default build's (which runs this test)"
  exit 77
fi
browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
  [[ "${CI:-}" == "true" ]] && { echo "FAIL: chromium is missing in CI (ci/setup.sh installs it)"; exit 1; }
  echo "SKIP: no chromium (apt-get install chromium, or bash ci/setup.sh)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# render PAGE DOM PNG LOG: the DOM Chromium built, a screenshot, and what it logged.
render() {
  local flags=(--headless=new --no-sandbox --disable-gpu --no-first-run --hide-scrollbars
               --user-data-dir="$work/chromium" --enable-logging=stderr --v=0)
  timeout 90 "$browser" "${flags[@]}" --dump-dom "file://$1" >"$2" 2>"$4" ||
    { tail -5 "$4"; fail "chromium could not render $1"; }
  timeout 90 "$browser" "${flags[@]}" --window-size=1200,3000 --screenshot="$3" "file://$1" \
    >/dev/null 2>>"$4" || { tail -5 "$4"; fail "chromium could not take a screenshot of $1"; }
}

"$bin" run --profile "$src/profiles/h100-sxm5-80gb-8x-quick.yaml" --simulate h100-sxm5-80gb-8x \
  --seed 3 --fault gpu5:thermal --fault gpu0-gpu1:nvlink=0.5 --out "$work/run" >/dev/null 2>&1
[[ -s "$work/run/certificate.json" ]] || fail "the simulated run wrote no certificate"
"$bin" report "$work/run" --format html -o "$work/report.html" || fail "report --format html"
"$bin" report "$work/run" --format json-full -o "$work/full.json" 2>/dev/null ||
  fail "report --format json-full"

render "$work/report.html" "$work/dom.html" "$work/shot.png" "$work/console.log"
python3 "$check" "$work/dom.html" "$work/shot.png" "$work/console.log" "$work/full.json" ||
  fail "the rendered report does not hold"

# The lot page of a small generated lot with faults and outliers.
"$(dirname "$bin")/gpucert-simlot" --nodes 12 --seed 5 --faulty 25 --outliers 3 --out "$work/lot" \
  >/dev/null 2>&1 || fail "gpucert-simlot"
"$bin" fleet "$work/lot" --out "$work/lot-out" >/dev/null 2>&1
[[ -s "$work/lot-out/lot.html" ]] || fail "fleet wrote no lot.html"
render "$work/lot-out/lot.html" "$work/lot-dom.html" "$work/lot.png" "$work/lot-console.log"
python3 "$check" --lot "$work/lot-dom.html" "$work/lot.png" "$work/lot-console.log" \
  "$work/lot-out/lot.json" || fail "the rendered lot report does not hold"

# The check fails where it must. A chart taken out of the page:
python3 - "$work/dom.html" "$work/nochart.html" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(re.sub(r"<svg.*?</svg>", "", dom, count=1, flags=re.S))
PY
out="$(python3 "$check" "$work/nochart.html" "$work/shot.png" "$work/console.log" "$work/full.json")" &&
  fail "a missing chart went unnoticed"
grep -q "no chart for the performance clause" <<<"$out" || fail "missing chart: $out"
# A headline that says more than the checks:
sed 's|<h1>NOT CERTIFIED</h1>|<h1>CERTIFIED</h1>|' "$work/dom.html" >"$work/liar.html"
out="$(python3 "$check" "$work/liar.html" "$work/shot.png" "$work/console.log" "$work/full.json")" &&
  fail "a false headline went unnoticed"
grep -q "disagrees with the checks" <<<"$out" || fail "false headline: $out"
# A blank page that writes to the console:
printf '<!DOCTYPE html><html><body><script>console.error("planted")</script></body></html>\n' \
  >"$work/blank.html"
render "$work/blank.html" "$work/blank-dom.html" "$work/blank.png" "$work/blank.log"
out="$(python3 "$check" "$work/dom.html" "$work/blank.png" "$work/blank.log" "$work/full.json")" &&
  fail "a blank page with a console error went unnoticed"
grep -q "console:.*planted" <<<"$out" || fail "console error not seen: $out"
grep -q "screenshot is blank" <<<"$out" || fail "blank screenshot not seen: $out"
echo "ok: the report renders in $("$browser" --version 2>/dev/null | head -1) and every planted problem is caught"
