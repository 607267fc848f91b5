// RUN: swr-opt %s --split-input-file --swr-tile-blocks="channel-tile=-1 time-chunk=2" | FileCheck %s
// RUN: swr-opt %s --split-input-file --swr-tile-blocks="channel-tile=2 time-chunk=2" | FileCheck %s --check-prefix=TWO
// RUN: swr-opt %s --split-input-file --swr-tile-blocks="channel-tile=-1 time-lanes=-1 time-warps=-1 full-block=-1" | FileCheck %s --check-prefix=WARPS

// channel-tile=-1: bands<k> in time chunks over bthd with per-head decays
// and a static head dimension take the largest power of 2 of at most 8
// dividing it (each step of a tile one vector access over the channels).
// CHECK-LABEL: func.func @bands_d16
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x8xf32>
// TWO-LABEL: func.func @bands_d16
// TWO: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x2xf32>
func.func @bands_d16(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x16xbf16>,
                     %y: memref<?x?x?x16xbf16>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x16xbf16>)
      output(%y : memref<?x?x?x16xbf16>)
  return
}

// -----

// CHECK-LABEL: func.func @bands_d12
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x4xf32>
func.func @bands_d12(%a: memref<?x?x?xf32>, %x: memref<?x?x?x12xf32>,
                     %y: memref<?x?x?x12xf32>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x12xf32>)
      output(%y : memref<?x?x?x12xf32>)
  return
}

// -----

// A dynamic head dimension or a full window: one channel per thread.
// CHECK-LABEL: func.func @bands_dynamic
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x1xf32>
func.func @bands_dynamic(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                         %y: memref<?x?x?x?xf32>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @full_d16
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x1xf32>
func.func @full_d16(%a: memref<?x?x?xf32>, %x: memref<?x?x?x16xf32>,
                    %y: memref<?x?x?x16xf32>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x16xf32>)
      output(%y : memref<?x?x?x16xf32>)
  return
}

// -----

// Per-channel decays (with -1 only): the decays are input-shaped tiles too,
// so 4 channels (2 tiles of 4: 8 channels); each channel has its
// own operator and total decay. An explicit channel-tile names per-head
// blocks only.
// CHECK-LABEL: func.func @bands_per_channel
// CHECK: %[[A:.*]] = swr.read_tile %{{.*}} time 1 channel 3 pad 1.0{{.*}} -> vector<16x4xf32>
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x4xf32>
// CHECK: swr.transfer_operator %[[A]] method running_product : vector<16x4xf32> -> vector<4x16x16xf32>, vector<16x4xf32>
// CHECK: swr.carry_exchange {{.*}} window bands<2> level serial : vector<4xf32> per_channel
// TWO-LABEL: func.func @bands_per_channel
// TWO: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x1xf32>
func.func @bands_per_channel(%a: memref<?x?x?x16xbf16>,
                             %x: memref<?x?x?x16xbf16>,
                             %y: memref<?x?x?x16xbf16>) {
  swr.scan bands<2> layout bthd sharing per_channel
      decay(%a : memref<?x?x?x16xbf16>) input(%x : memref<?x?x?x16xbf16>)
      output(%y : memref<?x?x?x16xbf16>)
  return
}

// -----

// Full windows of 2-byte elements shared by the warps of a CTA over
// [B, T, H, D] (time-warps=-1: 4): two channels per lane, each step one
// 4-byte access, and 32-step tiles (full-block=-1), a dynamic D's last
// block masked; per-channel decays come in the same blocks. f32 keeps one
// channel and 16 steps.
// WARPS-LABEL: func.func @full_warps_bf16
// WARPS: scf.parallel {{.*}} to (%{{.*}}, %{{.*}}, %{{.*}}, %c128) step (%c1, %c1, %c64, %c1)
// WARPS: swr.read_tile %{{.*}} time 1 channel 3 pad 1.0{{.*}} -> vector<32x2xf32>
// WARPS: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<32x2xf32>
// WARPS: swr.local_solve %{{.*}}, %{{.*}} : vector<2x32x32xf32>, vector<32x2xf32>
// WARPS: swr.carry_exchange {{.*}} window full level cta lanes 1 stride 32 warps 4 : vector<2xf32> per_channel
func.func @full_warps_bf16(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                           %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}

// -----

// Per-head decays: 64-step tiles. The 32 lanes of a warp hold 64 channels
// of one head at one time tile: their solves share the operator
// (warp_shared, for tensor cores).
// WARPS-LABEL: func.func @full_warps_head_bf16
// WARPS: swr.read_tile %{{.*}} time 1 pad 1.0{{.*}} -> vector<64xf32>
// WARPS: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<64x2xf32>
// WARPS: swr.local_solve warp_shared %{{.*}}, %{{.*}} : vector<64x64xf32>, vector<64x2xf32>
func.func @full_warps_head_bf16(%a: memref<?x?x?xbf16>,
                                %x: memref<?x?x?x?xbf16>,
                                %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}

// -----

// WARPS-LABEL: func.func @full_warps_f32
// WARPS: step (%c1, %c1, %c32, %c1)
// WARPS: swr.read_tile %{{.*}} time 1 channel 3 pad 1.0{{.*}} -> vector<16x1xf32>
func.func @full_warps_f32(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                          %y: memref<?x?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}

// -----

// Fused regions (not measured with longer tiles) keep one channel and the
// 16-step tile.
// WARPS-LABEL: func.func @full_warps_fused_bf16
// WARPS: swr.read_tile %{{.*}} time 1 pad 1.0{{.*}} -> vector<16xf32>
// WARPS: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x1xf32>
func.func @full_warps_fused_bf16(%za: memref<?x?x?xbf16>,
                                 %v: memref<?x?x?x?xbf16>,
                                 %out: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_head
      decay(%za : memref<?x?x?xbf16>) input(%v : memref<?x?x?x?xbf16>)
      output(%out : memref<?x?x?x?xbf16>)
      prologue {
      ^bb0(%za_s: f32, %v_s: f32):
        %one = arith.constant 1.0 : f32
        %n = arith.negf %za_s : f32
        %e = math.exp %n : f32
        %d = arith.addf %one, %e : f32
        %a = arith.divf %one, %d : f32
        swr.yield %a, %v_s : f32, f32
      }
  return
}
