#!/usr/bin/env bash
# Installs the host package into a temporary prefix and uses the installed gpucert from another
# directory with every CUDA library out of reach: the folders holding libcudart, cuBLAS(Lt) and
# NCCL are covered by empty tmpfs mounts in a private mount namespace (they are in the loader
# cache, so clearing LD_LIBRARY_PATH would prove nothing). Args: $1 gpucert binary, $2 build dir.
set -euo pipefail
build="$2"
if grep -q '^GPUCERT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: a sanitizer build is not what gets installed or packaged"
  exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" --component host >/dev/null

if ! unshare -m true 2>/dev/null; then
  echo "SKIP: unshare -m is not permitted here (needs CAP_SYS_ADMIN)"
  exit 77
fi

# Every folder the loader would find a CUDA library in.
mapfile -t cuda_dirs < <(ldconfig -p | grep -E 'lib(cudart|cublasLt|cublas|nccl)\.so' |
                         sed 's/.*=> //' | xargs -r -n1 dirname | sort -u)
[[ -d /usr/local/cuda/lib64 ]] && cuda_dirs+=("$(readlink -f /usr/local/cuda/lib64)")

cat >"$tmp/inside.sh" <<'INSIDE'
set -euo pipefail
prefix="$1"; shift
for d in "$@"; do mount -t tmpfs none "$d"; done
for lib in libcudart.so.13 libcublasLt.so.13 libnccl.so.2; do
  if python3 -c "import ctypes,sys; ctypes.CDLL(sys.argv[1])" "$lib" 2>/dev/null; then
    echo "FAIL: $lib is still loadable: the test would prove nothing"; exit 1
  fi
done
cd "$(mktemp -d)"
g="$prefix/bin/gpucert"
"$g" --version
"$g" list >/dev/null
"$g" profile list >/dev/null
"$g" run --profile h100-sxm5-80gb-8x-quick --simulate h100-sxm5-80gb-8x --out cert >run.log 2>&1 ||
  { rc=$?; cat run.log; echo "FAIL: simulated run exited $rc"; exit 1; }
test -s cert/certificate.json && test -s cert/results.json
"$g" evaluate --profile h100-sxm5-80gb-8x-quick cert/results.json --out again >/dev/null
"$g" report cert/certificate.json --format md >/dev/null
# Measuring real GPUs needs the plugin and CUDA: one clear environment error (exit 3).
set +e
"$g" run --profile h100-sxm5-80gb-8x-quick --out real >real.log 2>&1
rc=$?
set -e
if [[ $rc -ne 3 ]]; then cat real.log; echo "FAIL: a real run without CUDA exited $rc, not 3"; exit 1; fi
# One line on stderr that names the missing file or library (and what to try instead).
if [[ "$(wc -l <real.log)" != 1 ]]; then cat real.log; echo "FAIL: not one line on stderr"; exit 1; fi
grep -Eq '^gpucert: .*[^ ]+\.so(\.[0-9]+)*' real.log ||
  { cat real.log; echo "FAIL: the line does not name the missing file or library"; exit 1; }
grep -q -- '--simulate' real.log || { cat real.log; echo "FAIL: the line does not say what to try"; exit 1; }
[[ ! -e real/results.json ]] || { echo "FAIL: a refused real run wrote results"; exit 1; }
echo "ok: without CUDA: $(cat real.log)"
echo "ok: installed gpucert works from $(pwd) with no CUDA library reachable"
INSIDE
unshare -m bash "$tmp/inside.sh" "$tmp/prefix" "${cuda_dirs[@]}"
