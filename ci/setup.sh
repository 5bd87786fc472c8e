#!/usr/bin/env bash
# Installs every build and test dependency on a fresh machine of this kind (Debian 12 +
# CUDA 13 toolkit). Idempotent and quiet; fails loudly. The single source of set-up.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

pkgs=(cmake ninja-build g++ pkg-config libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libfmt-dev
      libgtest-dev libgmock-dev googletest libbenchmark-dev libxml2-utils python3 libsodium-dev
      libsimdjson-dev libssl-dev libmimalloc-dev
      libopenmpi-dev openmpi-bin clang-format
      clang-14 libclang-rt-14-dev # the sanitize preset: ASan+UBSan and libFuzzer
      chromium) # tests/scripts/html_browser.sh renders the HTML report in it
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=""; [[ $(id -u) -ne 0 ]] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >/dev/null
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# nvml.h: from the CUDA toolkit where present, else from PyPI's nvidia-nvml-dev, unpacked into
# .deps/ (ignored by git). NVML itself is dlopen'ed at run time, never linked.
cuda_inc="$(dirname "$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)")/../include"
if [[ ! -f "$cuda_inc/nvml.h" && ! -f "$here/.deps/nvml/include/nvml.h" ]]; then
  echo "setup: fetching nvml.h from PyPI (nvidia-nvml-dev)" >&2
  tmp="$(mktemp -d)"
  python3 -m pip download -q --no-deps --dest "$tmp" nvidia-nvml-dev
  mkdir -p "$here/.deps/nvml/include"
  python3 - "$tmp" "$here/.deps/nvml/include" <<'PY'
import sys, zipfile, glob, os
whl = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
with zipfile.ZipFile(whl) as z:
    name = next(n for n in z.namelist() if n.endswith("include/nvml.h"))
    open(os.path.join(sys.argv[2], "nvml.h"), "wb").write(z.read(name))
PY
  rm -rf "$tmp"
fi
echo "setup: ok" >&2
