// RUN: swr-opt %s --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-to-loops,cse)))' --split-input-file --allow-unregistered-dialect | FileCheck %s --implicit-check-not=swr.stage --implicit-check-not=swr.read_staged

// A staged tile in a kernel of 128 threads: buffer 1 of 3 slots x 2 steps x
// 128 threads x 2 bf16 (3072 bytes of the kernel's dynamic shared memory,
// an external array NVPTX declares .extern .shared). A thread's row of one
// step is at ((slot x 2 + step) x 128 + thread) x 4 bytes. Rows inside the
// channel axis and aligned to 4 bytes are cp.async copies: a whole tile
// inside the sequence one time stride apart, a partial one with 0 bytes
// past its end; any other tile is read and stored to the slot. The read
// back pads the rows past the end only when the tile reaches past it.
// CHECK: llvm.mlir.global external @swr_staging() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
// CHECK-LABEL: gpu.func @staged
// CHECK-SAME: swr.dynamic_shared_memory = 3072 : i64
// CHECK: %[[STAGING:.*]] = llvm.mlir.addressof @swr_staging : !llvm.ptr<3>
// CHECK: %[[BUFFER:.*]] = llvm.getelementptr %[[STAGING]][0]
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[SLOT:.*]] = arith.muli %{{.*}}, %c256
// CHECK: %[[ROW:.*]] = arith.addi %[[SLOT]], %[[TID]]
// CHECK: %[[BYTES:.*]] = arith.muli %[[ROW]], %c4
// CHECK: %[[I64:.*]] = arith.index_cast %[[BYTES]] : index to i64
// CHECK: %[[FIRST:.*]] = llvm.getelementptr %[[BUFFER]][%[[I64]]]
// CHECK: scf.if %{{.*}} {
// CHECK:   scf.if %{{.*}} {
// CHECK:     %[[SRC:.*]] = llvm.addrspacecast %{{.*}} : !llvm.ptr to !llvm.ptr<1>
// CHECK:     nvvm.cp.async.shared.global %[[FIRST]], %{{.*}}, 4, cache = ca : !llvm.ptr<3>, !llvm.ptr<1>
// CHECK:     %[[NEXT:.*]] = llvm.getelementptr %[[FIRST]][512]
// CHECK:     nvvm.cp.async.shared.global %[[NEXT]], %{{.*}}, 4, cache = ca : !llvm.ptr<3>, !llvm.ptr<1>
// CHECK:   } else {
// CHECK:     %[[SIZE:.*]] = arith.select %{{.*}}, %c4_i32, %c0_i32 : i32
// CHECK:     nvvm.cp.async.shared.global %[[FIRST]], %{{.*}}, 4, cache = ca, %[[SIZE]] : !llvm.ptr<3>, !llvm.ptr<1>, i32
// CHECK:     nvvm.cp.async.shared.global
// CHECK:   }
// CHECK: } else {
// CHECK:   vector.load %arg0
// CHECK:   llvm.store %{{.*}}, %[[FIRST]] {alignment = 4 : i64} : vector<2xbf16>, !llvm.ptr<3>
// CHECK:   llvm.store
// CHECK: }
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvvm.cp.async.wait.group 2
// CHECK: %[[TILE:.*]] = scf.if %{{.*}} -> (vector<2x2xbf16>) {
// CHECK:   llvm.load %[[FIRST]] {alignment = 4 : i64} : !llvm.ptr<3> -> vector<2xbf16>
// CHECK-NOT: arith.select
// CHECK: } else {
// CHECK:   llvm.load %[[FIRST]]
// CHECK:   arith.select
// CHECK: }
// CHECK: arith.extf %[[TILE]] : vector<2x2xbf16> to vector<2x2xf32>
gpu.module @kernels {
  gpu.func @staged(%x: memref<?x?x?x?xbf16>, %b: index, %h: index,
                   %d: index, %pos: index, %len: index, %slot: index)
      kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    swr.stage_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3
        into 1 slot %slot of 3 steps 2 channels 2 : memref<?x?x?x?xbf16>
    swr.stage_commit
    swr.stage_wait pending 2
    %t = swr.read_staged 1 slot %slot of 3 at %pos length %len stored bf16
        pad 0.0 : vector<2x2xf32>
    "test.use"(%t) : (vector<2x2xf32>) -> ()
    gpu.return
  }
}

