// RUN: swr-opt %s --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-to-loops,cse)),func.func(swr-lower-to-loops))' --split-input-file | FileCheck %s --implicit-check-not=swr.

// In a kernel: when the whole tile lies inside the sequence and its first
// channel inside the channel axis, the steps' L2 prefetches are dealt to the
// lanes of each group sharing them (lanes 32: the whole warp): lane l
// prefetches step l mod n of its own tile (at its first channel), one
// prefetch per 32 steps; nothing otherwise.
// CHECK-LABEL: gpu.func @prefetch_tile
// CHECK: %[[END:.*]] = arith.addi %{{.*}}, %c4
// CHECK: %[[SEQ:.*]] = arith.cmpi ule, %[[END]], %{{.*}}
// CHECK: %[[DIM:.*]] = memref.dim %{{.*}}, %c3
// CHECK: %[[CH:.*]] = arith.cmpi ult, %{{.*}}, %[[DIM]]
// CHECK: %[[IN:.*]] = arith.andi %[[SEQ]], %[[CH]]
// CHECK: scf.if %[[IN]] {
// CHECK:   %[[LANE:.*]] = nvvm.read.ptx.sreg.laneid
// CHECK:   %[[L:.*]] = arith.index_castui %[[LANE]]
// CHECK:   %[[PLACE:.*]] = arith.remui %[[L]], %c32
// CHECK:   %[[STEP:.*]] = arith.remui %[[PLACE]], %c4
// CHECK:   %[[T:.*]] = arith.addi %{{.*}}, %[[STEP]]
// CHECK:   memref.extract_strided_metadata
// CHECK:   arith.muli %[[T]], %strides#1
// CHECK:   memref.extract_aligned_pointer_as_index
// CHECK:   %[[P0:.*]] = llvm.inttoptr
// CHECK:   nvvm.prefetch level = L2, %[[P0]] : !llvm.ptr
// CHECK-NOT: nvvm.prefetch
// CHECK: }
gpu.module @kernels {
  gpu.func @prefetch_tile(%x: memref<?x?x?x?xbf16>, %b: index, %h: index,
                          %d: index, %pos: index, %len: index) kernel {
    %c0 = arith.constant 0 : index
    swr.prefetch_tile %x[%b, %c0, %h, %d] at %pos length %len time 1
        channel 3 steps 4 lanes 32 : memref<?x?x?x?xbf16>
    gpu.return
  }
}

// -----

// 64 steps over groups of 8 lanes: 8 rounds, lane l taking steps
// (l mod 8) + 8 r.
// CHECK-LABEL: gpu.func @prefetch_groups
// CHECK: scf.if
// CHECK:   %[[LANE:.*]] = nvvm.read.ptx.sreg.laneid
// CHECK:   %[[L:.*]] = arith.index_castui %[[LANE]]
// CHECK:   %[[PLACE:.*]] = arith.remui %[[L]], %c8
// CHECK:   arith.remui %[[PLACE]], %c64
// CHECK:   nvvm.prefetch level = L2
// CHECK:   %[[NEXT:.*]] = arith.addi %[[PLACE]], %c8
// CHECK:   arith.remui %[[NEXT]], %c64
// CHECK-COUNT-7: nvvm.prefetch level = L2
// CHECK-NOT: nvvm.prefetch
// CHECK: }
gpu.module @kernels {
  gpu.func @prefetch_groups(%x: memref<?x?x?x?xbf16>, %b: index, %h: index,
                            %d: index, %pos: index, %len: index) kernel {
    %c0 = arith.constant 0 : index
    swr.prefetch_tile %x[%b, %c0, %h, %d] at %pos length %len time 1
        channel 3 steps 64 lanes 8 : memref<?x?x?x?xbf16>
    gpu.return
  }
}

// -----

// Without lanes (a group of one) each thread prefetches every step of its
// own tile, no lane id needed.
// CHECK-LABEL: gpu.func @prefetch_every_step
// CHECK: scf.if
// CHECK-NOT: nvvm.read.ptx.sreg.laneid
// CHECK-COUNT-4: nvvm.prefetch level = L2
// CHECK-NOT: nvvm.prefetch
// CHECK: }
gpu.module @kernels {
  gpu.func @prefetch_every_step(%x: memref<?x?x?x?xbf16>, %b: index,
                                %h: index, %d: index, %pos: index,
                                %len: index) kernel {
    %c0 = arith.constant 0 : index
    swr.prefetch_tile %x[%b, %c0, %h, %d] at %pos length %len time 1
        channel 3 steps 4 : memref<?x?x?x?xbf16>
    gpu.return
  }
}

// -----

// On the host a prefetch hint lowers to nothing.
// CHECK-LABEL: func.func @prefetch_host
// CHECK-NEXT: arith.constant
// CHECK-NEXT: return
func.func @prefetch_host(%x: memref<?x?xf32>, %pos: index, %len: index) {
  %c0 = arith.constant 0 : index
  swr.prefetch_tile %x[%c0, %c0] at %pos length %len time 1 steps 16
      : memref<?x?xf32>
  return
}
