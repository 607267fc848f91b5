// RUN: swr-opt %s --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-to-loops,cse)))' --split-input-file | FileCheck %s --implicit-check-not=swr.

// Level cta: 4 warps of a 256-thread block share each sequence (two work
// items per block), 4 time lanes x 8 channels per warp. After the warp's
// shuffle scan, its last time lane publishes the warp's pair (terminal,
// decay) at [iteration mod 2, warp in block, channel lane] of a workgroup
// buffer (16-byte aligned: its reads become vector loads); a barrier of
// the item's 128 threads, named by the item's place in the block; then
// every lane reads the pairs of its item's four warps, joins those before
// its warp to the loop-carried carry, and all four to the carry leaving the
// iteration.
// CHECK-LABEL: gpu.func @carry_cta
// CHECK-SAME: workgroup(%[[BUF:.*]] : memref<2x8x8x2xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK: scf.for %[[G:.*]] = {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[S:.*]] = %{{.*}})
// CHECK:   %[[LANE:.*]] = nvvm.read.ptx.sreg.laneid
// CHECK:   %[[TL:.*]] = arith.andi {{.*}}, %c3_i32
// CHECK:   %[[CL:.*]] = arith.andi %[[LANE]], %c7_i32
// CHECK-COUNT-6: nvvm.shfl.sync up
// CHECK-COUNT-2: nvvm.shfl.sync idx
// CHECK:   %[[TID:.*]] = gpu.thread_id x
// CHECK:   %[[WARP:.*]] = arith.divui %[[TID]], %c32
// CHECK:   %[[WINITEM:.*]] = arith.remui %[[WARP]], %c4
// CHECK:   %[[FIRSTWARP:.*]] = arith.subi %[[WARP]], %[[WINITEM]]
// CHECK:   %[[PARITY:.*]] = arith.remui %[[G]], %c2
// CHECK:   %[[SLOT:.*]] = arith.index_cast %[[CL]] : i32 to index
// CHECK:   %[[LASTLANE:.*]] = arith.cmpi eq, %[[TL]], %c3_i32
// CHECK:   scf.if %[[LASTLANE]] {
// CHECK:     memref.store %{{.*}}, %[[BUF]][%[[PARITY]], %[[WARP]], %[[SLOT]], %c0]
// CHECK:     memref.store %{{.*}}, %[[BUF]][%[[PARITY]], %[[WARP]], %[[SLOT]], %c1]
// CHECK:   }
// CHECK:   %[[ITEM:.*]] = arith.divui %[[TID]], %c128
// CHECK:   %[[ITEM32:.*]] = arith.index_cast %[[ITEM]] : index to i32
// CHECK:   nvvm.barrier id = %[[ITEM32]] number_of_threads = %c128_i32
// CHECK-COUNT-8: memref.load %[[BUF]][%[[PARITY]]
// CHECK:   scf.yield
gpu.module @kernels {
  gpu.func @carry_cta(%n: index, %h0: vector<1xf32>, %t: vector<1xf32>,
                      %c: f32, %out: memref<?xf32>) kernel
      attributes {known_block_size = array<i32: 256, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (vector<1xf32>) {
      %s = swr.carry_exchange %c, %t init(%h0 : vector<1xf32>) window full
          level cta lanes 4 stride 8 warps 4 : vector<1xf32>
      %sum = arith.addf %acc, %s : vector<1xf32>
      scf.yield %sum : vector<1xf32>
    }
    vector.transfer_write %r, %out[%c0] : vector<1xf32>, memref<?xf32>
    gpu.return
  }
}


// -----

// Per-channel decays (2 channels, one warp lane per 32 channels' block):
// each warp publishes its 2 terminals then its 2 total decays.
// CHECK-LABEL: gpu.func @carry_cta_per_channel
// CHECK-SAME: workgroup(%[[BUF:.*]] : memref<2x4x32x4xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK:   scf.if
// CHECK:     memref.store %{{.*}}, %[[BUF]][%{{.*}}, %{{.*}}, %{{.*}}, %c0]
// CHECK:     memref.store %{{.*}}, %[[BUF]][%{{.*}}, %{{.*}}, %{{.*}}, %c1]
// CHECK:     memref.store %{{.*}}, %[[BUF]][%{{.*}}, %{{.*}}, %{{.*}}, %c2]
// CHECK:     memref.store %{{.*}}, %[[BUF]][%{{.*}}, %{{.*}}, %{{.*}}, %c3{{.*}}]
// CHECK:   nvvm.barrier
// CHECK-COUNT-16: memref.load %[[BUF]]
gpu.module @kernels {
  gpu.func @carry_cta_per_channel(%n: index, %t: vector<2xf32>,
                                  %c: vector<2xf32>, %out: memref<?xf32>) kernel
      attributes {known_block_size = array<i32: 128, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %t) -> (vector<2xf32>) {
      %s = swr.carry_exchange %c, %t window full level cta lanes 1 stride 32
          warps 4 : vector<2xf32> per_channel
      %sum = arith.addf %acc, %s : vector<2xf32>
      scf.yield %sum : vector<2xf32>
    }
    vector.transfer_write %r, %out[%c0] : vector<2xf32>, memref<?xf32>
    gpu.return
  }
}
