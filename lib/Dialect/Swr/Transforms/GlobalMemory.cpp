//===- GlobalMemory.cpp - ordered accesses to a kernel's workspace --------===//

#include "GlobalMemory.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// NVPTX's name of the GPU (device) scope.
constexpr StringLiteral kDeviceScope = "device";
constexpr unsigned kWordBytes = 4;

} // namespace

Value global::addSharedBuffer(gpu::GPUFuncOp kernel, ArrayRef<int64_t> shape,
                              Type elementType, Location loc,
                              int64_t alignment) {
  Builder b(kernel.getContext());
  auto type = MemRefType::get(
      shape, elementType, MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  BlockArgument buffer = kernel.addWorkgroupAttribution(type, loc);
  kernel.setWorkgroupAttributionAttr(kernel.getNumWorkgroupAttributions() - 1,
                                     LLVM::LLVMDialect::getAlignAttrName(),
                                     b.getI64IntegerAttr(alignment));
  return buffer;
}

Value global::elementAddress(ImplicitLocOpBuilder &b, Value memref,
                             ValueRange indices, unsigned addressSpace) {
  Value integer = arith::IndexCastOp::create(
      b, b.getI64Type(), elementByteAddress(b, memref, indices));
  return LLVM::IntToPtrOp::create(
      b, LLVM::LLVMPointerType::get(b.getContext(), addressSpace), integer);
}

Value global::elementByteAddress(ImplicitLocOpBuilder &b, Value memref,
                                 ValueRange indices) {
  auto metadata = memref::ExtractStridedMetadataOp::create(b, memref);
  Value element = metadata.getOffset();
  for (auto [index, stride] : llvm::zip(indices, metadata.getStrides()))
    element = arith::AddIOp::create(b, element,
                                    arith::MulIOp::create(b, index, stride));
  int64_t bytes =
      cast<MemRefType>(memref.getType()).getElementTypeBitWidth() / 8;
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  return arith::AddIOp::create(
      b, base,
      arith::MulIOp::create(b, element,
                            arith::ConstantIndexOp::create(b, bytes)));
}

Value global::wordAddress(ImplicitLocOpBuilder &b, Value words, Value index) {
  return elementAddress(b, words, index);
}

Value global::loadAcquire(ImplicitLocOpBuilder &b, Value address) {
  return LLVM::LoadOp::create(b, b.getI32Type(), address, kWordBytes,
                              /*isVolatile=*/false, /*isNonTemporal=*/false,
                              /*isInvariant=*/false,
                              /*isInvariantGroup=*/false,
                              LLVM::AtomicOrdering::acquire, kDeviceScope);
}

void global::storeRelease(ImplicitLocOpBuilder &b, Value address, Value value) {
  LLVM::StoreOp::create(b, value, address, kWordBytes, /*isVolatile=*/false,
                        /*isNonTemporal=*/false, /*isInvariantGroup=*/false,
                        LLVM::AtomicOrdering::release, kDeviceScope);
}

void global::store(ImplicitLocOpBuilder &b, Value address, Value value) {
  LLVM::StoreOp::create(b, value, address, kWordBytes);
}

Value global::load(ImplicitLocOpBuilder &b, Value address) {
  return LLVM::LoadOp::create(b, b.getI32Type(), address, kWordBytes);
}

Value global::fetchAdd(ImplicitLocOpBuilder &b, Value address, Value value) {
  return LLVM::AtomicRMWOp::create(b, LLVM::AtomicBinOp::add, address, value,
                                   LLVM::AtomicOrdering::monotonic,
                                   kDeviceScope, kWordBytes);
}
