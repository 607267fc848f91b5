//===- WarpPrimitives.h - NVVM pieces shared by the lowerings ---*- C++ -*-===//
//
// What swr-lower-to-loops (carry exchanges between lanes, warps and CTAs)
// and the tensor-core local solves both build: the address spaces of shared
// memory and shuffles of f32 values between the lanes of a warp.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_WARPPRIMITIVES_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_WARPPRIMITIVES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::swr {

/// NVVM's address spaces of a CTA's shared memory and of the shared memory
/// of a cluster's CTAs (distributed shared memory).
constexpr unsigned kSharedSpace = 3, kSharedClusterSpace = 7;

/// Shuffles of f32 values between the lanes of a fully active warp.
struct WarpShuffles {
  ImplicitLocOpBuilder &b;

  Value i32(int64_t value) {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(value));
  }
  Value shuffle(Value value, Value offset, NVVM::ShflKind kind, int64_t clamp) {
    return NVVM::ShflOp::create(b, b.getF32Type(), i32(-1), value, offset,
                                i32(clamp), kind, UnitAttr());
  }
  /// The value of the lane `delta` below (the caller ignores lanes with
  /// none).
  Value up(Value value, int64_t delta) {
    return shuffle(value, i32(delta), NVVM::ShflKind::up, 0);
  }
  /// The value of lane `lane` (an i32).
  Value from(Value value, Value lane) {
    return shuffle(value, lane, NVVM::ShflKind::idx, 0x1f);
  }
};

} // namespace mlir::swr

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_WARPPRIMITIVES_H
