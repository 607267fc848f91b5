//===- CompilerCAPI.cpp - C API of the swr compiler -----------------------===//

#include "swr-c/Compiler.h"

#include "swr/Dialect/Swr/Transforms/Passes.h"
#include "swr/InitAllDialects.h"
#include "swr/Runtime/Runtime.h"
#include "swr/Target/Cuda/PtxCompiler.h"
#include "swr/Target/Host/HostJit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <tuple>

using namespace mlir;
using ::swr::runtime::Status;
using ::swr::runtime::StatusCode;

struct swr_host_kernel {
  std::unique_ptr<MLIRContext> context;
  std::unique_ptr<mlir::swr::HostKernel> kernel;
  /// Only its entry and params: what swr_host_invoke checks arguments
  /// against, as a GPU launch does.
  ::swr::runtime::LaunchDescription signature;
};

namespace {

int fail(StatusCode code, std::string message) {
  return ::swr::runtime::reportStatus(Status(code, std::move(message)));
}

std::unique_ptr<MLIRContext> makeContext() {
  DialectRegistry registry;
  mlir::swr::registerAllDialects(registry);
  auto context = std::make_unique<MLIRContext>(registry);
  context->loadAllAvailableDialects();
  return context;
}

/// Parses `spec`, collecting diagnostics (with locations) into `error`.
OwningOpRef<ModuleOp> parseSpec(MLIRContext &context, const char *spec,
                                size_t size, std::string &error) {
  llvm::raw_string_ostream os(error);
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    os << diag.getLocation() << ": " << diag << "\n";
    return success();
  });
  return parseSourceString<ModuleOp>(llvm::StringRef(spec, size), &context,
                                     "spec");
}

/// The named function, or the first one.
std::string functionName(ModuleOp module, const char *requested) {
  if (requested && *requested)
    return requested;
  auto funcs = module.getOps<func::FuncOp>();
  return funcs.empty() ? std::string() : (*funcs.begin()).getSymName().str();
}

/// The params of `func` as a launch description lists them (role names
/// when it is one scan on its arguments, else %argN), or an error naming
/// an argument that is not a memref of at most SWR_MAX_RANK dimensions.
llvm::Expected<::swr::runtime::LaunchDescription>
describeHostSignature(func::FuncOp func) {
  using ::swr::runtime::ParamDescription;
  auto roles = mlir::swr::kernelParamNames(func);
  std::vector<std::string> names;
  if (roles)
    names = std::move(*roles);
  else
    llvm::consumeError(roles.takeError());
  ::swr::runtime::LaunchDescription signature;
  signature.entry = func.getSymName().str();
  for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref)
      return llvm::createStringError(
          "argument " + std::to_string(index) + " of @" + signature.entry +
          " is not a memref; host kernels take memrefs only");
    if (memref.getRank() > SWR_MAX_RANK)
      return llvm::createStringError(
          "argument " + std::to_string(index) + " of @" + signature.entry +
          " has rank " + std::to_string(memref.getRank()) +
          ", above SWR_MAX_RANK (" + std::to_string(SWR_MAX_RANK) + ")");
    ParamDescription param;
    param.name =
        index < names.size() ? names[index] : "%arg" + std::to_string(index);
    param.rank = static_cast<int32_t>(memref.getRank());
    param.dtype = ::swr::runtime::parseElementType(
                      mlir::swr::launchDtypeName(memref.getElementType()).str())
                      .value_or(::swr::runtime::ElementType::F32);
    for (int64_t size : memref.getShape())
      param.staticSizes.push_back(
          ShapedType::isDynamic(size) ? ParamDescription::kDynamicSize : size);
    signature.params.push_back(std::move(param));
  }
  return signature;
}

char *copyString(const std::string &text) {
  char *copy = static_cast<char *>(std::malloc(text.size() + 1));
  std::memcpy(copy, text.c_str(), text.size() + 1);
  return copy;
}

} // namespace

