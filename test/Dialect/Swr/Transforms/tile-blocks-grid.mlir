// RUN: swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 channel-tile=1 channel-fastest=1" | FileCheck %s --check-prefix=OFF
// RUN: not swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 grid-carries=1 channel-tile=1 channel-fastest=1" 2>/dev/null | FileCheck %s
// RUN: not swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 grid-carries=1 channel-tile=1 channel-fastest=1" 2>&1 >/dev/null | FileCheck %s --check-prefix=PACKED
// RUN: not swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=1 time-warps=1 grid-carries=1" 2>&1 | FileCheck %s --check-prefix=SERIAL
// RUN: not swr-opt %s --split-input-file --swr-tile-blocks="grid-carries=-1" 2>&1 | FileCheck %s --check-prefix=VALUE

// Off by default: no workspace, the warps walk the whole sequence.
// OFF-NOT: swr.workspace
// OFF-NOT: level grid

// grid-carries=1: every iteration of a full window's tile loop (4 warps x
// 16 steps over [B, T, C]) is its own work item. The parallel loop gets a
// time chunk of 64 steps outermost (the work items in flight at once then
// hold few chunks of each sequence, so a look-back ends a step or two
// back); the tile loop makes the chunk's one iteration; the carries go
// through a workspace added as the function's last argument, at the work
// item's slot among all of them: the chunks of a sequence and channel
// block are consecutive slots.
// CHECK-LABEL: func.func @full_bthd
// CHECK-SAME: %[[WS:[^:]*]]: memref<?xi32> {swr.workspace}
// CHECK: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[CHUNKS:.*]] = arith.ceildivui %[[T:.*]], %[[C64]]
// CHECK: %[[BLOCKS:.*]] = arith.ceildivui %{{.*}}, %c32
// CHECK-NEXT: %[[SLOTS:.*]] = arith.muli %{{.*}}, %[[BLOCKS]]
// CHECK: scf.parallel (%[[CHUNK:.*]], %[[B:.*]], %[[H:.*]], %[[C:.*]], %[[LANE:.*]]) = {{.*}} to (%[[T]], %{{.*}}, %{{.*}}, %{{.*}}, %c128) step (%[[C64]], %c1, %c1, %c32, %c1)
// CHECK: %[[G:.*]] = arith.divui %[[CHUNK]], %[[C64]]
// CHECK-NEXT: %[[BEFORE:.*]] = arith.muli %{{.*}}, %[[CHUNKS]]
// CHECK-NEXT: %[[SLOT:.*]] = arith.addi %[[BEFORE]], %[[G]]
// CHECK: %[[FIRST:.*]] = arith.divui %[[CHUNK]], %{{.*}}
// CHECK: %[[END:.*]] = arith.addi %[[FIRST]], %{{.*}}
// CHECK: scf.for %{{.*}} = %[[FIRST]] to %[[END]]
// CHECK: swr.carry_exchange {{.*}} window full level grid lanes 1 stride 32 warps 4 across(%[[WS]][%[[SLOT]] of %[[SLOTS]]] chunk %{{.*}} : memref<?xi32>)
// The final state: the last time lane of the chunk that reaches the end.
// CHECK: %[[LASTLANE:.*]] = arith.cmpi eq, %{{.*}}, %c3
// CHECK: %[[REACH:.*]] = arith.addi %[[CHUNK]], %{{.*}}
// CHECK: %[[LASTCHUNK:.*]] = arith.cmpi uge, %[[REACH]], %[[T]]
// CHECK: arith.andi %[[LASTLANE]], %[[LASTCHUNK]]
func.func @full_bthd(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                     %h0: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>,
                     %hT: memref<?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      init(%h0 : memref<?x?x?xf32>) output(%y : memref<?x?x?x?xf32>)
      final(%hT : memref<?x?x?xf32>)
  return
}

// -----

// Over [B, C, T] (one warp of 32 time lanes) the iterations of 512 steps
// are split over work items.
// CHECK-LABEL: func.func @full_bct
// CHECK-SAME: memref<?xi32> {swr.workspace}
// CHECK: step (%c512, %c1, %c1, %c1)
// CHECK: level grid lanes 32 stride 1 warps 1 across
func.func @full_bct(%a: memref<?x?x?xbf16>, %x: memref<?x?x?xbf16>,
                    %y: memref<?x?x?xbf16>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?xbf16>)
      output(%y : memref<?x?x?xbf16>)
  return
}

// -----

// Packed batches: an error (their sequences' chunks are not known from the
// shapes).
// PACKED: error: 'swr.scan' op swr-tile-blocks: grid-carries=1 does not take packed batches (seq_offsets)
func.func @packed_bthd(%a: memref<1x?x1x?xf32>, %x: memref<1x?x1x?xf32>,
                       %cu: memref<?xi64>, %y: memref<1x?x1x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<1x?x1x?xf32>) input(%x : memref<1x?x1x?xf32>)
      seq_offsets(%cu : memref<?xi64>) output(%y : memref<1x?x1x?xf32>)
  return
}

// SERIAL: error: 'swr.scan' op swr-tile-blocks: grid-carries=1 spreads the iterations of tiles dealt to lanes or warps; time-lanes and time-warps are both 1
// VALUE: error: 'swr.scan' op swr-tile-blocks: grid-carries must be 0 or 1, got -1
