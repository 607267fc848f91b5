// The backward of the Phalanx SWR, derived by the compiler, on the CPU:
// dx, da (summed over each head's 16 channels) and dh0 against a float64
// reverse-mode reference, at lengths that are not multiples of 16, with
// decays near 0 and near 1, forwards and (@reversed) backwards in time;
// and of an exact 8-token window (@exact) at lengths around it.
// RUN: swr-run %s --grad --shape 2x3x16x1 --lengths 1,15,16,17,1000 --decays near1,spread,near0 | FileCheck %s
// RUN: swr-run %s --grad --strategy fma --shape 2x3x16x1 --lengths 17,1000 --decays near1,spread | FileCheck %s --check-prefix=FMA
// RUN: swr-run %s --grad --function reversed --shape 2x3x16x1 --lengths 1,17,1000 --decays near1,spread | FileCheck %s --check-prefix=REV
// RUN: swr-run %s --grad --function exact --shape 2x3x16x1 --lengths 1,7,8,9,17,1000 --decays near1,spread,near0 | FileCheck %s --check-prefix=EXACT

// CHECK-COUNT-15: ok
// CHECK: swr-run: ok rel_err={{.*}} floor=
// FMA-COUNT-4: ok
// FMA: swr-run: ok
// REV-COUNT-6: ok
// REV: swr-run: ok
// EXACT-COUNT-18: ok
// EXACT: swr-run: ok
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %h0: memref<?x?x16xf32>, %y: memref<?x?x16x?xbf16>,
                       %hT: memref<?x?x16xf32>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      init(%h0 : memref<?x?x16xf32>) output(%y : memref<?x?x16x?xbf16>)
      final(%hT : memref<?x?x16xf32>)
  return
}

func.func @reversed(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>,
                    %h0: memref<?x?x16xf32>, %y: memref<?x?x16x?xf32>) {
  swr.scan full layout bhdl sharing per_head reverse
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x16x?xf32>)
      init(%h0 : memref<?x?x16xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

func.func @exact(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>,
                 %y: memref<?x?x16x?xf32>) {
  swr.scan exact<8> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x16x?xf32>)
      output(%y : memref<?x?x16x?xf32>)
  return
}