extern "C" {

const char *swr_build_id(void) { return mlir::swr::compilerBuildId().data(); }

int swr_compile_ptx(const char *spec, size_t spec_size,
                    const swr_compile_options *options, char **ptx,
                    char **launch_json) {
  if (!spec || !ptx || !launch_json)
    return fail(StatusCode::InvalidArgument,
                "swr_compile_ptx: spec, ptx and launch_json must not be NULL");
  std::unique_ptr<MLIRContext> context = makeContext();
  std::string error;
  OwningOpRef<ModuleOp> module = parseSpec(*context, spec, spec_size, error);
  if (!module)
    return fail(StatusCode::CompileError, "cannot parse the spec:\n" + error);
  swr_compile_options defaults{};
  const swr_compile_options &o = options ? *options : defaults;
  mlir::swr::GpuPipelineOptions pipeline;
  if (o.chip)
    pipeline.chip = o.chip;
  if (o.strategy)
    pipeline.strategy = o.strategy;
  if (o.block_size > 0)
    pipeline.blockSize = o.block_size;
  if (o.time_chunk != 0)
    pipeline.timeChunk = o.time_chunk < 0 ? 0 : o.time_chunk;
  if (o.grad_time_chunk != 0)
    pipeline.gradTimeChunk = o.grad_time_chunk < 0 ? 0 : o.grad_time_chunk;
  if (o.time_lanes > 0)
    pipeline.timeLanes = o.time_lanes;
  if (o.channel_tile > 0)
    pipeline.channelTile = o.channel_tile;
  if (o.time_warps > 0)
    pipeline.timeWarps = o.time_warps;
  if (o.grid_carries != 0)
    pipeline.gridCarries = o.grid_carries;
  for (auto [value, name, unit, target] :
       {std::make_tuple(o.full_block, "full_block", "time steps",
                        &pipeline.fullBlock),
        std::make_tuple(o.time_ctas, "time_ctas", "CTAs per cluster",
                        &pipeline.timeCtas)}) {
    if (value < 0)
      return fail(StatusCode::InvalidArgument,
                  std::string(name) +
                      ": expected 0 (the compiler's choice) or a number of " +
                      unit + " > 0, got " + std::to_string(value));
    if (value > 0)
      *target = value;
  }
  std::string name = functionName(*module, o.function);
  auto kernel = mlir::swr::compileToPtx(*module, name, pipeline);
  if (!kernel)
    return fail(StatusCode::CompileError, llvm::toString(kernel.takeError()));
  *ptx = copyString(kernel->ptx);
  *launch_json = copyString(kernel->launchJson);
  return SWR_SUCCESS;
}

int swr_derive_backward(const char *spec, size_t spec_size, char **out) {
  if (!spec || !out)
    return fail(StatusCode::InvalidArgument,
                "swr_derive_backward: spec and out must not be NULL");
  std::unique_ptr<MLIRContext> context = makeContext();
  std::string error;
  OwningOpRef<ModuleOp> module = parseSpec(*context, spec, spec_size, error);
  if (!module)
    return fail(StatusCode::CompileError, "cannot parse the spec:\n" + error);
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  ScopedDiagnosticHandler handler(context.get(), [&](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      os << diag.getLocation() << ": " << diag << "\n";
    return success();
  });
  PassManager pm(context.get());
  pm.addPass(mlir::swr::createSwrDeriveBackward());
  if (failed(pm.run(*module)))
    return fail(StatusCode::CompileError,
                "deriving the backward failed:\n" + diagnostics);
  std::string text;
  llvm::raw_string_ostream printed(text);
  module->print(printed);
  *out = copyString(text);
  return SWR_SUCCESS;
}

int swr_host_compile(const char *spec, size_t spec_size, const char *function,
                     const char *strategy, swr_host_kernel **out) {
  if (!spec || !out)
    return fail(StatusCode::InvalidArgument,
                "swr_host_compile: spec and out must not be NULL");
  auto result = std::make_unique<swr_host_kernel>();
  result->context = makeContext();
  std::string error;
  OwningOpRef<ModuleOp> module =
      parseSpec(*result->context, spec, spec_size, error);
  if (!module)
    return fail(StatusCode::CompileError, "cannot parse the spec:\n" + error);
  std::string name = functionName(*module, function);
  auto func = module->lookupSymbol<func::FuncOp>(name);
  if (!func)
    return fail(StatusCode::CompileError,
                "no function @" + name + " in the spec");
  auto signature = describeHostSignature(func);
  if (!signature)
    return fail(StatusCode::CompileError,
                llvm::toString(signature.takeError()));
  result->signature = std::move(*signature);
  mlir::swr::HostPipelineOptions options;
  if (strategy)
    options.strategy = strategy;
  auto kernel = mlir::swr::HostKernel::compile(*module, name, options);
  if (!kernel)
    return fail(StatusCode::CompileError, llvm::toString(kernel.takeError()));
  result->kernel = std::move(*kernel);
  *out = result.release();
  return SWR_SUCCESS;
}

int swr_host_invoke(swr_host_kernel *kernel, const swr_memref *args,
                    int32_t num_args) {
  if (!kernel || (!args && num_args))
    return fail(StatusCode::InvalidArgument,
                "swr_host_invoke: kernel and args must not be NULL");
  if (num_args < 0)
    return fail(StatusCode::InvalidArgument,
                "swr_host_invoke: num_args is negative (" +
                    std::to_string(num_args) + ")");
  // The GPU runtime's argument checks: the host kernel reads its memrefs
  // the same way (row-major, static sizes baked in).
  std::string error;
  if (!::swr::runtime::checkLaunchArguments(
          kernel->signature, args, static_cast<size_t>(num_args), error))
    return fail(StatusCode::InvalidArgument, "swr_host_invoke: " + error);
  std::vector<mlir::swr::MemRefDescriptor> descriptors;
  for (int32_t i = 0; i < num_args; ++i) {
    const swr_memref &m = args[i];
    void *first = reinterpret_cast<void *>(::swr::runtime::firstElementAddress(
        m, kernel->signature.params[i].dtype));
    descriptors.emplace_back(first, llvm::ArrayRef<int64_t>(m.sizes, m.rank),
                             llvm::ArrayRef<int64_t>(m.strides, m.rank));
  }
  std::vector<mlir::swr::MemRefDescriptor *> pointers;
  for (mlir::swr::MemRefDescriptor &d : descriptors)
    pointers.push_back(&d);
  if (llvm::Error error = kernel->kernel->invoke(pointers))
    return fail(StatusCode::CompileError, llvm::toString(std::move(error)));
  return SWR_SUCCESS;
}

void swr_host_destroy(swr_host_kernel *kernel) { delete kernel; }

void swr_free(void *pointer) { std::free(pointer); }

} // extern "C"
