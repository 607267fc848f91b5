// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{channel-tile=1 lane-reduction=1}),swr-distribute)' | FileCheck %s

// The backward of a per-head scan with D = 16 static and one channel per
// work item: the channel blocks are the fastest work-item dimension, and
// the decay gradient is summed over a head's 16 lanes by a butterfly of
// shuffles masked to the lane's group of 16; its first lane writes.

// CHECK: gpu.func @phalanx_swr_backward
// CHECK-SAME: swr.work_items = [array<i64: 1, 0, 1>, array<i64: 1, 1, 1>, array<i64: 1, 2, 1>]
// CHECK: %[[LANE:.*]] = nvvm.read.ptx.sreg.laneid
// CHECK: %[[FIRST:.*]] = arith.andi %[[LANE]], %c-16_i32
// CHECK: %[[MASK:.*]] = arith.shli %c65535_i32, %[[FIRST]]
// CHECK: nvvm.shfl.sync bfly %[[MASK]], %{{.*}}, %c1_i32, %c31_i32 : f32 -> f32
// CHECK: nvvm.shfl.sync bfly %[[MASK]], %{{.*}}, %c2_i32, %c31_i32 : f32 -> f32
// CHECK: nvvm.shfl.sync bfly %[[MASK]], %{{.*}}, %c4_i32, %c31_i32 : f32 -> f32
// CHECK: nvvm.shfl.sync bfly %[[MASK]], %{{.*}}, %c8_i32, %c31_i32 : f32 -> f32
// CHECK-NOT: swr.channel_sum
// CHECK: arith.cmpi eq, %{{.*}}, %c0
// CHECK: scf.if
// CHECK: swr.write_tile
func.func @phalanx_swr_backward(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                                %dy: memref<?x?x16x?xbf16>,
                                %dx: memref<?x?x16x?xbf16>,
                                %da: memref<?x?x?xbf16>) {
  swr.scan_grad bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      grad_output(%dy : memref<?x?x16x?xbf16>)
      grad_input(%dx : memref<?x?x16x?xbf16>)
      grad_decay(%da : memref<?x?x?xbf16>)
  return
}
