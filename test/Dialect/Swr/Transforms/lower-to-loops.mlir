// RUN: swr-opt %s --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-to-loops,cse)),func.func(swr-lower-to-loops,cse))' --split-input-file | FileCheck %s --implicit-check-not=swr.

// Full window: the carrier s' = terminal + c s becomes loop-carried state.
// CHECK-LABEL: func.func @carry_full
// CHECK-SAME: (%[[N:.*]]: index, %[[H0:.*]]: vector<4xf32>, %[[T:.*]]: vector<4xf32>, %[[C:.*]]: f32)
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[H0]], %[[S:.*]] = %[[H0]]) -> (vector<4xf32>, vector<4xf32>)
// CHECK:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[S]]
// CHECK:   %[[CB:.*]] = vector.broadcast %[[C]] : f32 to vector<4xf32>
// CHECK:   %[[SCALED:.*]] = arith.mulf %[[S]], %[[CB]]
// CHECK:   %[[NEXT:.*]] = arith.addf %[[T]], %[[SCALED]]
// CHECK:   scf.yield %[[SUM]], %[[NEXT]]
func.func @carry_full(%n: index, %h0: vector<4xf32>, %t: vector<4xf32>, %c: f32) -> vector<4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (vector<4xf32>) {
    %s = swr.carry_exchange %c, %t init(%h0 : vector<4xf32>) window full level serial : vector<4xf32>
    %sum = arith.addf %acc, %s : vector<4xf32>
    scf.yield %sum : vector<4xf32>
  }
  return %r : vector<4xf32>
}

// -----

// Level warp: 4 time lanes, 8 lanes apart (time lane = (lane id >> 3) & 3).
// The pairs (c, terminal) are scanned over the time lanes by shuffles up by
// 8 and 16 lanes (a time lane joins the earlier pair only if it has one),
// shifted by one time lane (time lane 0 takes the pair (1, 0)) and joined
// to the loop-carried carry; the iteration's total comes from time lane 3
// of the same channel (lane (lane & 7) | 24).
// CHECK-LABEL: func.func @carry_warp
// CHECK-SAME: (%[[N:.*]]: index, %[[H0:.*]]: vector<1xf32>, %[[T:.*]]: vector<1xf32>, %[[C:.*]]: f32)
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[H0]], %[[S:.*]] = %[[H0]])
// CHECK:   %[[LANE:.*]] = nvvm.read.ptx.sreg.laneid
// CHECK:   %[[SHIFTED:.*]] = arith.shrui %[[LANE]], %c3_i32
// CHECK:   %[[TL:.*]] = arith.andi %[[SHIFTED]], %c3_i32
// CHECK:   %[[OWN:.*]] = arith.andi %[[LANE]], %c7_i32
// CHECK:   %[[T0:.*]] = vector.extract %[[T]][0]
// CHECK:   %[[HAS1:.*]] = arith.cmpi uge, %[[TL]], %c1_i32
// CHECK:   %[[UP1:.*]] = nvvm.shfl.sync up %c-1_i32, %[[T0]], %c8_i32, %c0_i32
// CHECK:   %[[J1:.*]] = math.fma %[[C]], %[[UP1]], %[[T0]]
// CHECK:   arith.select %[[HAS1]], %[[J1]], %[[T0]]
// CHECK:   nvvm.shfl.sync up %c-1_i32, %[[C]], %c8_i32, %c0_i32
// CHECK:   nvvm.shfl.sync up {{.*}}, %c16_i32, %c0_i32
// CHECK:   %[[FIRST:.*]] = arith.cmpi eq, %[[TL]], %c0_i32
// CHECK:   %[[TB:.*]] = nvvm.shfl.sync up {{.*}}, %c8_i32, %c0_i32
// CHECK:   %[[CB:.*]] = nvvm.shfl.sync up {{.*}}, %c8_i32, %c0_i32
// CHECK:   %[[SUMBEFORE:.*]] = arith.select %[[FIRST]], %cst, %[[TB]]
// CHECK:   %[[PRODBEFORE:.*]] = arith.select %[[FIRST]], %cst_0, %[[CB]]
// CHECK:   %[[LAST:.*]] = arith.ori %[[OWN]], %c24_i32
// CHECK:   %[[TALL:.*]] = nvvm.shfl.sync idx %c-1_i32, %{{.*}}, %[[LAST]], %c31_i32
// CHECK:   %[[CALL:.*]] = nvvm.shfl.sync idx %c-1_i32, %{{.*}}, %[[LAST]], %c31_i32
// CHECK:   %[[SB:.*]] = vector.from_elements %[[SUMBEFORE]]
// CHECK:   %[[PB:.*]] = vector.broadcast %[[PRODBEFORE]]
// CHECK:   %[[W:.*]] = arith.mulf %[[S]], %[[PB]]
// CHECK:   %[[CARRY:.*]] = arith.addf %[[SB]], %[[W]]
// CHECK:   %[[SUM:.*]] = arith.addf %[[ACC]], %[[CARRY]]
// CHECK:   %[[TA:.*]] = vector.from_elements %[[TALL]]
// CHECK:   %[[PA:.*]] = vector.broadcast %[[CALL]]
// CHECK:   %[[WA:.*]] = arith.mulf %[[S]], %[[PA]]
// CHECK:   %[[NEXT:.*]] = arith.addf %[[TA]], %[[WA]]
// CHECK:   scf.yield %[[SUM]], %[[NEXT]]
func.func @carry_warp(%n: index, %h0: vector<1xf32>, %t: vector<1xf32>, %c: f32) -> vector<1xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (vector<1xf32>) {
    %s = swr.carry_exchange %c, %t init(%h0 : vector<1xf32>) window full level warp lanes 4 stride 8 : vector<1xf32>
    %sum = arith.addf %acc, %s : vector<1xf32>
    scf.yield %sum : vector<1xf32>
  }
  return %r : vector<1xf32>
}

