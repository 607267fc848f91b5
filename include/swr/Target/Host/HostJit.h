//===- HostJit.h - run swr programs on the CPU ------------------*- C++ -*-===//
//
// Compiles a module holding swr.scan functions through the host pipeline and
// the MLIR ExecutionEngine, then calls them with memref descriptors.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_TARGET_HOST_HOSTJIT_H
#define SWR_TARGET_HOST_HOSTJIT_H

#include "swr/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace mlir {
class ExecutionEngine;
namespace swr {

/// The descriptor of a strided memref as the LLVM lowering lays it out:
/// allocated and aligned pointers, offset, sizes[rank], strides[rank].
class MemRefDescriptor {
public:
  MemRefDescriptor(void *data, llvm::ArrayRef<int64_t> sizes,
                   llvm::ArrayRef<int64_t> strides);
  /// A row-major (contiguous) descriptor.
  static MemRefDescriptor contiguous(void *data, llvm::ArrayRef<int64_t> sizes);
  void *get() { return fields.data(); }

private:
  std::vector<int64_t> fields;
};

class HostKernel {
public:
  ~HostKernel();
  HostKernel(HostKernel &&) = delete;

  /// Lowers `module` (consumed) and JIT-compiles function `name`.
  static llvm::Expected<std::unique_ptr<HostKernel>>
  compile(ModuleOp module, llvm::StringRef name,
          const HostPipelineOptions &options);

  /// Calls the function; one descriptor per memref argument, in order.
  llvm::Error invoke(llvm::ArrayRef<MemRefDescriptor *> arguments);

private:
  HostKernel(std::unique_ptr<ExecutionEngine> engine, std::string name);
  std::unique_ptr<ExecutionEngine> engine;
  std::string name;
};

} // namespace swr
} // namespace mlir

#endif // SWR_TARGET_HOST_HOSTJIT_H
