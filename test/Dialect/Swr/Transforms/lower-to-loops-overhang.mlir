// RUN: swr-opt %s --pass-pipeline='builtin.module(gpu.module(gpu.func(swr-lower-to-loops,cse)))' | FileCheck %s --implicit-check-not=swr.

// A tile marked `overhang` (lanes of a work item may lie past the channel
// axis: here a 48-channel head on lanes of 2 channels) first asks whether
// its first channel lies inside the axis: if so it takes the paths of any
// tile (the vector path when whole, else the masked gather); if not, the
// read yields padding without a load and the write stores nothing, so such
// a lane no longer runs the masked path beside its warp's vector path.
// CHECK-LABEL: gpu.func @overhang
// CHECK: %[[DIM:.*]] = memref.dim %arg0, %c3
// CHECK: %[[IN:.*]] = arith.cmpi ult, %arg4, %[[DIM]]
// CHECK: %[[TILE:.*]] = scf.if %[[IN]] -> (vector<4x2xbf16>) {
// CHECK:   scf.if %{{.*}} -> (vector<4x2xbf16>) {
// CHECK:     vector.load %arg0
// CHECK:   } else {
// CHECK:     memref.load %arg0
// CHECK:     vector.from_elements
// CHECK:   }
// CHECK: } else {
// CHECK-NEXT: %[[PAD:.*]] = arith.constant 0.000000e+00 : bf16
// CHECK-NEXT: %[[PADS:.*]] = vector.broadcast %[[PAD]] : bf16 to vector<4x2xbf16>
// CHECK-NEXT: scf.yield %[[PADS]]
// CHECK: }
// CHECK: arith.extf %[[TILE]]
// CHECK: %[[OUT:.*]] = arith.truncf
// CHECK: %[[DIMY:.*]] = memref.dim %arg1, %c3
// CHECK: %[[INY:.*]] = arith.cmpi ult, %arg4, %[[DIMY]]
// CHECK: scf.if %[[INY]] {
// CHECK:   scf.if %{{.*}} {
// CHECK:     vector.store %{{.*}}, %arg1
// CHECK:   } else {
// CHECK:     memref.store %{{.*}}, %arg1
// CHECK:   }
// CHECK: }
// CHECK-NOT: vector.store
// CHECK: gpu.return
gpu.module @kernels {
  gpu.func @overhang(%x: memref<?x?x32x48xbf16>, %y: memref<?x?x32x48xbf16>,
                     %b: index, %h: index, %d: index, %pos: index,
                     %len: index) kernel {
    %c0 = arith.constant 0 : index
    %t = swr.read_tile %x[%b, %c0, %h, %d] at %pos length %len time 1
        channel 3 overhang pad 0.0 : memref<?x?x32x48xbf16> -> vector<4x2xf32>
    swr.write_tile %t, %y[%b, %c0, %h, %d] at %pos length %len time 1
        channel 3 overhang : vector<4x2xf32>, memref<?x?x32x48xbf16>
    gpu.return
  }
}
