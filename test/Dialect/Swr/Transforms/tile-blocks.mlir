// RUN: swr-opt %s --swr-tile-blocks --split-input-file | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="block=8 method=log_space" --split-input-file | FileCheck %s --check-prefix=OPT
// RUN: swr-opt %s --swr-tile-blocks="time-chunk=4" --split-input-file | FileCheck %s --check-prefix=CHUNK

// The Phalanx SWR: a parallel loop over batch, head and channel block
// around the tile loop; one
// transfer operator per head and tile shared by a block of 16 channels; the
// bands<2> carry is the previous tile's local terminal value.

// CHECK-LABEL: func.func @bands_bhdl_per_head
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xbf16>, %[[X:.*]]: memref<?x?x16x?xbf16>, %[[Y:.*]]: memref<?x?x16x?xbf16>)
// CHECK: %[[BATCH:.*]] = memref.dim %[[X]], %c0
// CHECK: %[[L:.*]] = memref.dim %[[X]], %c3
// CHECK: %[[HEADS:.*]] = memref.dim %[[X]], %c1
// CHECK: %[[CHANNELS:.*]] = memref.dim %[[X]], %c2
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]], %[[C:.*]]) = (%{{.*}}, %{{.*}}, %{{.*}}) to (%[[BATCH]], %[[HEADS]], %[[CHANNELS]]) step (%{{.*}}, %{{.*}}, %c16)
// CHECK: %[[TILES:.*]] = arith.ceildivui %[[L]], %c16
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %[[TILES]] {{.*}} iter_args
// CHECK: %[[POS:.*]] = arith.muli %[[T]], %c16
// CHECK: %[[DEC:.*]] = swr.read_tile %[[A]][%[[B]], %[[H]], %{{.*}}] at %[[POS]] length %[[L]] time 2 pad 1.0{{.*}} -> vector<16xf32>
// CHECK: %[[U:.*]] = swr.read_tile %[[X]][%[[B]], %[[H]], %[[C]], %{{.*}}] at %[[POS]] length %[[L]] time 3 channel 2 pad 0.0{{.*}} -> vector<16x16xf32>
// CHECK: %[[OP:.*]], %[[G:.*]] = swr.transfer_operator %[[DEC]] method running_product
// CHECK: %[[V:.*]] = swr.local_solve %[[OP]], %[[U]]
// CHECK: %[[TERM:.*]] = vector.extract %[[V]][15]
// CHECK: %[[DECAY:.*]] = vector.extract %[[G]][15]
// CHECK: %[[S:.*]] = swr.carry_exchange %[[DECAY]], %[[TERM]] window bands<2> level serial : vector<16xf32>
// CHECK: %[[OUT:.*]] = swr.carry %[[V]], %[[G]], %[[S]]
// CHECK: swr.write_tile %[[OUT]], %[[Y]][%[[B]], %[[H]], %[[C]], %{{.*}}] at %[[POS]] length %[[L]] time 3 channel 2
// CHECK-NOT: swr.scan
func.func @bands_bhdl_per_head(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                               %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}

// Time chunks of 4 tiles: one more parallel dimension over the time axis
// (step 64); each chunk re-solves the k-1 = 1 tile before it without
// writing it.
// CHUNK-LABEL: func.func @bands_bhdl_per_head
// CHUNK: scf.parallel ({{.*}}, %[[CHUNK:.*]]) = {{.*}} step ({{.*}}, %c64)
// CHUNK: %[[FIRST:.*]] = arith.divui %[[CHUNK]], %c16{{.*}}
// CHUNK: %[[WARM:.*]] = arith.subi %[[FIRST]], %c1{{.*}}
// CHUNK: %[[BEGIN:.*]] = arith.maxsi %[[WARM]], %c0{{.*}}
// CHUNK: %[[STOP:.*]] = arith.addi %[[FIRST]], %c4{{.*}}
// CHUNK: %[[END:.*]] = arith.minui %[[STOP]], %{{.*}}
// CHUNK: scf.for %[[T:.*]] = %[[BEGIN]] to %[[END]]
// CHUNK: %[[OWNED:.*]] = arith.cmpi uge, %[[T]], %[[FIRST]]
// CHUNK: scf.if %[[OWNED]]
// CHUNK-NEXT: swr.write_tile

