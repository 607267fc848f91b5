//===- FullWindowGrad.h - a full window's backward as a scan ----*- C++ -*-===//
//
// The backward of a full window with no fused regions, run as a forward
// scan in mirrored time (FullWindowGrad.cpp), so that its tiles can be
// dealt to time lanes and warps like the forward's.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_FULLWINDOWGRAD_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_FULLWINDOWGRAD_H

#include "TileBuilder.h"

namespace mlir::swr::tiling {

/// Whether `grad` can be taken by emitMirroredAdjointLoop: a full window
/// with no fused regions (per-head decays also need a head's channels on
/// the lanes of one warp: swr-tile-blocks decides).
bool isMirroredAdjoint(ScanGradOp grad);

/// The loop over the tiles of one sequence and channel block of such a
/// backward. `tiling` walks mirrored time (its `reverse` is the opposite
/// of the forward's); its time lanes and warps share the tiles. With
/// per-head decays, `headLanes` adjacent lanes hold a head's channels.
void emitMirroredAdjointLoop(ImplicitLocOpBuilder &b, ScanGradOp grad,
                             const ScanTiling &tiling, const TileCoords &coords,
                             int64_t headLanes = 1);

} // namespace mlir::swr::tiling

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_FULLWINDOWGRAD_H
