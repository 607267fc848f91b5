// RUN: swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 reread=1" | FileCheck %s
// RUN: swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1" | FileCheck %s --check-prefix=OFF
// RUN: not swr-opt %s --split-input-file --swr-tile-blocks="reread=2" 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: swr-opt %s --split-input-file --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 channel-tile=-1 reread=1 prefetch=1" | FileCheck %s --check-prefix=REG

// reread=1: after the carry exchange the tile's decays and inputs are read
// again and the recurrence is rerun from the carry (folded into the first
// row, u[0] + a[0] s, one carry per channel); no rank-1 swr.carry update,
// so only the terminals live across the exchange.
// CHECK-LABEL: func.func @full_reread
// CHECK: %[[A:.*]] = swr.read_tile %arg0{{.*}} -> vector<32x2xf32>
// CHECK: %[[X:.*]] = swr.read_tile %arg1{{.*}} -> vector<32x2xf32>
// CHECK: swr.transfer_operator %[[A]]
// CHECK: %[[S:.*]] = swr.carry_exchange {{.*}} level cta
// CHECK: %[[A2:.*]] = swr.read_tile %arg0{{.*}} -> vector<32x2xf32>
// CHECK: %[[X2:.*]] = swr.read_tile %arg1{{.*}} -> vector<32x2xf32>
// CHECK: %[[A20:.*]] = vector.extract %[[A2]][0] : vector<2xf32> from vector<32x2xf32>
// CHECK: %[[IN:.*]] = arith.mulf %[[S]], %[[A20]] : vector<2xf32>
// CHECK: %[[X20:.*]] = vector.extract %[[X2]][0] : vector<2xf32> from vector<32x2xf32>
// CHECK: %[[ROW:.*]] = arith.addf %[[X20]], %[[IN]] : vector<2xf32>
// CHECK: %[[SEED:.*]] = vector.insert %[[ROW]], %[[X2]] [0] : vector<2xf32> into vector<32x2xf32>
// CHECK: %[[L2:.*]], %{{.*}} = swr.transfer_operator %[[A2]]
// CHECK: %[[Y:.*]] = swr.local_solve %[[L2]], %[[SEED]]
// CHECK-NOT: swr.carry %
// CHECK: swr.write_tile %[[Y]]
// OFF-LABEL: func.func @full_reread
// OFF: swr.carry_exchange
// OFF: swr.carry %
// OFF-NOT: swr.read_tile
// OFF: swr.write_tile
// BAD: swr-tile-blocks: reread must be -1, 0 or 1, got 2

// reread=1 with prefetch=1: the tile is read again from its stored-width
// loop state, not from memory: widened at each row's use (pass 1: the
// tile's aggregates), the next tile's loads issued after that and before
// the exchange, then widened again (swr.widen_again: not merged with the
// first widening, so only the bf16 tile lives across the exchange).
// REG-LABEL: func.func @full_reread
// REG: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[A:.*]] = %{{.*}}, %[[X:.*]] = %{{.*}}) -> (vector<2xf32>, vector<32x2xbf16>, vector<32x2xbf16>)
// REG: %[[WA:.*]] = arith.extf %[[A]] {swr.widen_at_use}
// REG: %[[WX:.*]] = arith.extf %[[X]] {swr.widen_at_use}
// REG: swr.transfer_operator %[[WA]]
// REG: swr.local_solve %{{.*}}, %[[WX]]
// REG: %[[NA:.*]] = swr.read_tile %arg0
// REG: %[[NX:.*]] = swr.read_tile %arg1
// REG: swr.carry_exchange
// REG-NOT: swr.read_tile
// REG: %[[A2:.*]] = arith.extf %[[A]] {swr.widen_again, swr.widen_at_use}
// REG: arith.extf %[[X]] {swr.widen_again, swr.widen_at_use}
// REG: swr.transfer_operator %[[A2]]
// REG-NOT: swr.read_tile
// REG: swr.write_tile
func.func @full_reread(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                       %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}

// -----

// Per-head decays: the first decay is a scalar that scales the carries of
// the tile's channels.
// CHECK-LABEL: func.func @full_reread_head
// CHECK: swr.carry_exchange
// CHECK: %[[A2:.*]] = swr.read_tile %arg0{{.*}} -> vector<64xf32>
// CHECK: %[[A20:.*]] = vector.extract %[[A2]][0] : f32 from vector<64xf32>
// CHECK: %[[SPLAT:.*]] = vector.broadcast %[[A20]] : f32 to vector<2xf32>
// CHECK: arith.mulf %{{.*}}, %[[SPLAT]] : vector<2xf32>
// CHECK: swr.local_solve
func.func @full_reread_head(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                            %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}
