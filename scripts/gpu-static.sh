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
# Everything printed also goes to 0-summary.txt, which sorts first among the
# logs: the device returns only the first few files of $OUT, and a call cut
# off at its time limit returns no output tail when it is piped on.
exec > >(tee -a "$logs/0-summary.txt") 2>&1
tools="$(mktemp -d)"
tar -C "$tools" -xJf "$root/build-static/swr-static.tar.xz" || exit 1
sanitizer="$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)"
export SWR_LIBRARY="$tools/lib/libswr.so" SWR_CACHE_DIR="$(mktemp -d)"
# Logs too long or too many to come back from the device (it returns only a
# few files of $OUT); a section prints what matters of them.
scratch="$(mktemp -d)"
status=0

# The peers' sources: peers/ as carried, or unpacked from peers.tar.xz.
unpack_peers() {
  if [[ ! -d "$root/peers/fla" && -f "$root/peers.tar.xz" ]]; then
    tar -C "$root" -xJf "$root/peers.tar.xz" || status=1
  fi
}

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
  sanitize exact-grad "exact backward" "memcheck racecheck" \
    "$root/examples/exact_window.mlir" --grad --target=sm_90a \
    --shape 2x3x16x1 --lengths 17,200 --decays spread
}

# The full-window scan with its tiles dealt to the lanes of a warp (carries by
# shuffles): [B,C,T] and [B,T,C] (bthd, one head), f32 and bf16, with h0 and
# the final state, lengths around tile and warp boundaries (32 tiles = 512
# steps per iteration), checked against float64 (outputs poisoned); then
# under compute-sanitizer; then timed beside the peers (bench/full_scan.py).
source "$root/scripts/full-specs.sh"

# run_full SPEC SHAPE LANES [WARPS [FLAG]]: checks one spec against float64
# (WARPS -1, the default: the compiler's choice; FLAG e.g. --prefetch) at
# $full_lengths.
full_lengths=1,15,16,17,511,512,513,1000,2049,4097,8193,20000
run_full() {
  local warps="${4:--1}" flag="${5:-}"
  local log="$logs/full-$1-$2-lanes$3-warps$warps${flag//[= ]/}.txt"
  # A look-back that never ended would hang the kernel: bounded.
  timeout 300 "$tools/bin/swr-run" "$dir/$1.mlir" --target=sm_90a \
    --time-lanes="$3" --time-warps="$warps" $flag --shape "$2" \
    --lengths "$full_lengths" --decays near1,spread,near0 >"$log" 2>&1 || status=1
  echo "full $1 time-lanes $3 time-warps $warps $flag: $(tail -1 "$log")"
}

# sanitize TAG LABEL TOOLS ARGS...: compute-sanitizer with each of TOOLS
# (e.g. "memcheck racecheck") on swr-run ARGS (bounded: a look-back that
# never ended would hang), logs $logs/TAG-TOOL.txt, one summary line each.
sanitize() {
  local tag="$1" label="$2" tool_list="$3" tool log
  shift 3
  for tool in $tool_list; do
    log="$logs/$tag-$tool.txt"
    timeout 600 "$sanitizer" --tool "$tool" --error-exitcode 3 \
      "$tools/bin/swr-run" "$@" >"$log" 2>&1 || status=1
    echo "$tool $label: $(grep -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$log" |
      tail -1)"
  done
}

# sanitize_full SPEC SHAPE TAG [FLAGS] [LENGTHS] [TOOLS]: compute-sanitizer
# TOOLS (default memcheck racecheck) on one spec (logs $logs/TAG-TOOL.txt),
# at LENGTHS (default 17,600,5000).
sanitize_full() {
  sanitize "$3" "full $1 ${4:-}" "${6:-memcheck racecheck}" "$dir/$1.mlir" \
    --target=sm_90a ${4:-} --shape "$2" --lengths "${5:-17,600,5000}" \
    --decays spread
}

full() {
  full_checks
  full_bench
}

full_checks() {
  dir="$(mktemp -d)"
  full_specs "$dir"
  # 70 channels, 22 per head: not multiples of the lanes' channel groups.
  for spec in bct-f32 bct-bf16 bct-reverse-f32; do
    run_full "$spec" 2x70x16 -1
  done
  run_full bct-f32 2x70x16 1
  for spec in bthd-f32 bthd-bf16; do
    # The default (4 warps, lanes over channels), then one warp of 4 or 32
    # time lanes.
    run_full "$spec" 2x16x3x22 -1
    for lanes in 4 32; do run_full "$spec" 2x16x3x22 "$lanes" 1; done
  done
  local spec shape
  run_full bthd-head-bf16 2x16x3x22 -1
  for spec in bct-f32:2x5x7 bct-bf16:2x5x7 bthd-bf16:2x7x3x5 bthd-head-bf16:2x7x3x5; do
    shape="${spec#*:}" spec="${spec%%:*}"
    sanitize_full "$spec" "$shape" "full-$spec" "" "" "memcheck racecheck synccheck"
  done
}

full_bench() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  echo "== swr-run --bench, B8 C1536 T4096 (time lanes, then one thread per channel)"
  for lanes in -1 1; do
    for spec in bct-f32 bct-bf16; do
      "$tools/bin/swr-run" "$dir/$spec.mlir" --target=sm_90a --time-lanes=$lanes \
        --shape 8x1536x4096 --lengths 1 --decays spread --bench 2>&1 |
        grep -iE "copy|GB/s" | tail -1
    done
  done
  echo "== bench/full_scan.py"
  python3 "$root/bench/full_scan.py" --out "$logs/full-scan.md" \
    >"$logs/full-scan.txt" 2>&1 || status=1
  cat "$logs/full-scan.md" 2>/dev/null || tail -20 "$logs/full-scan.txt"
}

# Full windows shared by the warps of a CTA (swr.carry_exchange level cta:
# each warp's pair through shared memory, one barrier per iteration): every
# spec at 2, 4 and 8 warps around iteration boundaries (f32 over time: 512
# steps per iteration and warp group of 4), under compute-sanitizer
# (memcheck, racecheck, synccheck), then timed at B8 C1536 T4096 against
# one warp per sequence.
full_cta() {
  dir="$(mktemp -d)"
  full_specs "$dir"
  local spec warps tool shape
  for warps in 2 4 8; do
    for spec in bct-f32 bct-bf16 bct-reverse-f32; do
      run_full "$spec" 2x70x16 -1 "$warps"
    done
    for spec in bthd-f32 bthd-bf16; do run_full "$spec" 2x16x3x22 -1 "$warps"; done
  done
  run_full bthd-f32 2x16x3x22 1 4
  run_full bthd-head-bf16 2x16x3x22 -1
  for spec in bct-f32:2x5x7 bct-bf16:2x5x7 bthd-bf16:2x7x3x5 bthd-head-bf16:2x7x3x5; do
    shape="${spec#*:}" spec="${spec%%:*}"
    sanitize "cta-$spec" "full $spec 4 warps" "memcheck racecheck synccheck" \
      "$dir/$spec.mlir" --target=sm_90a --time-warps=4 --shape "$shape" \
      --lengths 17,600,5000 --decays spread
  done
  full_cta_bench
}

# bench_full SPEC SHAPE LANES WARPS [FLAG]: times one full-window variant
# (checked at length 1 first).
bench_full() {
  echo "$1 $2 time-lanes $3 warps $4 ${*:5}: $(timeout 300 "$tools/bin/swr-run" "$dir/$1.mlir" \
    --target=sm_90a --time-lanes="$3" --time-warps="$4" ${*:5} --shape "$2" \
    --lengths 1 --decays spread --bench 2>&1 | grep -E '^bench|swr-run: error' |
    sed 's/.*bench: //' | tr '\n' ' ')"
}

full_cta_bench() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec warps
  echo "== swr-run --bench, B8 C1536 T4096, by warps per sequence"
  for spec in bct-f32:8x1536x4096 bct-bf16:8x1536x4096 \
    bthd-f32:8x4096x1x1536 bthd-bf16:8x4096x1x1536; do
    for warps in 1 2 4 8; do
      bench_full "${spec%%:*}" "${spec#*:}" -1 "$warps"
    done
  done
  # [B, T, C] with all 32 lanes over channels (64 or 128 contiguous bytes
  # per row) and the time across the warps.
  for spec in bthd-f32 bthd-bf16; do
    for warps in 4 8 16 32; do
      bench_full "$spec" 8x4096x1x1536 1 "$warps"
    done
  done
}

# Full windows split over CTAs (--grid-carries: one work item per iteration
# of a sequence's tiles, carries through a zeroed global workspace by a
# decoupled look-back; the default over [B, T, C]): every full spec checked
# around chunk boundaries (64 steps per chunk of 4 warps x 16; 512 per chunk
# of 32 time lanes), with the default and with 1, 4 or 8 warps, under
# compute-sanitizer, then timed against the same kernels without it at B8
# C1536, T 4K to 64K.
full_grid() {
  dir="$(mktemp -d)"
  full_specs "$dir"
  local spec warps tool shape grid=--grid-carries=1
  local full_lengths=1,15,16,17,63,64,65,127,128,129,511,512,513,1000,2049,4097,8193,20000
  for spec in bthd-f32 bthd-bf16 bthd-head-f32 bthd-head-bf16; do
    run_full "$spec" 2x16x3x22 -1 -1 "$grid"
    for warps in 2 8; do run_full "$spec" 2x16x3x22 1 "$warps" "$grid"; done
  done
  run_full bthd-f32 2x16x3x22 4 1 "$grid"
  run_full bthd-f32 2x16x3x22 -1 -1
  for spec in bct-f32 bct-bf16 bct-reverse-f32; do
    run_full "$spec" 2x70x16 -1 -1 "$grid"
    run_full "$spec" 2x70x16 -1 4 "$grid"
  done
  for spec in bthd-bf16:2x7x3x5:-1 bthd-f32:3x9x2x40:-1 bct-f32:2x5x7:4; do
    IFS=: read -r spec shape warps <<<"$spec"
    sanitize "grid-$spec" "full $spec grid" "memcheck racecheck synccheck" \
      "$dir/$spec.mlir" --target=sm_90a --grid-carries=1 \
      --time-warps="$warps" --shape "$shape" --lengths 17,600,5000 \
      --decays spread
  done
}

full_grid_bench() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec T grid
  echo "== swr-run --bench, B8 C1536, grid carries on (1) and off (0)"
  for T in 4096 16384 65536; do
    for spec in bthd-f32 bthd-bf16; do
      for grid in 1 0; do
        bench_full "$spec" "8x${T}x1x1536" -1 -1 "--grid-carries=$grid"
      done
    done
    for spec in bct-f32 bct-bf16; do
      for grid in 1 0; do
        bench_full "$spec" "8x1536x$T" -1 -1 "--grid-carries=$grid"
      done
    done
  done
}

