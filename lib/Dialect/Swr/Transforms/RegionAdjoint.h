//===- RegionAdjoint.h - reverse mode through fused regions -----*- C++ -*-===//
//
// The fused prologue and epilogue of swr.scan are straight-line scalar code.
// Their backward is reverse-mode differentiation of that code: the ops are
// replayed, then walked last to first, each adding its operands' share of
// its result's gradient (the chain rule).
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_REGIONADJOINT_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_REGIONADJOINT_H

#include "swr/Dialect/Swr/IR/SwrOps.h"

namespace mlir::swr {

/// Fills the `prologue`, `cotangent` and `pullback` regions of `grad`, the
/// backward of the fused `scan` (see swr.scan_grad): the prologue copied,
/// the other two derived. Fails with a diagnostic on an op of the regions
/// that has no derivative rule.
LogicalResult buildAdjointRegions(ScanOp scan, ScanGradOp grad);

} // namespace mlir::swr

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_REGIONADJOINT_H