// -----

// Level warp, bands<3>: the carry of tile tau sums t[tau-1] and
// c[tau-1] t[tau-2], read by shuffles from time lanes p-1 and p-2 (mod 32);
// lanes 0 and 1 wrap to the previous iteration's pairs, which every lane
// keeps as loop state (initially (0, init) on the last time lane, (0, 0)
// elsewhere: nothing reaches past the initial state).
// CHECK-LABEL: func.func @carry_warp_bands
// CHECK-SAME: (%[[N:.*]]: index, %[[H0:.*]]: vector<1xf32>, %[[T:.*]]: vector<1xf32>, %[[C:.*]]: f32
// CHECK: %[[LANE:.*]] = nvvm.read.ptx.sreg.laneid
// CHECK: %[[ISLAST:.*]] = arith.cmpi eq, %{{.*}}, %c31_i32
// CHECK: %[[START:.*]] = arith.select %[[ISLAST]], %[[H0]], %cst
// CHECK: scf.for {{.*}} iter_args(%[[TPREV:.*]] = %[[START]], %[[CPREV:.*]] = %cst_0) -> (vector<1xf32>, f32)
// CHECK:   %[[WRAP1:.*]] = arith.cmpi ult, %{{.*}}, %c1_i32
// CHECK:   %[[NOW1:.*]] = nvvm.shfl.sync idx %c-1_i32, %{{.*}}, %[[SRC1:.*]], %c31_i32
// CHECK:   %[[OLD1:.*]] = nvvm.shfl.sync idx %c-1_i32, %{{.*}}, %[[SRC1]], %c31_i32
// CHECK:   arith.select %[[WRAP1]], %[[OLD1]], %[[NOW1]]
// CHECK:   nvvm.shfl.sync idx %c-1_i32, %[[C]], %[[SRC1]], %c31_i32
// CHECK:   nvvm.shfl.sync idx %c-1_i32, %[[CPREV]], %[[SRC1]], %c31_i32
// CHECK:   arith.cmpi ult, %{{.*}}, %c2_i32
// CHECK-COUNT-2: nvvm.shfl.sync idx
// CHECK:   math.fma
// CHECK:   scf.yield %[[T]], %[[C]]
func.func @carry_warp_bands(%n: index, %h0: vector<1xf32>, %t: vector<1xf32>, %c: f32, %out: memref<1xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %s = swr.carry_exchange %c, %t init(%h0 : vector<1xf32>) window bands<3> level warp lanes 32 stride 1 : vector<1xf32>
    vector.transfer_write %s, %out[%c0] : vector<1xf32>, memref<1xf32>
  }
  return
}