# Grid carries beside the kernels they replace, by registers per thread
# (--min-blocks-per-sm) and channels per lane (per-head specs), B8 C1536.
full_grid_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec T flags
  for T in 4096 16384; do
    for spec in bthd-f32 bthd-bf16; do
      for flags in --grid-carries=0 --grid-carries=1 \
        "--grid-carries=1 --min-blocks-per-sm=6" \
        "--grid-carries=1 --min-blocks-per-sm=8"; do
        bench_full "$spec" "8x${T}x1x1536" -1 -1 "$flags"
      done
      # More warps per work item: more steps per look-back.
      for warps in 8 16; do
        bench_full "$spec" "8x${T}x1x1536" 1 "$warps" --grid-carries=1
      done
    done
    for flags in "--grid-carries=0 --channel-tile=2" \
      "--grid-carries=1 --channel-tile=2" "--grid-carries=1 --channel-tile=4"; do
      bench_full bthd-head-bf16 "8x${T}x1x1536" -1 -1 "$flags"
    done
  done
}

# Prefetching the next iteration's tile (--prefetch): every full spec checked
# with the default lanes and warps, then timed beside the default.
# Longer tiles for token-major full windows (--block: time steps per tile,
# so per warp and iteration): checked at the lengths of run_full, then timed
# by tile length, warps and channels per lane.
full_block_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec T b w ct
  for spec in bthd-f32 bthd-bf16; do
    for b in 32 64; do run_full "$spec" 2x16x3x22 -1 -1 --block=$b; done
  done
  run_full bthd-head-bf16 2x16x3x22 -1 -1 "--block=32 --channel-tile=2"
  for T in 4096 16384; do
    for b in 16 32 64; do
      bench_full bthd-f32 "8x${T}x1x1536" -1 -1 --block=$b
      for w in 4 8; do
        bench_full bthd-bf16 "8x${T}x1x1536" 1 $w --block=$b
      done
      for ct in 1 2; do
        bench_full bthd-head-bf16 "8x${T}x1x1536" -1 -1 "--block=$b --channel-tile=$ct"
      done
    done
  done
}

# Per-channel [B,T,C] bf16 full windows by tile length, warps and channels
# per lane (per-channel decays in channel blocks): checked around tiles, the
# new shapes under compute-sanitizer, then timed.
full_bf16_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg T tool log
  run_full bthd-bf16 2x16x3x22 1 4 "--channel-tile=2 --block=32"
  run_full bthd-bf16 2x16x3x15 1 8 --channel-tile=2
  for cfg in "4 --channel-tile=2 --block=32" "8 --channel-tile=2"; do
    sanitize "full-ct2-${cfg%% *}" "full bthd-bf16 warps ${cfg}" \
      "memcheck racecheck" "$dir/bthd-bf16.mlir" --target=sm_90a \
      --time-lanes=1 --time-warps=${cfg%% *} ${cfg#* } --shape 2x7x3x15 \
      --lengths 17,600,5000 --decays spread
  done
  for cfg in "4 --block=16" "4 --block=32" "8 --block=16" "16 --block=16" \
    "4 --block=32 --prefetch" "8 --block=16 --prefetch" \
    "4 --block=16 --channel-tile=2" "8 --block=16 --channel-tile=2" \
    "4 --block=32 --channel-tile=2" "16 --block=16 --channel-tile=2" \
    "4 --block=16 --channel-tile=4" "8 --block=16 --channel-tile=4"; do
    bench_full bthd-bf16 8x4096x1x1536 1 "${cfg%% *}" "${cfg#* }"
  done
  for cfg in "8 --block=16" "4 --block=32 --channel-tile=2" \
    "8 --block=16 --channel-tile=2"; do
    bench_full bthd-f32 8x4096x1x1536 1 "${cfg%% *}" "${cfg#* }"
    bench_full bthd-head-bf16 8x4096x1x1536 1 "${cfg%% *}" "${cfg#* }"
  done
  for cfg in "4 --block=32" "8 --block=16 --channel-tile=2" \
    "4 --block=32 --channel-tile=2"; do
    bench_full bthd-bf16 8x16384x1x1536 1 "${cfg%% *}" "${cfg#* }"
  done
}

# The 2-byte default (2 channels per lane, 32 steps, 4 warps) beside its
# neighbours: per-head decays with 64 steps, 2 warps per CTA.
full_bf16_default_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local T
  run_full bthd-head-bf16 2x16x3x22 1 4 "--block=64 --channel-tile=2"
  for T in 4096 16384; do
    bench_full bthd-bf16 "8x${T}x1x1536" -1 -1
    bench_full bthd-bf16 "8x${T}x1x1536" 1 2
    bench_full bthd-head-bf16 "8x${T}x1x1536" -1 -1
    bench_full bthd-head-bf16 "8x${T}x1x1536" 1 4 "--block=64 --channel-tile=2"
  done
}

# Per-head bf16 full windows with 64-step tiles and 2 channels per lane
# (measured faster than the default 32 steps: docs/benchmarks.md, session
# 10): checks, sanitizers, then timed beside the default, before making it
# the default.
full_head64() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local tool log T
  run_full bthd-head-bf16 2x16x3x15 1 4 "--block=64 --channel-tile=2"
  sanitize full-head64 "full bthd-head-bf16 64 steps x 2 channels" \
    "memcheck racecheck synccheck" "$dir/bthd-head-bf16.mlir" --target=sm_90a \
    --time-lanes=1 --time-warps=4 --block=64 --channel-tile=2 \
    --shape 2x7x3x15 --lengths 17,600,5000 --decays spread
  for T in 4096 16384 65536; do
    bench_full bthd-head-bf16 "8x${T}x1x1536" -1 -1
    bench_full bthd-head-bf16 "8x${T}x1x1536" 1 4 "--block=64 --channel-tile=2"
  done
}

# Full windows that read their tiles again after the carry exchange
# (--reread=1: only the terminals live across it) beside the default, with
# prefetching, longer tiles and more warps: checks (every layout, NaN-
# poisoned, h0 and the final state) and sanitizers, then timed at B8 C1536.
reread_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec cfg T
  for spec in bthd-bf16 bthd-head-bf16 bthd-f32; do
    run_full "$spec" 2x16x3x22 -1 -1 --reread=1
  done
  run_full bthd-bf16 2x16x3x22 -1 -1 "--reread=1 --prefetch"
  run_full bthd-bf16 2x16x3x22 -1 -1 "--reread=1 --full-block=64"
  for spec in bct-f32 bct-bf16 bct-reverse-f32; do
    run_full "$spec" 2x70x16 -1 -1 --reread=1
  done
  sanitize_full bthd-bf16 2x7x3x5 reread "--reread=1"
  sanitize_full bthd-bf16 2x7x3x5 reread-prefetch "--reread=1 --prefetch"
  for cfg in "" "--reread=1" "--prefetch" "--reread=1 --prefetch" \
    "--full-block=64" "--full-block=64 --reread=1" \
    "--full-block=16 --reread=1 --prefetch" "--reread=1 --min-blocks-per-sm=3" \
    "--reread=1 --prefetch --min-blocks-per-sm=2"; do
    bench_full bthd-bf16 8x4096x1x1536 -1 -1 "$cfg"
  done
  for cfg in "--channel-tile=2 --full-block=32" \
    "--channel-tile=2 --full-block=32 --reread=1" \
    "--channel-tile=2 --full-block=16 --reread=1 --prefetch"; do
    bench_full bthd-bf16 8x4096x1x1536 1 8 "$cfg"
  done
  for cfg in "" "--reread=1" "--reread=1 --prefetch" "--full-block=64 --reread=1"; do
    bench_full bthd-head-bf16 8x4096x1x1536 -1 -1 "$cfg"
  done
  for cfg in "" "--reread=1" "--reread=1 --prefetch"; do
    bench_full bthd-f32 8x4096x1x1536 -1 -1 "$cfg"
    bench_full bct-bf16 8x1536x4096 -1 -1 "$cfg"
    bench_full bct-f32 8x1536x4096 -1 -1 "$cfg"
  done
  for cfg in "" "--reread=1" "--reread=1 --prefetch"; do
    bench_full bthd-bf16 8x16384x1x1536 -1 -1 "$cfg"
  done
}

# Prefetching with the next tile carried in its stored width (2-byte
# tiles: half the registers), beside the default: checks, sanitizers, then
# timed at B8 C1536 T4096 / T16384.
prefetch_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec cfg T
  for spec in bthd-bf16 bthd-head-bf16; do
    run_full "$spec" 2x16x3x22 -1 -1 --prefetch
    run_full "$spec" 2x16x3x22 -1 -1 "--prefetch --full-block=16"
  done
  run_full bct-bf16 2x70x16 -1 -1 --prefetch
  sanitize_full bthd-bf16 2x7x3x5 prefetch --prefetch
  for T in 4096 16384; do
    for cfg in "-1 " "-1 --prefetch" "-1 --prefetch --full-block=16" \
      "-1 --prefetch --reread=1" "-1 --prefetch --full-block=16 --reread=1" \
      "8 --prefetch --full-block=16" "8 --full-block=16"; do
      bench_full bthd-bf16 "8x${T}x1x1536" -1 "${cfg%% *}" "${cfg#* }"
    done
    for cfg in "" "--prefetch" "--prefetch --full-block=64" "--full-block=64"; do
      bench_full bthd-head-bf16 "8x${T}x1x1536" -1 -1 "$cfg"
    done
  done
  for cfg in "" "--prefetch"; do
    bench_full bct-bf16 8x1536x4096 -1 -1 "$cfg"
    bench_full bthd-f32 8x4096x1x1536 -1 -1 "$cfg"
  done
}

# The compiler's defaults for 2-byte full windows, timed at B8 C1536.
defaults_bench() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local T
  for T in 4096 16384; do
    bench_full bthd-bf16 "8x${T}x1x1536" -1 -1
    bench_full bthd-head-bf16 "8x${T}x1x1536" -1 -1
    bench_full bct-bf16 "8x1536x${T}" -1 -1
  done
}

# L2 prefetching of the tiles some iterations ahead (--l2-prefetch=N:
# swr.prefetch_tile, one prefetch.L2 per step and operand, no registers)
# beside the defaults: checks and sanitizers, then timed at B8 C1536.
l2_prefetch_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec cfg
  for spec in bthd-bf16 bthd-head-bf16; do
    run_full "$spec" 2x16x3x22 -1 -1 --l2-prefetch=2
  done
  run_full bct-bf16 2x70x16 -1 -1 --l2-prefetch=2
  sanitize_full bthd-bf16 2x7x3x5 l2-prefetch --l2-prefetch=2
  for cfg in "" "--l2-prefetch=1" "--l2-prefetch=2" "--l2-prefetch=4" \
    "--prefetch=false --l2-prefetch=2"; do
    bench_full bthd-bf16 8x16384x1x1536 -1 -1 "$cfg"
  done
  for cfg in "" "--l2-prefetch=2"; do
    bench_full bthd-head-bf16 8x16384x1x1536 -1 -1 "$cfg"
    bench_full bct-bf16 8x1536x16384 -1 -1 "$cfg"
  done
}

