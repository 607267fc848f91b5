// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 channel-tile=1 channel-fastest=1" --split-input-file | FileCheck %s
// RUN: not swr-opt %s --swr-tile-blocks="time-lanes=4 channel-tile=1 channel-fastest=1" --split-input-file 2>&1 | FileCheck %s --check-prefix=FOUR
// RUN: not swr-opt %s --swr-tile-blocks="time-lanes=3" --split-input-file 2>&1 | FileCheck %s --check-prefix=ODD
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 full-block=-1 channel-tile=1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=STEPS
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=4 channel-tile=1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=WARPS
// RUN: not swr-opt %s --swr-tile-blocks="time-warps=64" 2>&1 | FileCheck %s --check-prefix=MANY
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=1 time-warps=-1 channel-tile=1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=ONE
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 full-block=-1 prefetch=1 channel-tile=1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=PREFETCH

// Full windows with time lanes: the parallel loop gets a last dimension of
// the 32 lanes of a warp; in [B, C, T] (time innermost) all 32 are time
// lanes of one channel, and each iteration of the tile loop solves the 32
// tiles g * 32 + lane, joined by a warp-level carry exchange. The final
// state is the last time lane's.

// CHECK-LABEL: func.func @full_bct
// CHECK: %[[C32:.*]] = arith.constant 32 : index
// CHECK: scf.parallel (%[[B:.*]], %[[C:.*]], %[[LANE:.*]]) = {{.*}} to (%{{.*}}, %{{.*}}, %[[C32]])
// CHECK: %[[TL:.*]] = arith.divui %[[LANE]], %c1
// CHECK: %[[TILES:.*]] = arith.ceildivui
// CHECK: %[[GROUPS:.*]] = arith.ceildivui %[[TILES]], %c32
// CHECK: scf.for %[[G:.*]] = %{{.*}} to %[[GROUPS]]
// CHECK:   %[[FIRST:.*]] = arith.muli %[[G]], %c32
// CHECK:   %[[TILE:.*]] = arith.addi %[[FIRST]], %[[TL]]
// CHECK:   swr.carry_exchange {{.*}} window full level warp lanes 32 stride 1
// CHECK: arith.cmpi eq, %[[TL]], %c31
// CHECK-NEXT: scf.if
// CHECK-NEXT: vector.transfer_write

// full-block=-1: f32 tiles of 4 steps on 32 time lanes over time (one
// 16-byte access per lane and operand); 16 for bf16 and for channel-major
// layouts.
// STEPS-LABEL: func.func @full_bct
// STEPS: arith.ceildivui %{{.*}}, %c4
// STEPS: swr.read_tile {{.*}} -> vector<4xf32>
// STEPS-LABEL: func.func @full_bthd
// STEPS: swr.read_tile {{.*}} -> vector<16x1xf32>

// time-warps=4: four warps share a channel; iteration g solves tile
// (g * 4 + warp) * 32 + lane, so the loop walks groups of 128 tiles and the
// last of them (time lane 127) writes the final state. bands<k> windows
// stay on one warp.
// WARPS-LABEL: func.func @full_bct
// WARPS: %[[C128:.*]] = arith.constant 128 : index
// WARPS: scf.parallel (%{{.*}}, %{{.*}}, %[[LANE:.*]]) = {{.*}} to (%{{.*}}, %{{.*}}, %[[C128]])
// WARPS: %[[WARP:.*]] = arith.divui %[[LANE]], %c32
// WARPS: %[[FIRST:.*]] = arith.muli %[[WARP]], %c32
// WARPS: %[[INWARP:.*]] = arith.remui %[[LANE]], %c32
// WARPS: %[[TL:.*]] = arith.divui %[[INWARP]], %c1
// WARPS: %[[TIMELANE:.*]] = arith.addi %[[FIRST]], %[[TL]]
// WARPS: arith.ceildivui %{{.*}}, %c128
// WARPS: swr.carry_exchange {{.*}} window full level cta lanes 32 stride 1 warps 4
// WARPS: arith.cmpi eq, %[[TIMELANE]], %c127
// Over [B, T, H, D] the lanes of each warp then all take channels (32
// adjacent ones) and the warps take the time.
// WARPS-LABEL: func.func @full_bthd
// WARPS: step (%c1, %c1, %c32, %c1)
// WARPS: swr.carry_exchange {{.*}} window full level cta lanes 1 stride 32 warps 4
// WARPS-LABEL: func.func @bands_on_lanes
// WARPS: swr.carry_exchange {{.*}} window bands<2> level warp lanes 32 stride 1
// prefetch=1: the first iteration's tile is read before the loop, and each
// iteration reads the next one's (iteration + 1) before solving the tile it
// carries in; the loop carries both operands.
// PREFETCH-LABEL: func.func @full_bct
// PREFETCH: %[[A0:.*]] = swr.read_tile %arg0{{.*}} -> vector<4xf32>
// PREFETCH: %[[X0:.*]] = swr.read_tile %arg1{{.*}} -> vector<4xf32>
// PREFETCH: scf.for %[[G:.*]] = {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[A:.*]] = %[[A0]], %[[X:.*]] = %{{.*}})
// PREFETCH: %[[NEXT:.*]] = arith.addi %[[G]], %c1
// PREFETCH: %[[NA:.*]] = swr.read_tile %arg0
// PREFETCH: %[[NX:.*]] = swr.read_tile %arg1
// PREFETCH: swr.transfer_operator %[[A]]
// PREFETCH: swr.local_solve {{.*}}, %[[X]]
// PREFETCH: swr.write_tile
// PREFETCH: scf.yield %{{.*}}, %[[NA]], %{{.*}}
// time-warps=-1 takes 4 warps over [B, T, H, D] only when the time lanes
// are the pass's choice too: time-lanes=1 stays a thread per sequence.
// ONE-LABEL: func.func @full_bthd
// ONE: swr.carry_exchange {{.*}} window full level serial
// MANY: error: swr-tile-blocks: time-warps must be -1 or in [1, 32], got 64

