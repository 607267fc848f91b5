// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{time-lanes=-1 time-warps=-1 time-ctas=2}),swr-distribute{block-size=512})' | FileCheck %s

// A work item over the CTAs of a cluster (swr.cluster_ctas = 2 on the
// parallel loop, 256 lanes): each CTA is the item's 128 threads whatever
// block-size says, in clusters of 2 (nvvm.cluster_dim: PTX
// .reqnctapercluster); the launch sizes the grid in items of 256 threads,
// two blocks each. The guard on the item count is uniform over a cluster.
// CHECK: gpu.func @full_cluster
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK-SAME: nvvm.cluster_dim = array<i32: 2, 1, 1>
// CHECK-SAME: swr.threads_per_item = 256 : i64
// CHECK-SAME: swr.work_items = [array<i64: 1, 0, 1>, array<i64: 1, 2, 1>, array<i64: 1, 3, 32>]
// CHECK: %[[ID:.*]] = arith.addi
// CHECK: %[[ACTIVE:.*]] = arith.cmpi ult, %[[ID]], %{{.*}}
// CHECK: scf.if %[[ACTIVE]]
// CHECK:   arith.remui %[[ID]], %{{.*}} : index
// CHECK:   swr.carry_exchange {{.*}} level cluster lanes 1 stride 32 warps 4 ctas 2
// CHECK-NOT: swr.cluster_ctas
func.func @full_cluster(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                        %y: memref<?x?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}
