// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 channel-fastest=1 lane-reduction=1" --split-input-file | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks --split-input-file | FileCheck %s --check-prefix=SERIAL

// The backward of a full window with per-head decays over [B, T, H, D] is
// a scan in mirrored time like the per-channel one (FullWindowGrad.cpp):
// 8 warps share the time through a CTA-level exchange, a head's D = 64
// bf16 channels lie on the 32 lanes of a warp (2 each, 32-step tiles), and
// da[t], the sum over the head's channels of dh[t] y[t-1], is summed over
// the lane's channels, then by swr.channel_sum over the head's 32 lanes;
// its first lane writes.
// CHECK-LABEL: func.func @full_grad_heads_bf16
// CHECK: scf.parallel {{.*}} step (%c1, %c1, %c64, %c1)
// CHECK: scf.for
// CHECK: swr.read_tile %arg0{{.*}} time 1 reverse pad 1.0{{.*}} : memref<?x?x8xbf16> -> vector<32xf32>
// CHECK: swr.read_tile %arg3{{.*}} time 1 channel 3 reverse pad 0.0{{.*}} -> vector<32x2xf32>
// CHECK: swr.carry_exchange {{.*}} window full level cta lanes 1 stride 32 warps 8 : vector<2xf32>
// CHECK: swr.write_tile %{{.*}}, %arg4{{.*}} : vector<32x2xf32>
// CHECK: %[[SUM:.*]] = swr.channel_sum %{{.*}} group 32 : vector<32xf32>
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK: scf.if %[[FIRST]]
// CHECK-NEXT: swr.write_tile %[[SUM]], %arg5{{.*}} : vector<32xf32>, memref<?x?x8xbf16>
// The CPU pipeline's options (no lane reduction, one thread per sequence):
// the same mirrored scan, one thread on the whole head; its bf16 states
// are recomputed from x by the transposed solve, seeded by one row of y.
// SERIAL-LABEL: func.func @full_grad_heads_bf16
// SERIAL: swr.carry_exchange {{.*}} window full level serial : vector<64xf32>
// SERIAL: swr.read_tile %arg2{{.*}} -> vector<1x64xf32>
// SERIAL: swr.local_solve transpose
// SERIAL-NOT: swr.channel_sum
func.func @full_grad_heads_bf16(
    %a: memref<?x?x8xbf16>, %x: memref<?x?x8x64xbf16>,
    %y: memref<?x?x8x64xbf16>, %dy: memref<?x?x8x64xbf16>,
    %dx: memref<?x?x8x64xbf16>, %da: memref<?x?x8xbf16>) {
  swr.scan_grad full layout bthd sharing per_head
      decay(%a : memref<?x?x8xbf16>) input(%x : memref<?x?x8x64xbf16>)
      output(%y : memref<?x?x8x64xbf16>)
      grad_output(%dy : memref<?x?x8x64xbf16>)
      grad_input(%dx : memref<?x?x8x64xbf16>)
      grad_decay(%da : memref<?x?x8xbf16>)
  return
}

// -----

// D = 128 f32: 4 channels per lane keep the head on one warp, and the
// tiles shrink to 16 steps (64 elements per lane).
// CHECK-LABEL: func.func @full_grad_heads_f32_wide
// CHECK: scf.parallel {{.*}} step (%c1, %c1, %c128, %c1)
// CHECK: swr.read_tile %arg3{{.*}} -> vector<16x4xf32>
// CHECK: swr.carry_exchange {{.*}} level cta {{.*}} : vector<4xf32>
// CHECK: swr.channel_sum %{{.*}} group 32 : vector<16xf32>
func.func @full_grad_heads_f32_wide(
    %a: memref<?x?x8xf32>, %x: memref<?x?x8x128xf32>,
    %y: memref<?x?x8x128xf32>, %dy: memref<?x?x8x128xf32>,
    %dx: memref<?x?x8x128xf32>, %da: memref<?x?x8xf32>) {
  swr.scan_grad full layout bthd sharing per_head
      decay(%a : memref<?x?x8xf32>) input(%x : memref<?x?x8x128xf32>)
      output(%y : memref<?x?x8x128xf32>)
      grad_output(%dy : memref<?x?x8x128xf32>)
      grad_input(%dx : memref<?x?x8x128xf32>)
      grad_decay(%da : memref<?x?x8xf32>)
  return
}

// -----

// D = 16 f32: one channel per lane on 32-step tiles, the head on 16 lanes.
// CHECK-LABEL: func.func @full_grad_heads_f32_narrow
// CHECK: swr.read_tile %arg3{{.*}} -> vector<32x1xf32>
// CHECK: swr.channel_sum %{{.*}} group 16 : vector<32xf32>
func.func @full_grad_heads_f32_narrow(
    %a: memref<?x?x8xf32>, %x: memref<?x?x8x16xf32>,
    %y: memref<?x?x8x16xf32>, %dy: memref<?x?x8x16xf32>,
    %dx: memref<?x?x8x16xf32>, %da: memref<?x?x8xf32>) {
  swr.scan_grad full layout bthd sharing per_head
      decay(%a : memref<?x?x8xf32>) input(%x : memref<?x?x8x16xf32>)
      output(%y : memref<?x?x8x16xf32>)
      grad_output(%dy : memref<?x?x8x16xf32>)
      grad_input(%dx : memref<?x?x8x16xf32>)
      grad_decay(%da : memref<?x?x8xf32>)
  return
}

// -----

// A dynamic D cannot be laid on a warp's lanes: the tile-by-tile walk of
// one thread per head (TileScanGrad.cpp) takes it, in blocks of 16.
// CHECK-LABEL: func.func @full_grad_heads_dynamic
// CHECK: swr.carry_exchange {{.*}} window full level serial : vector<16xf32>
// CHECK-NOT: swr.channel_sum
func.func @full_grad_heads_dynamic(
    %a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
    %y: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>,
    %dx: memref<?x?x?x?xbf16>, %da: memref<?x?x?xbf16>) {
  swr.scan_grad full layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
      grad_output(%dy : memref<?x?x?x?xbf16>)
      grad_input(%dx : memref<?x?x?x?xbf16>)
      grad_decay(%da : memref<?x?x?xbf16>)
  return
}

// -----

// A static head of 48 channels neither: 2 channels per lane leave 24 lanes,
// not a power-of-2 group that swr.channel_sum can add up (headLaneGroup),
// so one thread walks the head, the whole head per block.
// CHECK-LABEL: func.func @full_grad_heads_48
// CHECK: swr.read_tile %arg3{{.*}} -> vector<16x48xf32>
// CHECK: swr.carry_exchange {{.*}} window full level serial : vector<48xf32>
// CHECK-NOT: swr.channel_sum
func.func @full_grad_heads_48(
    %a: memref<?x?x8xbf16>, %x: memref<?x?x8x48xbf16>,
    %y: memref<?x?x8x48xbf16>, %dy: memref<?x?x8x48xbf16>,
    %dx: memref<?x?x8x48xbf16>, %da: memref<?x?x8xbf16>) {
  swr.scan_grad full layout bthd sharing per_head
      decay(%a : memref<?x?x8xbf16>) input(%x : memref<?x?x8x48xbf16>)
      output(%y : memref<?x?x8x48xbf16>)
      grad_output(%dy : memref<?x?x8x48xbf16>)
      grad_input(%dx : memref<?x?x8x48xbf16>)
      grad_decay(%da : memref<?x?x8xbf16>)
  return
}
