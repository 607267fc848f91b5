// RUN: swr-opt %s --swr-tile-blocks="time-lanes=2 time-warps=4 full-block=-1 channel-tile=-1" | FileCheck %s

// 2-byte elements over [B, T, H, D] shared by warps take 2 channels per
// lane and 32-step tiles with named time lanes too: with 2, 16 lanes of
// each time lane take 32 adjacent channels (a CTA's channel block), so a
// batch has twice as many CTAs as with 64-channel blocks.
// CHECK-LABEL: func.func @half_words_on_two_lanes
// CHECK: step (%c1, %c1, %c32, %c1)
// CHECK: arith.divui %{{.*}}, %c16
// CHECK: swr.read_tile %arg0{{.*}} -> vector<32x2xf32>
// CHECK: swr.carry_exchange {{.*}} window full level cta lanes 2 stride 16 warps 4 : vector<2xf32>
func.func @half_words_on_two_lanes(%a: memref<?x?x?x?xbf16>,
                                   %x: memref<?x?x?x?xbf16>,
                                   %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}
