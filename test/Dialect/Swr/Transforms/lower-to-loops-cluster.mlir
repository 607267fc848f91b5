// RUN: swr-opt %s --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-to-loops,cse)))' --split-input-file | FileCheck %s --implicit-check-not=swr.

// Level cluster: 4 CTAs of a cluster, each of 2 warps (64 threads), share
// each sequence, one time lane x 32 channels per warp. A cluster barrier
// before the tile loop: every CTA runs before any stores into its shared
// memory. In the loop the warps of each CTA join their pairs as at level
// cta; then warp 0's lanes (one per channel lane) store the CTA's pair at
// [iteration mod 2, CTA rank, channel lane] of every CTA's buffer, their
// own included (mapa into the shared window of ranks 0..3, st.shared::cluster),
// a cluster barrier (arrive.release, wait.acquire), and every lane reads
// the pairs of the four CTAs from its own buffer, joining those of the
// CTAs before its own, then of the warps before its own, to the
// loop-carried carry, and all four to the carry leaving the iteration.
// CHECK-LABEL: gpu.func @carry_cluster
// CHECK-SAME: workgroup(%[[WARPS:.*]] : memref<2x2x32x2xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64}, %[[CTAS:.*]] : memref<2x4x32x2xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK: nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-NEXT: scf.for %[[G:.*]] = {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[S:.*]] = %{{.*}})
// CHECK:   %[[PARITY:.*]] = arith.remui %[[G]], %c2
// CHECK:   nvvm.barrier id = %{{.*}} number_of_threads = %c64_i32
// CHECK:   %[[RANK32:.*]] = nvvm.read.ptx.sreg.cluster.ctarank : i32
// CHECK:   %[[RANK:.*]] = arith.index_castui %[[RANK32]] : i32 to index
// CHECK:   %[[WARP0:.*]] = arith.cmpi ult, %{{.*}}, %c32
// CHECK:   %[[PUBLISHES:.*]] = arith.andi %[[WARP0]], %{{.*}}
// CHECK:   scf.if %[[PUBLISHES]] {
// CHECK:     memref.extract_strided_metadata %[[CTAS]]
// CHECK:     arith.muli %[[PARITY]], %{{.*}}
// CHECK:     arith.muli %[[RANK]], %{{.*}}
// CHECK:     %[[TERMINAL:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
// CHECK:     %[[AT0:.*]] = nvvm.mapa %[[TERMINAL]], %c0_i32 : !llvm.ptr<3> -> !llvm.ptr<7>
// CHECK:     llvm.store %{{.*}}, %[[AT0]] {alignment = 4 : i64} : f32, !llvm.ptr<7>
// CHECK-COUNT-3: nvvm.mapa %[[TERMINAL]]
// CHECK:     %[[DECAY:.*]] = llvm.inttoptr %{{.*}} : i64 to !llvm.ptr<3>
// CHECK-COUNT-4: nvvm.mapa %[[DECAY]]
// CHECK:   }
// CHECK:   nvvm.cluster.arrive {aligned}
// CHECK-NEXT: nvvm.cluster.wait {aligned}
// CHECK-COUNT-8: memref.load %[[CTAS]][%[[PARITY]]
// CHECK:   scf.yield
gpu.module @kernels {
  gpu.func @carry_cluster(%n: index, %h0: vector<1xf32>, %t: vector<1xf32>,
                          %c: f32, %out: memref<?xf32>) kernel
      attributes {known_block_size = array<i32: 64, 1, 1>,
                  nvvm.cluster_dim = array<i32: 4, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %h0) -> (vector<1xf32>) {
      %s = swr.carry_exchange %c, %t init(%h0 : vector<1xf32>) window full
          level cluster lanes 1 stride 32 warps 2 ctas 4 : vector<1xf32>
      %sum = arith.addf %acc, %s : vector<1xf32>
      scf.yield %sum : vector<1xf32>
    }
    vector.transfer_write %r, %out[%c0] : vector<1xf32>, memref<?xf32>
    gpu.return
  }
}

// -----

// One warp per CTA: no warps' exchange, the CTA's pair is the warp's.
// CHECK-LABEL: gpu.func @carry_cluster_one_warp
// CHECK-SAME: workgroup(%[[CTAS:.*]] : memref<2x2x32x2xf32, #gpu.address_space<workgroup>> {llvm.align = 16 : i64})
// CHECK-NOT: nvvm.barrier id
// CHECK: nvvm.read.ptx.sreg.cluster.ctarank
// CHECK-COUNT-4: nvvm.mapa
// CHECK: nvvm.cluster.wait {aligned}
// CHECK-COUNT-4: memref.load %[[CTAS]]
gpu.module @kernels {
  gpu.func @carry_cluster_one_warp(%n: index, %t: vector<1xf32>, %c: f32,
                                   %out: memref<?xf32>) kernel
      attributes {known_block_size = array<i32: 32, 1, 1>,
                  nvvm.cluster_dim = array<i32: 2, 1, 1>} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %z = arith.constant dense<0.0> : vector<1xf32>
    %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %z) -> (vector<1xf32>) {
      %s = swr.carry_exchange %c, %t window full
          level cluster lanes 1 stride 32 warps 1 ctas 2 : vector<1xf32>
      %sum = arith.addf %acc, %s : vector<1xf32>
      scf.yield %sum : vector<1xf32>
    }
    vector.transfer_write %r, %out[%c0] : vector<1xf32>, memref<?xf32>
    gpu.return
  }
}
