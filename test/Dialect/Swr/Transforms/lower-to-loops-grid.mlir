// RUN: swr-opt %s --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-to-loops,cse)))' | FileCheck %s --implicit-check-not=swr.

// Level grid: one iteration per work item (4 warps of 32 channel lanes, two
// items per 256-thread block). The warps' pairs meet in shared memory as at
// level cta; then warp 0 of the item (one lane per channel lane) publishes
// the chunk's pair (terminal, decay) in its slot of the workspace and sets
// the slot's flag to 1 with a release store, walks back over the slots
// before it (spinning on each flag with acquire loads) joining their pairs
// until one holds its inclusive carry (flag 2), and publishes its own
// (flag 2); chunk 0 starts from `init`. The carry reaches the item's lanes
// through shared memory after a barrier of its 128 threads. Layout: 32
// header words, then the flags of all %slots slots (32 words each), then
// the values (96 words each: terminals, decays, inclusive carries). The
// kernel records [header, words per slot, zeroed (flag) words per slot].
// CHECK-LABEL: gpu.func @carry_grid
// CHECK-SAME: %[[INIT:[^:]*]]: vector<1xf32>
// CHECK-SAME: %[[WS:[^:]*]]: memref<?xi32>, %[[SLOT:[^:]*]]: index, %[[SLOTS:[^:]*]]: index, %[[CHUNK:[^:]*]]: index
// CHECK-SAME: workgroup(%[[PAIRS:.*]] : memref<2x8x32x2xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[CARRIES:.*]] : memref<2x32x1xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-SAME: swr.workspace = array<i64: 32, 128, 32>
// CHECK: memref.store %{{.*}}, %[[PAIRS]]
// CHECK: nvvm.barrier id = %[[ITEM:.*]] number_of_threads = %c128_i32
// CHECK-COUNT-8: memref.load %[[PAIRS]]
// CHECK: %[[LEADS:.*]] = arith.andi
// CHECK: scf.if %[[LEADS]] {
// CHECK:   %[[FIRST:.*]] = arith.cmpi eq, %[[CHUNK]], %c0
// CHECK:   %[[IN:.*]] = scf.if %[[FIRST]] -> (vector<1xf32>) {
// CHECK:     scf.yield %[[INIT]]
// CHECK:   } else {
// CHECK:     arith.muli %[[SLOTS]], %c32
// CHECK:     llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK:     llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK:     llvm.store %c1_i32, %{{.*}} atomic syncscope("device") release
// CHECK:     %[[BACK:.*]] = arith.subi %[[SLOT]], %c1
// CHECK:     %[[WALK:.*]]:4 = scf.while (%{{.*}} = %[[BACK]], {{.*}}, %[[GO:.*]] = %true)
// CHECK:       scf.condition(%[[GO]])
// CHECK:     } do {
// CHECK:       %[[FLAG:.*]] = scf.while
// CHECK:         llvm.load %{{.*}} atomic syncscope("device") acquire
// CHECK:       arith.cmpi eq, %[[FLAG]], %c2_i32
// CHECK-COUNT-3: llvm.load %{{.*}} {alignment = 4 : i64} : !llvm.ptr -> i32
// CHECK:       scf.yield
// CHECK:     }
// CHECK:     vector.from_elements %[[WALK]]#3
// CHECK:   }
// CHECK:   llvm.store %{{.*}}, %{{.*}} {alignment = 4 : i64} : i32, !llvm.ptr
// CHECK:   memref.store %{{.*}}, %[[CARRIES]]
// CHECK:   llvm.store %c2_i32, %{{.*}} atomic syncscope("device") release
// CHECK: }
// CHECK: nvvm.barrier id = %[[ITEM]] number_of_threads = %c128_i32
// CHECK: memref.load %[[CARRIES]]
gpu.module @kernels {
  gpu.func @carry_grid(%h0: vector<1xf32>, %t: vector<1xf32>, %c: f32,
                       %ws: memref<?xi32>, %slot: index, %slots: index,
                       %chunk: index, %out: memref<?xf32>) kernel
      attributes {known_block_size = array<i32: 256, 1, 1>} {
    %c0 = arith.constant 0 : index
    %s = swr.carry_exchange %c, %t init(%h0 : vector<1xf32>) window full
        level grid lanes 1 stride 32 warps 4
        across(%ws[%slot of %slots] chunk %chunk : memref<?xi32>)
        : vector<1xf32>
    vector.transfer_write %s, %out[%c0] : vector<1xf32>, memref<?xf32>
    gpu.return
  }
}
