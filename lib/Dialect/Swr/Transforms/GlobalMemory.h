//===- GlobalMemory.h - ordered accesses to a kernel's workspace -*- C++
//-*-===//
//
// Work items that hand values to each other through global memory (the
// grid-level carry exchange, swr-distribute's work-item ticket) need
// accesses the memref dialect does not model: a store that releases the
// writes before it and a load that acquires them, at GPU scope, and an
// atomic fetch-and-add. They are built as LLVM dialect ops on the address
// of one 32-bit word of a rank-1 memref, which the GPU lowering keeps as
// they are (ld.acquire.gpu, st.release.gpu, atom.add in PTX).
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_GLOBALMEMORY_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_GLOBALMEMORY_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::gpu {
class GPUFuncOp;
} // namespace mlir::gpu

namespace mlir::swr::global {

/// A new shared-memory buffer of `kernel` (a workgroup attribution),
/// aligned to `alignment` bytes, at least 16: its accesses may become 16-byte
/// vector loads or ldmatrix rows, and buffers added before it (the block ticket
/// of swr-distribute, another exchange's) would otherwise leave it at any
/// multiple of its element size.
Value addSharedBuffer(gpu::GPUFuncOp kernel, ArrayRef<int64_t> shape,
                      Type elementType, Location loc, int64_t alignment = 16);

/// The address of word `index` (an index) of the rank-1 memref `words` of
/// 32-bit elements, as an !llvm.ptr.
Value wordAddress(ImplicitLocOpBuilder &b, Value words, Value index);

/// The address of the element of `memref` at `indices`, as an !llvm.ptr
/// in `addressSpace` (that of the memref: 0 generic or global, 3 a CTA's
/// shared memory).
Value elementAddress(ImplicitLocOpBuilder &b, Value memref, ValueRange indices,
                     unsigned addressSpace = 0);

/// The same address as an index (its bytes: alignment checks).
Value elementByteAddress(ImplicitLocOpBuilder &b, Value memref,
                         ValueRange indices);

/// An i32 load that acquires, at GPU scope, what the store releasing the
/// value it reads made visible.
Value loadAcquire(ImplicitLocOpBuilder &b, Value address);

/// An i32 store that releases, at GPU scope, this thread's earlier writes.
void storeRelease(ImplicitLocOpBuilder &b, Value address, Value value);

/// A plain (unordered) i32 store and load.
void store(ImplicitLocOpBuilder &b, Value address, Value value);
Value load(ImplicitLocOpBuilder &b, Value address);

/// Atomically adds the i32 `value` at `address`, returning the old value
/// (relaxed, GPU scope: only its uniqueness matters).
Value fetchAdd(ImplicitLocOpBuilder &b, Value address, Value value);

} // namespace mlir::swr::global

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_GLOBALMEMORY_H
