#!/usr/bin/env bash
# Runs on the GPU machine: builds the runtime-only tree (libswr-runtime.so),
# then the CUDA tests of swr.torch against the kernel cache compiled here by
# scripts/gpu-python-cache.py (carry gpu-cache). Logs go to $OUT.
#
#   /usr/bin/python3 scripts/gpu-python-cache.py   # here
#   device (carry gpu-cache): bash scripts/gpu-python.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
logs="${OUT:-$root/gpu-logs}"
mkdir -p "$logs"
cd "$root"
if [[ ! -f build-gpu/lib/libswr-runtime.so ]]; then
  cmake -S . -B build-gpu -DSWR_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release \
    >"$logs/build-python.log" 2>&1 &&
    cmake --build build-gpu -j 16 >>"$logs/build-python.log" 2>&1 ||
    { tail -30 "$logs/build-python.log"; exit 1; }
fi
export SWR_LIBRARY="$root/build-gpu/lib/libswr-runtime.so"
export SWR_CACHE_DIR="$root/gpu-cache"
export PYTHONUNBUFFERED=1
python3 -m pytest -q -s python/tests/test_torch_cuda.py \
  --junitxml="$logs/python-cuda.xml" 2>&1 | tee "$logs/python-cuda.txt"
status="${PIPESTATUS[0]}"

# compute-sanitizer over the fused kernels (swr.jit), then the benchmark.
sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
for tool in memcheck racecheck; do
  "$sanitizer" --tool "$tool" --error-exitcode 3 \
    python3 scripts/gpu-fused-sanitize.py >"$logs/fused-$tool.txt" 2>&1
  echo "$tool fused rc=$? $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' \
    "$logs/fused-$tool.txt" | tail -1)" | tee -a "$logs/fused-sanitizer.txt"
done
if [[ "${SWR_BENCH:-1}" == 1 ]]; then
  python3 bench/phalanx_mix.py --out "$logs/phalanx-mix.md" 2>&1 |
    tee "$logs/phalanx-mix.txt"
fi
exit "$status"
