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
passed=0 failed=0
: >"$logs/matrix.txt"
for json in gpu-bundle/*.json; do
  name="$(basename "${json%.json}")"
  # shellcheck disable=SC2046
  if "$run" "gpu-bundle/$name.ptx" "$json" $(cat "gpu-bundle/$name.args") \
    >"$logs/run-$name.txt" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    tail -3 "$logs/run-$name.txt"
  fi
  echo "$name $(tail -1 "$logs/run-$name.txt")" >>"$logs/matrix.txt"
done
tar czf "$logs/runs.tgz" -C "$logs" $(cd "$logs" && ls run-*.txt) && rm -f "$logs"/run-*.txt

echo "== compute-sanitizer"
sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
: >"$logs/sanitizer.txt"
for name in full-bhdl-per_head-fwd-h0-bf16-bf16-final \
  bands2-bthd-per_channel-rev-noh0-f16-f16 \
  exact40-bct-per_channel-fwd-h0-f32-f32-final \
  bands5-bhdl-per_head-rev-h0-bf16-bf16-final; do
  for tool in memcheck racecheck; do
    "$sanitizer" --tool "$tool" --error-exitcode 3 "$run" \
      "gpu-bundle/$name.ptx" "gpu-bundle/$name.json" --shape 1x2x16x1 \
      --lengths 17,300 >"$logs/san.txt" 2>&1
    rc=$?
    echo "$tool $name rc=$rc $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$logs/san.txt" | tail -1)" |
      tee -a "$logs/sanitizer.txt"
  done
done

echo "== summary"
echo "matrix: $passed passed, $failed failed"
grep -c "rc=0" "$logs/sanitizer.txt" | xargs echo "sanitizer runs clean:"
[[ $failed -eq 0 ]]
