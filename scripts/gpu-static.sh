#!/usr/bin/env bash
# Runs on the GPU machine with the static tools and library built here by
# scripts/build-static.sh (carry build-static/swr-static.tar.xz): compiles
# there, with no kernel cache. swr-run --target=sm_90a checks the example
# spec and its derived backward against float64 and times them at the
# Phalanx shape; then the Python CUDA tests compile every kernel they need
# through the static libswr. Logs go to $OUT.
#
#   bash scripts/build-static.sh    # here
#   device (carry build-static/swr-static.tar.xz): bash scripts/gpu-static.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
logs="${OUT:-$root/gpu-logs}"
mkdir -p "$logs"
tools="$(mktemp -d)"
tar -C "$tools" -xJf "$root/build-static/swr-static.tar.xz" || exit 1
status=0
for grad in "" --grad; do
  echo "== swr-run --target=sm_90a $grad"
  "$tools/bin/swr-run" "$root/examples/phalanx_bands2.mlir" $grad \
    --target=sm_90a --shape 8x128x16x8192 --lengths 1,17,8193 \
    --decays near1,spread,near0 --bench 2>&1 | tee "$logs/swr-run-gpu$grad.txt" |
    tail -4
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
done
echo "== Python CUDA tests, kernels compiled here"
export SWR_LIBRARY="$tools/lib/libswr.so" SWR_CACHE_DIR="$(mktemp -d)"
python3 -m pytest -q -s "$root/python/tests/test_torch_cuda.py" 2>&1 |
  tee "$logs/python-cuda-static.txt" | grep -E "passed|failed|cached launch"
[[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
exit "$status"