// -----

// bands<3>: the carriers truncated to 1 and 2 hops; the carry is the second.
// CHECK-LABEL: func.func @carry_bands
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<2x4xf32>
// CHECK: scf.for {{.*}} iter_args(%[[P:.*]] = %[[ZERO]]) -> (vector<2x4xf32>)
// CHECK:   %[[S:.*]] = vector.extract %[[P]][1] : vector<4xf32> from vector<2x4xf32>
// CHECK:   vector.shuffle %{{.*}}, %{{.*}} [0, 1] : vector<1x4xf32>, vector<2x4xf32>
// CHECK:   arith.addf
// CHECK:   scf.yield
func.func @carry_bands(%n: index, %t: vector<4xf32>, %c: f32, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %s = swr.carry_exchange %c, %t window bands<3> level serial : vector<4xf32>
    vector.transfer_write %s, %out[%c0] : vector<4xf32>, memref<4xf32>
  }
  return
}

// -----

// bands<1>: independent tiles, no carry and no state.
// CHECK-LABEL: func.func @carry_bands1
// CHECK: scf.for
// CHECK-NOT: iter_args
// CHECK: vector.transfer_write %[[Z:.*]], %{{.*}} : vector<4xf32>
func.func @carry_bands1(%n: index, %t: vector<4xf32>, %c: f32, %out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %s = swr.carry_exchange %c, %t window bands<1> level serial : vector<4xf32>
    vector.transfer_write %s, %out[%c0] : vector<4xf32>, memref<4xf32>
  }
  return
}

// -----

// exact<40> over 16-step tiles: up to two whole tiles and one partial one
// before every output; suffix sums of the last three tiles and carriers
// truncated to one and two hops travel with the loop.
// CHECK-LABEL: func.func @window_exchange
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<3x16x2xf32>, vector<2x2xf32>)
// CHECK: vector.extract %{{.*}}[2, 9] : vector<2xf32> from vector<3x16x2xf32>
func.func @window_exchange(%n: index, %r: vector<16x2xf32>, %c: f32, %out: memref<16x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %x = swr.window_exchange %c, %r window exact<40> level serial : vector<16x2xf32>
    vector.transfer_write %x, %out[%c0, %c0] : vector<16x2xf32>, memref<16x2xf32>
  }
  return
}

// -----

// Running products: row i of L is row i-1 times a[i] below the diagonal.
// CHECK-LABEL: func.func @transfer_running_product
// CHECK-COUNT-4: vector.extract %{{.*}}[{{[0-3]}}] : f32 from vector<4xf32>
// CHECK: arith.select
// CHECK: vector.from_elements {{.*}} : vector<4xf32>
// CHECK-NOT: math.exp
func.func @transfer_running_product(%a: vector<4xf32>) -> (vector<4x4xf32>, vector<4xf32>) {
  %l, %g = swr.transfer_operator %a method running_product : vector<4xf32> -> vector<4x4xf32>, vector<4xf32>
  return %l, %g : vector<4x4xf32>, vector<4xf32>
}

// -----

// Log space: prefix sums of log(max(a, tiny)), entries exp(S_i - S_j).
// CHECK-LABEL: func.func @transfer_log_space
// CHECK: arith.maximumf
// CHECK: math.log
// CHECK: math.exp
func.func @transfer_log_space(%a: vector<4xf32>) -> vector<4x4xf32> {
  %l, %g = swr.transfer_operator %a method log_space band 2 : vector<4xf32> -> vector<4x4xf32>, vector<4xf32>
  return %l : vector<4x4xf32>
}

// -----

