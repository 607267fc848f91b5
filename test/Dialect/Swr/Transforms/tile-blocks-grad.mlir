// RUN: swr-opt %s --swr-tile-blocks --split-input-file | FileCheck %s

// bands<2>, per-head decays: one iteration owns a whole head (the decay
// gradient sums over its channels), walks the tiles from the last, solves
// the adjoint with L^T, carries it from the tile after, and recomputes the
// terminal of the tile before for the decay gradient.
// CHECK-LABEL: func.func @bands_grad
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xbf16>, %[[X:.*]]: memref<?x?x16x?xbf16>, %[[DY:.*]]: memref<?x?x16x?xbf16>, %[[DX:.*]]: memref<?x?x16x?xbf16>, %[[DA:.*]]: memref<?x?x?xf32>)
// CHECK: scf.parallel (%[[B:.*]], %[[H:.*]]) =
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %c16
// CHECK: %[[TILES:.*]] = arith.ceildivui
// CHECK: %[[COUNT:.*]] = arith.subi %[[TILES]], %{{.*}}
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[COUNT]]
// CHECK: %[[LAST:.*]] = arith.subi %[[TILES]], %{{.*}}
// CHECK: %[[T:.*]] = arith.subi %[[LAST]], %[[I]]
// CHECK: %[[POS:.*]] = arith.muli %[[T]], %c16
// CHECK: %[[DEC:.*]] = swr.read_tile %[[A]][%[[B]], %[[H]], %{{.*}}] at %[[POS]]
// CHECK: %[[OP:.*]], %[[G:.*]] = swr.transfer_operator %[[DEC]]
// CHECK: %[[U:.*]] = swr.read_tile %[[DY]][%[[B]], %[[H]], %[[C]], %{{.*}}] at %[[POS]]
// CHECK: %[[W:.*]] = swr.local_solve transpose %[[OP]], %[[U]]
// CHECK: %[[S:.*]] = swr.carry_exchange %{{.*}}, %{{.*}} window bands<2> level serial
// CHECK: %[[GX:.*]] = swr.carry %[[W]], %{{.*}}, %[[S]]
// CHECK: swr.read_tile %[[X]]{{.*}} at %[[POS]]
// CHECK: swr.local_solve %[[OP]]
// CHECK: arith.cmpi uge, %[[T]], %{{.*}}
// CHECK: swr.local_solve
// CHECK: swr.write_tile %[[GX]], %[[DX]][%[[B]], %[[H]], %[[C]], %{{.*}}] at %[[POS]]
// CHECK: scf.if
// CHECK: swr.read_tile %[[DA]]
// CHECK: swr.write_tile %{{.*}}, %[[DA]][%[[B]], %[[H]], %{{.*}}] at %[[POS]]
// CHECK-NOT: swr.scan_grad
func.func @bands_grad(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                      %dy: memref<?x?x16x?xbf16>, %dx: memref<?x?x16x?xbf16>,
                      %da: memref<?x?x?xf32>) {
  swr.scan_grad bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      grad_output(%dy : memref<?x?x16x?xbf16>)
      grad_input(%dx : memref<?x?x16x?xbf16>)
      grad_decay(%da : memref<?x?x?xf32>)
  return
}

// -----

