// RUN: swr-opt %s --canonicalize --split-input-file | FileCheck %s

// bands<k> with k at least the number of 16-step tiles of a static length
// keeps every entry of the transfer operator: it is the full recurrence.

// CHECK-LABEL: func.func @bands_covering_length
// CHECK: swr.scan full layout bhdl
func.func @bands_covering_length(%a: memref<2x4x32xf32>, %x: memref<2x4x16x32xf32>,
                                 %y: memref<2x4x16x32xf32>) {
  swr.scan bands<2> layout bhdl sharing per_head decay(%a : memref<2x4x32xf32>)
      input(%x : memref<2x4x16x32xf32>) output(%y : memref<2x4x16x32xf32>)
  return
}

// -----

// One step more needs a third tile: the window no longer covers it.
// CHECK-LABEL: func.func @bands_shorter_than_length
// CHECK: swr.scan bands<2> layout bhdl
func.func @bands_shorter_than_length(%a: memref<2x4x33xf32>, %x: memref<2x4x16x33xf32>,
                                     %y: memref<2x4x16x33xf32>) {
  swr.scan bands<2> layout bhdl sharing per_head decay(%a : memref<2x4x33xf32>)
      input(%x : memref<2x4x16x33xf32>) output(%y : memref<2x4x16x33xf32>)
  return
}

// -----

// The tile of the window counts, not the default 16.
// CHECK-LABEL: func.func @bands_wide_tile
// CHECK: swr.scan full layout bct
func.func @bands_wide_tile(%a: memref<1x8x64xf32>, %x: memref<1x8x64xf32>,
                           %y: memref<1x8x64xf32>) {
  swr.scan bands<2, 32> layout bct sharing per_channel decay(%a : memref<1x8x64xf32>)
      input(%x : memref<1x8x64xf32>) output(%y : memref<1x8x64xf32>)
  return
}

// -----

// exact<W> with W at least the length is the full recurrence (token-major:
// the length is dimension 1).
// CHECK-LABEL: func.func @exact_covering_length
// CHECK: swr.scan full layout bthd
func.func @exact_covering_length(%a: memref<2x100x4xf32>, %x: memref<2x100x4x16xf32>,
                                 %y: memref<2x100x4x16xf32>) {
  swr.scan exact<100> layout bthd sharing per_head decay(%a : memref<2x100x4xf32>)
      input(%x : memref<2x100x4x16xf32>) output(%y : memref<2x100x4x16xf32>)
  return
}

// -----

// CHECK-LABEL: func.func @exact_shorter_than_length
// CHECK: swr.scan exact<99> layout bthd
func.func @exact_shorter_than_length(%a: memref<2x100x4xf32>, %x: memref<2x100x4x16xf32>,
                                     %y: memref<2x100x4x16xf32>) {
  swr.scan exact<99> layout bthd sharing per_head decay(%a : memref<2x100x4xf32>)
      input(%x : memref<2x100x4x16xf32>) output(%y : memref<2x100x4x16xf32>)
  return
}

// -----

// A dynamic length says nothing: the window stays.
// CHECK-LABEL: func.func @dynamic_length
// CHECK: swr.scan bands<1> layout bhdl
func.func @dynamic_length(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>,
                          %y: memref<?x?x16x?xf32>) {
  swr.scan bands<1> layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}
