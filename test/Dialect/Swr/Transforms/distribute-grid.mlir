// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{time-lanes=-1 time-warps=-1 grid-carries=1 channel-tile=1 channel-fastest=1}),swr-distribute{block-size=128})' | FileCheck %s

// Grid carries: a work item waits for the chunks before its own, so blocks
// are numbered by an atomic ticket drawn from the workspace's first word by
// each block's first thread and handed to the others through shared memory,
// not by the block index: every block a block waits for started before it,
// in whatever order the hardware starts blocks. The workspace argument keeps
// its `swr.workspace` mark on the kernel.

// CHECK: gpu.func @full_bthd(
// CHECK-SAME: %[[WS:[^:]*]]: memref<?xi32> {swr.workspace})
// CHECK-SAME: workgroup(%[[TICKET:.*]] : memref<1xindex, #gpu.address_space<workgroup>>)
// CHECK-SAME: swr.threads_per_item = 128 : i64
// CHECK-SAME: swr.work_items = [array<i64: 1, 1, 64>, array<i64: 1, 0, 1>, array<i64: 1, 2, 1>, array<i64: 1, 3, 32>]
// CHECK-NOT: gpu.block_id
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %{{.*}}, %c0
// CHECK: scf.if %[[FIRST]] {
// CHECK:   memref.extract_aligned_pointer_as_index %[[WS]]
// CHECK:   %[[PTR:.*]] = llvm.inttoptr
// CHECK:   %[[DRAWN:.*]] = llvm.atomicrmw add %[[PTR]], %{{.*}} syncscope("device") monotonic
// CHECK:   %[[INDEX:.*]] = arith.index_castui %[[DRAWN]] : i32 to index
// CHECK:   memref.store %[[INDEX]], %[[TICKET]][%c0
// CHECK: gpu.barrier
// CHECK: %[[BLOCK:.*]] = memref.load %[[TICKET]]
// CHECK: %[[BLOCKDIM:.*]] = gpu.block_dim x
// CHECK: arith.muli %[[BLOCK]], %[[BLOCKDIM]]
// CHECK: swr.carry_exchange {{.*}} level grid lanes 1 stride 32 warps 4 across(%[[WS]]
func.func @full_bthd(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                     %y: memref<?x?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}
