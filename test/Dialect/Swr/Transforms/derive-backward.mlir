// RUN: swr-opt %s --swr-derive-backward --split-input-file --verify-diagnostics | FileCheck %s

// bands<k>: the backward takes the forward's operands (no output: the state
// is recomputed), the gradients of the output and final state, and writes
// the gradients of the input, the decays and h0, each of its primal's type.
// CHECK-LABEL: func.func @swr(
// CHECK-LABEL: func.func @swr_backward
// CHECK-SAME: (%[[A:.*]]: memref<?x?x?xbf16>, %[[X:.*]]: memref<?x?x16x?xbf16>, %[[H0:.*]]: memref<?x?x16xf32>, %[[DY:.*]]: memref<?x?x16x?xbf16>, %[[DHT:.*]]: memref<?x?x16xf32>, %[[DX:.*]]: memref<?x?x16x?xbf16>, %[[DA:.*]]: memref<?x?x?xbf16>, %[[DH0:.*]]: memref<?x?x16xf32>)
// CHECK: swr.scan_grad bands<2> layout bhdl sharing per_head decay(%[[A]] : {{.*}}) input(%[[X]] : {{.*}}) init(%[[H0]] : {{.*}}) grad_output(%[[DY]] : {{.*}}) grad_final(%[[DHT]] : {{.*}}) grad_input(%[[DX]] : {{.*}}) grad_decay(%[[DA]] : {{.*}}) grad_init(%[[DH0]] : {{.*}})
// CHECK-NEXT: return
func.func @swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
               %h0: memref<?x?x16xf32>, %y: memref<?x?x16x?xbf16>,
               %hT: memref<?x?x16xf32>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      init(%h0 : memref<?x?x16xf32>) output(%y : memref<?x?x16x?xbf16>)
      final(%hT : memref<?x?x16xf32>)
  return
}

// -----

// full: the decay gradient reads the forward output for h[t-1]; direction
// and packing carry over.
// CHECK-LABEL: func.func @full_backward
// CHECK-SAME: (%[[A:.*]]: memref<1x?x?xf32>, %[[X:.*]]: memref<1x?x?xf32>, %[[CU:.*]]: memref<?xi32>, %[[Y:.*]]: memref<1x?x?xf32>, %[[DY:.*]]: memref<1x?x?xf32>, %[[DX:.*]]: memref<1x?x?xf32>, %[[DA:.*]]: memref<1x?x?xf32>)
// CHECK: swr.scan_grad full layout bct sharing per_channel reverse decay(%[[A]] : {{.*}}) input(%[[X]] : {{.*}}) seq_offsets(%[[CU]] : {{.*}}) output(%[[Y]] : {{.*}}) grad_output(%[[DY]] : {{.*}}) grad_input(%[[DX]] : {{.*}}) grad_decay(%[[DA]] : {{.*}})
func.func @full(%a: memref<1x?x?xf32>, %x: memref<1x?x?xf32>,
                %cu: memref<?xi32>, %y: memref<1x?x?xf32>) {
  swr.scan full layout bct sharing per_channel reverse
      decay(%a : memref<1x?x?xf32>) input(%x : memref<1x?x?xf32>)
      seq_offsets(%cu : memref<?xi32>) output(%y : memref<1x?x?xf32>)
  return
}

// -----

// exact<W>: like bands<k>, the backward recomputes the forward it needs
// and takes no output.
// CHECK-LABEL: func.func @exact_backward(
// CHECK-SAME: %{{.*}}: memref<?x?x?xf32>, %{{.*}}: memref<?x?x?xf32>, %{{.*}}: memref<?x?x?xf32>, %{{.*}}: memref<?x?x?xf32>, %{{.*}}: memref<?x?x?xf32>)
// CHECK: swr.scan_grad exact<64> layout bct sharing per_channel decay(%{{.*}}) input(%{{.*}}) grad_output(
func.func @exact(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                 %y: memref<?x?x?xf32>) {
  swr.scan exact<64> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}
