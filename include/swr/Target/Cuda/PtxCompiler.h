//===- PtxCompiler.h - swr spec to PTX and a launch description -*- C++ -*-===//

#ifndef SWR_TARGET_CUDA_PTXCOMPILER_H
#define SWR_TARGET_CUDA_PTXCOMPILER_H

#include "swr/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace mlir::swr {

/// A compiled kernel: PTX text and the JSON launch description the runtime
/// reads (entry, block, cluster, grid rule, parameters, scan semantics).
struct CompiledKernel {
  std::string entry;
  std::string ptx;
  std::string launchJson;
};

/// Compiles the function `name` of `spec` (which holds one swr.scan whose
/// operands are the function's arguments). `spec` is left unchanged.
llvm::Expected<CompiledKernel> compileToPtx(ModuleOp spec, llvm::StringRef name,
                                            const GpuPipelineOptions &options);

/// The role of each argument of `func`, which holds one swr.scan or
/// swr.scan_grad on its arguments: the launch description's param names.
llvm::Expected<std::vector<std::string>> kernelParamNames(func::FuncOp func);

/// The launch description's dtype of a memref element type ("bf16", ...).
llvm::StringRef launchDtypeName(Type elementType);

/// The version string recorded in every launch description.
llvm::StringRef compilerBuildId();

} // namespace mlir::swr

#endif // SWR_TARGET_CUDA_PTXCOMPILER_H