# Full windows shared by the CTAs of a thread-block cluster (--time-ctas:
# swr.carry_exchange level cluster, each CTA's pair through distributed
# shared memory, one cluster barrier per iteration): every layout at 2 and
# 4 CTAs (and 8, 16) over lengths across iteration and cluster boundaries
# (bthd f32: 128 steps per iteration of 2 CTAs; bf16 per-channel 256,
# per-head 512), NaN-poisoned, h0 and final state; compute-sanitizer; then
# timed at B8 C1536 T16384 and at a small batch (B1 C256 T65536: few work
# items, where clusters add CTAs per sequence) beside grid carries.
full_cluster() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec ctas cfg
  local full_lengths=1,15,16,17,127,128,129,255,256,257,511,512,513,1000,2049,4097,8193,20000
  for ctas in 2 4; do
    for spec in bthd-f32 bthd-bf16 bthd-head-bf16; do
      run_full "$spec" 2x16x3x22 -1 -1 "--time-ctas=$ctas"
    done
    for spec in bct-f32 bct-bf16; do
      run_full "$spec" 2x70x16 -1 -1 "--time-ctas=$ctas"
    done
  done
  run_full bthd-bf16 2x16x3x22 -1 -1 --time-ctas=8
  run_full bct-f32 2x70x16 -1 -1 --time-ctas=16
  sanitize_full bthd-bf16 2x7x3x5 cluster2 --time-ctas=2
  sanitize_full bct-f32 2x5x7 cluster4 --time-ctas=4
  for ctas in 1 2 4; do
    bench_full bthd-bf16 8x16384x1x1536 -1 -1 "--time-ctas=$ctas"
    bench_full bthd-f32 1x65536x1x256 -1 -1 "--time-ctas=$ctas"
  done
  bench_full bthd-f32 1x65536x1x256 -1 -1 --time-ctas=8
  bench_full bthd-f32 1x65536x1x256 -1 -1 --grid-carries=1
  for ctas in 1 4; do
    bench_full bct-f32 8x1536x16384 -1 -1 "--time-ctas=$ctas"
    bench_full bct-f32 1x64x65536 -1 -1 "--time-ctas=$ctas"
  done
}

# Small batches of long sequences on clusters with the next tile read
# ahead (--prefetch), beside grid carries.
cluster_prefetch_bench() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local ctas
  for ctas in 8 16; do
    bench_full bthd-f32 1x65536x1x256 -1 -1 "--time-ctas=$ctas --prefetch"
    bench_full bct-f32 1x64x65536 -1 -1 "--time-ctas=$ctas --prefetch"
  done
  bench_full bthd-f32 1x65536x1x256 -1 -1 --time-ctas=16
  bench_full bct-f32 1x64x65536 -1 -1 --grid-carries=1
}

# Tensor-core local solves (--strategy=mma: mma.sync m16n8k16, and wmma
# m16n16k16, on the warps of per-head full windows over [B, T, H, D];
# mma_strategies="mma" runs one): bf16 and f32 against float64
# over lengths around blocks, tiles and iterations, all decay regimes
# (signed: negative decays flip the operator's signs), heads of 22, 64 and
# 128 channels (a warp of 64 channels partly or wholly filled, two items per
# head), on clusters; compute-sanitizer; then timed beside fma.
mma_checks() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec shape T strategy
  for strategy in ${mma_strategies:-mma wmma}; do
    for spec in bthd-head-bf16 bthd-head-f32; do
      for shape in 2x16x3x22 2x16x2x64 1x16x2x128; do
        timeout 300 "$tools/bin/swr-run" "$dir/$spec.mlir" --target=sm_90a \
          --strategy=$strategy --shape "$shape" --lengths "$full_lengths" \
          --decays near1,spread,near0,signed \
          >"$logs/$strategy-$spec-$shape.txt" 2>&1 || status=1
        echo "$strategy $spec $shape: $(tail -1 "$logs/$strategy-$spec-$shape.txt")"
      done
    done
    run_full bthd-head-bf16 2x16x3x22 -1 -1 "--strategy=$strategy --time-ctas=2"
    for spec in bthd-head-bf16 bthd-head-f32; do
      sanitize_full "$spec" 2x7x2x64 "$strategy-$spec" --strategy=$strategy
    done
  done
  for T in 4096 16384; do
    for spec in bthd-head-bf16 bthd-head-f32; do
      bench_full "$spec" "8x${T}x1x1536" -1 -1
      for strategy in ${mma_strategies:-mma wmma}; do
        bench_full "$spec" "8x${T}x1x1536" -1 -1 --strategy=$strategy
      done
    done
  done
}

full_prefetch() {
  dir="$(mktemp -d)"
  full_specs "$dir"
  local spec
  for spec in bct-f32 bct-bf16 bct-reverse-f32; do
    run_full "$spec" 2x70x16 -1 -1 --prefetch
  done
  for spec in bthd-f32 bthd-bf16; do
    run_full "$spec" 2x16x3x22 -1 -1 --prefetch
    run_full "$spec" 2x16x3x22 4 1 --prefetch
  done
  for spec in bct-f32 bct-bf16; do
    for flag in "" --prefetch; do
      bench_full "$spec" 8x1536x4096 -1 -1 $flag
    done
  done
  for spec in bthd-f32 bthd-bf16; do
    for flag in "" --prefetch; do
      bench_full "$spec" 8x4096x1x1536 -1 -1 $flag
      bench_full "$spec" 8x4096x1x1536 4 1 $flag
    done
  done
  # bands<k> over time lanes (bhdl): bands<3> checked, the Phalanx shape timed.
  sed "s/bands<2>/bands<3>/" "$root/examples/phalanx_bands2.mlir" >"$dir/b3.mlir"
  echo "bands<3> --prefetch: $("$tools/bin/swr-run" "$dir/b3.mlir" --target=sm_90a \
    --prefetch --shape 2x5x16x1 --lengths 1,15,16,17,511,512,513,1000,8193 \
    --decays near1,spread,near0 2>&1 | tail -1)"
  for flag in "" --prefetch; do
    echo "bands<2> 8x128x16x8192 $flag: $("$tools/bin/swr-run" \
      "$root/examples/phalanx_bands2.mlir" --target=sm_90a $flag \
      --shape 8x128x16x8192 --lengths 1,17 --decays spread --bench 2>&1 |
      grep -E '^bench|swr-run:' | tr '\n' ' ')"
  done
}

# bands<k> on time lanes (the carry k-1 tiles back by shuffles, wrapping to
# the previous iteration's tiles): bands<1>, <2>, <3> checked around warp
# iterations, the bands<3> kernel under compute-sanitizer, and the Phalanx
# example timed on time lanes and with time chunks (--time-lanes=1).
bands() {
  local d k spec tool lanes
  d="$(mktemp -d)"
  for k in 1 3; do
    sed "s/bands<2>/bands<$k>/" "$root/examples/phalanx_bands2.mlir" >"$d/b$k.mlir"
  done
  for spec in "$root/examples/phalanx_bands2.mlir" "$d/b1.mlir" "$d/b3.mlir"; do
    "$tools/bin/swr-run" "$spec" --target=sm_90a --shape 2x5x16x1 \
      --lengths 1,15,16,17,511,512,513,1000,8193 --decays near1,spread,near0 \
      >"$logs/bands-$(basename "$spec" .mlir).txt" 2>&1 || status=1
    echo "$(basename "$spec"): $(tail -1 "$logs/bands-$(basename "$spec" .mlir).txt")"
  done
  sanitize bands3 "bands<3>" "memcheck racecheck" "$d/b3.mlir" \
    --target=sm_90a --shape 2x3x16x1 --lengths 17,600 --decays spread
  for lanes in -1 1; do
    echo "bands<2> 8x128x16x8192 time-lanes $lanes: $("$tools/bin/swr-run" \
      "$root/examples/phalanx_bands2.mlir" --target=sm_90a --time-lanes=$lanes \
      --shape 8x128x16x8192 --lengths 1,17,8193 --decays near1,spread,near0 \
      --bench 2>&1 | grep -E '^bench|swr-run:' | tr '\n' ' ')"
  done
}

# bthd_bands_specs DIR D: the Phalanx example over [B, T, H, D] with head
# dimension D (16, or ? for a runtime one) as DIR/bthd{1,2,3}.mlir, one per
# bands<k>.
bthd_bands_specs() {
  local k
  for k in 1 2 3; do
    sed -e "s/bands<2>/bands<$k>/" -e 's/layout bhdl/layout bthd/' \
      -e "s/?x?x16x?xbf16/?x?x?x$2xbf16/g" \
      "$root/examples/phalanx_bands2.mlir" >"$1/bthd$k.mlir"
  done
}

# bands<k> over [B, T, H, D] on named time lanes (each beside 8 adjacent
# channels): bands<1>, <2>, <3> checked at 2, 4 and 8 lanes around warp
# iterations, bands<3> on 4 lanes under compute-sanitizer, the Phalanx shape
# timed at each lane count and with time chunks (-1), then the fused mixing
# and the scan alone on lanes beside FlexAttention (bench/phalanx_mix.py).
bands_bthd() {
  local d k lanes tool log
  d="$(mktemp -d)"
  bthd_bands_specs "$d" 16
  for lanes in 2 4 8; do
    for k in 1 2 3; do
      log="$logs/bands-bthd$k-lanes$lanes.txt"
      "$tools/bin/swr-run" "$d/bthd$k.mlir" --target=sm_90a --time-lanes=$lanes \
        --shape 2x1x5x16 --lengths 1,15,16,17,63,64,65,511,512,513,1000,8193 \
        --decays near1,spread,near0 >"$log" 2>&1 || status=1
      echo "bthd bands<$k> time-lanes $lanes: $(tail -1 "$log")"
    done
  done
  sanitize bands-bthd3 "bthd bands<3> 4 lanes" "memcheck racecheck" \
    "$d/bthd3.mlir" --target=sm_90a --time-lanes=4 --shape 2x1x3x16 \
    --lengths 17,600 --decays spread
  for lanes in -1 2 4 8; do
    echo "bthd bands<2> 8x8192x128x16 time-lanes $lanes: $("$tools/bin/swr-run" \
      "$d/bthd2.mlir" --target=sm_90a --time-lanes=$lanes \
      --shape 8x8192x128x16 --lengths 1,17 --decays spread \
      --bench 2>&1 | grep -E '^bench|swr-run:' | tr '\n' ' ')"
  done
  python3 "$root/bench/phalanx_mix.py" --out "$logs/phalanx-mix.md" \
    >"$logs/phalanx-mix.txt" 2>&1 || status=1
  cat "$logs/phalanx-mix.md" 2>/dev/null || tail -20 "$logs/phalanx-mix.txt"
}