// full, per channel: a forward scan in mirrored time (every tile read in
// reverse) whose decays are shifted one step down (1 first); its carry is
// the forward's. The states before each step are read from the f32 forward
// output as a tile one row further on (h0 from the sequence's end; x is not
// read); dh0 leaves the loop.
// CHECK-LABEL: func.func @full_grad
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xf32>, %[[X:.*]]: memref<?x?x?xf32>, %[[H0:.*]]: memref<?x?xf32>, %[[Y:.*]]: memref<?x?x?xf32>, %[[DY:.*]]: memref<?x?x?xf32>, %[[DX:.*]]: memref<?x?x?xf32>, %[[DA:.*]]: memref<?x?x?xf32>, %[[DH0:.*]]: memref<?x?xf32>)
// CHECK: scf.parallel (%[[B:.*]], %[[C:.*]]) =
// CHECK: %[[INIT:.*]] = vector.transfer_read %[[H0]]
// CHECK: %[[LOOP:.*]] = scf.for
// CHECK: %[[DECAYS:.*]] = swr.read_tile %[[A]][%[[B]], %[[C]], %{{.*}}] at %{{.*}} time 2 reverse pad 1.0
// CHECK: vector.shuffle %{{.*}}, %[[DECAYS]] [0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
// CHECK: swr.read_tile %[[DY]]{{.*}} reverse pad 0.0
// CHECK: %[[LOCAL:.*]] = swr.local_solve %
// CHECK: swr.carry_exchange %{{.*}}, %{{.*}} window full level serial
// CHECK: %[[ADJOINT:.*]] = swr.carry %[[LOCAL]]
// CHECK-NOT: swr.read_tile %[[X]]
// CHECK: %[[NEXT:.*]] = arith.addi %[[POS:.*]], %c1
// CHECK: swr.read_tile %[[Y]][%[[B]], %[[C]], %{{.*}}] at %[[NEXT]] length %{{.*}} time 2 reverse pad 0.0{{.*}} -> vector<16xf32>
// CHECK: %[[ROWS:.*]] = arith.subi %{{.*}}, %[[NEXT]]
// CHECK: %[[INSIDE:.*]] = vector.create_mask %[[ROWS]], %{{.*}} : vector<16x1xi1>
// CHECK: %[[H0S:.*]] = vector.broadcast %[[INIT]] : vector<1xf32> to vector<16x1xf32>
// CHECK: arith.select %[[INSIDE]], %{{.*}}, %[[H0S]] : vector<16x1xi1>, vector<16x1xf32>
// CHECK-NOT: swr.local_solve transpose
// CHECK: swr.write_tile %{{.*}}, %[[DX]]{{.*}} reverse
// CHECK: swr.write_tile %{{.*}}, %[[DA]]{{.*}} reverse
// CHECK: scf.yield
// CHECK: vector.transfer_write %[[LOOP]], %[[DH0]]
func.func @full_grad(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                     %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>,
                     %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>,
                     %da: memref<?x?x?xf32>, %dh0: memref<?x?xf32>) {
  swr.scan_grad full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
      grad_output(%dy : memref<?x?x?xf32>) grad_input(%dx : memref<?x?x?xf32>)
      grad_decay(%da : memref<?x?x?xf32>) grad_init(%dh0 : memref<?x?xf32>)
  return
}

// -----

