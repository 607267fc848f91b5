// RUN: swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 time-ctas=2" | FileCheck %s
// RUN: not swr-opt %s --split-input-file --swr-tile-blocks="time-ctas=17" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 time-ctas=2 grid-carries=1" 2>&1 | FileCheck %s --check-prefix=GRID

// time-ctas=2: two CTAs of a cluster, each of 4 warps with one time lane x
// 32 channels, share a sequence. The parallel loop's last dimension is
// the work item's 256 lanes (marked swr.cluster_ctas for swr-distribute);
// lane l is in warp l / 32 of the cluster (CTA rank * 4 + warp), its time
// lane; each iteration solves 8 tiles, one per warp, and the carries
// cross the cluster (level cluster).
// CHECK-LABEL: func.func @full_cluster
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %{{.*}}, %[[L:.*]]) = {{.*}} to (%{{.*}}, %{{.*}}, %{{.*}}, %c256) step (%c1, %c1, %c32, %c1)
// CHECK:   %[[WARP:.*]] = arith.divui %[[L]], %c32
// CHECK:   scf.for %{{.*}} = %{{.*}} to %{{.*}} step
// CHECK:     arith.muli %{{.*}}, %c8
// CHECK:     swr.carry_exchange %{{.*}}, %{{.*}} window full level cluster lanes 1 stride 32 warps 4 ctas 2 : vector<1xf32>
// CHECK: } {swr.cluster_ctas = 2 : i64}
// RANGE: swr-tile-blocks: time-ctas must be in [1, 16], got 17
// GRID: swr-tile-blocks: time-ctas=2 and grid-carries=1 both spread a sequence over CTAs; choose one
func.func @full_cluster(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                        %y: memref<?x?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}

// -----

// Over a time-innermost f32 axis: 32 time lanes on each of 4 warps per CTA;
// an iteration solves 256 tiles.
// CHECK-LABEL: func.func @full_cluster_bct
// CHECK: scf.parallel {{.*}} to (%{{.*}}, %{{.*}}, %c256) step (%c1, %c1, %c1)
// CHECK:   swr.carry_exchange {{.*}} level cluster lanes 32 stride 1 warps 4 ctas 2 : vector<1xf32>
// CHECK: } {swr.cluster_ctas = 2 : i64}
func.func @full_cluster_bct(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                            %y: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}
