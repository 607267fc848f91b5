// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{channel-tile=1}),swr-distribute{block-size=256})' | FileCheck %s
// RUN: not swr-opt %s --swr-distribute=block-size=2048 2>&1 | FileCheck %s --check-prefix=SIZE

// The scan's parallel loop becomes one work item per thread of a kernel in a
// gpu.module; the tile loop stays sequential inside each thread.

// CHECK: module attributes {gpu.container_module}
// CHECK-NOT: func.func
// CHECK: gpu.module @swr_kernels
// CHECK: gpu.func @phalanx_swr(%[[A:.*]]: memref<?x?x?xbf16>, %[[X:.*]]: memref<?x?x16x?xbf16>, %[[Y:.*]]: memref<?x?x16x?xbf16>) kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK-SAME: swr.work_items = [array<i64: 1, 0, 1>, array<i64: 1, 1, 1>, array<i64: 1, 2, 1>]
// CHECK: %[[TID:.*]] = gpu.thread_id x
// CHECK: %[[BID:.*]] = gpu.block_id x
// CHECK: %[[BDIM:.*]] = gpu.block_dim x
// CHECK: %[[BASE:.*]] = arith.muli %[[BID]], %[[BDIM]]
// CHECK: %[[ID:.*]] = arith.addi %[[BASE]], %[[TID]]
// CHECK: %[[ACTIVE:.*]] = arith.cmpi ult, %[[ID]], %{{.*}}
// CHECK: scf.if %[[ACTIVE]]
// CHECK:   arith.remui
// CHECK:   arith.divui
// CHECK:   scf.for
// CHECK:     swr.carry_exchange {{.*}} window bands<2> level serial : vector<1xf32>
// CHECK: gpu.return

// SIZE: swr-distribute: block-size must be in [1, 1024], got 2048
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}
