// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 prefetch=-1 channel-tile=-1 channel-fastest=1 overhang=1" --split-input-file | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 time-warps=-1 full-block=-1 prefetch=-1 channel-tile=-1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=OFF

// overhang=1, lanes over channels (bthd: 32 lanes x 2 channels, 64 per
// work item): a static head of 48 channels leaves lanes 24..31 past the
// channel axis, so the tiles of the inputs, per-channel decays and outputs
// are marked `overhang` (those lanes skip them whole). Off by default.
// OFF-NOT: overhang
// CHECK-LABEL: func.func @head_of_48
// CHECK: scf.parallel {{.*}} step (%c1, %c1, %c64, %c1)
// CHECK: swr.read_tile %arg0{{.*}} channel 3 overhang pad 1.000000e+00
// CHECK: swr.read_tile %arg1{{.*}} channel 3 overhang pad 0.000000e+00
// CHECK: swr.write_tile {{.*}} channel 3 overhang :
func.func @head_of_48(%a: memref<?x?x32x48xbf16>, %x: memref<?x?x32x48xbf16>,
                      %y: memref<?x?x32x48xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x32x48xbf16>) input(%x : memref<?x?x32x48xbf16>)
      output(%y : memref<?x?x32x48xbf16>)
  return
}

// -----

// A multiple of the lanes' channels, or a dynamic axis: never marked.
// CHECK-LABEL: func.func @head_of_1536
// CHECK-NOT: overhang
// CHECK-LABEL: func.func @dynamic_heads
// CHECK-NOT: overhang
func.func @head_of_1536(%a: memref<?x?x1x1536xbf16>, %x: memref<?x?x1x1536xbf16>,
                        %y: memref<?x?x1x1536xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x1x1536xbf16>) input(%x : memref<?x?x1x1536xbf16>)
      output(%y : memref<?x?x1x1536xbf16>)
  return
}

// -----

func.func @dynamic_heads(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                         %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}
