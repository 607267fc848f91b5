// swr-compile of full windows: each warp deals a channel's tiles to its
// lanes (carries by shuffles), so a launch sizes the grid in work items of
// 32 threads; ptxas accepts the PTX.
// RUN: swr-compile %s -o %t.ptx --launch %t.json
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: FileCheck %s --check-prefix=LOADS < %t.ptx
// RUN: FileCheck %s --check-prefix=STORES < %t.ptx
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// RUN: swr-compile %s --function full_tokens -o %t.bthd.ptx --launch %t.bthd.json
// RUN: FileCheck %s --check-prefix=BTHD < %t.bthd.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.bthd.ptx -o %t.bthd.cubin %}
// RUN: swr-compile %s --time-lanes=1 -o %t.serial.ptx --launch %t.serial.json
// RUN: FileCheck %s --check-prefix=SERIAL < %t.serial.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.serial.ptx -o %t.serial.cubin %}

// 32 time lanes: log2(32) = 5 shuffles up per scanned value (the decay
// product and the terminal), one more each for the exclusive shift, and
// the iteration's total from lane 31.
// PTX: .visible .entry full_scan(
// PTX: mov.u32 {{.*}}, %laneid;
// PTX-COUNT-12: shfl.sync.up.b32
// PTX-COUNT-2: shfl.sync.idx.b32

// f32 tiles of 4 steps on 32 time lanes: a whole tile of decays and one of
// inputs in one 16-byte load each, the output in one 16-byte store; no
// stack frame (partial tiles gather their loads in registers).
// LOADS-NOT: .local
// LOADS-COUNT-2: ld.global.v4.b32
// STORES: st.global.v4.b32
// LOADS-NOT: .local

// JSON: "entry": "full_scan",
// JSON: "items_per_block": 4,

// [B, T, H, D]: 4 time lanes beside 8 channels each, two scan steps.
// BTHD: .visible .entry full_tokens(
// BTHD-COUNT-6: shfl.sync.up.b32
// BTHD-COUNT-2: shfl.sync.idx.b32

// SERIAL: "items_per_block": 128,
func.func @full_scan(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                     %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>,
                     %hT: memref<?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
      final(%hT : memref<?x?xf32>)
  return
}

func.func @full_tokens(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                       %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}