# Several channels per thread over [B, T, H, D]: each step of a tile is one
# vector access of its channels (4 bytes for 2 bf16 ... 16 bytes) when the
# rows are aligned, else the masked path. The compiler's choice first:
# bands<1..3> with per-channel decays (bf16, f32) and per-head decays at a
# static D = 16, checked around tiles and chunks, per-channel bands<2> under
# compute-sanitizer, and timed at the Phalanx shape (and per-channel with a
# dynamic D: one channel per thread). With CHANNEL_TILES_SWEEP=1 also every
# --channel-tile 2..16 for per-head bands<k> (time chunks, and 4 time lanes)
# and full windows at D = 16, 18 (partial channel blocks) and 15 (odd rows:
# never aligned), two kernels under compute-sanitizer, then the Phalanx
# bands<2> shape and a full scan at B8 T4096 H48 D32 timed by channel tile.
channel_tiles() {
  local d k ct spec shape log tool
  d="$(mktemp -d)"
  full_specs "$d"
  bthd_bands_specs "$d" "?"
  # Per-channel decays with a static channel dimension (16): the compiler's
  # choice of channel blocks (bands in time chunks: 4 channels), D = 16
  # only (the spec's static dimension), bf16 and f32, bands<1..3>.
  for k in 1 2 3; do
    sed -e 's/sharing per_head/sharing per_channel/' \
      -e 's/%a: memref<?x?x?xbf16>/%a: memref<?x?x?x16xbf16>/' \
      -e 's/decay(%a : memref<?x?x?xbf16>)/decay(%a : memref<?x?x?x16xbf16>)/' \
      -e 's/?x?x?x?xbf16/?x?x?x16xbf16/g' "$d/bthd$k.mlir" >"$d/chan$k-bf16.mlir"
    sed 's/xbf16>/xf32>/g' "$d/chan$k-bf16.mlir" >"$d/chan$k-f32.mlir"
    # Per-head twin with D = 16 static: the default takes 8 channels.
    sed 's/?x?x?x?xbf16/?x?x?x16xbf16/g' "$d/bthd$k.mlir" >"$d/head$k-bf16.mlir"
    for spec in "chan$k-bf16" "chan$k-f32" "head$k-bf16"; do
      log="$logs/ct-$spec.txt"
      "$tools/bin/swr-run" "$d/$spec.mlir" --target=sm_90a --shape 2x1x3x16 \
        --lengths 1,15,16,17,31,32,33,63,64,65,511,512,513,1000,8193 \
        --decays near1,spread,near0 >"$log" 2>&1 || status=1
      echo "default channel blocks $spec 2x1x3x16: $(tail -1 "$log")"
    done
  done
  sanitize ct-chan2 "per-channel blocks bands<2>" "memcheck racecheck" \
    "$d/chan2-bf16.mlir" --target=sm_90a --shape 2x1x3x16 --lengths 17,600 \
    --decays spread
  for spec in chan2-bf16 chan2-f32 head2-bf16; do
    echo "default channel blocks bands<2> $spec 8x8192x128x16: $("$tools/bin/swr-run" \
      "$d/$spec.mlir" --target=sm_90a --shape 8x8192x128x16 --lengths 1,17 \
      --decays spread --bench 2>&1 | grep -E '^bench|swr-run:' | tr '\n' ' ')"
  done
  echo "per-channel bands<2> chan2-bf16 one channel per thread (dynamic D): $(sed \
    's/x16xbf16/x?xbf16/g' "$d/chan2-bf16.mlir" >"$d/chan2-dyn.mlir" &&
    "$tools/bin/swr-run" "$d/chan2-dyn.mlir" --target=sm_90a \
      --shape 8x8192x128x16 --lengths 1,17 --decays spread --bench 2>&1 |
      grep -E '^bench|swr-run:' | tr '\n' ' ')"
  [[ -n "${CHANNEL_TILES_SWEEP:-}" ]] || return 0
  for ct in 2 4 8 16; do
    for spec in bthd1 bthd2 bthd3 bthd-head-bf16 bthd-head-f32; do
      for shape in 2x1x3x16 2x1x3x18 2x1x2x15; do
        log="$logs/ct-$spec-$ct-$shape.txt"
        "$tools/bin/swr-run" "$d/$spec.mlir" --target=sm_90a --channel-tile=$ct \
          --shape "$shape" --lengths 1,15,16,17,63,64,65,511,512,513,1000,8193 \
          --decays near1,spread,near0 >"$log" 2>&1 || status=1
        echo "channel-tile $ct $spec $shape: $(tail -1 "$log")"
      done
    done
    log="$logs/ct-bthd2-lanes4-$ct.txt"
    "$tools/bin/swr-run" "$d/bthd2.mlir" --target=sm_90a --channel-tile=$ct \
      --time-lanes=4 --shape 2x1x3x18 --lengths 1,17,65,513,8193 \
      --decays near1,spread,near0 >"$log" 2>&1 || status=1
    echo "channel-tile $ct bthd2 4 time lanes: $(tail -1 "$log")"
  done
  for spec in bthd2:4 bthd-head-bf16:2; do
    sanitize "ct-${spec%%:*}" "${spec%%:*} channel-tile ${spec#*:}" \
      "memcheck racecheck" "$d/${spec%%:*}.mlir" --target=sm_90a \
      --channel-tile="${spec#*:}" --shape 2x1x3x18 --lengths 17,600 \
      --decays spread
  done
  for ct in 1 2 4 8 16; do
    echo "bthd bands<2> 8x8192x128x16 channel-tile $ct: $("$tools/bin/swr-run" \
      "$d/bthd2.mlir" --target=sm_90a --channel-tile=$ct \
      --shape 8x8192x128x16 --lengths 1,17 --decays spread \
      --bench 2>&1 | grep -E '^bench|swr-run:' | tr '\n' ' ')"
  done
  for spec in bthd-head-bf16 bthd-head-f32; do
    for ct in 1 2 4 8; do
      echo "full $spec 8x4096x48x32 channel-tile $ct: $("$tools/bin/swr-run" \
        "$d/$spec.mlir" --target=sm_90a --channel-tile=$ct \
        --shape 8x4096x48x32 --lengths 1,17 --decays spread \
        --bench 2>&1 | grep -E '^bench|swr-run:' | tr '\n' ' ')"
    done
  done
}

# Nsight Compute on the full-window [B, T, C] kernels, f32 and bf16 (memory
# throughput, occupancy, warp stalls, load requests against sectors), then
# per-head full windows timed by channel tile and warps.
profile_full() {
  dir="$(mktemp -d)"
  full_specs "$dir"
  local ncu spec metrics
  ncu="$(command -v ncu || echo /usr/local/cuda/bin/ncu)"
  metrics="$(printf '%s,' dram__throughput.avg.pct_of_peak_sustained_elapsed \
    sm__warps_active.avg.pct_of_peak_sustained_active \
    launch__registers_per_thread launch__grid_size launch__block_size \
    lts__t_sector_hit_rate.pct \
    smsp__average_warp_latency_issue_stalled_long_scoreboard.ratio \
    smsp__average_warp_latency_issue_stalled_barrier.ratio \
    smsp__average_warp_latency_issue_stalled_lg_throttle.ratio \
    smsp__average_warp_latency_issue_stalled_short_scoreboard.ratio \
    smsp__average_warp_latency_issue_stalled_wait.ratio \
    smsp__average_warp_latency_issue_stalled_math_pipe_throttle.ratio \
    smsp__average_warp_latency_issue_stalled_not_selected.ratio \
    smsp__average_warp_latency_issue_stalled_selected.ratio \
    smsp__issue_active.avg.pct_of_peak_sustained_active \
    sm__warps_active.avg.per_cycle_active \
    l1tex__t_requests_pipe_lsu_mem_global_op_ld.sum \
    l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum \
    dram__bytes_read.sum dram__bytes_write.sum gpu__time_duration.sum)"
  if [[ -x "$ncu" ]]; then
    for spec in "bthd-f32" "bthd-bf16" "bthd-bf16 --time-lanes=1 --time-warps=8 --channel-tile=2 --full-block=16"; do
      echo "== ncu $spec 8x4096x1x1536"
      "$ncu" --metrics "${metrics%,}" --launch-skip 1 --launch-count 1 \
        "$tools/bin/swr-run" "$dir/${spec%% *}.mlir" --target=sm_90a \
        ${spec#"${spec%% *}"} --shape 8x4096x1x1536 --lengths 1,4096 --decays spread 2>&1 |
        grep -E "^\s+(dram|sm__|launch|lts|smsp|l1tex|gpu__)|==ERR|error" | head -40
    done
  else
    echo "no ncu"
  fi
  for spec in bthd-head-bf16 bthd-head-f32; do
    bench_full "$spec" 8x4096x48x32 -1 8 --channel-tile=2
    bench_full "$spec" 8x4096x48x32 -1 16 --channel-tile=2
  done
}

# Warps per sequence, steps per tile and channels per lane around the
# defaults at issue #8's full-scan shapes (B8 C1536), every row checked at
# length 1 then timed beside a copy of its bytes (swr-run --bench).
tiling_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local t cfg
  for t in 4096 16384 65536; do
    for cfg in "-1" "4" "-1 --full-block=8" "-1 --full-block=16" \
      "4 --full-block=8" "2 --full-block=8"; do
      bench_full bct-f32 "8x1536x$t" -1 $cfg
    done
  done
  for cfg in "-1" "2" "4" "-1 --full-block=32" "-1 --full-block=8"; do
    bench_full bct-bf16 8x1536x65536 -1 $cfg
  done
  for cfg in "-1" "2" "8" "-1 --full-block=8" "-1 --full-block=32"; do
    bench_full bthd-f32 8x65536x1x1536 -1 $cfg
  done
  for cfg in "-1" "2" "8" "-1 --min-blocks-per-sm=2" \
    "-1 --channel-tile=4 --full-block=16" "8 --channel-tile=4 --full-block=16" \
    "-1 --channel-tile=4 --full-block=32"; do
    bench_full bthd-bf16 8x16384x1x1536 -1 $cfg
  done
}

# L2 prefetches dealt to the lanes (one per 32 steps, session 15): how far
# ahead for the [B,T,C] bf16 default, and whether the kernels that took none
# (f32, per-head, [B,C,T]) gain from them now that they are cheap.
l2_lanes_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg
  for cfg in "" "--l2-prefetch=2" "--l2-prefetch=3" "--prefetch=0 --l2-prefetch=2"; do
    bench_full bthd-bf16 8x16384x1x1536 -1 -1 $cfg
  done
  bench_full bthd-bf16 8x16384x1x1536 -1 8
  for cfg in "" "--l2-prefetch=1" "--l2-prefetch=2"; do
    bench_full bthd-f32 8x16384x1x1536 -1 -1 $cfg
    bench_full bthd-head-bf16 8x16384x1x1536 -1 -1 $cfg
  done
  for cfg in "" "--l2-prefetch=1"; do
    bench_full bct-f32 8x1536x16384 -1 -1 $cfg
  done
  bench_full bthd-f32 8x65536x1x1536 -1 -1 --l2-prefetch=1
}

# The derived backward of full windows with per-channel decays, a scan in
# mirrored time since session 18 (FullWindowGrad.cpp): its tiles dealt to
# time lanes and warps like the forward's. Checked (lengths around tiles,
# iterations and warps; decays near 1, spread, near 0) at the defaults, at
# one thread per channel (--time-lanes=1: the loop the CPU runs), and
# reversed; under memcheck / racecheck / synccheck; then timed at B8 C1536
# T4096 at the defaults beside one thread per channel.
full_grad_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec shape
  for spec in bct-f32 bct-bf16 bct-reverse-f32 bthd-f32 bthd-bf16; do
    shape=2x70x16; [[ $spec == bthd-* ]] && shape=2x16x3x22
    run_full "$spec" "$shape" -1 -1 --grad
  done
  run_full bct-f32 2x70x16 1 1 --grad
  run_full bthd-bf16 2x16x3x22 1 1 --grad
  for spec in bct-f32:2x5x7 bct-bf16:2x5x7 bthd-f32:2x7x3x5 bthd-bf16:2x7x3x5; do
    shape="${spec#*:}" spec="${spec%%:*}"
    sanitize_full "$spec" "$shape" "full-grad-$spec" --grad "" \
      "memcheck racecheck synccheck"
  done
  for spec in bct-f32 bct-bf16 bthd-f32 bthd-bf16; do
    shape=8x1536x4096; [[ $spec == bthd-* ]] && shape=8x4096x1x1536
    bench_full "$spec" "$shape" -1 -1 --grad
    bench_full "$spec" "$shape" 1 1 --grad
  done
}

