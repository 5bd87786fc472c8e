#!/usr/bin/env bash
# Builds the packages with CPack and checks them: a .deb of the host parts that declares its
# Debian dependencies, a separate .deb for the CUDA backend plugin (when built) that states its
# requirements, and a relocatable tarball whose gpucert runs from wherever it is unpacked.
# Args: $1 gpucert binary, $2 build dir.
set -euo pipefail
build="$2"
if grep -q '^GPUCERT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: a sanitizer build is not what gets installed or packaged"
  exit 77
fi
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb not installed"; exit 77; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >cpack.log 2>&1) ||
  { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }

host_deb=$(ls "$tmp"/pkg/gpucert_*.deb)
depends=$(dpkg-deb -f "$host_deb" Depends)
echo "gpucert.deb Depends: $depends"
for lib in libyaml-cpp libfmt libstdc++6 libc6; do
  [[ "$depends" == *"$lib"* ]] || { echo "FAIL: $host_deb does not depend on $lib"; exit 1; }
done
host_files=$(dpkg-deb -c "$host_deb")
if grep -q 'libgpucert-cuda.so' <<<"$host_files"; then
  echo "FAIL: the host package carries the CUDA plugin"; exit 1
fi
grep -q './usr/share/gpucert/profiles/h100-sxm5-80gb-8x-standard.yaml' <<<"$host_files" ||
  { echo "FAIL: the host package lacks the shipped profiles"; exit 1; }
grep -q './usr/bin/gpucert$' <<<"$host_files" || { echo "FAIL: no usr/bin/gpucert"; exit 1; }

if [[ -f "$build/lib/gpucert/libgpucert-cuda.so" ]]; then
  cuda_deb=$(ls "$tmp"/pkg/gpucert-cuda_*.deb)
  [[ "$(dpkg-deb -f "$cuda_deb" Depends)" == "gpucert (= "* ]] || { echo "FAIL: gpucert-cuda Depends"; exit 1; }
  dpkg-deb -f "$cuda_deb" Description | grep -q 'libnccl.so.2' ||
    { echo "FAIL: gpucert-cuda does not state its CUDA requirements"; exit 1; }
  grep -q 'lib/gpucert/libgpucert-cuda.so' <<<"$(dpkg-deb -c "$cuda_deb")" ||
    { echo "FAIL: gpucert-cuda lacks the plugin"; exit 1; }
fi

# The tarball: unpack somewhere unrelated, run from another directory.
mkdir -p "$tmp/elsewhere/deep" "$tmp/cwd"
tar -xzf "$tmp"/pkg/gpucert-*.tar.gz -C "$tmp/elsewhere/deep"
g=$(ls -d "$tmp"/elsewhere/deep/*/bin/gpucert)
(cd "$tmp/cwd" && "$g" --version && "$g" profile list >/dev/null &&
   "$g" run --profile h100-pcie-80gb --simulate h100-pcie-80gb-1x --out o >/dev/null)
test -s "$tmp/cwd/o/certificate.json"
echo "ok: packages built and the tarball runs relocated"
