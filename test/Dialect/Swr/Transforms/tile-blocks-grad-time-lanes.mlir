// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-fastest=1" --split-input-file | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=1 time-warps=-1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=ONE
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=PAIRS

// The backward of a full window with per-channel decays is a scan in
// mirrored time (FullWindowGrad.cpp), so its tiles are dealt to time lanes
// and warps as the forward's are. In [B, C, T] 4 warps of 32 time lanes
// take 4-step f32 tiles of one channel (16 bytes per lane and operand):
// iteration g solves tile (g * 4 + warp) * 32 + lane, joined by a CTA-level
// carry exchange; the last time lane (127) writes dh0.
// CHECK-LABEL: func.func @full_grad_bct
// CHECK: %[[C128:.*]] = arith.constant 128 : index
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %[[LANE:.*]]) = {{.*}} to (%{{.*}}, %{{.*}}, %[[C128]])
// CHECK: %[[WARP:.*]] = arith.divui %[[LANE]], %c32
// CHECK: %[[FIRST:.*]] = arith.muli %[[WARP]], %c32
// CHECK: %[[INWARP:.*]] = arith.remui %[[LANE]], %c32
// CHECK: %[[TL:.*]] = arith.divui %[[INWARP]], %c1
// CHECK: %[[TIMELANE:.*]] = arith.addi %[[FIRST]], %[[TL]]
// CHECK: %[[TILES:.*]] = arith.ceildivui %{{.*}}, %c4
// CHECK: %[[GROUPS:.*]] = arith.ceildivui %[[TILES]], %c128
// CHECK: scf.for %[[G:.*]] = %{{.*}} to %[[GROUPS]]
// CHECK:   %[[BASE:.*]] = arith.muli %[[G]], %c128
// CHECK:   arith.addi %[[BASE]], %[[TIMELANE]]
// CHECK:   swr.read_tile %arg0{{.*}} reverse pad 1.0{{.*}} -> vector<4xf32>
// CHECK:   swr.read_tile %arg4{{.*}} reverse pad 0.0{{.*}} -> vector<4xf32>
// CHECK:   swr.carry_exchange {{.*}} window full level cta lanes 32 stride 1 warps 4
// CHECK:   swr.read_tile %arg3{{.*}} reverse pad 0.0{{.*}} -> vector<4xf32>
// CHECK:   swr.write_tile %{{.*}}, %arg5{{.*}} reverse
// CHECK:   swr.write_tile %{{.*}}, %arg6{{.*}} reverse
// CHECK: arith.cmpi eq, %[[TIMELANE]], %c127
// CHECK-NEXT: scf.if
// CHECK-NEXT: vector.transfer_write %{{.*}}, %arg7
// time-lanes=1 keeps one thread per channel, the tiles walked serially.
// ONE-LABEL: func.func @full_grad_bct
// ONE: swr.carry_exchange {{.*}} window full level serial
func.func @full_grad_bct(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                         %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>,
                         %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>,
                         %da: memref<?x?x?xf32>, %dh0: memref<?x?xf32>) {
  swr.scan_grad full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
      grad_output(%dy : memref<?x?x?xf32>) grad_input(%dx : memref<?x?x?xf32>)
      grad_decay(%da : memref<?x?x?xf32>) grad_init(%dh0 : memref<?x?xf32>)
  return
}

// -----

// Over [B, T, H, D] the lanes of each warp take 32 adjacent channels and
// 4 warps share the time, through a CTA-level exchange; a reversed scan's
// backward walks time forwards.
// CHECK-LABEL: func.func @full_grad_bthd_reverse
// CHECK: step (%c1, %c1, %c32, %c1)
// CHECK: swr.read_tile %arg0{{.*}} time 1 channel 3 pad 1.0{{.*}} -> vector<16x1xf32>
// CHECK: swr.carry_exchange {{.*}} window full level cta lanes 1 stride 32 warps 4
// ONE-LABEL: func.func @full_grad_bthd_reverse
// ONE: swr.carry_exchange {{.*}} window full level serial
func.func @full_grad_bthd_reverse(
    %a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
    %y: memref<?x?x?x?xf32>, %dy: memref<?x?x?x?xf32>,
    %dx: memref<?x?x?x?xf32>, %da: memref<?x?x?x?xf32>) {
  swr.scan_grad full layout bthd sharing per_channel reverse
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
      grad_output(%dy : memref<?x?x?x?xf32>) grad_input(%dx : memref<?x?x?x?xf32>)
      grad_decay(%da : memref<?x?x?x?xf32>)
  return
}

// -----

// bf16 over [B, T, C] with channel-tile=-1: like the forward, each lane takes
// 2 adjacent channels (a 4-byte access per step) on 32-step tiles, so the
// 32 lanes of a warp cover 64 channels; one transfer operator and one carry
// per channel of the pair. The bf16 y would round the states: they are
// recomputed from x (the transposed solve).
// PAIRS-LABEL: func.func @full_grad_bthd_bf16
// PAIRS: step (%c1, %c1, %c64, %c1)
// PAIRS: swr.read_tile %arg0{{.*}} reverse pad 1.0{{.*}} -> vector<32x2xf32>
// PAIRS: swr.local_solve %{{.*}}, %{{.*}} : vector<2x32x32xf32>, vector<32x2xf32>
// PAIRS: swr.carry_exchange {{.*}} window full level cta lanes 1 stride 32 warps 4 : vector<2xf32> per_channel
// PAIRS: swr.read_tile %arg1{{.*}} -> vector<32x2xf32>
// PAIRS: swr.read_tile %arg2{{.*}} -> vector<1x2xf32>
// PAIRS: swr.local_solve transpose
// PAIRS: swr.write_tile %{{.*}}, %arg4{{.*}} : vector<32x2xf32>
// PAIRS: swr.write_tile %{{.*}}, %arg5{{.*}} : vector<32x2xf32>
func.func @full_grad_bthd_bf16(
    %a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
    %y: memref<?x?x?x?xbf16>, %dy: memref<?x?x?x?xbf16>,
    %dx: memref<?x?x?x?xbf16>, %da: memref<?x?x?x?xbf16>) {
  swr.scan_grad full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
      grad_output(%dy : memref<?x?x?x?xbf16>) grad_input(%dx : memref<?x?x?x?xbf16>)
      grad_decay(%da : memref<?x?x?x?xbf16>)
  return
}
