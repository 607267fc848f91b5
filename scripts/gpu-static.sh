#!/usr/bin/env bash
# Runs on the GPU machine with the static tools and library built here by
# scripts/build-static.sh (carry build-static/swr-static.tar.xz): compiles
# there, with no kernel cache. swr-run --target=sm_90a checks the example
# spec and its derived backward against float64 and times them at the
# Phalanx shape, and the same for an exact<64> window (plus sanitizers);
# then the Python CUDA tests compile every kernel they need
# through the static libswr; then the fused backward (swr.jit training) is
# checked against float64 and timed (scripts/gpu-fused-grad.py) and the
# fused kernels, forward and backward, run under compute-sanitizer. Logs go
# to $OUT.
#
#   bash scripts/build-static.sh    # here
#   device (carry build-static/swr-static.tar.xz): bash scripts/gpu-static.sh
#   bash scripts/gpu-static.sh exact fused     # some sections only
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
logs="${OUT:-$root/gpu-logs}"
mkdir -p "$logs"
tools="$(mktemp -d)"
tar -C "$tools" -xJf "$root/build-static/swr-static.tar.xz" || exit 1
sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
export SWR_LIBRARY="$tools/lib/libswr.so" SWR_CACHE_DIR="$(mktemp -d)"
status=0

example() {
  for grad in "" --grad; do
    echo "== swr-run --target=sm_90a $grad"
    "$tools/bin/swr-run" "$root/examples/phalanx_bands2.mlir" $grad \
      --target=sm_90a --shape 8x128x16x8192 --lengths 1,17,8193 \
      --decays near1,spread,near0 --bench 2>&1 | tee "$logs/swr-run-gpu$grad.txt" |
      tail -4
    [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
  done
}

exact() {
  # An exact 64-token window, forward and derived backward, around the window
  # and past a tile boundary (a small batch: the float64 reference is O(W) per
  # output), then timed at the Phalanx shape (checked there at length 1 only);
  # then both under compute-sanitizer.
  for grad in "" --grad; do
    echo "== swr-run --target=sm_90a exact<64> $grad"
    "$tools/bin/swr-run" "$root/examples/exact_window.mlir" $grad \
      --target=sm_90a --shape 2x8x16x1 --lengths 1,17,63,64,65,8193 \
      --decays near1,spread,near0 2>&1 |
      tee "$logs/swr-run-gpu-exact$grad.txt" | tail -2
    [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
    "$tools/bin/swr-run" "$root/examples/exact_window.mlir" $grad \
      --target=sm_90a --shape 8x128x16x8192 --lengths 1 --decays spread \
      --bench 2>&1 | tee -a "$logs/swr-run-gpu-exact$grad.txt" | tail -1
  done
  for tool in memcheck racecheck; do
    "$sanitizer" --tool "$tool" --error-exitcode 3 "$tools/bin/swr-run" \
      "$root/examples/exact_window.mlir" --grad --target=sm_90a \
      --shape 2x3x16x1 --lengths 17,200 --decays spread \
      >"$logs/exact-grad-$tool.txt" 2>&1 || status=1
    echo "$tool exact backward: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' \
      "$logs/exact-grad-$tool.txt" | tail -1)"
  done
}

python_tests() {
  echo "== Python CUDA tests, kernels compiled here"
  python3 -m pytest -q -s "$root/python/tests/test_torch_cuda.py" 2>&1 |
    tee "$logs/python-cuda-static.txt" | grep -E "passed|failed|cached launch"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
}

fused() {
  echo "== fused backward vs float64, and timed"
  python3 "$root/scripts/gpu-fused-grad.py" --bench --out "$logs/fused-grad.md" \
    >"$logs/fused-grad.txt" 2>&1 || status=1
  tail -12 "$logs/fused-grad.txt"
  for tool in memcheck racecheck; do
    "$sanitizer" --tool "$tool" --error-exitcode 3 \
      python3 "$root/scripts/gpu-fused-sanitize.py" >"$logs/fused-$tool.txt" 2>&1 ||
      status=1
    echo "$tool fused fwd+bwd: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' \
      "$logs/fused-$tool.txt" | tail -1)"
  done
}

# Sections to run (default all): example exact python_tests fused.
for section in "${@:-example exact python_tests fused}"; do
  for name in $section; do "$name"; done
done
exit "$status"