# The [B,T,C] bf16 full window's backward (session 18): 2 channels per lane
# (the forward's choice for 2-byte elements shared by warps) at 32 / 16 / 8
# steps per tile against one channel (channel-tile=1) at 16 and 32; checked
# first (22 channels per head: a masked last channel pair) and under the
# sanitizers.
full_grad_bthd_bf16() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local flags
  run_full bthd-bf16 2x16x3x22 -1 -1 --grad
  run_full bthd-bf16 2x16x3x21 -1 -1 "--grad --full-block=16"
  sanitize_full bthd-bf16 2x7x3x5 full-grad-bthd-bf16-ch2 --grad "" \
    "memcheck racecheck synccheck"
  for flags in "" --full-block=16 --full-block=8 "--channel-tile=1 --full-block=16" \
    "--channel-tile=1 --full-block=32"; do
    bench_full bthd-bf16 8x4096x1x1536 -1 -1 --grad $flags
  done
  bench_full bthd-bf16-static 8x4096x1x1536 -1 -1 --grad
}

# The [B,C,T] bf16 full window's backward (session 18: 79% of copy with
# 16-step tiles on one warp, each lane's tile one 32-byte sector and its
# single y row another): longer tiles and 4 warps, checked then timed.
full_grad_bct_bf16() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local flags warps
  run_full bct-bf16 2x70x16 -1 -1 "--grad --full-block=32"
  run_full bct-bf16 2x70x16 -1 4 --grad
  for warps in -1 4; do
    for flags in "" --full-block=32; do
      bench_full bct-bf16 8x1536x4096 -1 $warps --grad $flags
    done
  done
}

# Per-head backwards that still take the tile-by-tile walk of one thread
# per head: over bhdl (time innermost) with a static D > 32 the walk holds
# D channels per thread (D64: 20 KB of stack) unless --channel-tile=D/32
# spreads the head over 32 lanes (the walk's lane reduction; checked over
# bthd in session 19, call 1: 270x faster). Checks full and bands<2>, bf16
# and f32, at D 64 and 128 with --channel-tile=D/32, sanitizes two, and
# times both, before that becomes the default for D > 32.
per_head_bhdl_grad() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local d ty window spec
  for window in full "bands<2>"; do
    for ty in bf16 f32; do
      for d in 64 128; do
        spec="bhdl-head-${window//[<>]/}-$ty-d$d"
        cat >"$dir/$spec.mlir" <<SPEC
func.func @heads(%a: memref<?x?x?x$ty>, %x: memref<?x?x${d}x?x$ty>,
                 %y: memref<?x?x${d}x?x$ty>) {
  swr.scan $window layout bhdl sharing per_head
      decay(%a : memref<?x?x?x$ty>) input(%x : memref<?x?x${d}x?x$ty>)
      output(%y : memref<?x?x${d}x?x$ty>)
  return
}
SPEC
        run_full "$spec" "2x3x${d}x16" -1 -1 "--grad --channel-tile=$((d / 32))"
        bench_full "$spec" "8x8x${d}x4096" -1 -1 --grad
        bench_full "$spec" "8x8x${d}x4096" -1 -1 --grad --channel-tile=$((d / 32))
      done
    done
  done
  sanitize_full bhdl-head-full-bf16-d64 2x3x64x16 bhdl-head-full-bf16-d64-grad \
    "--grad --channel-tile=2" 17,600
  sanitize_full bhdl-head-bands2-f32-d128 2x3x128x16 \
    bhdl-head-bands2-f32-d128-grad "--grad --channel-tile=4" 17,600
}

# Timing only (after per_head_grad's checks): per-head full windows over
# [B, T, H, D] at D 64 and 128, forward and backward, by tile steps and
# warps per CTA; the backward also at session 19's first shape (B8 T4096);
# the forward also at H1 D1536 (whether 8 warps may be its default).
per_head_tiling_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local d ty spec warps
  for ty in bf16 f32; do
    for d in 64 128; do
      spec="bthd-head-$ty-d$d"
      sed "s/memref<?x?x?x?x$ty>/memref<?x?x8x${d}x$ty>/g; s/memref<?x?x?x$ty>/memref<?x?x8x$ty>/g" \
        "$dir/bthd-head-$ty.mlir" >"$dir/$spec.mlir"
      bench_full "$spec" "8x4096x8x$d" -1 -1 --grad
      bench_full "$spec" "8x16384x8x$d" -1 -1 --grad --full-block=32
      for warps in 8 16; do
        bench_full "$spec" "8x16384x8x$d" -1 "$warps"
        bench_full "$spec" "8x16384x8x$d" -1 "$warps" --grad
        bench_full "$spec" "8x16384x8x$d" -1 "$warps" --grad --full-block=32
      done
    done
    # The shape session 11 chose the forward's tiles at (one head of 1536
    # channels): does 8 warps cost there?
    for warps in 4 8; do
      bench_full "bthd-head-$ty" 8x16384x1x1536 -1 "$warps"
    done
  done
}

# The backward of per-head full windows over [B, T, H, D] with D static
# (swr.torch's ScanSpec(heads=H, head_dim=D)): a scan in mirrored time
# (FullWindowGrad.cpp), a head's channels on adjacent lanes of one warp
# (max(2 for bf16 / 1 for f32, D / 32) each), its decay gradient summed by
# shuffles. Checked against float64 at D 16, 64 and 128 (D 16: a head on 8
# or 16 lanes, the rest of the warp masked) in bf16 and f32, two of them
# under memcheck / racecheck, then timed at B8 T16384 H8
# (per_head_tiling_sweep: by warps and tile steps).
per_head_grad() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local d ty spec
  for ty in bf16 f32; do
    for d in 16 64 128; do
      spec="bthd-head-$ty-d$d"
      sed "s/memref<?x?x?x?x$ty>/memref<?x?x8x${d}x$ty>/g; s/memref<?x?x?x$ty>/memref<?x?x8x$ty>/g" \
        "$dir/bthd-head-$ty.mlir" >"$dir/$spec.mlir"
      run_full "$spec" "2x16x8x$d" -1 -1 --grad
    done
  done
  sanitize_full bthd-head-bf16-d64 2x7x8x64 bthd-head-bf16-d64-grad --grad 17,600
  sanitize_full bthd-head-f32-d16 2x7x8x16 bthd-head-f32-d16-grad --grad 17,600
  for ty in bf16 f32; do
    for d in 64 128; do
      bench_full "bthd-head-$ty-d$d" "8x16384x8x$d" -1 -1 --grad
    done
  done
}

# [B, T, C] full windows with C static (the *-static specs of full-specs.sh:
# immediate-offset addressing; session 17: as fast or faster): checked at
# the floor and under memcheck / racecheck at 1 x 1536, a launch at another
# C refused by the runtime, then timed beside the dynamic kernels.
static_rows() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec t
  for spec in bthd-f32-static bthd-bf16-static; do
    run_full "$spec" 2x16x1x1536 -1
    # Not 5000 steps: 1536 channels under racecheck take minutes.
    sanitize_full "$spec" 2x7x1x1536 "$spec" "" 17,600
    if "$tools/bin/swr-run" "$dir/$spec.mlir" --target=sm_90a --shape 2x16x2x768 \
      --lengths 17 >"$scratch/$spec-mismatch.txt" 2>&1; then
      echo "$spec at C = 2 x 768: accepted (expected a refusal)"
      status=1
    else
      echo "$spec at C = 2 x 768: $(grep -m1 -E 'compiled for|error' "$scratch/$spec-mismatch.txt")"
    fi
  done
  for t in 16384 65536; do
    for spec in bthd-bf16 bthd-bf16-static bthd-f32 bthd-f32-static; do
      bench_full "$spec" "8x${t}x1x1536" -1 -1
    done
  done
}

# Tiles staged through shared memory by cp.async (--stages=N: a ring of N
# slots per operand, N - 1 tiles in flight per thread without registers):
# checks against float64 over [B,T,C] f32 / bf16 (dynamic and static
# rows; D = 5: odd rows, read and stored instead of copied) and the
# reversed [B,C,T] f32 (4-byte rows along time), then compute-sanitizer.
staged_checks() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec stages
  for stages in 2 3; do
    for spec in bthd-bf16 bthd-f32; do
      run_full "$spec" 2x16x3x22 -1 -1 "--stages=$stages"
      run_full "$spec" 2x7x3x5 -1 -1 "--stages=$stages"
    done
    run_full bct-reverse-f32 2x70x16 -1 -1 "--stages=$stages"
    run_full bthd-bf16-static 2x16x1x1536 -1 -1 "--stages=$stages"
  done
  run_full bthd-bf16-static 2x16x1x1536 -1 -1 "--stages=2 --min-blocks-per-sm=3"
  sanitize_full bthd-bf16 2x7x3x22 staged-bf16 --stages=2
  sanitize_full bthd-bf16 2x7x3x5 staged-bf16-odd --stages=3
  sanitize_full bthd-bf16-static 2x7x1x1536 staged-static "--stages=2" 17,600
}

# The staged [B,T,C] kernels timed at B8 C1536 beside the register
# prefetch (the default), by stages, L2 prefetching and CTAs per SM.
staged_bench() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local t cfg
  for t in 16384 65536; do
    for cfg in "" "--stages=2" "--stages=3" "--stages=4" "--stages=2 --l2-prefetch=0" \
      "--stages=3 --l2-prefetch=0" "--stages=2 --min-blocks-per-sm=3"; do
      bench_full bthd-bf16-static "8x${t}x1x1536" -1 -1 "$cfg"
    done
  done
  for cfg in "" "--stages=3" "--stages=2 --min-blocks-per-sm=3"; do
    bench_full bthd-bf16 8x4096x1x1536 -1 -1 "$cfg"
    bench_full bthd-f32-static 8x65536x1x1536 -1 -1 "$cfg"
  done
}

# Staged 16-step tiles (fewer registers and less shared memory per slot:
# more CTAs per SM), timed at B8 T16384 C1536 bf16 with static rows.
staged_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg
  for cfg in "--full-block=16 --stages=4" "--full-block=16 --stages=3" \
    "--full-block=16 --stages=6" "--full-block=16 --stages=2"; do
    bench_full bthd-bf16-static 8x16384x1x1536 -1 -1 "$cfg"
  done
  bench_full bthd-bf16-static 8x16384x1x1536 -1 8 "--full-block=16 --stages=3"
}

