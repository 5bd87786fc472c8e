#!/usr/bin/env bash
# Collects gpucert, gpucert-bench and gpu_tests with the non-system, non-CUDA shared libraries
# they load (yaml-cpp, fmt, benchmark, gtest, ...) into one folder that runs on a GPU machine
# without the build's packages: ci/gpu-check.sh BUNDLE. The CUDA runtime, cuBLAS(Lt), NCCL and
# the driver come from the GPU machine (same CUDA major version as the build).
# gpucert-sku (the SKU table for the device check) and the shipped profiles (share/gpucert/
# profiles, where the bundled gpucert finds --profile NAME) go in too. ci/gpu-check.sh needs
# gpucert, gpu_tests and gpucert-sku; gpucert-bench is there for exploration.
#   usage: ci/bundle.sh [BUILD_DIR (build/release if built, else build/default)] [OUT_DIR (.bundle)]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-}"
if [[ -z "$build" ]]; then
  build="$here/build/default"
  [[ -x "$here/build/release/bin/gpucert" ]] && build="$here/build/release"
fi
out="${2:-$here/.bundle}"

bins=()
for b in "$build/bin/gpucert" "$build/bin/gpucert-bench" "$build/tests/gpu_tests" \
  "$build/tests/gpucert-sku"; do
  if [[ -x "$b" ]]; then
    bins+=("$b")
  else
    echo "bundle: missing $b (build it: cmake --build $build --target gpucert gpucert-bench" \
      "gpu_tests gpucert-sku)" >&2
    exit 1
  fi
done

plugin="$build/lib/gpucert/libgpucert-cuda.so"
[[ -f "$plugin" ]] || { echo "bundle: missing $plugin (the CUDA backend plugin)" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/libexec" "$out/lib/gpucert" "$out/share/gpucert"
cp -r "$here/profiles" "$out/share/gpucert/profiles"
# The plugin sits where gpucert looks for it: <dir of the binary>/../lib/gpucert/.
cp "$plugin" "$out/lib/gpucert/"
if command -v strip >/dev/null; then strip --strip-debug "$out/lib/gpucert/$(basename "$plugin")"; fi

# Libraries every Linux has, and those that must match the GPU machine's driver/toolkit.
skip_re='^(linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|libgcc_s\.so|libstdc\+\+\.so|libcuda\.so|libnvidia-|libcudart\.so|libcublas|libcublasLt|libnccl|libnvrtc|libnvJitLink)'
declare -A seen=()
for b in "${bins[@]}" "$plugin"; do
  name="$(basename "$b")"
  [[ "$b" == "$plugin" ]] || cp "$b" "$out/libexec/$name"
  if command -v strip >/dev/null; then strip --strip-debug "$out/libexec/$name" 2>/dev/null || true; fi
  # ldd prints "libfoo.so.1 => /path/libfoo.so.1 (0x...)"; a "not found" here is a build problem.
  while read -r lib arrow path _; do
    [[ "$arrow" == "=>" ]] || continue
    [[ "$lib" =~ $skip_re ]] && continue
    if [[ "$path" == "not" ]]; then
      echo "bundle: $name needs $lib, which is not found on this machine" >&2
      exit 1
    fi
    [[ -n "${seen[$lib]:-}" ]] && continue
    seen[$lib]=1
    cp -L "$path" "$out/lib/$lib"
    if command -v strip >/dev/null; then strip --strip-debug "$out/lib/$lib" 2>/dev/null || true; fi
  done < <(ldd "$b")
  [[ "$b" == "$plugin" ]] && continue
  # A wrapper with the bundle's lib/ first on the library path, under the binary's own name.
  cat >"$out/$name" <<EOF
#!/bin/sh
here="\$(cd "\$(dirname "\$0")" && pwd)"
LD_LIBRARY_PATH="\$here/lib\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "\$here/libexec/$name" "\$@"
EOF
  chmod +x "$out/$name"
done

{
  echo "gpucert bundle"
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -m)"
  echo "git: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cuda: $(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p' || echo unknown)"
  echo "libraries: ${!seen[*]}"
} >"$out/BUNDLE.txt"
echo "bundle: $out ($(du -sh "$out" | cut -f1)); run: ci/gpu-check.sh $out" >&2
