//===- VectorUtils.h - small f32 vector builders for the swr passes -------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_VECTORUTILS_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_VECTORUTILS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::swr {

inline Value f32Const(ImplicitLocOpBuilder &b, float value) {
  return arith::ConstantOp::create(b, b.getF32FloatAttr(value));
}

/// A constant f32 vector of `type` with every element `value`.
inline Value splat(ImplicitLocOpBuilder &b, VectorType type, float value) {
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, b.getF32FloatAttr(value)));
}

} // namespace mlir::swr

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_VECTORUTILS_H
