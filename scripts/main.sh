#!/usr/bin/env bash
# The main job: set up and build, compile the example spec through the B2P
# pipeline, then run it (CPU path: the host JIT) and check it against float64.
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

echo "== run on the CPU and checked against float64 (no GPU on this machine)"
"$bin/swr-run" "$spec" --target=host --shape 2x4x16x8193 \
  --lengths 1,17,1000,8193 --decays near1,spread
