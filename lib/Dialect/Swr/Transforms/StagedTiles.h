//===- StagedTiles.h - tiles staged through shared memory -------*- C++ -*-===//
//
// The GPU lowering of swr.stage_tile, swr.stage_commit, swr.stage_wait and
// swr.read_staged (part of swr-lower-to-loops): cp.async copies into rings
// of slots in the kernel's dynamic shared memory.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_STAGEDTILES_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_STAGEDTILES_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"

namespace mlir::swr {

/// Lowers the staging ops in `func`. A tile the fast path cannot copy
/// (misaligned rows, a channel block reaching past the channel axis) is
/// read by a new swr.read_tile, which the caller lowers afterwards. The
/// staging buffers are views of the kernel's dynamic shared memory; their
/// total size goes on the gpu.func as kDynamicSharedMemoryAttrName. Fails
/// with a diagnostic outside a GPU kernel or on buffers that disagree.
LogicalResult lowerStagedTiles(Operation *func);

} // namespace mlir::swr

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_STAGEDTILES_H
