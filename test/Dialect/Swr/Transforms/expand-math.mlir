// RUN: swr-opt %s --swr-expand-math --split-input-file --verify-diagnostics | FileCheck %s
// RUN: swr-opt %s --swr-expand-math=hardware-exp=1 --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=HW
// RUN: swr-opt %s --swr-expand-math=approximate-divide=1 --split-input-file --verify-diagnostics | FileCheck %s --check-prefix=DIV

// With hardware-exp, exp is 2^(x log2 e) on the special function unit, one
// intrinsic call per element.
// HW-LABEL: func.func @gates
// HW: %[[SCALED:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<16x16xf32>
// HW: vector.extract %[[SCALED]][0, 0]
// HW: llvm.call_intrinsic "llvm.nvvm.ex2.approx.f32"
// HW: vector.from_elements
// HW-NOT: math.

// Math functions become arithmetic: no libdevice call is left for NVPTX.
// CHECK-LABEL: func.func @gates
// CHECK-NOT: math.
// CHECK: arith.mulf {{.*}} fastmath<contract>
// CHECK: return
func.func @gates(%x: vector<16x16xf32>) -> vector<16x16xf32> {
  %e = math.exp %x : vector<16x16xf32>
  %l = math.log1p %e : vector<16x16xf32>
  %t = math.tanh %l : vector<16x16xf32>
  %a = math.absf %t : vector<16x16xf32>
  return %a : vector<16x16xf32>
}

// -----

// With approximate-divide, f32 divisions (and negations, which LLVM folds
// into them) are afn: div.approx.f32 on NVPTX. f64 keeps IEEE division.
// DIV-LABEL: func.func @sigmoid
// DIV: arith.negf %{{.*}} fastmath<afn> : vector<16xf32>
// DIV: arith.divf %{{.*}}, %{{.*}} fastmath<afn> : vector<16xf32>
// DIV: arith.divf %{{.*}}, %{{.*}} : f64
func.func @sigmoid(%x: vector<16xf32>, %d: f64) -> (vector<16xf32>, f64) {
  %one = arith.constant dense<1.0> : vector<16xf32>
  %n = arith.negf %x : vector<16xf32>
  %s = arith.divf %one, %n : vector<16xf32>
  %h = arith.divf %d, %d : f64
  return %s, %h : vector<16xf32>, f64
}

// -----

func.func @no_lowering(%x: f32) -> f32 {
  // expected-error @below {{'math.round' op has no lowering for GPU kernels without libdevice; use exp, log, log1p, expm1, tanh, erf, absf or arithmetic}}
  %r = math.round %x : f32
  return %r : f32
}
