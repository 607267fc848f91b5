// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{channel-tile=1 time-lanes=32}),swr-distribute{block-size=256})' | FileCheck %s
// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{channel-tile=1 time-lanes=32}),swr-distribute{block-size=16})' | FileCheck %s --check-prefix=RAISED
// RUN: not swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{channel-tile=1 time-lanes=32}),swr-distribute{block-size=48})' 2>&1 | FileCheck %s --check-prefix=SIZE

// Time lanes: the parallel loop's last dimension (32 lanes) is not a
// dimension of an argument but the lanes of a warp that share one work
// item; the launch sizes the grid in items of 32 threads. The guard on the
// item count is uniform across each warp (256 is a multiple of 32), so
// every lane of a warp takes part in the shuffles.

// CHECK: gpu.func @full_bct
// CHECK-SAME: swr.threads_per_item = 32 : i64
// CHECK-SAME: swr.work_items = [array<i64: 1, 0, 1>, array<i64: 1, 1, 1>]
// CHECK: %[[ID:.*]] = arith.addi
// CHECK: %[[ACTIVE:.*]] = arith.cmpi ult, %[[ID]], %{{.*}}
// CHECK: scf.if %[[ACTIVE]]
// CHECK:   %[[LANE:.*]] = arith.remui %[[ID]], %{{.*}} : index
// CHECK:   scf.for
// CHECK:     swr.carry_exchange {{.*}} window full level warp lanes 32 stride 1

// A block smaller than one work item of whole warps is raised to it.
// RAISED: gpu.func @full_bct
// RAISED-SAME: known_block_size = array<i32: 32, 1, 1>
// RAISED-SAME: swr.threads_per_item = 32 : i64

// SIZE: error: 'scf.parallel' op swr-distribute: block-size 48 must be a multiple of the 32 lanes of the last dimension
func.func @full_bct(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                    %y: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}
