// RUN: swr-opt %s --allow-unregistered-dialect --split-input-file \
// RUN:   --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-local-solve{strategy=mma})))' \
// RUN:   | FileCheck %s
// RUN: swr-opt %s --allow-unregistered-dialect --split-input-file \
// RUN:   --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-local-solve{strategy=wmma})))' \
// RUN:   | FileCheck %s --check-prefix=WMMA

// A solve the lanes of a warp share (2 channels per lane, 32 steps: two
// 16-step blocks) on tensor cores. Its inputs are f32 (not read from bf16),
// so both operands are split into bf16 high and low parts: three mma.sync
// per 8-channel group and block, 8 groups (64 channels), 2 blocks. The CTA
// of 4 warps stages tiles in two shared buffers (inputs: 2 parts of 16 rows
// of 64 channels + 8 padding; outputs f32).
// CHECK-LABEL: gpu.func @warp_shared
// CHECK-SAME: workgroup(%[[IN:.*]] : memref<4x2x16x72xbf16, #gpu.address_space<workgroup>> {llvm.align = 32 : i64}, %[[OUT:.*]] : memref<4x16x72xf32, #gpu.address_space<workgroup>> {llvm.align = 32 : i64})
// CHECK: nvvm.read.ptx.sreg.laneid
// CHECK: llvm.call_intrinsic "llvm.nvvm.lg2.approx.f"
// CHECK: nvvm.shfl.sync idx
// CHECK: llvm.call_intrinsic "llvm.nvvm.ex2.approx.f32"
// CHECK: nvvm.bar.warp.sync
// CHECK: vector.store %{{.*}}, %[[IN]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<4x2x16x72xbf16, #gpu.address_space<workgroup>>, vector<2xbf16>
// CHECK: nvvm.bar.warp.sync
// CHECK: nvvm.ldmatrix %{{.*}} {eltType = #nvvm.ld_st_matrix_elt_type<b16>, layout = #nvvm.mma_layout<col>, num = 4 : i32, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
// CHECK-COUNT-3: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>}
// CHECK: vector.store %{{.*}}, %[[OUT]]
// CHECK-COUNT-45: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: vector.load %[[OUT]]
// CHECK-NOT: swr.local_solve
// CHECK: "test.sink"
// wmma: the operator's 16 x 16 blocks (high and low parts) are staged too,
// all buffers 32-byte aligned (wmma.load / wmma.store); per block the A
// fragments are loaded once, then per 16-channel group (4 of them) the B
// fragments and three wmma.mma; D is stored to the output buffer.
// WMMA-LABEL: gpu.func @warp_shared
// WMMA-SAME: workgroup(%[[IN:[^ ]*]] : memref<4x2x16x72xbf16, #gpu.address_space<workgroup>> {llvm.align = 32 : i64}, %[[OUT:[^ ]*]] : memref<4x16x72xf32, #gpu.address_space<workgroup>> {llvm.align = 32 : i64}, %[[OP:[^ ]*]] : memref<4x2x16x16xbf16, #gpu.address_space<workgroup>> {llvm.align = 32 : i64}) kernel
// WMMA: vector.store %{{.*}}, %[[OP]]
// WMMA: nvvm.bar.warp.sync
// WMMA-COUNT-2: llvm.call_intrinsic "llvm.nvvm.wmma.m16n16k16.load.a.row.stride.bf16.p3"
// WMMA: llvm.call_intrinsic "llvm.nvvm.wmma.m16n16k16.load.b.row.stride.bf16.p3"
// WMMA: llvm.call_intrinsic "llvm.nvvm.wmma.m16n16k16.mma.row.row.bf16"({{.*}}) : (i32, i32, i32, i32, i32, i32, i32, i32, f32, f32, f32, f32, f32, f32, f32, f32) -> !llvm.struct<(f32, f32, f32, f32, f32, f32, f32, f32)>
// WMMA-COUNT-2: llvm.call_intrinsic "llvm.nvvm.wmma.m16n16k16.mma.row.row.bf16"
// WMMA: llvm.call_intrinsic "llvm.nvvm.wmma.m16n16k16.store.d.row.stride.f32.p3"
// WMMA-COUNT-21: llvm.call_intrinsic "llvm.nvvm.wmma.m16n16k16.mma.row.row.bf16"
// WMMA-NOT: wmma.m16n16k16.mma
// WMMA: vector.fma
// WMMA-NOT: swr.local_solve
gpu.module @kernels {
  gpu.func @warp_shared(%a: vector<32xf32>, %u: vector<32x2xf32>) kernel
      attributes {known_block_size = array<i32: 128, 1, 1>} {
    %L, %g = swr.transfer_operator %a method running_product : vector<32xf32> -> vector<32x32xf32>, vector<32xf32>
    %v = swr.local_solve warp_shared %L, %u : vector<32x32xf32>, vector<32x2xf32>
    "test.sink"(%v, %g) : (vector<32x2xf32>, vector<32xf32>) -> ()
    gpu.return
  }
}

// -----

// Inputs read from bf16 are exact in bf16: two mma.sync per group (the
// operator's high and low parts), 4 groups of 8 channels (one per lane).
// Two solves of one kernel share its staging buffers.
// CHECK-LABEL: gpu.func @bf16_inputs
// CHECK-SAME: workgroup(%{{[^ ]*}} : memref<2x2x16x40xbf16, #gpu.address_space<workgroup>> {llvm.align = 32 : i64}, %{{[^ ]*}} : memref<2x16x40xf32, #gpu.address_space<workgroup>> {llvm.align = 32 : i64}) kernel
// CHECK-COUNT-16: nvvm.mma.sync
// CHECK-NOT: nvvm.mma.sync
// CHECK: "test.sink"
gpu.module @kernels {
  gpu.func @bf16_inputs(%a: vector<16xf32>, %x: memref<?x?x?xbf16>, %i: index, %len: index) kernel
      attributes {known_block_size = array<i32: 64, 1, 1>} {
    %c0 = arith.constant 0 : index
    %u = swr.read_tile %x[%i, %c0, %i] at %c0 length %len time 1 channel 2 pad 0.0 : memref<?x?x?xbf16> -> vector<16x1xf32>
    %L, %g = swr.transfer_operator %a method running_product : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
    %v = swr.local_solve warp_shared %L, %u : vector<16x16xf32>, vector<16x1xf32>
    %w = swr.local_solve warp_shared %L, %u : vector<16x16xf32>, vector<16x1xf32>
    "test.sink"(%v, %w, %g) : (vector<16x1xf32>, vector<16x1xf32>, vector<16xf32>) -> ()
    gpu.return
  }
}

// -----

// What tensor cores cannot share is lowered as by fma: a solve the warp
// does not share, and one transposed.
// CHECK-LABEL: gpu.func @not_shared
// CHECK-NOT: nvvm.mma.sync
// CHECK-COUNT-15: vector.fma
// CHECK-NOT: swr.local_solve
gpu.module @kernels {
  gpu.func @not_shared(%a: vector<16xf32>, %u: vector<16x2xf32>) kernel
      attributes {known_block_size = array<i32: 128, 1, 1>} {
    %L, %g = swr.transfer_operator %a method running_product : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
    %v = swr.local_solve %L, %u : vector<16x16xf32>, vector<16x2xf32>
    %w = swr.local_solve transpose warp_shared %L, %u : vector<16x16xf32>, vector<16x2xf32>
    "test.sink"(%v, %w, %g) : (vector<16x2xf32>, vector<16x2xf32>, vector<16xf32>) -> ()
    gpu.return
  }
}
