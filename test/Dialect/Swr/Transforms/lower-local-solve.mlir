// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-local-solve))' --split-input-file | FileCheck %s
// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-local-solve{strategy=matrix}))' --split-input-file | FileCheck %s --check-prefix=MATRIX
// RUN: not swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-local-solve{strategy=wgmma}))' 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: swr-lower-local-solve: strategy must be fma, mma, wmma or matrix, got 'wgmma'

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

// fma, transposed: the adjoint solve runs backwards from the last row,
// w[i] = a[i+1] w[i+1] + u[i].
// CHECK-LABEL: func.func @adjoint_recurrence
// CHECK-SAME: (%[[A:.*]]: vector<4xf32>, %[[U:.*]]: vector<4x2xf32>)
// CHECK: %[[ROW3:.*]] = vector.extract %[[U]][3] : vector<2xf32> from vector<4x2xf32>
// CHECK: %[[A3:.*]] = vector.extract %[[A]][3] : f32 from vector<4xf32>
// CHECK: %[[A3V:.*]] = vector.broadcast %[[A3]] : f32 to vector<2xf32>
// CHECK: %[[U2:.*]] = vector.extract %[[U]][2]
// CHECK: %[[ROW2:.*]] = vector.fma %[[A3V]], %[[ROW3]], %[[U2]] : vector<2xf32>
// CHECK: vector.insert %[[ROW2]], %{{.*}} [2]
// CHECK: vector.extract %[[A]][2]
// CHECK: vector.fma
// CHECK: vector.extract %[[A]][1]
// CHECK: vector.fma
// CHECK-NOT: swr.local_solve
func.func @adjoint_recurrence(%a: vector<4xf32>, %u: vector<4x2xf32>) -> vector<4x2xf32> {
  %L, %g = swr.transfer_operator %a method running_product : vector<4xf32> -> vector<4x4xf32>, vector<4xf32>
  %w = swr.local_solve transpose %L, %u : vector<4x4xf32>, vector<4x2xf32>
  return %w : vector<4x2xf32>
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
