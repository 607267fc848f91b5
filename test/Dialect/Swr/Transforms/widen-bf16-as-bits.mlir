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

// swr.widen_at_use: each row extracted from the widened tile is widened
// where it is extracted (the tile as a whole is not), so the rows of a
// tile solved step by step need not all live at once; swr.widen_again
// stays a plain extf (cvt.f32.bf16), so CSE cannot merge a tile widened a
// second time after a carry exchange with its first widening.
// CHECK-LABEL: func.func @rows
// CHECK-SAME: (%[[T:.*]]: vector<32x2xbf16>)
// CHECK-NOT: vector<32x2xf32>
// CHECK: %[[R0:.*]] = vector.extract %[[T]][0] : vector<2xbf16> from vector<32x2xbf16>
// CHECK: arith.shli
// CHECK: %[[R5:.*]] = vector.extract %[[T]][5] : vector<2xbf16> from vector<32x2xbf16>
// CHECK: %[[W5:.*]] = arith.extf %[[R5]] {swr.widen_again} : vector<2xbf16> to vector<2xf32>
// CHECK: return
func.func @rows(%t: vector<32x2xbf16>) -> (vector<2xf32>, vector<2xf32>) {
  %w = arith.extf %t {swr.widen_at_use} : vector<32x2xbf16> to vector<32x2xf32>
  %r0 = vector.extract %w[0] : vector<2xf32> from vector<32x2xf32>
  %v = arith.extf %t {swr.widen_again, swr.widen_at_use} : vector<32x2xbf16> to vector<32x2xf32>
  %r5 = vector.extract %v[5] : vector<2xf32> from vector<32x2xf32>
  return %r0, %r5 : vector<2xf32>, vector<2xf32>
}
