// Runs the Phalanx SWR on the CPU through the B2P decomposition and checks it
// against float64 at lengths that are not multiples of 16.
// RUN: swr-run %s --shape 2x3x16x1 --lengths 1,15,16,17,1000 --decays near1,spread,near0 | FileCheck %s

// CHECK-COUNT-15: ok
// CHECK: swr-run: ok rel_err={{.*}} floor=
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}
