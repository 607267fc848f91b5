// RUN: swr-opt %s --split-input-file --swr-tile-blocks="channel-tile=-1 time-chunk=2" | FileCheck %s
// RUN: swr-opt %s --split-input-file --swr-tile-blocks="channel-tile=2 time-chunk=2" | FileCheck %s --check-prefix=TWO

// channel-tile=-1: bands<k> in time chunks over bthd with per-head decays
// and a static head dimension take the largest power of 2 of at most 8
// dividing it (each step of a tile one vector access over the channels).
// CHECK-LABEL: func.func @bands_d16
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x8xf32>
// TWO-LABEL: func.func @bands_d16
// TWO: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x2xf32>
func.func @bands_d16(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x16xbf16>,
                     %y: memref<?x?x?x16xbf16>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x16xbf16>)
      output(%y : memref<?x?x?x16xbf16>)
  return
}

// -----

// CHECK-LABEL: func.func @bands_d12
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x4xf32>
func.func @bands_d12(%a: memref<?x?x?xf32>, %x: memref<?x?x?x12xf32>,
                     %y: memref<?x?x?x12xf32>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x12xf32>)
      output(%y : memref<?x?x?x12xf32>)
  return
}

// -----

// A dynamic head dimension or a full window: one channel per thread.
// CHECK-LABEL: func.func @bands_dynamic
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x1xf32>
func.func @bands_dynamic(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                         %y: memref<?x?x?x?xf32>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @full_d16
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x1xf32>
func.func @full_d16(%a: memref<?x?x?xf32>, %x: memref<?x?x?x16xf32>,
                    %y: memref<?x?x?x16xf32>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x16xf32>)
      output(%y : memref<?x?x?x16xf32>)
  return
}

// -----

// Per-channel decays (with -1 only): the decays are input-shaped tiles too,
// so 4 channels (2 tiles of 4: 8 channels); each channel has its
// own operator and total decay. An explicit channel-tile names per-head
// blocks only.
// CHECK-LABEL: func.func @bands_per_channel
// CHECK: %[[A:.*]] = swr.read_tile %{{.*}} time 1 channel 3 pad 1.0{{.*}} -> vector<16x4xf32>
// CHECK: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x4xf32>
// CHECK: swr.transfer_operator %[[A]] method running_product : vector<16x4xf32> -> vector<4x16x16xf32>, vector<16x4xf32>
// CHECK: swr.carry_exchange {{.*}} window bands<2> level serial : vector<4xf32> per_channel
// TWO-LABEL: func.func @bands_per_channel
// TWO: swr.read_tile %{{.*}} time 1 channel 3 pad 0.0{{.*}} -> vector<16x1xf32>
func.func @bands_per_channel(%a: memref<?x?x?x16xbf16>,
                             %x: memref<?x?x?x16xbf16>,
                             %y: memref<?x?x?x16xbf16>) {
  swr.scan bands<2> layout bthd sharing per_channel
      decay(%a : memref<?x?x?x16xbf16>) input(%x : memref<?x?x?x16xbf16>)
      output(%y : memref<?x?x?x16xbf16>)
  return
}
