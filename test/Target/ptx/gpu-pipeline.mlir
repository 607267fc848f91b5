// RUN: swr-opt %s --swr-gpu-pipeline | FileCheck %s
// RUN: swr-opt %s --swr-gpu-pipeline="chip=sm_80 features=+ptx70" | FileCheck %s --check-prefix=SM80

// spec -> gpu.binary with PTX from LLVM's NVPTX backend, in-process.
// CHECK: gpu.binary @swr_kernels
// CHECK-SAME: #nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">
// CHECK-SAME: .target sm_90a
// CHECK-SAME: .visible .entry phalanx_swr(
// CHECK-SAME: .maxntid 128, 1, 1

// SM80: .target sm_80
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}