# Staged tiles copied by lane groups (a warp's 128-byte runs per step in
# 16-byte cp.async.cg, L1 bypassed): checks (group path over [B,T,C] with
# static rows, per-lane paths for odd channel counts and the reversed
# [B,C,T] f32), compute-sanitizer, then timed at B8 T16384 C1536 bf16.
staged_group() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg
  run_full bthd-bf16-static 2x16x1x1536 -1 -1 --stages=2
  run_full bthd-f32-static 2x16x1x1536 -1 -1 --stages=3
  run_full bthd-bf16 2x16x3x22 -1 -1 --stages=2
  run_full bthd-bf16 2x7x3x5 -1 -1 --stages=2
  run_full bct-reverse-f32 2x70x16 -1 -1 --stages=2
  sanitize_full bthd-bf16-static 2x7x1x1536 staged-group "--stages=2" 17,600
  for cfg in "" "--stages=2" "--stages=3" "--full-block=16 --stages=3" \
    "--full-block=16 --stages=4"; do
    bench_full bthd-bf16-static 8x16384x1x1536 -1 -1 "$cfg"
  done
}

# The [B,T,C] bf16 full window's SASS (ptxas here, cuobjdump) and where its
# instructions and stalls go (ncu), beside the f32 kernel.
profile_btc() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec ncu metrics cuda_bin
  cuda_bin="$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")"
  for spec in bthd-bf16 bthd-f32; do
    "$tools/bin/swr-compile" --chip=sm_90a "$dir/$spec.mlir" -o "$scratch/$spec.ptx" &&
      "$cuda_bin/ptxas" -arch=sm_90a -v "$scratch/$spec.ptx" -o "$scratch/$spec.cubin" &&
      "$cuda_bin/cuobjdump" -sass "$scratch/$spec.cubin" >"$logs/sass-$spec.txt" 2>&1
    echo "$spec SASS lines: $(wc -l <"$logs/sass-$spec.txt")"
  done
  ncu="$(command -v ncu || echo /usr/local/cuda/bin/ncu)"
  metrics="$(printf '%s,' smsp__inst_executed.sum smsp__inst_executed_op_global_ld.sum \
    smsp__inst_executed_op_global_st.sum sm__inst_executed_pipe_lsu.sum \
    smsp__average_warp_latency_issue_stalled_long_scoreboard.ratio \
    smsp__average_warp_latency_issue_stalled_lg_throttle.ratio \
    smsp__average_warp_latency_issue_stalled_barrier.ratio \
    smsp__average_warp_latency_issue_stalled_wait.ratio \
    smsp__average_warp_latency_issue_stalled_drain.ratio \
    smsp__average_warp_latency_issue_stalled_membar.ratio \
    smsp__issue_active.avg.pct_of_peak_sustained_active \
    sm__warps_active.avg.per_cycle_active dram__throughput.avg.pct_of_peak_sustained_elapsed \
    l1tex__t_sectors_pipe_lsu_mem_global_op_ld.sum lts__t_sectors_srcunit_tex_op_read.sum \
    lts__t_sector_hit_rate.pct dram__bytes_read.sum gpu__time_duration.sum \
    sm__cycles_elapsed.avg launch__registers_per_thread)"
  for spec in bthd-bf16 bthd-f32; do
    echo "== ncu $spec 8x16384x1x1536"
    "$ncu" --metrics "${metrics%,}" --launch-skip 1 --launch-count 1 \
      "$tools/bin/swr-run" "$dir/$spec.mlir" --target=sm_90a \
      --shape 8x16384x1x1536 --lengths 1,16384 --decays spread 2>&1 |
      grep -E "^\s+(dram|sm__|launch|lts|smsp|l1tex|gpu__)|==ERR|error" | head -40
  done
}

# What bounds the [B,T,C] bf16 forward (static rows, the defaults) at B8
# C1536 T16384: its SASS (1-sass-btc.txt), Nsight Compute's sections
# (1-ncu-btc.txt) and stall samples per SASS instruction (2-ncu-source.csv),
# then the same kernel timed at batches whose 64-channel CTAs fill the SMs
# unevenly (B8: 192 CTAs on 132 SMs) or evenly (B11: 264, two per SM).
btc_bound() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local ncu cuda_bin spec=bthd-bf16-static batch
  cuda_bin="$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")"
  "$tools/bin/swr-compile" --chip=sm_90a "$dir/$spec.mlir" -o "$scratch/$spec.ptx" &&
    "$cuda_bin/ptxas" -arch=sm_90a -v "$scratch/$spec.ptx" -o "$scratch/$spec.cubin" &&
    "$cuda_bin/cuobjdump" -sass "$scratch/$spec.cubin" >"$logs/1-sass-btc.txt" 2>&1
  echo "$spec SASS lines: $(wc -l <"$logs/1-sass-btc.txt")"
  ncu="$(command -v ncu || echo /usr/local/cuda/bin/ncu)"
  "$ncu" --clock-control none --section SpeedOfLight --section LaunchStats \
    --section Occupancy --section SchedulerStats --section WarpStateStats \
    --section MemoryWorkloadAnalysis --section ComputeWorkloadAnalysis \
    --section InstructionStats --section SourceCounters --import-source no \
    -k full_tokens --launch-skip 1 --launch-count 1 -o "$scratch/btc" -f \
    "$tools/bin/swr-run" "$dir/$spec.mlir" --target=sm_90a \
    --shape 8x16384x1x1536 --lengths 1,16384 --decays spread >"$scratch/ncu-run.txt" 2>&1
  tail -3 "$scratch/ncu-run.txt"
  "$ncu" -i "$scratch/btc.ncu-rep" >"$logs/1-ncu-btc.txt" 2>&1
  grep -E "Duration|DRAM Throughput|Issue Slots Busy|Registers Per|Achieved Occupancy|Warp Cycles Per Issued|No Eligible|Active Warps Per Scheduler|Eligible Warps" \
    "$logs/1-ncu-btc.txt" | head -20
  "$ncu" -i "$scratch/btc.ncu-rep" --page source --csv --print-source sass \
    >"$logs/2-ncu-source.csv" 2>&1
  echo "source rows: $(wc -l <"$logs/2-ncu-source.csv")"
  for batch in 8 11 4; do
    bench_full "$spec" "${batch}x16384x1x1536" -1 -1
  done
}

# bf16 widened as integer shifts (swr-widen-bf16-as-bits): every bf16
# kernel family checked against float64, the [B,T,C] one's SASS and stalls
# (ncu), then the bf16 full windows and the Phalanx bands<2> example timed.
bf16_bits() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  bench_full bthd-bf16-static 8x16384x1x1536 -1 -1
  bench_full bct-bf16 8x1536x16384 -1 -1
  "$tools/bin/swr-run" "$root/examples/phalanx_bands2.mlir" --target=sm_90a \
    --shape 8x128x16x8192 --lengths 1 --decays spread --bench 2>&1 | grep -E '^bench|error'
  profile_btc_stalls
  run_full bthd-bf16 2x16x3x22 -1
  run_full bthd-bf16-static 2x16x1x1536 -1
  run_full bct-bf16 2x70x16 -1
  run_full bthd-head-bf16 2x16x3x22 -1
  run_full bthd-bf16 2x16x3x22 -1 -1 "--grad"
  sanitize_full bthd-bf16 2x7x3x5 bits-bf16 "" 17,600
  bench_full bthd-bf16 8x16384x1x1536 -1 -1
}

# The register prefetch with this tile widened before the next tile's
# loads (TileBlocks): timed, its stalls, then checked.
prefetch_order() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  bench_full bthd-bf16-static 8x16384x1x1536 -1 -1
  profile_btc_stalls
  prefetch_order_checks
}

prefetch_order_checks() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  run_full bthd-bf16-static 2x16x1x1536 -1
  run_full bthd-bf16 2x16x3x22 -1
  sanitize_full bthd-bf16-static 2x7x1x1536 prefetch-order-static "" 17,600
  sanitize_full bthd-bf16 2x7x3x22 prefetch-order "" 17,600
}

# [B,T,C] bf16 on 2 time lanes (32-channel CTAs: 384 at B8 C1536, 3 per SM
# with 16-step tiles' 152 registers, against 192 64-channel CTAs on 132 SMs,
# btc_bound): checked (masked D22, static rows), sanitized, then timed
# beside the default.
half_word_lanes() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  run_full bthd-bf16 2x16x3x22 2 4
  run_full bthd-bf16-static 2x16x1x1536 2 4 "--full-block=16"
  sanitize_full bthd-bf16 2x7x3x22 half-word-lanes "--time-lanes=2 --time-warps=4" 17,600
  bench_full bthd-bf16-static 8x16384x1x1536 -1 -1
  bench_full bthd-bf16-static 8x16384x1x1536 2 4 --full-block=16
  bench_full bthd-bf16-static 8x16384x1x1536 2 4
  bench_full bthd-bf16-static 8x16384x1x1536 2 4 --min-blocks-per-sm=3
  bench_full bthd-bf16-static 8x16384x1x1536 2 8 --full-block=16
  bench_full bthd-bf16-static 8x16384x1x1536 4 4 --full-block=16
}

# What swr.torch.scan now launches for [B,T,H,D] 2-byte full windows whose
# 64-channel CTAs are fewer than the SMs (32-channel CTAs, 16-step tiles):
# odd head dims (the last lane's pair half outside) and D95, checked against
# float64, then the Python CUDA tests of that path.
half_word_odd() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  run_full bthd-bf16 2x7x3x5 2 4 --full-block=16
  run_full bthd-bf16 2x16x3x95 2 4 --full-block=16
  python3 -m pytest -q "$root/python/tests/test_torch_cuda.py" -k token_major 2>&1 |
    tail -3
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
}

# Tiles staged through shared memory (session 20: no gain over the register
# prefetch at 82%) again after the register prefetch went to 85.8%.
staged_recheck() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg
  for cfg in --stages=2 --stages=3 "--full-block=16 --stages=4"; do
    bench_full bthd-bf16-static 8x16384x1x1536 -1 -1 "$cfg"
  done
}

# 64-channel CTAs on 16-step tiles (144 registers: 3 CTAs per SM, against
# the default's 2 at 255) beside the default, by batch: at B16 (384 CTAs)
# they fit in one wave of 396 slots where the default runs 1.45 waves of
# 264 (session 22: 83.3% of copy at B16 against 91.8% at B11).
full_block_balance() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local shape
  for shape in 8x16384 11x16384 16x16384 22x8192; do
    bench_full bthd-bf16-static "${shape}x1x1536" -1 -1
    bench_full bthd-bf16-static "${shape}x1x1536" -1 -1 --full-block=16
  done
}

# The prefetched tile read again from its registers after the carry
# exchange (--reread=1: the tile's aggregate first, the next tile's loads
# after it, then the recurrence rerun from the carry on the stored-width
# tile) beside the default, checked against float64 and under the
# sanitizers, then timed by batch; the kernels' live registers by SASS
# instruction (nvdisasm) where the device has it.
register_reread() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local shape cfg
  for cfg in --reread=1 "--reread=1 --full-block=16"; do
    run_full bthd-bf16-static 2x16x1x1536 -1 -1 "$cfg"
    run_full bthd-bf16 3x16x1x95 -1 -1 "$cfg"
  done
  sanitize_full bthd-bf16-static 2x7x1x1536 reread-static "--reread=1" 17,600
  for shape in ${reread_shapes:-8x16384 16x16384}; do
    for cfg in "" --reread=1 "--reread=1 --min-blocks-per-sm=3" \
      "--full-block=16" "--reread=1 --full-block=16"; do
      bench_full bthd-bf16-static "${shape}x1x1536" -1 -1 $cfg
    done
  done
  for cfg in "" --reread=1; do
    live_registers bthd-bf16-static "$cfg"
  done
}

