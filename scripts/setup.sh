#!/usr/bin/env bash
# Installs every Debian package the project needs (idempotent), then
# configures and builds it in ./build. Works on a fresh Debian 12 machine.
#
#   bash scripts/setup.sh            # install + configure + build
#   SWR_BUILD_DIR=out bash scripts/setup.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SWR_BUILD_DIR:-$root/build}"

packages=(
  build-essential cmake ninja-build git
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libzstd-dev zlib1g-dev libedit-dev libxml2-dev libcurl4-openssl-dev
  libgtest-dev googletest
  python3 python3-numpy python3-pytest
  # CPU PyTorch (1.13): the swr.torch adapter's tests (autograd on CPU).
  python3-torch
)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
fi

if [[ ! -f "$build_dir/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build_dir" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++
fi
# Two cores, heavy MLIR translation units: two jobs keep memory in check.
ninja -C "$build_dir" -j "${SWR_JOBS:-2}"
