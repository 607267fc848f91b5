// RUN: swr-opt %s --swr-host-pipeline | FileCheck %s --implicit-check-not=swr. --implicit-check-not=scf. --implicit-check-not=vector. --implicit-check-not=memref.
// RUN: swr-opt %s --swr-host-pipeline="block=8 method=log_space" | FileCheck %s --check-prefix=OPT

// The whole host pipeline ends in the LLVM dialect.
// CHECK-LABEL: llvm.func @phalanx_swr
// CHECK: llvm.intr.fmuladd
// CHECK: llvm.return

// OPT-LABEL: llvm.func @full_f16
// OPT: llvm.intr.exp
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}

// CHECK-LABEL: llvm.func @full_f16
func.func @full_f16(%a: memref<?x?x?xf16>, %x: memref<?x?x?xf16>, %y: memref<?x?x?xf16>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf16>) input(%x : memref<?x?x?xf16>)
      output(%y : memref<?x?x?xf16>)
  return
}
