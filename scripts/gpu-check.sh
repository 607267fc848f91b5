#!/usr/bin/env bash
# Runs on the GPU machine (no MLIR there): builds the runtime, the checker
# and swr-gpu-run, runs every kernel of gpu-bundle/ against float64, then
# compute-sanitizer memcheck and racecheck on one kernel per window kind,
# and prints a summary table. Logs go to $OUT (or ./gpu-logs).
#
#   bash scripts/gpu-bundle.sh   # here, before the device call
#   device: bash scripts/gpu-check.sh
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
logs="${OUT:-$root/gpu-logs}"
mkdir -p "$logs"
cd "$root"

echo "== device"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader |
  tee "$logs/device.txt"

echo "== build (runtime only)"
cmake -S . -B build-gpu -DSWR_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release \
  >"$logs/build.log" 2>&1 && cmake --build build-gpu -j 16 >>"$logs/build.log" 2>&1 ||
  { tail -30 "$logs/build.log"; exit 1; }
run="$root/build-gpu/bin/swr-gpu-run"

echo "== correctness matrix"
# One kernel per core at a time: the float64 reference runs on the CPU.
mkdir -p "$logs/runs"
run_one() {
  local name="$1"
  # shellcheck disable=SC2046
  if "$run" "gpu-bundle/$name.ptx" "gpu-bundle/$name.json" \
    $(cat "gpu-bundle/$name.args") >"$logs/runs/$name.txt" 2>&1; then
    echo "ok $name $(tail -1 "$logs/runs/$name.txt")"
  else
    echo "FAIL $name $(tail -1 "$logs/runs/$name.txt")"
  fi
}
export -f run_one
export run logs
# SWR_GPU_FILTER (an extended regex) limits the matrix to matching kernels.
ls gpu-bundle/*.json | xargs -n1 basename | sed 's/\.json$//' |
  grep -E "${SWR_GPU_FILTER:-.}" |
  xargs -P "$(nproc)" -I{} bash -c 'run_one {}' | sort >"$logs/matrix.txt"
passed=$(grep -c '^ok ' "$logs/matrix.txt")
failed=$(grep -c '^FAIL ' "$logs/matrix.txt")
grep '^FAIL ' "$logs/matrix.txt" | head -20
tar czf "$logs/runs.tgz" -C "$logs" runs && rm -rf "$logs/runs"

echo "== compute-sanitizer"
sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
: >"$logs/sanitizer.txt"
while read -r name shape; do
  for tool in memcheck racecheck; do
    "$sanitizer" --tool "$tool" --error-exitcode 3 "$run" \
      "gpu-bundle/$name.ptx" "gpu-bundle/$name.json" --shape "$shape" \
      --lengths 17,300 >"$logs/san.txt" 2>&1
    rc=$?
    echo "$tool $name rc=$rc $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$logs/san.txt" | tail -1)" |
      tee -a "$logs/sanitizer.txt"
  done
done <<'KERNELS'
full-bhdl-per_head-fwd-h0-bf16-bf16-final 1x2x16x1
bands2-bthd-per_channel-rev-noh0-f16-f16 1x1x2x16
exact40-bct-per_channel-fwd-h0-f32-f32-final 1x32x1
bands5-bhdl-per_head-rev-h0-bf16-bf16-final 1x2x16x1
bands2-bhdl-per_head-fwd-h0-bf16-bf16-final-grad 1x2x16x1
full-bct-per_channel-rev-h0-f32-f32-final-grad 1x32x1
bands5-bthd-per_channel-fwd-noh0-bf16-bf16-grad 1x1x2x16
KERNELS

echo "== benchmark (the Phalanx shape B8 H128 D16 L8192, bf16; fma strategy)"
"$run" gpu-bundle/bands2-bhdl-per_head-fwd-noh0-bf16-bf16.ptx \
  gpu-bundle/bands2-bhdl-per_head-fwd-noh0-bf16-bf16.json \
  --shape 8x128x16x8192 --lengths 8192 --bench 2>&1 | tee "$logs/bench.txt" | tail -2
"$run" gpu-bundle/full-bct-per_channel-fwd-noh0-f32-f32.ptx \
  gpu-bundle/full-bct-per_channel-fwd-noh0-f32-f32.json \
  --shape 8x1536x4096 --lengths 4096 --bench 2>&1 | tee -a "$logs/bench.txt" | tail -2

echo "== benchmark: the backward at the Phalanx shape (fwd+bwd = the two)"
"$run" gpu-bundle/bands2-bhdl-per_head-fwd-noh0-bf16-bf16-grad.ptx \
  gpu-bundle/bands2-bhdl-per_head-fwd-noh0-bf16-bf16-grad.json \
  --shape 8x128x16x8192 --lengths 8192 --bench 2>&1 | tee -a "$logs/bench.txt" | tail -2

echo "== summary"
echo "matrix: $passed passed, $failed failed"
echo "sanitizer runs clean: $(grep -c 'rc=0' "$logs/sanitizer.txt") of $(wc -l <"$logs/sanitizer.txt")"
[[ $failed -eq 0 ]] && ! grep -qv 'rc=0' "$logs/sanitizer.txt"