// The local solve is a sum of outer products of L's columns and u's rows.
// CHECK-LABEL: func.func @local_solve
// CHECK: vector.transpose %{{.*}}, [1, 0] : vector<4x4xf32> to vector<4x4xf32>
// CHECK-COUNT-4: vector.outerproduct {{.*}} : vector<4xf32>, vector<3xf32>
func.func @local_solve(%l: vector<4x4xf32>, %u: vector<4x3xf32>) -> vector<4x3xf32> {
  %v = swr.local_solve %l, %u : vector<4x4xf32>, vector<4x3xf32>
  return %v : vector<4x3xf32>
}

// -----

// L^T u: L's rows are L^T's columns, so no transpose.
// CHECK-LABEL: func.func @local_solve_transpose
// CHECK-NOT: vector.transpose
// CHECK-COUNT-4: vector.outerproduct {{.*}} : vector<4xf32>, vector<3xf32>
func.func @local_solve_transpose(%l: vector<4x4xf32>, %u: vector<4x3xf32>) -> vector<4x3xf32> {
  %w = swr.local_solve transpose %l, %u : vector<4x4xf32>, vector<4x3xf32>
  return %w : vector<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @carry_rank1
// CHECK: vector.outerproduct %{{.*}}, %{{.*}}, %{{.*}} {kind = #vector.kind<add>} : vector<4xf32>, vector<3xf32>
func.func @carry_rank1(%v: vector<4x3xf32>, %g: vector<4xf32>, %s: vector<3xf32>) -> vector<4x3xf32> {
  %y = swr.carry %v, %g, %s : vector<4x3xf32>, vector<4xf32>, vector<3xf32>
  return %y : vector<4x3xf32>
}

// -----

// Tile reads: masked scalar loads through a stack buffer allocated once, in
// the stored width, widened to f32 once at the end.
// CHECK-LABEL: func.func @read_tile_reverse
// CHECK: %[[BUF:.*]] = memref.alloca() : memref<16x4xbf16>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: arith.cmpi ult
// CHECK: arith.subi
// CHECK: scf.if %{{.*}} -> (bf16)
// CHECK:   memref.load %{{.*}} : memref<?x?x?xbf16>
// CHECK: memref.store %{{.*}}, %[[BUF]]
// CHECK: %[[READ:.*]] = vector.transfer_read %[[BUF]]
// CHECK: arith.extf %[[READ]] : vector<16x4xbf16> to vector<16x4xf32>
func.func @read_tile_reverse(%x: memref<?x?x?xbf16>, %b: index, %pos: index, %len: index) -> vector<16x4xf32> {
  %c0 = arith.constant 0 : index
  %u = swr.read_tile %x[%b, %c0, %c0] at %pos length %len time 2 channel 1 reverse pad 0.0 : memref<?x?x?xbf16> -> vector<16x4xf32>
  return %u : vector<16x4xf32>
}

// -----

// Tile writes: narrowed once, then masked scalar stores from a stack buffer.
// CHECK-LABEL: func.func @write_tile
// CHECK: %[[BUF:.*]] = memref.alloca() : memref<16xf16>
// CHECK: %[[NARROW:.*]] = arith.truncf %{{.*}} : vector<16xf32> to vector<16xf16>
// CHECK: vector.transfer_write %[[NARROW]], %[[BUF]]
// CHECK: scf.if
// CHECK:   memref.store %{{.*}} : memref<?x?xf16>
func.func @write_tile(%y: memref<?x?xf16>, %v: vector<16xf32>, %pos: index, %len: index) {
  %c0 = arith.constant 0 : index
  swr.write_tile %v, %y[%c0, %c0] at %pos length %len time 1 : vector<16xf32>, memref<?x?xf16>
  return
}

// -----

// One channel with time innermost: a full tile whose start is 16-byte
// aligned is one contiguous run, read with aligned vector loads (reversed
// for reverse scans); partial or misaligned tiles and channels past the
// axis take the masked path.
// CHECK-LABEL: func.func @read_tile_run
// CHECK: memref.extract_strided_metadata
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK: %[[MIS:.*]] = arith.remui %{{.*}}, %c16
// CHECK: %[[ALIGNED:.*]] = arith.cmpi eq, %[[MIS]]
// CHECK: %[[FAST:.*]] = arith.andi %{{.*}}, %[[ALIGNED]]
// CHECK: %[[TILE:.*]] = scf.if %[[FAST]] -> (vector<16x1xbf16>)
// CHECK:   %[[LOADED:.*]] = vector.load %{{.*}} {alignment = 16 : i64} : memref<?x?x?xbf16>, vector<16xbf16>
// CHECK:   %[[REV:.*]] = vector.shuffle %[[LOADED]], %[[LOADED]] [15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
// CHECK:   vector.shape_cast %[[REV]] : vector<16xbf16> to vector<16x1xbf16>
// CHECK: } else {
// CHECK:   memref.load
// CHECK: arith.extf %[[TILE]] : vector<16x1xbf16> to vector<16x1xf32>
func.func @read_tile_run(%x: memref<?x?x?xbf16>, %b: index, %pos: index, %len: index) -> vector<16x1xf32> {
  %c0 = arith.constant 0 : index
  %u = swr.read_tile %x[%b, %c0, %c0] at %pos length %len time 2 channel 1 reverse pad 0.0 : memref<?x?x?xbf16> -> vector<16x1xf32>
  return %u : vector<16x1xf32>
}

// -----

// CHECK-LABEL: func.func @write_tile_run
// CHECK: arith.truncf %{{.*}} : vector<16xf32> to vector<16xf16>
// CHECK: scf.if
// CHECK:   vector.store %{{.*}} {alignment = 16 : i64} : memref<?x?xf16>, vector<16xf16>
// CHECK: } else {
func.func @write_tile_run(%y: memref<?x?xf16>, %v: vector<16xf32>, %pos: index, %len: index) {
  %c0 = arith.constant 0 : index
  swr.write_tile %v, %y[%c0, %c0] at %pos length %len time 1 : vector<16xf32>, memref<?x?xf16>
  return
}

// -----

// One channel along a strided time axis (bthd): inside the sequence, 16
// unmasked scalar loads, step i at time position + i (no bounds checks, no
// stack buffer); for the tile at the sequence's end, one guarded load per
// step, gathered in registers (no stack buffer either).
// CHECK-LABEL: func.func @read_tile_strided
// CHECK-SAME: (%[[X:.*]]: memref<?x?x?x16xbf16>, %[[B:.*]]: index, %[[H:.*]]: index, %[[D:.*]]: index, %[[POS:.*]]: index, %[[LEN:.*]]: index)
// CHECK: %[[START:.*]] = arith.addi %{{.*}}, %[[POS]]
// CHECK: %[[END:.*]] = arith.addi %[[POS]], %c16
// CHECK: %[[IN:.*]] = arith.cmpi ule, %[[END]], %[[LEN]]
// CHECK: %[[TILE:.*]] = scf.if %{{.*}} -> (vector<16x1xbf16>) {
// CHECK:   %[[T0:.*]] = arith.addi %[[START]], %{{.*}}
// CHECK:   memref.load %[[X]][%[[B]], %[[T0]], %[[H]], %[[D]]]
// CHECK-COUNT-15: memref.load %[[X]]
// CHECK:   vector.from_elements {{.*}} : vector<16x1xbf16>
// CHECK: } else {
// CHECK-NOT: memref.alloca
// CHECK:   %[[V0:.*]] = arith.cmpi ult, %{{.*}}, %[[LEN]]
// CHECK:   %[[OK0:.*]] = arith.andi %[[V0]], %{{.*}}
// CHECK:   scf.if %[[OK0]] -> (bf16)
// CHECK:     memref.load %[[X]]
// CHECK:   } else {
// CHECK:     scf.yield %cst
// CHECK-COUNT-15: scf.if
// CHECK:   vector.from_elements {{.*}} : vector<16x1xbf16>
// CHECK: %[[WIDE:.*]] = arith.extf %[[TILE]] : vector<16x1xbf16> to vector<16x1xf32>
// CHECK: return %[[WIDE]]
func.func @read_tile_strided(%x: memref<?x?x?x16xbf16>, %b: index, %h: index, %d: index, %pos: index, %len: index) -> vector<16x1xf32> {
  %c0 = arith.constant 0 : index
  %u = swr.read_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3 pad 0.0 : memref<?x?x?x16xbf16> -> vector<16x1xf32>
  return %u : vector<16x1xf32>
}

// -----

// Several channels on the innermost axis (bthd with a channel tile): a tile
// inside the sequence and the channel axis whose rows are aligned (first row
// and time stride, 4 bytes for 2 bf16) is one vector load per step; in a GPU
// kernel any other tile gathers element by element.
// CHECK-LABEL: gpu.func @read_tile_rows
// CHECK-SAME: (%[[X:.*]]: memref<?x?x?x?xbf16>, %[[B:.*]]: index, %[[H:.*]]: index, %[[D:.*]]: index, %[[POS:.*]]: index, %[[LEN:.*]]: index)
// CHECK: %[[END:.*]] = arith.addi %[[POS]], %c16
// CHECK: %[[IN:.*]] = arith.cmpi ule, %[[END]], %[[LEN]]
// CHECK: %[[CEND:.*]] = arith.addi %[[D]], %c2
// CHECK: %[[DIM:.*]] = memref.dim %[[X]], %c3
// CHECK: arith.cmpi ule, %[[CEND]], %[[DIM]]
// CHECK: memref.extract_aligned_pointer_as_index %[[X]]
// CHECK: arith.remui %{{.*}}, %c4
// CHECK: arith.muli %{{.*}}#1, %c2
// CHECK: arith.remui %{{.*}}, %c4
// CHECK: %[[TILE:.*]] = scf.if %{{.*}} -> (vector<16x2xbf16>) {
// CHECK-NOT: memref.alloca
// CHECK:   %[[R0:.*]] = vector.load %[[X]][%[[B]], %{{.*}}, %[[H]], %[[D]]] {alignment = 4 : i64} : memref<?x?x?x?xbf16>, vector<2xbf16>
// CHECK:   vector.insert %[[R0]]
// CHECK-COUNT-15: vector.load %[[X]]
// CHECK: } else {
// CHECK:   memref.load %[[X]]
// CHECK: %[[WIDE:.*]] = arith.extf %[[TILE]] : vector<16x2xbf16> to vector<16x2xf32>
// CHECK: return %[[WIDE]]
gpu.module @kernels {
  gpu.func @read_tile_rows(%x: memref<?x?x?x?xbf16>, %b: index, %h: index, %d: index, %pos: index, %len: index) -> vector<16x2xf32> {
    %c0 = arith.constant 0 : index
    %u = swr.read_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3 pad 0.0 : memref<?x?x?x?xbf16> -> vector<16x2xf32>
    gpu.return %u : vector<16x2xf32>
  }
}

// -----

// On the host, the other tiles load each step's row with a masked vector
// load: the channels inside the channel axis (none for a step past the
// sequence, whose row index is then the tile's first), padding elsewhere.
// CHECK-LABEL: func.func @read_tile_rows_host
// CHECK-SAME: (%[[X:.*]]: memref<?x?x?x?xbf16>, %[[B:.*]]: index, %[[H:.*]]: index, %[[D:.*]]: index, %[[POS:.*]]: index, %[[LEN:.*]]: index)
// CHECK: %[[TILE:.*]] = scf.if %{{.*}} -> (vector<16x2xbf16>) {
// CHECK-COUNT-16: vector.load %[[X]]
// CHECK: } else {
// CHECK-NOT: memref.load
// CHECK:   %[[PAD:.*]] = vector.broadcast %{{.*}} : bf16 to vector<2xbf16>
// CHECK:   %[[SEQ:.*]] = arith.cmpi ult, %{{.*}}, %[[LEN]]
// CHECK:   %[[T0:.*]] = arith.select %[[SEQ]], %{{.*}}, %c0
// CHECK:   %[[T:.*]] = arith.addi %c0, %[[T0]]
// CHECK:   %[[LEFT:.*]] = arith.subi %{{.*}}, %[[D]]
// CHECK:   %[[N:.*]] = arith.select %[[SEQ]], %[[LEFT]], %c0
// CHECK:   %[[MASK:.*]] = vector.create_mask %[[N]] : vector<2xi1>
// CHECK:   vector.maskedload %[[X]][%[[B]], %[[T]], %[[H]], %[[D]]], %[[MASK]], %[[PAD]]
// CHECK-COUNT-15: vector.maskedload %[[X]]
// CHECK: arith.extf %[[TILE]] : vector<16x2xbf16> to vector<16x2xf32>
func.func @read_tile_rows_host(%x: memref<?x?x?x?xbf16>, %b: index, %h: index, %d: index, %pos: index, %len: index) -> vector<16x2xf32> {
  %c0 = arith.constant 0 : index
  %u = swr.read_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3 pad 0.0 : memref<?x?x?x?xbf16> -> vector<16x2xf32>
  return %u : vector<16x2xf32>
}

// -----

// The store counterpart: 8 f32 channels per row, 16-byte aligned (the row is
// 32 bytes), rounded nowhere; reversed steps store row i at position
// length - 1 - (pos + i). In a kernel the other tiles scatter through a
// buffer, on the host each row is a masked vector store.
// CHECK-LABEL: gpu.func @write_tile_rows
// CHECK: %[[BUF:.*]] = memref.alloca() : memref<4x8xf32>
// CHECK: arith.remui %{{.*}}, %c16
// CHECK: scf.if
// CHECK:   %[[ROW:.*]] = vector.extract %{{.*}}[0] : vector<8xf32> from vector<4x8xf32>
// CHECK:   vector.store %[[ROW]], %{{.*}} {alignment = 16 : i64} : memref<?x?x?x?xf32>, vector<8xf32>
// CHECK-COUNT-3: vector.store
// CHECK: } else {
// CHECK:   vector.transfer_write %{{.*}}, %[[BUF]]
// CHECK-LABEL: func.func @write_tile_rows_host
// CHECK-SAME: (%[[Y:.*]]: memref<?x?x?x?xf32>, %[[V:.*]]: vector<4x8xf32>, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index, %[[POS:.*]]: index, %[[LEN:.*]]: index)
// CHECK-NOT: memref.alloca
// CHECK: scf.if
// CHECK-COUNT-4: vector.store
// CHECK: } else {
// CHECK:   %[[P:.*]] = arith.addi %[[POS]], %c0
// CHECK:   %[[SEQ:.*]] = arith.cmpi ult, %[[P]], %[[LEN]]
// CHECK:   %[[LAST:.*]] = arith.subi %[[LEN]], %c1
// CHECK:   %[[T:.*]] = arith.subi %[[LAST]], %[[P]]
// CHECK:   arith.select %[[SEQ]], %[[T]], %c0
// CHECK:   %[[MASK:.*]] = vector.create_mask %{{.*}} : vector<8xi1>
// CHECK:   %[[ROW:.*]] = vector.extract %[[V]][0] : vector<8xf32> from vector<4x8xf32>
// CHECK:   vector.maskedstore %[[Y]][%{{.*}}], %[[MASK]], %[[ROW]]
// CHECK-COUNT-3: vector.maskedstore %[[Y]]
gpu.module @kernels {
  gpu.func @write_tile_rows(%y: memref<?x?x?x?xf32>, %v: vector<4x8xf32>, %b: index, %h: index, %d: index, %pos: index, %len: index) {
    %c0 = arith.constant 0 : index
    swr.write_tile %v, %y[%b, %c0, %h, %d] at %pos length %len time 1 channel 3 reverse : vector<4x8xf32>, memref<?x?x?x?xf32>
    gpu.return
  }
}
func.func @write_tile_rows_host(%y: memref<?x?x?x?xf32>, %v: vector<4x8xf32>, %b: index, %h: index, %d: index, %pos: index, %len: index) {
  %c0 = arith.constant 0 : index
  swr.write_tile %v, %y[%b, %c0, %h, %d] at %pos length %len time 1 channel 3 reverse : vector<4x8xf32>, memref<?x?x?x?xf32>
  return
}

// -----

// Per-channel decays over a block of 2 channels: each channel's operator and
// injection from its column of decays (running products), the solve column
// by column, the carry scaled per channel, and the serial carrier scaled by
// one total decay per channel (the carry as one fused multiply-add per
// element).
// CHECK-LABEL: func.func @channel_block
// CHECK: scf.for {{.*}} -> (vector<2xf32>)
// CHECK:   %[[COLS:.*]] = vector.transpose %{{.*}}, [1, 0] : vector<4x2xf32> to vector<2x4xf32>
// CHECK:   vector.extract %[[COLS]][0] : vector<4xf32> from vector<2x4xf32>
// CHECK:   vector.extract %[[COLS]][1] : vector<4xf32> from vector<2x4xf32>
// CHECK:   math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<4x2xf32>
// CHECK:   arith.mulf %{{.*}}, %{{.*}} : vector<2xf32>
// CHECK:   arith.addf %{{.*}}, %{{.*}} : vector<2xf32>
func.func @channel_block(%n: index, %a: vector<4x2xf32>, %u: vector<4x2xf32>, %out: memref<4x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %L, %g = swr.transfer_operator %a method running_product
        : vector<4x2xf32> -> vector<2x4x4xf32>, vector<4x2xf32>
    %v = swr.local_solve %L, %u : vector<2x4x4xf32>, vector<4x2xf32>
    %t = vector.extract %v[3] : vector<2xf32> from vector<4x2xf32>
    %c = vector.extract %g[3] : vector<2xf32> from vector<4x2xf32>
    %s = swr.carry_exchange %c, %t window full level serial
        : vector<2xf32> per_channel
    %y = swr.carry %v, %g, %s : vector<4x2xf32>, vector<4x2xf32>, vector<2xf32>
    vector.transfer_write %y, %out[%c0, %c0] {in_bounds = [true, true]} : vector<4x2xf32>, memref<4x2xf32>
  }
  return
}

