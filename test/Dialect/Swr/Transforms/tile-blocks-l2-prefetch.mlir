// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 l2-prefetch=2" | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1" | FileCheck %s --check-prefix=OFF
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 l2-prefetch=-1" | FileCheck %s --check-prefix=AUTO
// RUN: not swr-opt %s --swr-tile-blocks="l2-prefetch=-2" 2>&1 | FileCheck %s --check-prefix=BAD

// l2-prefetch=2: each iteration first hints the decay and input tiles two
// iterations ahead (its tile index times the tiles per iteration, plus the
// lane's place), then reads and solves its own; all 32 lanes of a warp hold
// channels of the same steps (lanes 32).
// CHECK-LABEL: func.func @full_l2_prefetch
// CHECK: scf.for %[[G:.*]] = {{.*}} iter_args
// CHECK: %[[AHEAD:.*]] = arith.addi %[[G]], %c2
// CHECK: %[[TILE:.*]] = arith.muli %[[AHEAD]], %c4
// CHECK: %[[LANE:.*]] = arith.addi %[[TILE]], %{{.*}}
// CHECK: %[[POS:.*]] = arith.muli %[[LANE]], %c32
// CHECK: swr.prefetch_tile %arg0[{{.*}}] at %[[POS]] length %{{.*}} time 1 channel 3 steps 32 lanes 32 : memref<?x?x?x?xbf16>
// CHECK: swr.prefetch_tile %arg1[{{.*}}] at %[[POS]] length %{{.*}} time 1 channel 3 steps 32 lanes 32 : memref<?x?x?x?xbf16>
// CHECK: swr.read_tile %arg0
// OFF-LABEL: func.func @full_l2_prefetch
// OFF-NOT: swr.prefetch_tile
// BAD: swr-tile-blocks: l2-prefetch must be -1 or >= 0, got -2
// l2-prefetch=-1: one iteration ahead for 2-byte per-channel decays shared
// by warps over bthd (measured fastest), none for per-head decays.
// AUTO-LABEL: func.func @full_l2_prefetch
// AUTO: scf.for %[[G:.*]] = {{.*}} iter_args
// AUTO: %[[AHEAD:.*]] = arith.addi %[[G]], %c1
// AUTO: swr.prefetch_tile %arg0
// AUTO-LABEL: func.func @full_per_head
// AUTO-NOT: swr.prefetch_tile
func.func @full_l2_prefetch(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                            %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}

func.func @full_per_head(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                         %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}
