// RUN: swr-opt %s --swr-tile-blocks --canonicalize --cse | FileCheck %s

// The backward of a fused scan on the tile grid, last tile first. Each
// stage reads the operands it needs where it needs them, so no tile is held
// across the adjoint solve: a = exp(za) from the prologue on the head's
// decays; dy, the cotangent of the output gradient (dout * c), right before
// the transposed local solve; x (the prologue's zb) for the decay gradient
// after it; then the pullback reads dout, the saved state y and za again
// and its gradients are written: dx for the input, dout * y for the
// operand c, and da * exp(za), summed over the head's channels, for the
// decays.
// CHECK-LABEL: func.func @gates_backward
// CHECK: scf.for
// CHECK: %[[ZA:.*]] = swr.read_tile %arg0{{.*}} -> vector<16xf32>
// CHECK: math.exp %[[ZA]] : vector<16xf32>
// CHECK: swr.transfer_operator
// CHECK: %[[DOUT:.*]] = swr.read_tile %arg4{{.*}} -> vector<16x16xf32>
// CHECK: %[[C:.*]] = swr.read_tile %arg2{{.*}} -> vector<16x16xf32>
// CHECK: %[[DY:.*]] = arith.mulf %[[DOUT]], %[[C]] : vector<16x16xf32>
// CHECK: swr.local_solve transpose %{{.*}}, %[[DY]]
// CHECK: %[[DX:.*]] = swr.carry %
// CHECK: swr.read_tile %arg1{{.*}} -> vector<16x16xf32>
// CHECK: %[[DOUT2:.*]] = swr.read_tile %arg4{{.*}} -> vector<16x16xf32>
// CHECK: %[[Y:.*]] = swr.read_tile %arg3{{.*}} -> vector<16x16xf32>
// CHECK: %[[DC:.*]] = arith.mulf %[[DOUT2]], %[[Y]] : vector<16x16xf32>
// CHECK: swr.write_tile %[[DX]], %arg5
// CHECK: swr.write_tile %[[DC]], %arg7
// CHECK: swr.write_tile %{{.*}}, %arg6{{.*}} : vector<16xf32>, memref<?x?x?xf32>
// CHECK-NOT: swr.scan_grad
func.func @gates_backward(%za: memref<?x?x?xf32>, %zb: memref<?x?x?x16xf32>,
    %c: memref<?x?x?x16xf32>, %s: memref<?x?x?x16xf32>,
    %dout: memref<?x?x?x16xf32>, %dzb: memref<?x?x?x16xf32>,
    %dza: memref<?x?x?xf32>, %dc: memref<?x?x?x16xf32>) {
  swr.scan_grad bands<2> layout bthd sharing per_head
      decay(%za : memref<?x?x?xf32>) input(%zb : memref<?x?x?x16xf32>)
      operands(%c : memref<?x?x?x16xf32>) output(%s : memref<?x?x?x16xf32>)
      grad_output(%dout : memref<?x?x?x16xf32>)
      grad_input(%dzb : memref<?x?x?x16xf32>)
      grad_decay(%dza : memref<?x?x?xf32>)
      grad_operands(%dc : memref<?x?x?x16xf32>)
      prologue {
      ^bb0(%za_s: f32, %zb_s: f32, %c_s: f32):
        %e = math.exp %za_s : f32
        swr.yield %e, %zb_s : f32, f32
      } cotangent {
      ^bb0(%g: f32, %y: f32, %za_s: f32, %zb_s: f32, %c_s: f32):
        %dy = arith.mulf %g, %c_s : f32
        swr.yield %dy : f32
      } pullback {
      ^bb0(%dx: f32, %da: f32, %g: f32, %y: f32, %za_s: f32, %zb_s: f32, %c_s: f32):
        %e = math.exp %za_s : f32
        %dza_s = arith.mulf %da, %e : f32
        %dc_s = arith.mulf %g, %y : f32
        swr.yield %dza_s, %dx, %dc_s : f32, f32, f32
      }
  return
}
