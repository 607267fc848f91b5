//===- HostJit.cpp - run swr programs on the CPU --------------------------===//

#include "swr/Target/Host/HostJit.h"
#include "swr/Reference/Reference.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/Support/TargetSelect.h"

#include <cstring>

using namespace mlir;
using namespace mlir::swr;

//===----------------------------------------------------------------------===//
// Soft conversions for half and bfloat16
//===----------------------------------------------------------------------===//
//
// x86 has no bf16 rounding instruction and only some CPUs convert f16, so
// LLVM calls compiler-rt style helpers that Debian's libgcc lacks
// (__truncsfbf2) or that may not be loaded. The JIT gets these instead.

namespace {

// The helpers pass 16-bit values in the low bits of xmm0, like _Float16.
_Float16 truncsfbf2(float value) {
  uint16_t bits = ::swr::reference::toBF16Bits(value);
  _Float16 result;
  std::memcpy(&result, &bits, sizeof(bits));
  return result;
}
_Float16 truncsfhf2(float value) {
  uint16_t bits = ::swr::reference::toF16Bits(value);
  _Float16 result;
  std::memcpy(&result, &bits, sizeof(bits));
  return result;
}
float extendhfsf2(_Float16 value) {
  uint16_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return ::swr::reference::fromF16Bits(bits);
}
float extendbfsf2(_Float16 value) {
  uint16_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return ::swr::reference::fromBF16Bits(bits);
}

llvm::orc::SymbolMap conversionSymbols(llvm::orc::MangleAndInterner mangle) {
  llvm::orc::SymbolMap symbols;
  auto add = [&](const char *name, auto *function) {
    symbols[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                             llvm::JITSymbolFlags::Exported};
  };
  add("__truncsfbf2", &truncsfbf2);
  add("__truncsfhf2", &truncsfhf2);
  add("__extendhfsf2", &extendhfsf2);
  add("__extendbfsf2", &extendbfsf2);
  return symbols;
}

} // namespace

//===----------------------------------------------------------------------===//
// MemRefDescriptor
//===----------------------------------------------------------------------===//

MemRefDescriptor::MemRefDescriptor(void *data, llvm::ArrayRef<int64_t> sizes,
                                   llvm::ArrayRef<int64_t> strides) {
  auto pointer = static_cast<int64_t>(reinterpret_cast<intptr_t>(data));
  fields = {pointer, pointer, 0};
  fields.insert(fields.end(), sizes.begin(), sizes.end());
  fields.insert(fields.end(), strides.begin(), strides.end());
}

MemRefDescriptor MemRefDescriptor::contiguous(void *data,
                                              llvm::ArrayRef<int64_t> sizes) {
  std::vector<int64_t> strides(sizes.size(), 1);
  for (int64_t i = static_cast<int64_t>(sizes.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * sizes[i + 1];
  return MemRefDescriptor(data, sizes, strides);
}

//===----------------------------------------------------------------------===//
// HostKernel
//===----------------------------------------------------------------------===//

HostKernel::HostKernel(std::unique_ptr<ExecutionEngine> engine,
                       std::string name)
    : engine(std::move(engine)), name(std::move(name)) {}

HostKernel::~HostKernel() = default;

static llvm::Error errorFromDiagnostics(llvm::StringRef what,
                                        llvm::StringRef diagnostics) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 what + ": " + diagnostics);
}

llvm::Expected<std::unique_ptr<HostKernel>>
HostKernel::compile(ModuleOp module, llvm::StringRef name,
                    const HostPipelineOptions &options) {
  MLIRContext *context = module.getContext();
  auto func = module.lookupSymbol<func::FuncOp>(name);
  if (!func)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "no function @" + name + " in the module");
  // Every memref argument is then one pointer to its descriptor.
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(context));

  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  {
    ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
      os << diag.getLocation() << ": " << diag << "\n";
      return success();
    });
    PassManager pm = PassManager::on<ModuleOp>(context);
    buildHostPipeline(pm, options);
    if (failed(pm.run(module)))
      return errorFromDiagnostics("host pipeline failed", diagnostics);
  }

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  registerBuiltinDialectTranslation(*context);
  registerLLVMDialectTranslation(*context);

  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = makeOptimizingTransformer(
      /*optLevel=*/2, /*sizeLevel=*/0, /*targetMachine=*/nullptr);
  auto engine = ExecutionEngine::create(module, engineOptions);
  if (!engine)
    return engine.takeError();
  (*engine)->registerSymbols(conversionSymbols);
  return std::unique_ptr<HostKernel>(
      new HostKernel(std::move(*engine), name.str()));
}

llvm::Error HostKernel::invoke(llvm::ArrayRef<MemRefDescriptor *> arguments) {
  // The C wrapper takes pointers to descriptors; the packed interface takes
  // the address of each of those pointers.
  std::vector<void *> descriptors;
  for (MemRefDescriptor *argument : arguments)
    descriptors.push_back(argument->get());
  std::vector<void *> packed;
  for (void *&descriptor : descriptors)
    packed.push_back(&descriptor);
  return engine->invokePacked("_mlir_ciface_" + name, packed);
}
