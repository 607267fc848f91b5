//===- FullWindowGrad.h - a full window's backward as a scan ----*- C++ -*-===//
//
// The backward of a full window with per-channel decays and no fused
// regions, run as a forward scan in mirrored time (FullWindowGrad.cpp), so
// that its tiles can be dealt to time lanes and warps like the forward's.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_FULLWINDOWGRAD_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_FULLWINDOWGRAD_H

#include "TileBuilder.h"

namespace mlir::swr::tiling {

/// Whether `grad` is taken by emitMirroredAdjointLoop: a full window with
/// per-channel decays and no fused regions.
bool isMirroredAdjoint(ScanGradOp grad);

/// The loop over the tiles of one sequence and channel block of such a
/// backward. `tiling` walks mirrored time (its `reverse` is the opposite
/// of the forward's); its time lanes and warps share the tiles.
void emitMirroredAdjointLoop(ImplicitLocOpBuilder &b, ScanGradOp grad,
                             const ScanTiling &tiling,
                             const TileCoords &coords);

} // namespace mlir::swr::tiling

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_FULLWINDOWGRAD_H