// -----

// Two buffers one after another (16-byte aligned), and reversed time: the
// rows of a whole tile one stride apart going down; 16-byte rows bypass L1.
// CHECK-LABEL: gpu.func @two_buffers
// CHECK-SAME: swr.dynamic_shared_memory = 8192 : i64
// CHECK-DAG: llvm.getelementptr %{{.*}}[0]
// CHECK-DAG: llvm.getelementptr %{{.*}}[4096]
// CHECK: nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache = cg
// CHECK: arith.muli %{{.*}}, %c-1
gpu.module @kernels {
  gpu.func @two_buffers(%x: memref<?x?x?x?xf32>, %b: index, %h: index,
                        %d: index, %pos: index, %len: index, %slot: index)
      kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
    %c0 = arith.constant 0 : index
    swr.stage_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3
        into 0 slot %slot of 2 steps 2 channels 4 : memref<?x?x?x?xf32>
    swr.stage_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3
        reverse into 1 slot %slot of 2 steps 2 channels 4
        : memref<?x?x?x?xf32>
    gpu.return
  }
}

// -----

// lanes 32: a warp's lanes hold adjacent channel pairs of the same steps,
// so a step is a run of 128 bytes that 8 lanes copy together in 16-byte
// cp.async.cg (lane l: segment l mod 8 of step l / 8, then 4 steps on),
// from the group's first channel (the lane's less 2 x its place) when the
// whole tile lies inside the sequence, the group's 64 channels inside the
// channel axis and its runs are 16-byte aligned; else each lane copies its
// own rows. A warp barrier comes before the copies (no lane may still be
// reading the slot) and after the wait (lanes read each other's copies).
// CHECK-LABEL: gpu.func @group
// CHECK: nvvm.bar.warp.sync %c-1_i32 : i32
// CHECK: %[[LANE:.*]] = nvvm.read.ptx.sreg.laneid
// CHECK: %[[L:.*]] = arith.index_castui %[[LANE]]
// CHECK: %[[PLACE:.*]] = arith.remui %[[L]], %c32
// CHECK: %[[OFF:.*]] = arith.muli %[[PLACE]], %c2
// CHECK: %[[FIRSTCH:.*]] = arith.subi %arg3, %[[OFF]]
// CHECK: %[[END:.*]] = arith.addi %[[FIRSTCH]], %c64
// CHECK: arith.cmpi ule, %[[END]], %dim
// CHECK: scf.if %{{.*}} {
// CHECK:   %[[SEG:.*]] = arith.remui %[[PLACE]], %c8
// CHECK:   %[[STEP:.*]] = arith.divui %[[PLACE]], %c8
// CHECK:   %[[GROUP:.*]] = arith.subi %thread_id_x, %[[PLACE]]
// CHECK:   nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache = cg
// CHECK:   llvm.getelementptr %{{.*}}[2048]
// CHECK:   nvvm.cp.async.shared.global %{{.*}}, %{{.*}}, 16, cache = cg
// CHECK-NOT: cache = cg
// CHECK: } else {
// CHECK:   cache = ca
// CHECK: }
// CHECK: nvvm.cp.async.wait.group 1
// CHECK-NEXT: nvvm.bar.warp.sync
gpu.module @kernels {
  gpu.func @group(%x: memref<?x?x?x?xbf16>, %b: index, %h: index,
                  %d: index, %pos: index, %len: index, %slot: index)
      kernel attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    swr.stage_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3
        into 0 slot %slot of 2 steps 8 channels 2 lanes 32
        : memref<?x?x?x?xbf16>
    swr.stage_wait pending 1
    gpu.return
  }
}
