// Per-channel decays in blocks of channels (--channel-tile=-1 with time
// chunks: 4 channels, one operator, injection and total decay per channel)
// checked against float64 on the CPU for both local-solve strategies and
// both transfer methods, at lengths around tiles and chunks.
// RUN: swr-run %s --channel-tile=-1 --time-chunk=2 --strategy=matrix --shape 2x1x3x16 --lengths 1,15,16,17,33,100 --decays near1,spread,near0 | FileCheck %s
// RUN: swr-run %s --channel-tile=-1 --time-chunk=2 --strategy=fma --shape 2x1x3x16 --lengths 1,15,16,17,33,100 --decays near1,spread,near0 | FileCheck %s
// RUN: swr-run %s --channel-tile=-1 --time-chunk=2 --method=log_space --shape 2x1x3x16 --lengths 1,15,16,17,33,100 --decays near1,spread,near0 | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="channel-tile=-1 time-chunk=2" | FileCheck %s --check-prefix=TILED

// CHECK-COUNT-18: ok
// CHECK: swr-run: ok rel_err={{.*}} floor=
// TILED: swr.transfer_operator {{.*}} : vector<16x4xf32> -> vector<4x16x16xf32>, vector<16x4xf32>
func.func @channels(%a: memref<?x?x?x16xf32>, %x: memref<?x?x?x16xf32>,
                    %y: memref<?x?x?x16xf32>) {
  swr.scan bands<2> layout bthd sharing per_channel reverse
      decay(%a : memref<?x?x?x16xf32>) input(%x : memref<?x?x?x16xf32>)
      output(%y : memref<?x?x?x16xf32>)
  return
}