// FOUR: error: 'swr.scan' op swr-tile-blocks: time-lanes=4 leaves lanes for adjacent channels, but this layout has no channel axis; use 32
// ODD: error: 'swr.scan' op swr-tile-blocks: time-lanes must be -1 or a power of 2 in [1, 32], got 3
func.func @full_bct(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                    %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>,
                    %hT: memref<?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
      final(%hT : memref<?x?xf32>)
  return
}

// -----

// [B, T, H, D] (channels innermost): 4 time lanes by default, each beside 8
// adjacent channels (lane = time lane * 8 + channel), so a warp-wide access
// reads 8 adjacent channels at 4 time steps; the channel dimension steps by
// 8. time-lanes=4 says the same.

// CHECK-LABEL: func.func @full_bthd
// CHECK: scf.parallel (%{{.*}}, %{{.*}}, %[[CH:.*]], %[[LANE:.*]]) = {{.*}} step (%c1, %c1, %c8, %c1)
// CHECK: %[[TL:.*]] = arith.divui %[[LANE]], %c8
// CHECK: %[[CL:.*]] = arith.remui %[[LANE]], %c8
// CHECK: %[[OFF:.*]] = arith.muli %[[CL]], %c1
// CHECK: %[[CHANNEL:.*]] = arith.addi %[[CH]], %[[OFF]]
// CHECK: swr.read_tile %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %[[CHANNEL]]]
// CHECK: swr.carry_exchange {{.*}} window full level warp lanes 4 stride 8
// CHECK: arith.cmpi eq, %[[TL]], %c3

// FOUR-LABEL: func.func @full_bthd
// FOUR: step (%c1, %c1, %c8, %c1)
// FOUR: swr.carry_exchange {{.*}} window full level warp lanes 4 stride 8

// A prefetched 2-byte tile is carried into the next iteration in its stored
// width (narrowed: exact, it was widened from it) and widened at the top of
// the iteration, before the next tile's reads (ptxas counts a tile's loads
// on one scoreboard: a first use after the next reads waited for them too).
// PREFETCH-LABEL: func.func @full_bthd
// PREFETCH: %[[NA0:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// PREFETCH: %[[NX0:.*]] = arith.truncf %{{.*}} : vector<16x1xf32> to vector<16x1xbf16>
// PREFETCH: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[A:.*]] = %[[NA0]], %[[X:.*]] = %[[NX0]]) -> (vector<1xf32>, vector<16xbf16>, vector<16x1xbf16>)
// PREFETCH: %[[WA:.*]] = arith.extf %[[A]] : vector<16xbf16> to vector<16xf32>
// PREFETCH: %[[WX:.*]] = arith.extf %[[X]] : vector<16x1xbf16> to vector<16x1xf32>
// PREFETCH: %[[NA:.*]] = swr.read_tile %arg0
// PREFETCH: swr.transfer_operator %[[WA]]
// PREFETCH: arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// PREFETCH: scf.yield
func.func @full_bthd(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                     %h0: memref<?x?x?xf32>, %y: memref<?x?x?x?xbf16>,
                     %hT: memref<?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      init(%h0 : memref<?x?x?xf32>) output(%y : memref<?x?x?x?xbf16>)
      final(%hT : memref<?x?x?xf32>)
  return
}

// -----

// bands<k> windows take time lanes too (no time chunks: a chunk re-reads
// the k-1 tiles before it), unless they write a final state; exact windows
// keep a thread per sequence.

// CHECK-LABEL: func.func @bands_on_lanes
// CHECK: swr.carry_exchange {{.*}} window bands<2> level warp lanes 32 stride 1
// CHECK-LABEL: func.func @bands_with_final_state
// CHECK: swr.carry_exchange {{.*}} window bands<2> level serial
// CHECK-LABEL: func.func @exact_untouched
// CHECK-NOT: level warp
// CHECK: swr.window_exchange {{.*}} level serial
func.func @bands_on_lanes(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                          %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}

func.func @bands_with_final_state(%a: memref<?x?x?xbf16>,
                                  %x: memref<?x?x16x?xbf16>,
                                  %y: memref<?x?x16x?xbf16>,
                                  %hT: memref<?x?x16xf32>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>) final(%hT : memref<?x?x16xf32>)
  return
}

func.func @exact_untouched(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                           %y: memref<?x?x16x?xbf16>) {
  swr.scan exact<64> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}

// -----

// bands<k> over a token-major layout keep a thread per sequence by default
// (their time chunks are measured faster there); a named lane count deals
// their tiles to time lanes like full windows: 4 time lanes, each beside 8
// adjacent channels.

// CHECK-LABEL: func.func @bands_bthd
// CHECK: swr.carry_exchange {{.*}} window bands<2> level serial
// FOUR-LABEL: func.func @bands_bthd
// FOUR: step (%c1, %c1, %c8, %c1)
// FOUR: swr.carry_exchange {{.*}} window bands<2> level warp lanes 4 stride 8
func.func @bands_bthd(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x16xbf16>,
                      %y: memref<?x?x?x16xbf16>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x16xbf16>)
      output(%y : memref<?x?x?x16xbf16>)
  return
}
