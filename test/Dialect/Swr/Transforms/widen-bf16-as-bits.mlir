// RUN: swr-opt %s --swr-widen-bf16-as-bits | FileCheck %s

// A bf16 tile widens to f32 as its bits shifted to the top of 32-bit words.
// CHECK-LABEL: func.func @tile
// CHECK-SAME: (%[[T:.*]]: vector<32x2xbf16>)
// CHECK: %[[SHIFT:.*]] = arith.constant dense<16> : vector<32x2xi32>
// CHECK: %[[HALF:.*]] = arith.bitcast %[[T]] : vector<32x2xbf16> to vector<32x2xi16>
// CHECK: %[[WORD:.*]] = arith.extui %[[HALF]] : vector<32x2xi16> to vector<32x2xi32>
// CHECK: %[[BITS:.*]] = arith.shli %[[WORD]], %[[SHIFT]] : vector<32x2xi32>
// CHECK: %[[WIDE:.*]] = arith.bitcast %[[BITS]] : vector<32x2xi32> to vector<32x2xf32>
// CHECK-NOT: arith.extf
// CHECK: return %[[WIDE]]
func.func @tile(%t: vector<32x2xbf16>) -> vector<32x2xf32> {
  %w = arith.extf %t : vector<32x2xbf16> to vector<32x2xf32>
  return %w : vector<32x2xf32>
}

// Scalars too.
// CHECK-LABEL: func.func @scalar
// CHECK: arith.bitcast %{{.*}} : bf16 to i16
// CHECK: arith.extui %{{.*}} : i16 to i32
// CHECK: arith.shli %{{.*}}, %{{.*}} : i32
// CHECK: arith.bitcast %{{.*}} : i32 to f32
func.func @scalar(%s: bf16) -> f32 {
  %w = arith.extf %s : bf16 to f32
  return %w : f32
}

// Other widenings (f16, to f64) and narrowings are left alone.
// CHECK-LABEL: func.func @others
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.extf %{{.*}} : bf16 to f64
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @others(%h: f16, %b: bf16, %f: f32) -> (f32, f64, bf16) {
  %0 = arith.extf %h : f16 to f32
  %1 = arith.extf %b : bf16 to f64
  %2 = arith.truncf %f : f32 to bf16
  return %0, %1, %2 : f32, f64, bf16
}
