#!/usr/bin/env bash
# Runs on the GPU machine (static tools, scripts/build-static.sh): times the
# full-window scan at B8 C1536 over tile lengths and time lanes, in [B,C,T]
# and [B,T,C] (bthd, one head), f32 and bf16, each checked against float64
# at length 1 first; prints one `bench:` line per variant. Used to choose
# the GPU pipeline's defaults (docs/benchmarks.md).
#
#   device (carry build-static/swr-static.tar.xz): bash scripts/gpu-full-sweep.sh [T...]
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$(mktemp -d)"
tar -C "$tools" -xJf "$root/build-static/swr-static.tar.xz" || exit 1
dir="$(mktemp -d)"
source "$root/scripts/full-specs.sh"
full_specs "$dir"
bench() { # spec shape block lanes
  local line
  line="$("$tools/bin/swr-run" "$dir/$1.mlir" --target=sm_90a --shape "$2" \
    --block "$3" --time-lanes "$4" --lengths 1 --decays spread --bench 2>&1 |
    grep '^bench:')"
  echo "$1 $2 block $3 lanes $4: ${line:-failed}"
}
for T in "${@:-4096 65536}"; do
  for spec in bct-f32 bct-bf16; do
    for block in 4 8 16; do bench "$spec" "8x1536x$T" "$block" 32; done
  done
  for spec in bthd-f32 bthd-bf16; do
    for block in 4 8 16; do
      for lanes in 4 8 16; do bench "$spec" "8x${T}x1x1536" "$block" "$lanes"; done
    done
  done
done