// Full windows need every carry: no chunks.
// CHUNK-LABEL: func.func @full_reverse_states
// CHUNK-NOT: step ({{.*}}, %c64)
// CHUNK-LABEL: func.func @per_channel_bhdl

// OPT-LABEL: func.func @bands_bhdl_per_head
// A bands window keeps its own tile whatever the block option.
// OPT: arith.ceildivui %{{.*}}, %c16
// OPT: swr.transfer_operator %{{.*}} method log_space : vector<16xf32>

// -----

// Full window, reverse, initial and final state: the state of the channel
// block is read before the tile loop, carried through it as the last output
// row, and written after it.

// CHECK-LABEL: func.func @full_reverse_states
// CHECK: %[[H0:.*]] = vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}], %{{.*}} : memref<?x?x?xf16>, vector<16xf16>
// CHECK: %[[H0F:.*]] = arith.extf %[[H0]] : vector<16xf16> to vector<16xf32>
// CHECK: %[[LAST:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[H0F]]) -> (vector<16xf32>)
// CHECK: swr.read_tile {{.*}} time 1 reverse pad 1.0
// CHECK: swr.read_tile {{.*}} time 1 channel 3 reverse pad 0.0
// CHECK: swr.carry_exchange %{{.*}}, %{{.*}} init(%[[H0F]] : vector<16xf32>) window full level serial
// CHECK: swr.write_tile {{.*}} time 1 channel 3 reverse
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[LAST]], %{{.*}}[{{.*}}] : vector<16xf32>, memref<?x?x?xf32>

// OPT-LABEL: func.func @full_reverse_states
// OPT: arith.ceildivui %{{.*}}, %c8
// OPT: swr.transfer_operator %{{.*}} method log_space : vector<8xf32> -> vector<8x8xf32>, vector<8xf32>
func.func @full_reverse_states(%a: memref<?x?x?xf16>, %x: memref<?x?x?x?xf16>,
                               %h0: memref<?x?x?xf16>, %y: memref<?x?x?x?xf16>,
                               %hT: memref<?x?x?xf32>) {
  swr.scan full layout bthd sharing per_head reverse
      decay(%a : memref<?x?x?xf16>) input(%x : memref<?x?x?x?xf16>)
      init(%h0 : memref<?x?x?xf16>)
      output(%y : memref<?x?x?x?xf16>) final(%hT : memref<?x?x?xf32>)
  return
}

// -----

// Per-channel decays: one channel per tile, its own transfer operator.

// CHECK-LABEL: func.func @per_channel_bhdl
// CHECK: scf.parallel {{.*}} step (%c1{{.*}}, %c1{{.*}}, %c1{{.*}})
// CHECK: %[[DEC:.*]] = swr.read_tile {{.*}} time 3 channel 2 pad 1.0{{.*}} -> vector<16x1xf32>
// CHECK: vector.shape_cast %[[DEC]] : vector<16x1xf32> to vector<16xf32>
// CHECK: swr.read_tile {{.*}} -> vector<16x1xf32>
// CHECK: swr.local_solve %{{.*}}, %{{.*}} : vector<16x16xf32>, vector<16x1xf32>
func.func @per_channel_bhdl(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                            %y: memref<?x?x?x?xf32>) {
  swr.scan bands<3> layout bhdl sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}

// -----

// [B, C, T]: no channel axis; the tile is one channel.

