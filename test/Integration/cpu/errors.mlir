// Impossible shapes and runs give a clear error, never a crash.
// RUN: not swr-run %s --shape 2x3x16 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not swr-run %s --shape 2x3x8x100 2>&1 | FileCheck %s --check-prefix=STATIC
// RUN: not swr-run %s 2>&1 | FileCheck %s --check-prefix=NOSHAPE
// RUN: not swr-run %s --shape 2x3x16x10 --decays warm 2>&1 | FileCheck %s --check-prefix=REGIME
// RUN: not swr-run %s --shape 2x3x16x10 --seq-lens 3,4 2>&1 | FileCheck %s --check-prefix=PACKED
// RUN: not swr-run %s --shape 2x3x16x10 --target gfx90a 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not swr-run %s --shape 2x3x16x10 --bench 2>&1 | FileCheck %s --check-prefix=BENCH
// RUN: %if !cuda-driver %{ not swr-run %s --shape 2x3x16x10 --target sm_90a 2>&1 | FileCheck %s --check-prefix=NODRIVER %}
// RUN: not swr-run %s --shape 2x3x16x10 --function nope 2>&1 | FileCheck %s --check-prefix=FUNC
// RUN: not swr-run %s --shape 2x3x16x10 --method cubic 2>&1 | FileCheck %s --check-prefix=METHOD

// RANK: swr-run: error: --shape: layout bhdl takes rank 4 [B, H, D, L], got 3 dimensions
// STATIC: swr-run: error: input: dimension 2 of the spec is 16 but the run asks for 8
// NOSHAPE: swr-run: error: --shape: give the input shape
// REGIME: swr-run: error: --decays: expected near1, spread, near0 or signed, got 'warm'
// PACKED: swr-run: error: --seq-lens: the spec's scan takes no seq_offsets
// TARGET: swr-run: error: --target: expected host or an NVIDIA chip such as sm_90a, got 'gfx90a'
// BENCH: swr-run: error: --bench: times GPU kernels; give --target=sm_90a
// NODRIVER: swr-run: error: initialising CUDA: no CUDA driver
// FUNC: swr-run: error: no function @nope with a swr.scan
// METHOD: swr-tile-blocks: method must be running_product or log_space, got 'cubic'
func.func @k(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  swr.scan full layout bhdl sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x16x?xf32>)
      output(%y : memref<?x?x16x?xf32>)
  return
}
