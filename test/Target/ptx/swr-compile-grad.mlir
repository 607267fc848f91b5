// swr-compile --grad: the compiler derives the backward and emits its PTX;
// ptxas accepts it. A full window's backward reads the forward output.
// RUN: swr-compile %s --grad -o %t.ptx --launch %t.json
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// RUN: swr-compile %s --grad --function full -o %t.full.ptx --launch %t.full.json
// RUN: FileCheck %s --check-prefix=FULL < %t.full.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.full.ptx -o %t.full.cubin %}
// RUN: swr-compile %s --grad --function exact -o %t.exact.ptx --launch %t.exact.json
// RUN: FileCheck %s --check-prefix=EXACT < %t.exact.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.exact.ptx -o %t.exact.cubin %}
// RUN: not swr-compile %s --grad --function two_scans -o %t.none 2>&1 | FileCheck %s --check-prefix=ERR

// PTX: .target sm_90a
// PTX: .visible .entry phalanx_swr_backward(
// PTX: fma.rn.f32

// JSON: "entry": "phalanx_swr_backward",
// JSON: "name": "decay",
// JSON: "name": "input",
// JSON: "name": "grad_output",
// JSON: "name": "grad_input",
// JSON: "name": "grad_decay",
// JSON: "gradient": true,

// FULL: "entry": "full_backward",
// FULL: "name": "output",
// FULL: "name": "grad_output",
// FULL: "name": "grad_init",

// EXACT: "entry": "exact_backward",
// EXACT: "name": "grad_output",
// EXACT: "name": "grad_input",
// EXACT: "name": "grad_decay",

// ERR: swr-compile: error: --grad: @two_scans_backward was not derived (only functions that are one swr.scan on their arguments have a backward)
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}

func.func @full(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
  return
}

func.func @exact(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                 %y: memref<?x?x?xf32>) {
  swr.scan exact<8> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}

func.func @two_scans(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                     %y: memref<?x?x?xf32>, %z: memref<?x?x?xf32>) {
  swr.scan bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  swr.scan bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%y : memref<?x?x?xf32>)
      output(%z : memref<?x?x?xf32>)
  return
}
