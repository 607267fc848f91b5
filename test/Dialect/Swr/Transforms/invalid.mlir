// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-to-loops))' --split-input-file --verify-diagnostics
// RUN: not swr-opt %s --swr-tile-blocks="method=cubic" 2>&1 | FileCheck %s --check-prefix=METHOD
// RUN: not swr-opt %s --swr-tile-blocks="block=0" 2>&1 | FileCheck %s --check-prefix=BLOCK
// RUN: not swr-opt %s --swr-tile-blocks="channel-tile=-2" 2>&1 | FileCheck %s --check-prefix=CHANNELS

// METHOD: swr-tile-blocks: method must be running_product or log_space, got 'cubic'
// BLOCK: swr-tile-blocks: block must be >= 1 and channel-tile -1 or >= 1, got 0 and 16
// CHANNELS: swr-tile-blocks: block must be >= 1 and channel-tile -1 or >= 1, got 16 and -2

func.func @exchange_outside_loop(%t: vector<4xf32>, %c: f32) -> vector<4xf32> {
  // expected-error @below {{'swr.carry_exchange' op level serial: expected to be directly inside the scf.for over tiles}}
  %s = swr.carry_exchange %c, %t window full level serial : vector<4xf32>
  return %s : vector<4xf32>
}

// -----

func.func @exchange_at_cluster_level_outside_a_cluster(%n: index, %t: vector<4xf32>, %c: f32, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @below {{level cluster: expected a gpu.func kernel of blocks of 128 threads (4 warps) in clusters of 2 (nvvm.cluster_dim; run swr-distribute first)}}
    %s = swr.carry_exchange %c, %t window full level cluster lanes 1 stride 32 warps 4 ctas 2 : vector<4xf32>
    vector.transfer_write %s, %out[%c0] : vector<4xf32>, memref<4xf32>
  }
  return
}

// -----

func.func @cta_exchange_outside_a_kernel(%n: index, %t: vector<4xf32>, %c: f32, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @below {{level cta: expected a gpu.func kernel whose known block size is a multiple of the 128 threads of 4 warps (run swr-distribute first)}}
    %s = swr.carry_exchange %c, %t window full level cta lanes 4 stride 8 warps 4 : vector<4xf32>
    vector.transfer_write %s, %out[%c0] : vector<4xf32>, memref<4xf32>
  }
  return
}

// -----

func.func @init_inside_loop(%n: index, %t: vector<4xf32>, %c: f32, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %h0 = arith.addf %t, %t : vector<4xf32>
    // expected-error @below {{init: expected a value defined outside the tile loop}}
    %s = swr.carry_exchange %c, %t init(%h0 : vector<4xf32>) window full level serial : vector<4xf32>
    vector.transfer_write %s, %out[%c0] : vector<4xf32>, memref<4xf32>
  }
  return
}

// -----

func.func @window_exchange_at_cta_level(%n: index, %r: vector<16x2xf32>, %c: f32, %out: memref<16x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @below {{level: the host lowering carries only `serial` exchanges}}
    %x = swr.window_exchange %c, %r window exact<40> level cta : vector<16x2xf32>
    vector.transfer_write %x, %out[%c0, %c0] : vector<16x2xf32>, memref<16x2xf32>
  }
  return
}


// -----

// Level warp bands<k> with one decay per channel is not lowered (swr-tile-blocks
// keeps such windows at level serial).
func.func @channel_block_warp_bands(%n: index, %t: vector<2xf32>, %c: vector<2xf32>, %out: memref<2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    // expected-error @below {{level warp: bands<k> windows with one decay per channel are not lowered yet}}
    %s = swr.carry_exchange %c, %t window bands<2> level warp lanes 4 stride 8
        : vector<2xf32> per_channel
    vector.transfer_write %s, %out[%c0] {in_bounds = [true]} : vector<2xf32>, memref<2xf32>
  }
  return
}

// -----

func.func @exchange_at_grid_level_outside_a_kernel(%t: vector<1xf32>, %c: f32, %ws: memref<?xi32>, %i: index, %out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{level grid: expected a gpu.func kernel whose known block size is a multiple of the 128 threads of 4 warps (run swr-distribute first)}}
  %s = swr.carry_exchange %c, %t window full level grid lanes 1 stride 32 warps 4 across(%ws[%i of %i] chunk %i : memref<?xi32>) : vector<1xf32>
  vector.transfer_write %s, %out[%c0] : vector<1xf32>, memref<1xf32>
  return
}

