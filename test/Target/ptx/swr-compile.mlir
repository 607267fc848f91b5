// swr-compile: spec -> PTX + launch description; ptxas accepts the PTX.
// RUN: swr-compile %s -o %t.ptx --launch %t.json
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// RUN: not swr-compile %s --function nope -o %t.none 2>&1 | FileCheck %s --check-prefix=ERR

// PTX: .version 8.0
// PTX: .target sm_90a
// PTX: .visible .entry phalanx_swr(
// PTX: .maxntid 128, 1, 1
// PTX: fma.rn.f32

// JSON: "block": [
// JSON-NEXT: 128,
// JSON: "entry": "phalanx_swr",
// JSON: "format": "swr-launch-v1",
// JSON: "work_items": [
// JSON: "name": "decay",
// JSON: "rank": 3
// JSON: "strategy": "fma",
// JSON: "target": "sm_90a"

// ERR: swr-compile: error: no function @nope in the spec
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}