# live_registers SPEC [FLAGS]: the ptxas report (registers, spill bytes) of
# SPEC compiled with FLAGS and nvdisasm's live-register count per SASS
# instruction (-plr) into $logs/1-sass-live-SPEC<FLAGS>.txt, where the
# device has nvdisasm.
live_registers() {
  local cuda tag log
  cuda="$(dirname "$(command -v ptxas || echo /usr/local/cuda/bin/ptxas)")"
  [[ -x "$cuda/nvdisasm" ]] || { echo "live_registers: no nvdisasm in $cuda"; return 0; }
  tag="${2//[-= ]/}"
  log="$logs/1-sass-live-$1${tag:+-$tag}.txt"
  "$tools/bin/swr-compile" "$dir/$1.mlir" ${2:-} \
    -o "$scratch/live.ptx" --launch "$scratch/live.json" &&
    "$cuda/ptxas" -arch=sm_90a -v "$scratch/live.ptx" \
      -o "$scratch/live.cubin" 2>&1 | grep -E "registers|spill" &&
    "$cuda/nvdisasm" -plr -lrm count "$scratch/live.cubin" >"$log" 2>&1
  echo "sass $1 ${2:-default}: $(wc -l <"$log") lines"
}

# The register reread as the default (--reread=-1) for the [B,T,C] bf16
# kernels swr.torch.scan launches: checked against float64 (the default,
# 16-step tiles and 2 time lanes), 2 time lanes under memcheck, timed beside
# --reread=0 where swr.torch.scan's rules choose between them (B4: 2 time
# lanes; B8, B11, B16: the default against 16-step tiles); then the Python
# token-major tests.
reread_default() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  run_full bthd-bf16-static 2x16x1x1536 -1 -1
  run_full bthd-bf16 3x16x1x95 -1 -1
  run_full bthd-bf16 3x16x1x95 -1 -1 --full-block=16
  run_full bthd-bf16 3x16x1x95 2 4 --full-block=16
  sanitize_full bthd-bf16 3x7x1x95 reread-lanes2 \
    "--time-lanes=2 --time-warps=4 --full-block=16" 17,600 memcheck
  local shape cfg
  for shape in ${reread_default_shapes:-16x16384 11x16384 8x16384}; do
    for cfg in "" --full-block=16; do
      bench_full bthd-bf16-static "${shape}x1x1536" -1 -1 $cfg
    done
  done
  for cfg in "" --reread=0; do
    bench_full bthd-bf16-static 4x16384x1x1536 2 4 --full-block=16 $cfg
  done
  python3 -m pytest -q "$root/python/tests/test_torch_cuda.py" -k token_major 2>&1 |
    tail -3
  [[ ${PIPESTATUS[0]} -eq 0 ]] || status=1
}

# What the [B,T,C] bf16 default keeps live: nvdisasm's live-register count
# per SASS instruction (-plr) of the default and of 3 CTAs per SM
# (--min-blocks-per-sm=3: 168 registers, spills), each in its own log, and
# the ptxas report (registers, spill bytes).
sass_live() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg
  for cfg in "" --min-blocks-per-sm=3; do
    live_registers bthd-bf16-static "$cfg"
  done
}

# issue #8's scans at T16384 (forward) beside the peers, timed both ways:
# launches between events (every launch path's host cost counted) and
# replays of CUDA graphs (none counted; session 23: ~50 us per
# swr.torch.scan call).
graph_timing() {
  unpack_peers
  local timing
  for timing in ${timings:-events graph}; do
    python3 "$root/bench/full_scan.py" --lengths 16384 --no-backward \
      --timing "$timing" 2>&1 | tee "$logs/full-scan-$timing.md" |
      grep -E "^\||timing|failed"
  done
}

# The knobs that add bytes in flight without registers (L2 prefetches
# further ahead) or change a warp's tile, timed beside the defaults at B8
# T16384 for the three scans short of issue #8's targets in session 24's
# graph timing ([B,T,C] bf16, [B,C,T] bf16 and f32 against
# accelerated-scan).
lever_sweep() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg
  for cfg in --l2-prefetch=0 --l2-prefetch=2 --l2-prefetch=3; do
    bench_full bthd-bf16-static 8x16384x1x1536 -1 -1 $cfg
  done
  for cfg in "" --l2-prefetch=1 --l2-prefetch=2 --full-block=32 --prefetch=0; do
    bench_full bct-bf16 8x1536x16384 -1 -1 $cfg
  done
  for cfg in "" --l2-prefetch=1 --l2-prefetch=2 --full-block=8; do
    bench_full bct-f32 8x1536x16384 -1 -1 $cfg
  done
}

# 32-step tiles as the default of the prefetched 2-byte [B,C,T] forward on
# time lanes (session 24; 16 before): checked against float64 (70 channels,
# lengths around tiles and iterations, three decay regimes; with the
# initial and final states), memcheck and racecheck, timed beside 16-step
# tiles at each of issue #8's lengths, then through swr.torch.scan beside
# accelerated-scan, with [B,T,C] bf16 beside fla (CUDA-graph timing).
bct_tiles() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  run_full bct-bf16 2x70x16 -1 -1
  sanitize_full bct-bf16 2x70x16 bct-bf16-tiles32
  local length cfg
  for length in 4096 16384 65536; do
    for cfg in "" --full-block=16; do
      bench_full bct-bf16 "8x1536x$length" -1 -1 $cfg
    done
  done
  unpack_peers
  python3 "$root/bench/full_scan.py" --layouts bct,bthd --dtypes bfloat16 \
    --no-backward --timing graph 2>&1 | tee "$logs/full-scan-bf16.md" |
    grep -E "^\| (SWR|acc|fla|\*\*)|failed"
}

# Whether narrower CTAs balance B8's [B,T,C] bf16 (192 CTAs of 64 channels
# on 264 slots): heads of 48 channels put 24 of a warp's lanes on 2 channels
# each and make 256 CTAs (one wave of 2 per SM), timed beside 1536- and
# 64-channel heads (192 CTAs) of the same bytes.
narrow_ctas() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local shape
  for shape in 1x1536 32x48 24x64; do
    bench_full bthd-bf16 "8x16384x$shape" -1 -1
  done
}

# [B,C,T] f32 (0.7% behind accelerated-scan in session 24's graph timing):
# the register prefetch (off by default for f32), warps per sequence and
# tile steps around the defaults (4 warps of 32 time lanes, 4-step tiles),
# timed at B8 T16384 after a check of each at B2 C70.
bct_f32_levers() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local cfg warps
  for cfg in --prefetch=1 "--prefetch=1 --full-block=8"; do
    run_full bct-f32 2x70x16 -1 -1 "$cfg"
  done
  for cfg in "" --prefetch=1 "--prefetch=1 --full-block=8"; do
    bench_full bct-f32 8x1536x16384 -1 -1 $cfg
  done
  # Warps per sequence: swr-run's own --time-warps (bench_full's 4th).
  for warps in 2 8; do
    bench_full bct-f32 8x1536x16384 -1 "$warps"
  done
}

# The register prefetch over [B,C,T] f32 (session 25, call 1: 97.6% of copy
# against 96.4% at T16384) at every listed length, default and prefetched
# interleaved twice; and over [B,T,C] f32 at T65536 (94.5% in session 17).
bct_f32_prefetch() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local t rep cfg
  for t in 4096 16384 65536; do
    for rep in 1 2; do
      for cfg in "" --prefetch=1; do
        bench_full bct-f32 "8x1536x$t" -1 -1 $cfg
      done
    done
  done
  for rep in 1 2; do
    for cfg in "" --prefetch=1 --prefetch=0; do
      bench_full bthd-f32-static 8x65536x1x1536 -1 -1 $cfg
    done
  done
}

# The register prefetch as the default of f32 full windows over a
# time-innermost axis (session 25): [B,C,T] forward, reversed, one warp per
# sequence and [B,H,D,L] checked against float64 around tiles and
# iterations; the sanitizers; then swr.torch.scan graph-timed beside
# accelerated-scan at every listed length (and [B,T,C] beside fla).
f32_time_prefetch() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec
  for spec in bct-f32 bct-reverse-f32; do run_full "$spec" 2x70x16 -1; done
  run_full bct-f32 2x70x16 -1 1
  run_full bhdl-f32 2x3x22x1 -1
  for spec in bct-f32:2x5x7 bct-reverse-f32:2x70x3 bhdl-f32:2x3x5x1; do
    sanitize_full "${spec%%:*}" "${spec#*:}" "prefetch-${spec%%:*}" "" "" \
      "memcheck racecheck synccheck"
  done
  unpack_peers
  run_bench full_scan f32-time-prefetch --layouts bct,bthd --dtypes float32 \
    --no-backward --timing graph
}

# The bf16 forwards through swr.torch.scan, graph-timed beside the peers at
# every listed length (the issue's 92% target; session 24 measured only
# T16384 and, for [B,T,C], T4096).
bf16_graph() {
  unpack_peers
  run_bench full_scan bf16-graph --dtypes bfloat16 --no-backward --timing graph
}

# Where the [B,T,C] forwards lose at short sequences (session 25, graph-timed
# through swr.torch.scan: bf16 83.3 / 91.0%, f32 91.1 / 98.8% of copy at
# T4096 / 16384, against 95-99% over [B,C,T]): every kernel timed at B8
# C1536 from T1024 to T16384 (time = fixed cost + per-step cost), a few
# levers at T4096, then Nsight Compute's SM activity spread at T4096.
length_scaling() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local t spec cfg ncu
  for t in 1024 2048 4096 8192 16384; do
    for spec in bthd-bf16-static bthd-f32-static; do
      bench_full "$spec" "8x${t}x1x1536" -1 -1
    done
    for spec in bct-bf16 bct-f32; do bench_full "$spec" "8x1536x$t" -1 -1; done
  done
  for cfg in --full-block=16 --l2-prefetch=0 "--prefetch=0 --reread=0"; do
    bench_full bthd-bf16-static 8x4096x1x1536 -1 -1 $cfg
  done
  bench_full bthd-bf16-static 8x4096x1x1536 -1 8
  for cfg in --full-block=8 --full-block=32 --prefetch=1; do
    bench_full bthd-f32-static 8x4096x1x1536 -1 -1 $cfg
  done
  bench_full bthd-f32-static 8x4096x1x1536 -1 8
  ncu="$(command -v ncu || echo /usr/local/cuda/bin/ncu)"
  for spec in bthd-bf16-static bthd-f32-static; do
    echo "== ncu $spec 8x4096x1x1536"
    "$ncu" --metrics sm__cycles_active.min,sm__cycles_active.avg,sm__cycles_active.max,sm__cycles_elapsed.avg,gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__registers_per_thread,launch__grid_size,launch__occupancy_limit_registers \
      --launch-skip 1 --launch-count 1 "$tools/bin/swr-run" "$dir/$spec.mlir" \
      --target=sm_90a --shape 8x4096x1x1536 --lengths 1,4096 --decays spread 2>&1 |
      grep -E "^\s+(dram|sm__|launch|gpu__)|==ERR|error" | head -20
  done
}