// The same with a bf16 forward output, which would round every state: the
// states before each step are recomputed from x by the transposed solve,
// seeded by the forward output just past the tile (h0 past the sequence).
// CHECK-LABEL: func.func @full_grad_bf16
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xbf16>, %[[X:.*]]: memref<?x?x?xbf16>, %[[H0:.*]]: memref<?x?xbf16>, %[[Y:.*]]: memref<?x?x?xbf16>, %[[DY:.*]]: memref<?x?x?xbf16>, %[[DX:.*]]: memref<?x?x?xbf16>, %[[DA:.*]]: memref<?x?x?xbf16>, %[[DH0:.*]]: memref<?x?xbf16>)
// CHECK: scf.parallel (%[[B:.*]], %[[C:.*]]) =
// CHECK: %[[RAW:.*]] = vector.transfer_read %[[H0]]
// CHECK: %[[INIT:.*]] = arith.extf %[[RAW]]
// CHECK: %[[LOOP:.*]] = scf.for
// CHECK: %[[DECAYS:.*]] = swr.read_tile %[[A]][%[[B]], %[[C]], %{{.*}}] at %{{.*}} time 2 reverse pad 1.0
// CHECK: vector.shuffle %{{.*}}, %[[DECAYS]] [0, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30]
// CHECK: swr.read_tile %[[DY]]{{.*}} reverse pad 0.0
// CHECK: %[[LOCAL:.*]] = swr.local_solve %
// CHECK: swr.carry_exchange %{{.*}}, %{{.*}} window full level serial
// CHECK: %[[ADJOINT:.*]] = swr.carry %[[LOCAL]]
// CHECK: swr.read_tile %[[X]]{{.*}} reverse pad 0.0
// CHECK: swr.read_tile %[[Y]][%[[B]], %[[C]], %{{.*}}] at %{{.*}} time 2 reverse pad 0.0{{.*}} -> vector<1xf32>
// CHECK: arith.select %{{.*}}, %{{.*}}, %[[INIT]] : vector<1xf32>
// CHECK: swr.local_solve transpose
// CHECK: swr.write_tile %{{.*}}, %[[DX]]{{.*}} reverse
// CHECK: swr.write_tile %{{.*}}, %[[DA]]{{.*}} reverse
// CHECK: scf.yield
// CHECK: %[[DH0F:.*]] = arith.truncf %[[LOOP]]
// CHECK: vector.transfer_write %[[DH0F]], %[[DH0]]
func.func @full_grad_bf16(%a: memref<?x?x?xbf16>, %x: memref<?x?x?xbf16>,
                     %h0: memref<?x?xbf16>, %y: memref<?x?x?xbf16>,
                     %dy: memref<?x?x?xbf16>, %dx: memref<?x?x?xbf16>,
                     %da: memref<?x?x?xbf16>, %dh0: memref<?x?xbf16>) {
  swr.scan_grad full layout bct sharing per_channel
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?xbf16>)
      init(%h0 : memref<?x?xbf16>) output(%y : memref<?x?x?xbf16>)
      grad_output(%dy : memref<?x?x?xbf16>) grad_input(%dx : memref<?x?x?xbf16>)
      grad_decay(%da : memref<?x?x?xbf16>) grad_init(%dh0 : memref<?x?xbf16>)
  return
}

// -----

// exact<40> on 16-step tiles: nothing is carried between tiles. Per tile,
// the later and earlier tiles in reach are read: one whole tile on each
// side (loops over [1, 2)), partial ones by shuffles, and the pairs that
// jump the tile at distances 2 and 3 (loops over [1, 2) and [1, 3)); then
// the tile's own solves. dh0 reads the tiles from the start after the loop.
// CHECK-LABEL: func.func @exact_grad
// CHECK-NOT: swr.carry_exchange
// CHECK-NOT: swr.window_exchange
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[DH0:.*]] = %{{.*}}) -> (vector<1xf32>)
// CHECK: scf.for %{{.*}} = %c1{{.*}} to %c2{{.*}} step %c1{{.*}} iter_args({{.*}}) -> (f32, vector<1xf32>)
// CHECK: vector.shuffle
// CHECK: scf.for %{{.*}} = %c1{{.*}} to %c2{{.*}} step %c1{{.*}} iter_args({{.*}}) -> (f32, vector<1xf32>)
// CHECK: vector.shuffle
// CHECK: scf.for %{{.*}} = %c1{{.*}} to %c2{{.*}} step %c1{{.*}} iter_args({{.*}}) -> (f32, vector<1xf32>)
// CHECK: scf.for %{{.*}} = %c1{{.*}} to %c3{{.*}} step %c1{{.*}} iter_args({{.*}}) -> (f32, vector<1xf32>)
// CHECK: swr.transfer_operator
// CHECK: swr.local_solve transpose
// CHECK: swr.local_solve
// CHECK: swr.local_solve
// CHECK: swr.local_solve transpose
// CHECK: swr.write_tile %{{.*}}, %[[DX:.*]][
// CHECK: swr.write_tile
// CHECK: scf.yield %[[DH0]]
// CHECK: scf.for %{{.*}} = %c1{{.*}} to %c2{{.*}}
// CHECK: scf.if
// CHECK: vector.transfer_write
func.func @exact_grad(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                      %h0: memref<?x?xf32>, %dy: memref<?x?x?xf32>,
                      %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>,
                      %dh0: memref<?x?xf32>) {
  swr.scan_grad exact<40> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
      grad_init(%dh0 : memref<?x?xf32>)
  return
}
