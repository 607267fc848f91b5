// RUN: swr-opt %s --swr-derive-backward --split-input-file --verify-diagnostics | FileCheck %s
// RUN: swr-opt %s --swr-derive-backward --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=GUARD

// Phalanx's gates: a = sigmoid(za), x = zb * v, out = y * c + v. The
// backward takes the forward's operands (v, c) and saved state y, and
// writes a gradient for each loaded operand. The prologue is copied; the
// cotangent is dy = dout * c (dE/dy); the pullback replays both regions and
// runs them in reverse: d za = da * a * e / (1 + e)^2 with e = exp(-za)
// (through the division and the exponential), d zb = dx * v,
// d v = dx * zb + dout, d c = dout * y. Products with a derivative are 0
// where the gradient is 0 (select), so saturated gates give 0, not NaN;
// products with a region argument (a loaded value, finite unless the data
// is not) need no guard.
// The product with the exponential (infinite for a saturated gate) keeps
// its guard.
// GUARD-LABEL: func.func @gates_backward
// GUARD: } pullback {
// GUARD: %[[E:.*]] = math.exp
// GUARD: %[[DE:.*]] = arith.mulf %{{.*}}, %[[E]] : f32
// GUARD: %[[ZERO:.*]] = arith.cmpf oeq
// GUARD: arith.select %[[ZERO]], %{{.*}}, %[[DE]] : f32
// CHECK-LABEL: func.func @gates_backward
// CHECK-SAME: (%[[ZA:[^:]*]]: memref<?x?x?xf32>, %[[ZB:[^:]*]]: memref<?x?x?x16xf32>, %[[V:[^:]*]]: memref<?x?x?x16xf32>, %[[C:[^:]*]]: memref<?x?x?x16xf32>, %[[S:[^:]*]]: memref<?x?x?x16xf32>, %[[DOUT:[^:]*]]: memref<?x?x?x16xf32>, %[[DZB:[^:]*]]: memref<?x?x?x16xf32>, %[[DZA:[^:]*]]: memref<?x?x?xf32>, %[[DV:[^:]*]]: memref<?x?x?x16xf32>, %[[DC:[^:]*]]: memref<?x?x?x16xf32>)
// CHECK: swr.scan_grad bands<2> layout bthd sharing per_head decay(%[[ZA]] : {{.*}}) input(%[[ZB]] : {{.*}}) operands(%[[V]], %[[C]] : {{.*}}) output(%[[S]] : {{.*}}) grad_output(%[[DOUT]] : {{.*}}) grad_input(%[[DZB]] : {{.*}}) grad_decay(%[[DZA]] : {{.*}}) grad_operands(%[[DV]], %[[DC]] : {{.*}}) prologue {
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: math.exp
// CHECK: swr.yield %{{.*}}, %{{.*}} : f32, f32
// CHECK-NEXT: } cotangent {
// CHECK-NEXT: ^bb0(%[[CDOUT:.*]]: f32, %[[CY:.*]]: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %[[CC:.*]]: f32):
// CHECK: %[[DY:.*]] = arith.mulf %[[CDOUT]], %[[CC]] : f32
// CHECK-NOT: arith.select
// CHECK: swr.yield %[[DY]] : f32
// CHECK-NEXT: } pullback {
// CHECK-NEXT: ^bb0(%[[PDX:[^:]*]]: f32, %[[PDA:[^:]*]]: f32, %[[PDOUT:[^:]*]]: f32, %[[PY:[^:]*]]: f32, %[[PZA:[^:]*]]: f32, %[[PZB:[^:]*]]: f32, %[[PV:[^:]*]]: f32, %[[PC:[^:]*]]: f32):
// CHECK-DAG: arith.mulf %[[PDX]], %[[PV]] : f32
// CHECK-DAG: arith.mulf %[[PDX]], %[[PZB]] : f32
// CHECK-DAG: arith.mulf %[[PDOUT]], %[[PY]] : f32
// CHECK-DAG: arith.mulf %[[PDA]], %{{.*}} : f32
// CHECK: %[[DVSUM:.*]] = arith.addf %{{.*}}, %[[PDOUT]] : f32
// CHECK: swr.yield %{{.*}}, %{{.*}}, %[[DVSUM]], %{{.*}} : f32, f32, f32, f32
func.func @gates(%za: memref<?x?x?xf32>, %zb: memref<?x?x?x16xf32>,
                 %v: memref<?x?x?x16xf32>, %c: memref<?x?x?x16xf32>,
                 %out: memref<?x?x?x16xf32>, %s: memref<?x?x?x16xf32>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%za : memref<?x?x?xf32>) input(%zb : memref<?x?x?x16xf32>)
      operands(%v, %c : memref<?x?x?x16xf32>, memref<?x?x?x16xf32>)
      output(%out : memref<?x?x?x16xf32>) state(%s : memref<?x?x?x16xf32>)
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

// -----

// Only a prologue: the output is the state, so a full window reads it as
// `output` (no state operand), and there is no cotangent (dy = dout). A
// rounding cast passes the gradient back through bf16.
// CHECK-LABEL: func.func @prologue_backward
// CHECK-SAME: (%{{[^:]*}}: memref<?x?x?xf32>, %{{[^:]*}}: memref<?x?x?xf32>, %[[Y:[^:]*]]: memref<?x?x?xf32>, %{{[^:]*}}: memref<?x?x?xf32>, %{{[^:]*}}: memref<?x?x?xf32>, %{{[^:]*}}: memref<?x?x?xf32>)
// CHECK: swr.scan_grad full layout bct sharing per_channel decay({{.*}}) input({{.*}}) output(%[[Y]] : {{.*}}) grad_output
// CHECK-NOT: cotangent
// CHECK: pullback {
// CHECK: ^bb0(%[[DX:[^:]*]]: f32, %[[DA:[^:]*]]: f32,
// CHECK: %[[T:.*]] = arith.truncf %[[DX]] : f32 to bf16
// CHECK: %[[E:.*]] = arith.extf %[[T]] : bf16 to f32
// CHECK: swr.yield %[[DA]], %[[E]] : f32, f32
func.func @prologue(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                    %y: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
      prologue {
      ^bb0(%a_s: f32, %x_s: f32):
        %r = arith.truncf %x_s : f32 to bf16
        %e = arith.extf %r : bf16 to f32
        swr.yield %a_s, %e : f32, f32
      }
  return
}

// -----

// The backward through an epilogue reads the state y, which only a forward
// with state(...) stores.
func.func @no_state(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                    %y: memref<?x?x?xf32>) {
  // expected-error @+1 {{swr-derive-backward: the backward through an epilogue reads the state y; store it with state(...)}}
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
      epilogue {
      ^bb0(%y_s: f32, %a_s: f32, %x_s: f32):
        %o = arith.mulf %y_s, %x_s : f32
        swr.yield %o : f32
      }
  return
}

// -----

// An op without a derivative rule is named at its location.
func.func @no_rule(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                   %y: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
      prologue {
      ^bb0(%a_s: f32, %x_s: f32):
        // expected-error @+1 {{'math.erf' op has no derivative rule: swr-derive-backward cannot differentiate the prologue through it}}
        %e = math.erf %x_s : f32
        swr.yield %a_s, %e : f32, f32
      }
  return
}