// -----

// Level warp with one total decay per channel (2 channels on 4 time lanes):
// each scan round shuffles both terminals and both decays, each terminal
// joined with its own channel's decay; the carry scales the state by the
// vector of the channels' decays.
// CHECK-LABEL: func.func @carry_warp_per_channel
// CHECK-SAME: (%[[N:.*]]: index, %[[T:.*]]: vector<2xf32>, %[[C:.*]]: vector<2xf32>
// CHECK:   %[[T0:.*]] = vector.extract %[[T]][0]
// CHECK:   %[[T1:.*]] = vector.extract %[[T]][1]
// CHECK:   %[[C0:.*]] = vector.extract %[[C]][0]
// CHECK:   %[[C1:.*]] = vector.extract %[[C]][1]
// CHECK:   %[[U0:.*]] = nvvm.shfl.sync up %c-1_i32, %[[T0]], %c8_i32
// CHECK:   math.fma %[[C0]], %[[U0]], %[[T0]]
// CHECK:   %[[U1:.*]] = nvvm.shfl.sync up %c-1_i32, %[[T1]], %c8_i32
// CHECK:   math.fma %[[C1]], %[[U1]], %[[T1]]
// CHECK:   nvvm.shfl.sync up %c-1_i32, %[[C0]], %c8_i32
// CHECK:   nvvm.shfl.sync up %c-1_i32, %[[C1]], %c8_i32
// CHECK:   %[[TB:.*]] = vector.from_elements %{{.*}}, %{{.*}} : vector<2xf32>
// CHECK:   %[[PB:.*]] = vector.from_elements %{{.*}}, %{{.*}} : vector<2xf32>
// CHECK:   %[[W:.*]] = arith.mulf %{{.*}}, %[[PB]] : vector<2xf32>
// CHECK:   arith.addf %[[TB]], %[[W]] : vector<2xf32>
func.func @carry_warp_per_channel(%n: index, %t: vector<2xf32>, %c: vector<2xf32>, %out: memref<2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %s = swr.carry_exchange %c, %t window full level warp lanes 4 stride 8
        : vector<2xf32> per_channel
    vector.transfer_write %s, %out[%c0] {in_bounds = [true]} : vector<2xf32>, memref<2xf32>
  }
  return
}
