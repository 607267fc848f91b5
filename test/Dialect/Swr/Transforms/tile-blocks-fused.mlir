// RUN: swr-opt %s --swr-tile-blocks | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="time-chunk=2 channel-fastest=1" | FileCheck %s --check-prefix=LANES

// bthd keeps channels contiguous: with channel-fastest the parallel
// dimensions follow memory, (batch, time chunk of 2 tiles, head, channel),
// so adjacent GPU threads read adjacent addresses of one time step.
// LANES: %[[B:.*]] = memref.dim %arg1, %c0
// LANES: %[[T:.*]] = memref.dim %arg1, %c1
// LANES: %[[H:.*]] = memref.dim %arg1, %c2
// LANES: %[[D:.*]] = memref.dim %arg1, %c3
// LANES: scf.parallel ({{.*}}) = ({{.*}}) to (%[[B]], %[[T]], %[[H]], %[[D]]) step ({{.*}}, %c32, {{.*}}, %c16)

// A fused prologue runs on whole tiles before the solve: a = sigmoid(za) on
// the head's decays (vector<16>), x = g * v on the 16x16 tile; the padding
// past the sequence (a = 1, x = 0) is restored after it; it reads only the
// operands it uses (za, zb, v). The epilogue (y * c + v) runs on the
// carried tile right before the write and reads its own operands (v, c)
// there, so they are not held across the solve; the loop still carries the
// state y.

// CHECK-LABEL: func.func @phalanx_gates
// CHECK: scf.for {{.*}} iter_args
// CHECK: %[[POS:.*]] = arith.muli
// CHECK: %[[ZA:.*]] = swr.read_tile %{{.*}} pad 1.0{{.*}} -> vector<16xf32>
// CHECK: %[[ZB:.*]] = swr.read_tile %{{.*}} pad 0.0{{.*}} -> vector<16x16xf32>
// CHECK: %[[V:.*]] = swr.read_tile %arg2{{.*}} pad 0.0{{.*}} -> vector<16x16xf32>
// CHECK-NOT: swr.read_tile
// CHECK: %[[E:.*]] = math.exp %{{.*}} : vector<16xf32>
// CHECK: %[[A:.*]] = arith.divf %{{.*}} : vector<16xf32>
// CHECK: %[[X:.*]] = arith.mulf %[[ZB]], %[[V]] : vector<16x16xf32>
// CHECK: %[[ROWS:.*]] = vector.step : vector<16xindex>
// CHECK: %[[INSIDE:.*]] = arith.cmpi ult
// CHECK: %[[APAD:.*]] = arith.select %[[INSIDE]], %[[A]], %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: %[[XPAD:.*]] = arith.select %{{.*}}, %[[X]], %{{.*}} : vector<16x16xi1>, vector<16x16xf32>
// CHECK: swr.transfer_operator %[[APAD]]
// CHECK: swr.local_solve %{{.*}}, %[[XPAD]]
// CHECK: %[[Y:.*]] = swr.carry %
// CHECK: %[[V2:.*]] = swr.read_tile %arg2{{.*}} -> vector<16x16xf32>
// CHECK: %[[C:.*]] = swr.read_tile %arg3{{.*}} -> vector<16x16xf32>
// CHECK: %[[YC:.*]] = arith.mulf %[[Y]], %[[C]] : vector<16x16xf32>
// CHECK: %[[OUT:.*]] = arith.addf %[[YC]], %[[V2]] : vector<16x16xf32>
// CHECK: swr.write_tile %[[OUT]]
// CHECK: scf.yield
// CHECK-NOT: swr.scan
func.func @phalanx_gates(%za: memref<?x?x?xf32>, %zb: memref<?x?x?x16xf32>,
                         %v: memref<?x?x?x16xf32>, %c: memref<?x?x?x16xf32>,
                         %out: memref<?x?x?x16xf32>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%za : memref<?x?x?xf32>) input(%zb : memref<?x?x?x16xf32>)
      operands(%v, %c : memref<?x?x?x16xf32>, memref<?x?x?x16xf32>)
      output(%out : memref<?x?x?x16xf32>)
      prologue {
      ^bb0(%za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
        %one = arith.constant 1.0 : f32
        %n = arith.negf %za_s : f32
        %e = math.exp %n : f32
        %d = arith.addf %one, %e : f32
        %a = arith.divf %one, %d : f32
        %x = arith.mulf %zb_s, %v_s : f32
        swr.yield %a, %x : f32, f32
      } epilogue {
      ^bb0(%y: f32, %za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
        %yc = arith.mulf %y, %c_s : f32
        %o = arith.addf %yc, %v_s : f32
        swr.yield %o : f32
      }
  return
}
