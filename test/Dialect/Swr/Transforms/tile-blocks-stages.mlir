// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 reread=-1 stages=3" | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 stages=-1" | FileCheck %s --check-prefix=OFF
// RUN: not swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 stages=1" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 stages=8" 2>&1 | FileCheck %s --check-prefix=BIG

// stages=3 over [B,T,C] bf16 (32 lanes x 2 channels, 4 warps, 32-step
// tiles): before the loop the tiles of iterations 0 and 1 are staged into
// slots 0 and 1 (decays: buffer 0, inputs: buffer 1), each group closed;
// each iteration stages the tile two iterations ahead into its slot
// (iteration mod 3), waits until at most 2 groups are in flight (its own
// has landed) and reads its tile from its slot, again after the carry
// exchange (reread).
// CHECK-LABEL: func.func @full_staged
// CHECK: %[[TILES:.*]] = arith.ceildivui
// CHECK: %[[ITERS:.*]] = arith.ceildivui %[[TILES]]
// CHECK: %[[FIRST:.*]] = arith.addi %[[BEGIN:.*]], %c0
// CHECK: scf.if %{{.*}} {
// CHECK:   swr.stage_tile %arg0[{{.*}}] at %{{.*}} length %{{.*}} time 1 channel 3 into 0 slot %{{.*}} of 3 steps 32 channels 2 lanes 32 : memref<?x?x?x?xbf16>
// CHECK:   swr.stage_tile %arg1[{{.*}}] at %{{.*}} length %{{.*}} time 1 channel 3 into 1 slot %{{.*}} of 3 steps 32 channels 2 lanes 32 : memref<?x?x?x?xbf16>
// CHECK: }
// CHECK: swr.stage_commit
// CHECK: scf.if
// CHECK: swr.stage_commit
// CHECK: scf.for %[[I:.*]] = %[[BEGIN]] to %[[ITERS]]
// CHECK:   %[[AHEAD:.*]] = arith.addi %[[I]], %c2
// CHECK:   %[[EXISTS:.*]] = arith.cmpi ult, %[[AHEAD]], %[[ITERS]]
// CHECK:   scf.if %[[EXISTS]] {
// CHECK:     %[[DIST:.*]] = arith.subi %[[AHEAD]], %[[BEGIN]]
// CHECK:     %[[SLOT:.*]] = arith.remui %[[DIST]], %c3
// CHECK:     swr.stage_tile %arg0{{.*}} into 0 slot %[[SLOT]] of 3
// CHECK:     swr.stage_tile %arg1{{.*}} into 1 slot %[[SLOT]] of 3
// CHECK:   }
// CHECK:   swr.stage_commit
// CHECK:   swr.stage_wait pending 2
// CHECK:   %[[OWN:.*]] = arith.remui %{{.*}}, %c3
// CHECK:   swr.read_staged 0 slot %[[OWN]] of 3 at %{{.*}} stored bf16 pad 1.000000e+00 : vector<32x2xf32>
// CHECK:   swr.read_staged 1 slot %[[OWN]] of 3 at %{{.*}} stored bf16 pad 0.000000e+00 : vector<32x2xf32>
// CHECK:   swr.carry_exchange
// CHECK:   swr.read_staged 0
// CHECK:   swr.read_staged 1
// CHECK-NOT: swr.read_tile
// CHECK:   swr.write_tile
// Per-head decays (rows of one 2-byte decay) are not staged.
// CHECK-LABEL: func.func @full_per_head
// CHECK-NOT: swr.stage_tile
// CHECK: swr.read_tile
// OFF-LABEL: func.func @full_staged
// OFF-NOT: swr.stage_tile
// BAD: swr-tile-blocks: stages must be -1, 0 or >= 2, got 1
// BIG: swr-tile-blocks: stages=8 needs 262144 bytes of shared memory per CTA (32 steps x 128 threads x 8 bytes per slot), more than 204800
func.func @full_staged(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
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
