//===- ExactWindowGrad.h - the backward of an exact<W> window ---*- C++ -*-===//
//
// The adjoint of one tile of an exact W-token window (ExactWindowGrad.cpp),
// for swr.scan_grad's tiling (TileScanGrad.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_EXACTWINDOWGRAD_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_EXACTWINDOWGRAD_H

#include "TileBuilder.h"

namespace mlir::swr::tiling {

/// Reads a tile at a position inside the sequence: the decays a
/// (vector<steps>) and a steps x channels tile.
using TileReader =
    llvm::function_ref<std::pair<Value, Value>(ImplicitLocOpBuilder &, Value)>;

/// What the backward of an exact window reads around a tile.
struct ExactWindowReads {
  const ScanTiling &tiling;
  Value tiles;         // tiles in the sequence
  Value init;          // h0 as vector<channels> (zeros without one)
  TileReader forward;  // the forward's (a, x)
  TileReader gradient; // (a, dy): the output gradient, final's added
};

/// The gradients of one tile, steps x channels each (da before summing
/// the channels that share a decay).
struct ExactWindowAdjoint {
  Value dx, da;
};

/// The gradients of tile `tile` with decays `decays`, inputs `inputs` and
/// output gradient `gradOutput`. Reads the tiles a window reaches on either
/// side, about 8 W / steps of them, and carries nothing between tiles.
ExactWindowAdjoint exactWindowAdjoint(ImplicitLocOpBuilder &b,
                                      const ExactWindowReads &reads, Value tile,
                                      Value decays, Value inputs,
                                      Value gradOutput);

/// The gradient of h0 (the input of the virtual step -1), vector<channels>.
Value exactWindowInitGradient(ImplicitLocOpBuilder &b,
                              const ExactWindowReads &reads);

} // namespace mlir::swr::tiling

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_EXACTWINDOWGRAD_H
