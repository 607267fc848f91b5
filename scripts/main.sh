#!/usr/bin/env bash
# The main job: set up and build, compile the example spec through the B2P
# pipeline to PTX (and its compiler-derived backward), then run both and
# check them against float64: on the GPU through the Phalanx runtime when
# this machine has one, else on the CPU path (the host JIT).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SWR_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
spec="${1:-$root/examples/phalanx_bands2.mlir}"
bin="$build_dir/bin"

echo "== $spec: tiled into the Block Two-Pass form (swr-tile-blocks)"
"$bin/swr-opt" "$spec" --swr-tile-blocks --canonicalize

echo "== lowered to the LLVM dialect (swr-host-pipeline): $(
  "$bin/swr-opt" "$spec" --swr-host-pipeline | grep -c '^') lines"

out="$build_dir/main-job"
mkdir -p "$out"
echo "== PTX for sm_90a (swr-compile; NVPTX in-process), forward and backward"
"$bin/swr-compile" "$spec" -o "$out/kernel.ptx" --launch "$out/kernel.json"
"$bin/swr-compile" "$spec" --grad -o "$out/kernel_backward.ptx" \
  --launch "$out/kernel_backward.json"
ptxas="$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)"
if [[ -x $ptxas ]]; then
  for k in kernel kernel_backward; do
    "$ptxas" -arch=sm_90a "$out/$k.ptx" -o "$out/$k.cubin"
  done
  echo "   ptxas -arch=sm_90a accepts both"
fi
wc -l "$out"/*.ptx | sed 's/^/   /'

if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  echo "== run on the GPU (Phalanx runtime) and checked against float64"
  for k in kernel kernel_backward; do
    "$bin/swr-gpu-run" "$out/$k.ptx" "$out/$k.json" --shape 2x4x16x8193 \
      --lengths 1,17,1000,8193 --decays near1,spread
  done
else
  echo "== no GPU here: run on the CPU (host JIT) and checked against float64"
  "$bin/swr-run" "$spec" --target=host --shape 2x4x16x8193 \
    --lengths 1,17,1000,8193 --decays near1,spread
  echo "== the derived backward (swr-run --grad): dx, da, dh0 vs float64"
  "$bin/swr-run" "$spec" --grad --shape 2x4x16x8193 \
    --lengths 1,17,1000,8193 --decays near1,spread
fi
