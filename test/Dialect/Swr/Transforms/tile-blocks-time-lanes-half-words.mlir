// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 full-block=-1 prefetch=-1 channel-tile=1 channel-fastest=1" | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 full-block=-1 prefetch=0 channel-tile=1 channel-fastest=1" | FileCheck %s --check-prefix=NOPREFETCH
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 full-block=16 prefetch=-1 channel-tile=1 channel-fastest=1" | FileCheck %s --check-prefix=BLOCK16

// full-block=-1 on 32 time lanes over a time-innermost axis: the prefetched
// forward of a 2-byte full window with per-channel decays takes 32-step
// tiles (64 bytes per lane and operand in flight; 97.5% of copy on the H200
// at B8 C1536 T16384 bf16 against 95.7% with 16 steps); without the
// prefetch it keeps `block` (16), as does an explicit full-block.

// CHECK-LABEL: func.func @full_bct_bf16
// CHECK: arith.ceildivui %{{.*}}, %c32
// CHECK: swr.read_tile %arg0{{.*}} -> vector<32xf32>
// CHECK: swr.read_tile %arg1{{.*}} -> vector<32xf32>
// CHECK: scf.for

// NOPREFETCH-LABEL: func.func @full_bct_bf16
// NOPREFETCH: arith.ceildivui %{{.*}}, %c16
// NOPREFETCH: swr.read_tile %arg0{{.*}} -> vector<16xf32>

// BLOCK16-LABEL: func.func @full_bct_bf16
// BLOCK16: arith.ceildivui %{{.*}}, %c16
// BLOCK16: swr.read_tile %arg0{{.*}} -> vector<16xf32>
func.func @full_bct_bf16(%a: memref<?x?x?xbf16>, %x: memref<?x?x?xbf16>,
                         %y: memref<?x?x?xbf16>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?xbf16>)
      output(%y : memref<?x?x?xbf16>)
  return
}
