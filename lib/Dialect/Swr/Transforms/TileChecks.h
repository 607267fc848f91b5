//===- TileChecks.h - runtime conditions of tile accesses -------*- C++ -*-===//
//
// Conditions the lowerings of tile accesses (swr.read_tile, swr.write_tile,
// swr.stage_tile, swr.read_staged) test at runtime to choose a fast path.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_TILECHECKS_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_TILECHECKS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::swr {

/// Whether the index `value` is a multiple of `alignment`.
inline Value isMultipleOf(ImplicitLocOpBuilder &b, Value value,
                          int64_t alignment) {
  Value remainder = arith::RemUIOp::create(
      b, value, arith::ConstantIndexOp::create(b, alignment));
  return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, remainder,
                               arith::ConstantIndexOp::create(b, 0));
}

/// Whether all the steps of a tile (an op with a position, a sequence
/// length and getTileSteps) lie inside the sequence.
template <typename TileOp>
Value isInsideSequence(ImplicitLocOpBuilder &b, TileOp op) {
  Value steps = arith::ConstantIndexOp::create(b, op.getTileSteps());
  Value end = arith::AddIOp::create(b, op.getPosition(), steps);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ule, end,
                               op.getLength());
}

} // namespace mlir::swr

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_TILECHECKS_H
