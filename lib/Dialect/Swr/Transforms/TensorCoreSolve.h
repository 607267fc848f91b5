//===- TensorCoreSolve.h - local solves on tensor cores ---------*- C++ -*-===//
//
// A warp whose 32 lanes hold tiles of one head's channels at one time tile
// (swr.local_solve warp_shared) solves them together as one matrix product,
// V = L U, with PTX mma.sync.aligned.m16n8k16 (bf16 operands, f32
// accumulation), or wmma m16n16k16: see TensorCoreSolve.cpp for the
// fragment layouts.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_TENSORCORESOLVE_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_TENSORCORESOLVE_H

#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::swr {

/// The shared memory a kernel's tensor-core solves stage their tiles in,
/// one pair of buffers per kernel and lane width, reused by every solve.
class TensorCoreBuffers {
public:
  /// The (inputs, outputs) staging buffers of `kernel` for tiles of
  /// `laneColumns` channels per lane, added on first use.
  std::pair<Value, Value> get(gpu::GPUFuncOp kernel, int64_t warps,
                              int64_t laneColumns, Location loc);
  /// The buffer wmma solves stage a block's operator in (high and low
  /// parts of 16 x 16 bf16 per warp).
  Value getOperator(gpu::GPUFuncOp kernel, int64_t warps, Location loc);

private:
  llvm::DenseMap<std::pair<Operation *, int64_t>, std::pair<Value, Value>>
      buffers;
  llvm::DenseMap<Operation *, Value> operators;
};

/// Whether `solve` can run on tensor cores: warp_shared, not transposed, of
/// a tile whose rows are whole 16-step blocks, in a gpu.func whose known
/// block size is whole warps.
bool fitsTensorCores(LocalSolveOp solve);

/// Replaces `solve` (fitsMmaSync; `decays` the vector<n> its unbanded
/// operator was built from) by the warp's tensor-core solve.
void lowerToMmaSync(LocalSolveOp solve, Value decays,
                    TensorCoreBuffers &buffers);

/// The same with wmma m16n16k16 (bf16 through LLVM's intrinsics): the
/// block's operator and tile are loaded from shared memory as fragments, D
/// stored back, and the carry between blocks added by the lanes.
void lowerToWmma(LocalSolveOp solve, Value decays, TensorCoreBuffers &buffers);

} // namespace mlir::swr

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_TENSORCORESOLVE_H
