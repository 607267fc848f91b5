// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-local-solve))' --split-input-file | FileCheck %s
// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-local-solve{strategy=matrix}))' --split-input-file | FileCheck %s --check-prefix=MATRIX
// RUN: not swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-local-solve{strategy=wgmma}))' 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: swr-lower-local-solve: strategy must be fma or matrix, got 'wgmma'

// fma: the solve of a tile's own operator is the recurrence over its rows.
// CHECK-LABEL: func.func @recurrence
// CHECK-SAME: (%[[A:.*]]: vector<4xf32>, %[[U:.*]]: vector<4x2xf32>)
// CHECK: %[[ROW0:.*]] = vector.extract %[[U]][0] : vector<2xf32> from vector<4x2xf32>
// CHECK: %[[A1:.*]] = vector.extract %[[A]][1] : f32 from vector<4xf32>
// CHECK: %[[A1V:.*]] = vector.broadcast %[[A1]] : f32 to vector<2xf32>
// CHECK: %[[U1:.*]] = vector.extract %[[U]][1]
// CHECK: %[[ROW1:.*]] = vector.fma %[[A1V]], %[[ROW0]], %[[U1]] : vector<2xf32>
// CHECK-COUNT-2: vector.fma
// CHECK-NOT: swr.local_solve

// MATRIX-LABEL: func.func @recurrence
// MATRIX: swr.local_solve
func.func @recurrence(%a: vector<4xf32>, %u: vector<4x2xf32>) -> (vector<4x2xf32>, vector<4xf32>) {
  %L, %g = swr.transfer_operator %a method running_product : vector<4xf32> -> vector<4x4xf32>, vector<4xf32>
  %v = swr.local_solve %L, %u : vector<4x4xf32>, vector<4x2xf32>
  return %v, %g : vector<4x2xf32>, vector<4xf32>
}

// -----

// Banded operators (exact windows) keep the matrix form.
// CHECK-LABEL: func.func @banded
// CHECK: swr.local_solve
func.func @banded(%a: vector<4xf32>, %u: vector<4x2xf32>) -> vector<4x2xf32> {
  %L, %g = swr.transfer_operator %a method running_product band 2 : vector<4xf32> -> vector<4x4xf32>, vector<4xf32>
  %v = swr.local_solve %L, %u : vector<4x4xf32>, vector<4x2xf32>
  return %v : vector<4x2xf32>
}
