//===- SwrLayout.h - axes of the swr.scan layouts ---------------*- C++ -*-===//
//
// Where the batch, head, channel and time axes of a scan's input live for
// each layout, and which of them the decay and state tensors keep. Shared by
// the verifier and every pass that indexes a scan's memrefs.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWRLAYOUT_H
#define SWR_DIALECT_SWR_IR_SWRLAYOUT_H

#include "swr/Dialect/Swr/IR/SwrAttrs.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::swr {

/// Logical axes of an input tensor. `channel` is -1 for layouts without a
/// separate channel-in-head axis (bct), whose head axis is the channel axis.
struct LayoutAxes {
  int64_t rank;
  int64_t batch;
  int64_t head;
  int64_t channel;
  int64_t time;
  /// Input axes kept by a per-head decay, in the decay's order.
  llvm::SmallVector<int64_t, 4> perHeadDecay;
  /// Input axes kept by the initial and final state, in their order.
  llvm::SmallVector<int64_t, 4> state;
  /// Human-readable shapes for diagnostics, e.g. "[B, H, D, L]".
  llvm::StringRef inputShape;
  llvm::StringRef perHeadDecayShape;
  llvm::StringRef stateShape;
};

/// The axes of `layout`.
const LayoutAxes &getLayoutAxes(Layout layout);

/// Name of input axis `axis` of `layout` ("B", "H", "D", "L", ...).
llvm::StringRef getAxisName(Layout layout, int64_t axis);

} // namespace mlir::swr

#endif // SWR_DIALECT_SWR_IR_SWRLAYOUT_H
