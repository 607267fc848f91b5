// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{channel-tile=1}),swr-distribute{block-size=128 min-blocks-per-sm=6})' | FileCheck %s
// RUN: not swr-opt %s --pass-pipeline='builtin.module(func.func(swr-tile-blocks{channel-tile=1}),swr-distribute{min-blocks-per-sm=33})' 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: swr-compile %s --min-blocks-per-sm=6 -o %t.ptx
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}

// min-blocks-per-sm asks ptxas for registers that let that many CTAs share
// an SM: nvvm.minctasm on the kernel, .minnctapersm in the PTX (beside the
// .maxntid of the known block size).
// CHECK: gpu.func @full_bct
// CHECK-SAME: nvvm.minctasm = 6 : i32
// PTX: .maxntid 128, 1, 1
// PTX-NEXT: .minnctapersm 6
// RANGE: error: swr-distribute: min-blocks-per-sm must be in [0, 32], got 33
func.func @full_bct(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                    %y: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}