# [B,C,T] f32 at T16384 with the prefetch default (session 25, call 3,
# graph-timed: SWR 0.578 ms against accelerated-scan's 0.576): 8 warps per
# sequence beside the default 4 by swr-run, then the frontend's row beside
# the peer three times in one call (run-to-run spread).
bct_f32_repeat() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local rep warps
  for rep in 1 2; do
    for warps in -1 8; do bench_full bct-f32 8x1536x16384 -1 "$warps"; done
  done
  unpack_peers
  for rep in 1 2 3; do
    python3 "$root/bench/full_scan.py" --layouts bct --dtypes float32 \
      --lengths 16384 --no-backward --timing graph 2>&1 | grep -E "^\| (SWR|acc)"
  done
}

# [B,C,T] f32 on 8 warps per sequence with the prefetch default (session
# 25, call 5: 99.1 / 99.0% of copy against 97.7 / 97.8% on 4 at T16384) at
# every listed length, interleaved twice, before it becomes a default.
bct_f32_warps() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local t rep warps
  run_full bct-f32 2x70x16 -1 8
  for t in 4096 16384 65536; do
    for rep in 1 2; do
      for warps in -1 8; do bench_full bct-f32 "8x1536x$t" -1 "$warps"; done
    done
  done
}

# Lanes past a head skipping their tiles whole (--overhang=1, session 25,
# not yet run on a GPU): [B,T,H,D] with 32 static heads of 48 channels
# checked against float64 (bf16 and f32, around tiles, iterations and
# warps), under the sanitizers, then timed at B8 T4096 / T16384 beside the
# same channels as one head of 1536 (192 CTAs of 64 channels for 264 slots;
# 48-channel heads: 256): whether CTAs that even out the SMs beat the
# default (ncu at T4096: SMs active 90% of the elapsed cycles).
overhang_probe() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec t cfg
  for spec in bthd-bf16-h48 bthd-f32-h48; do
    run_full "$spec" 2x16x32x48 -1 -1 --overhang=1
  done
  for spec in bthd-bf16-h48 bthd-f32-h48; do
    sanitize_full "$spec" 2x7x32x48 "overhang-$spec" --overhang=1 "" \
      "memcheck racecheck synccheck"
  done
  for t in 4096 16384; do
    bench_full bthd-bf16-static "8x${t}x1x1536" -1 -1
    for cfg in "" --overhang=1 "--overhang=1 --full-block=16"; do
      bench_full bthd-bf16-h48 "8x${t}x32x48" -1 -1 $cfg
    done
    bench_full bthd-f32-static "8x${t}x1x1536" -1 -1
    bench_full bthd-f32-h48 "8x${t}x32x48" -1 -1 --overhang=1
  done
}

# The [B,C,T] bf16 forward by swr-run and through swr.torch.scan
# (bench/full_scan.py) in one call (session 22: 87.8% of copy through the
# frontend against 96.7% by swr-run in session 21).
bct_probe() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  bench_full bct-bf16 8x1536x16384 -1 -1
  python3 "$root/bench/full_scan.py" --layouts bct --dtypes bfloat16 --no-peers \
    --no-backward --lengths 16384 2>&1 | grep -E "SWR|copy"
}

# The same kernel through swr.torch.scan timed each way (back-to-back or
# single calls, rotated operands, the kernel alone by torch.profiler) and
# with either benchmark's decays: where the frontend's gap comes from.
frontend_gap() {
  python3 "$root/scripts/gpu-frontend-gap.py" 2>&1 | tail -12
}

# The 32-channel CTAs of half_word_lanes beside the default's 64-channel ones
# at other batches (B2: 48 / 96 CTAs; B4: 96 / 192; B6: 144 / 288; B11: 264
# / 528; B16: 384 / 768) and lengths: where each wins decides what
# swr.torch.scan asks for (session 22: B4 and B11 in call 1, the rest in
# call 2).
half_word_balance() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local shape
  for shape in ${balance_shapes:-2x16384 6x16384 16x16384 8x4096 8x65536}; do
    bench_full bthd-bf16-static "${shape}x1x1536" -1 -1
    bench_full bthd-bf16-static "${shape}x1x1536" 2 4 --full-block=16
  done
}

# Stall samples of the [B,T,C] bf16 full window (static rows) by SASS
# instruction (ncu SourceCounters): the 12 with the most, and the kernel's
# warp cycles per issued instruction.
profile_btc_stalls() {
  local ncu spec=bthd-bf16-static
  ncu="$(command -v ncu || echo /usr/local/cuda/bin/ncu)"
  "$ncu" --clock-control none --section WarpStateStats --section SourceCounters \
    --section SpeedOfLight --import-source no -k full_tokens --launch-skip 1 \
    --launch-count 1 -o "$scratch/stalls" -f "$tools/bin/swr-run" "$dir/$spec.mlir" \
    --target=sm_90a --shape 8x16384x1x1536 --lengths 1,16384 --decays spread \
    >"$scratch/ncu-stalls.txt" 2>&1
  "$ncu" -i "$scratch/stalls.ncu-rep" | grep -E "Duration|DRAM Throughput|Warp Cycles Per Issued"
  "$ncu" -i "$scratch/stalls.ncu-rep" --page source --csv --print-source sass \
    >"$scratch/stalls.csv" 2>&1
  python3 - "$scratch/stalls.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head = {name: i for i, name in enumerate(rows[1])}
samples = head["Warp Stall Sampling (All Samples)"]
stalls = [n for n in rows[1] if n.startswith("stall_") and "Not Issued" not in n]
data = [r for r in rows[2:] if len(r) == len(rows[1])]
total = sum(int(r[samples] or 0) for r in data)
print(f"stall samples: {total}")
for r in sorted(data, key=lambda r: -int(r[samples] or 0))[:12]:
    why = sorted(((int(r[head[s]] or 0), s) for s in stalls), reverse=True)[:2]
    print(r[0][-5:], r[1].strip()[:48], r[samples], why)
PY
}

python_tests() {
  echo "== Python CUDA tests, kernels compiled here"
  python3 -m pytest -q -s "$root/python/tests/test_torch_cuda.py" 2>&1 |
    tee "$logs/python-cuda-static.txt" | grep -E "passed|failed|cached launch|full tiling|cluster"
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

# LLVM's NVPTX pipeline without its straight-line strength reduction
# (--opt-disable=slsr: half of a bf16 full window's compile): each spec
# checked against float64 without it (lengths around tiles and iterations,
# three decay regimes), then timed with and without it, interleaved (twice
# for bf16).
slsr_bench() {
  [[ -n "${dir:-}" ]] || { dir="$(mktemp -d)"; full_specs "$dir"; }
  local spec shape
  # 70 channels, 22 per head: not multiples of the lanes' channel groups.
  for spec in bthd-bf16:2x16x3x22 bthd-head-bf16:2x16x3x22 bct-bf16:2x70x16; do
    shape="${spec#*:}" spec="${spec%%:*}"
    run_full "$spec" "$shape" -1 -1 --opt-disable=slsr
  done
  rm -f "$logs"/full-*opt-disable*.txt
  local rounds
  for spec in bthd-bf16 bthd-head-bf16 bct-bf16 bthd-f32 bct-f32; do
    shape=8x16384x1x1536; [[ $spec == bct-* ]] && shape=8x1536x16384
    rounds="1 2"; [[ $spec == *-f32 ]] && rounds=1
    for round in $rounds; do
      bench_full "$spec" "$shape" -1 -1
      bench_full "$spec" "$shape" -1 -1 --opt-disable=slsr
    done
  done
}

# Issue #8's benchmark, first half: the full scans beside the peers
# (bench/full_scan.py: SWR, accelerated-scan's Triton kernel, fla's
# chunk_hgrn, copy measured per shape) and the Phalanx example's forward and
# derived backward timed (swr-run). Carry peers/ (or peers.tar.xz, unpacked
# here: scripts/pack-peers.sh).
# run_bench SCRIPT TABLE ARGS...: python3 bench/SCRIPT.py ARGS, its table
# into $logs/TABLE.md and printed, its log kept back (its tail printed if
# it fails).
run_bench() {
  local script="$1" table="$2"
  shift 2
  echo "== bench/$script.py"
  python3 "$root/bench/$script.py" "$@" --out "$logs/$table.md" \
    >"$scratch/$table.txt" 2>&1 || { status=1; tail -30 "$scratch/$table.txt"; }
  cat "$logs/$table.md" 2>/dev/null
}

bench_scan() {
  unpack_peers
  example
  run_bench full_scan full-scan ${full_scan_args:-}
}

# Second half: the Phalanx mixing beside FlexAttention's SWA core
# (bench/phalanx_mix.py), then whole layers at D=2048 and the bands<2>
# kernels beside spear's (bench/phalanx_layer.py; spear's extension is built
# here from peers/spear with peers/cutlass, about 75 s).
bench_layer() {
  unpack_peers
  run_bench phalanx_mix phalanx-mix --channel-tiles= --time-lanes=
  local spear=()
  [[ -d "$root/peers/spear" ]] &&
    spear=(--spear "$root/peers/spear" --cutlass "$root/peers/cutlass")
  run_bench phalanx_layer phalanx-layer "${spear[@]}"
  # The bands<2> kernels across lengths at B·H·T constant (spear's
  # extension is cached by the layer run).
  run_bench phalanx_lengths phalanx-lengths "${spear[@]}"
}

# Issue #8's whole benchmark in one call: every table of bench_scan and
# bench_layer (session 17: 453 s together, before full_scan.py timed
# forward + backward too; if that runs past a call's 600 s, run
# bench_layer and bench_scan in two calls).
bench_all() {
  bench_scan
  bench_layer
}

# Sections to run (default all; full_cta_bench, full_grid_bench and
# full_grid_sweep only time): example exact full full_cta full_grid bands
# bands_bthd channel_tiles python_tests fused; on request only:
# profile_full, the sweeps full_block_sweep, full_bf16_sweep and
# full_bf16_default_sweep (checks, then timing), full_head64, reread_sweep,
# prefetch_sweep, defaults_bench, l2_prefetch_sweep, full_cluster,
# cluster_prefetch_bench, mma_checks; issue #8's benchmark: bench_scan,
# bench_layer (both: bench_all); slsr_bench; tiling_sweep, profile_btc, l2_lanes_sweep,
# static_rows, full_grad_sweep, full_grad_bthd_bf16, full_grad_bct_bf16,
# per_head_grad, per_head_tiling_sweep, per_head_bhdl_grad, staged_checks,
# staged_bench, staged_sweep, staged_group, btc_bound, bf16_bits,
# profile_btc_stalls, prefetch_order
# (prefetch_order_checks: its checks only), half_word_lanes, half_word_balance,
# half_word_odd, staged_recheck, bct_probe, frontend_gap, full_block_balance,
# register_reread, reread_default, graph_timing, sass_live, lever_sweep,
# bct_tiles, narrow_ctas, bct_f32_levers.
for section in "${@:-example exact full full_cta full_grid bands bands_bthd channel_tiles python_tests fused}"; do
  for name in $section; do "$name"; done
done
exit "$status"