// CHECK-LABEL: func.func @bct
// CHECK: %[[U:.*]] = swr.read_tile %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] at %{{.*}} length %{{.*}} time 2 pad 0.0{{.*}} -> vector<16xf32>
// CHECK: vector.shape_cast %[[U]] : vector<16xf32> to vector<16x1xf32>
// CHECK: %[[OUT:.*]] = vector.shape_cast %{{.*}} : vector<16x1xf32> to vector<16xf32>
// CHECK: swr.write_tile %[[OUT]], {{.*}} time 2 : vector<16xf32>
func.func @bct(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %y: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}

// -----

// Exact windows: the tile's operator is cut to the band i - j < W, earlier
// tiles contribute per output through suffix sums of their inputs' weights.

// CHECK-LABEL: func.func @exact_short
// CHECK: %[[OP:.*]], %[[G:.*]] = swr.transfer_operator %[[DEC:.*]] method running_product :
// CHECK: %[[BAND:.*]], %{{.*}} = swr.transfer_operator %[[DEC]] method running_product band 7
// CHECK: %[[V:.*]] = swr.local_solve %[[BAND]], %[[U:.*]] :
// CHECK: %[[EXT:.*]] = swr.extraction_operator %[[OP]]
// CHECK: %[[R:.*]] = swr.local_solve %[[EXT]], %[[U]]
// CHECK: %[[X:.*]] = swr.window_exchange %{{.*}}, %[[R]] window exact<7> level serial : vector<16x16xf32>
// CHECK: swr.carry %[[V]], %[[G]], %[[X]] : vector<16x16xf32>, vector<16xf32>, vector<16x16xf32>
func.func @exact_short(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>,
                       %y: memref<?x?x16x?xf32>) {
  swr.scan exact<7> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x16x?xf32>)
      output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

// A window wider than a tile needs no band on the tile's own operator.

// CHECK-LABEL: func.func @exact_long
// CHECK-NOT: band
// CHECK: swr.window_exchange {{.*}} window exact<512>
func.func @exact_long(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>,
                      %y: memref<?x?x16x?xf32>) {
  swr.scan exact<512> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x16x?xf32>)
      output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

// Packed sequences: the parallel loop runs over the offsets and skips the
// last (which only closes the last sequence); each sequence reads its
// bounds; the time index of every access is the sequence start and the
// length its own.

// CHECK-LABEL: func.func @packed
// CHECK-SAME: %[[CU:[^:]*]]: memref<?xi64>
// CHECK: %[[N:.*]] = memref.dim %[[CU]], %{{.*}} : memref<?xi64>
// CHECK: scf.parallel (%[[S:.*]], %{{.*}}) = (%{{.*}}, %{{.*}}) to (%[[N]], %{{.*}})
// CHECK: %[[NEXT:.*]] = arith.addi %[[S]], %{{.*}}
// CHECK: %[[INSIDE:.*]] = arith.cmpi ult, %[[NEXT]], %[[N]]
// CHECK: scf.if %[[INSIDE]]
// CHECK: %[[START:.*]] = memref.load %[[CU]][%[[S]]]
// CHECK: %[[BASE:.*]] = arith.index_cast %[[START]]
// CHECK: %[[END:.*]] = memref.load %[[CU]][%[[NEXT]]]
// CHECK: %[[STOP:.*]] = arith.index_cast %[[END]]
// CHECK: %[[LEN:.*]] = arith.subi %[[STOP]], %[[BASE]]
// CHECK: swr.read_tile %{{.*}}[%{{.*}}, %{{.*}}, %[[BASE]]] at %{{.*}} length %[[LEN]]
func.func @packed(%a: memref<1x?x?xf32>, %x: memref<1x?x?xf32>, %cu: memref<?xi64>,
                  %y: memref<1x?x?xf32>) {
  swr.scan bands<2> layout bct sharing per_channel
      decay(%a : memref<1x?x?xf32>) input(%x : memref<1x?x?xf32>)
      seq_offsets(%cu : memref<?xi64>) output(%y : memref<1x?x?xf32>)
  return
}
