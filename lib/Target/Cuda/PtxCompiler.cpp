//===- PtxCompiler.cpp - swr spec to PTX and a launch description ---------===//

#include "swr/Target/Cuda/PtxCompiler.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <optional>

using namespace mlir;
using namespace mlir::swr;

llvm::StringRef mlir::swr::compilerBuildId() {
  return "swr 0.1 (MLIR/LLVM " LLVM_VERSION_STRING ")";
}

static llvm::Error error(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {

/// The scan (or scan_grad) of `func` and the role of each argument, or an
/// error.
llvm::Expected<std::pair<Operation *, std::vector<std::string>>>
bindScan(func::FuncOp func) {
  SmallVector<Operation *> scans;
  func.walk([&](Operation *op) {
    if (isa<ScanOp, ScanGradOp>(op))
      scans.push_back(op);
  });
  if (scans.size() != 1)
    return error("@" + func.getSymName() +
                 ": expected one swr.scan or swr.scan_grad, got " +
                 llvm::Twine(scans.size()));
  Operation *scan = scans.front();
  auto roles = getKernelArgumentRoles(scan, func.getBody().front());
  if (!roles)
    return error("@" + func.getSymName() + ": " +
                 llvm::toString(roles.takeError()));
  std::vector<std::string> names(roles->begin(), roles->end());
  return std::make_pair(scan, names);
}

template <typename ScanLikeOp>
llvm::json::Object describeScanLike(ScanLikeOp scan, bool gradient) {
  WindowAttr window = scan.getWindow();
  return llvm::json::Object{
      {"window", stringifyWindowKind(window.getKind())},
      {"size", window.getSize()},
      {"tile", window.getTile()},
      {"layout", stringifyLayout(scan.getLayout())},
      {"sharing", stringifyDecaySharing(scan.getSharing())},
      {"reverse", scan.getReverse()},
      {"gradient", gradient}};
}

llvm::json::Object describeScan(Operation *op) {
  if (auto grad = dyn_cast<ScanGradOp>(op))
    return describeScanLike(grad, /*gradient=*/true);
  return describeScanLike(cast<ScanOp>(op), /*gradient=*/false);
}

/// The launch description's "workspace" from the kernel's swr.workspace
/// ([header_words, words_per_item, zeroed_words_per_item]): a kernel that
/// passes carries between CTAs through global memory takes an i32 buffer
/// after its params, whose header and first zeroed words per item start at
/// zero, and which the runtime allocates per launch. None when the attribute
/// is absent.
llvm::Expected<std::optional<llvm::json::Object>>
describeWorkspace(gpu::GPUFuncOp kernel) {
  Attribute attr = kernel->getAttr("swr.workspace");
  if (!attr)
    return std::nullopt;
  auto sizes = dyn_cast<DenseI64ArrayAttr>(attr);
  if (!sizes || sizes.size() != 3)
    return error("the kernel's swr.workspace must be [header_words, "
                 "words_per_item, zeroed_words_per_item] (array<i64> of 3 "
                 "elements)");
  return llvm::json::Object{{"header_words", sizes[0]},
                            {"words_per_item", sizes[1]},
                            {"zeroed_words_per_item", sizes[2]}};
}

/// Runs `build`'s passes on `module`, collecting diagnostics into an error.
llvm::Error runPipeline(ModuleOp module,
                        llvm::function_ref<void(OpPassManager &)> build,
                        llvm::StringRef stage) {
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  ScopedDiagnosticHandler handler(module.getContext(), [&](Diagnostic &diag) {
    os << diag.getLocation() << ": " << diag << "\n";
    return success();
  });
  PassManager pm = PassManager::on<ModuleOp>(module.getContext());
  build(pm);
  if (failed(pm.run(module)))
    return error(stage + " failed:\n" + diagnostics);
  return llvm::Error::success();
}

/// Turns LLVM's SLP vectorizer off while it lives, unless the process set
/// `-vectorize-slp` itself. MLIR's NVVM serialisation runs LLVM's O3
/// pipeline with SLP vectorization forced on; on the kernels' unrolled
/// tiles it spent 80% of a compile (0.75 of 0.91 s for the per-head bf16
/// full window) and changed no instruction of the PTX (NVPTX has almost no
/// vector arithmetic; the tiles' vector loads and stores come from our own
/// lowering): all 598 kernels of the PTX matrix tests came out the same,
/// and 380 of 400 fused ones; SLP had paired f16 values in the other 20
/// (backward kernels of per-head [B,T,H,D] f16 windows), which now take
/// 4% fewer instructions.
/// So GPU compiles run without it; the host JIT keeps it. The flag is
/// process-wide: compiles racing in threads at worst run SLP (slower, the
/// same PTX).
class WithoutSlpVectorizer {
public:
  WithoutSlpVectorizer() {
    auto &options = llvm::cl::getRegisteredOptions();
    auto found = options.find(kFlag);
    if (found == options.end() || found->second->getNumOccurrences() != 0)
      return;
    flag = found->second;
    flag->addOccurrence(/*pos=*/0, kFlag, "false");
  }
  ~WithoutSlpVectorizer() {
    if (flag)
      flag->reset(); // its default (on), given no times
  }
  WithoutSlpVectorizer(const WithoutSlpVectorizer &) = delete;
  WithoutSlpVectorizer &operator=(const WithoutSlpVectorizer &) = delete;

private:
  static constexpr llvm::StringLiteral kFlag = "vectorize-slp";
  llvm::cl::Option *flag = nullptr;
};

} // namespace

llvm::StringRef mlir::swr::launchDtypeName(Type elementType) {
  if (elementType.isBF16())
    return "bf16";
  if (elementType.isF16())
    return "f16";
  if (elementType.isInteger(32))
    return "i32";
  if (elementType.isInteger(64))
    return "i64";
  return "f32";
}

llvm::Expected<std::vector<std::string>>
mlir::swr::kernelParamNames(func::FuncOp func) {
  auto binding = bindScan(func);
  if (!binding)
    return binding.takeError();
  return std::move(binding->second);
}

llvm::Expected<CompiledKernel>
mlir::swr::compileToPtx(ModuleOp spec, llvm::StringRef name,
                        const GpuPipelineOptions &options) {
  auto func = spec.lookupSymbol<func::FuncOp>(name);
  if (!func)
    return error("no function @" + name + " in the spec");
  auto binding = bindScan(func);
  if (!binding)
    return binding.takeError();
  auto [scan, roles] = *binding;

  llvm::json::Array params;
  for (auto [role, type] : llvm::zip(roles, func.getArgumentTypes())) {
    auto memref = cast<MemRefType>(type);
    // Static sizes are compiled into the kernel's addressing: the runtime
    // refuses arguments of other sizes (null: taken from the argument).
    llvm::json::Array sizes;
    for (int64_t size : memref.getShape())
      sizes.push_back(ShapedType::isDynamic(size) ? llvm::json::Value(nullptr)
                                                  : llvm::json::Value(size));
    params.push_back(
        llvm::json::Object{{"name", role},
                           {"kind", "memref"},
                           {"rank", memref.getRank()},
                           {"dtype", launchDtypeName(memref.getElementType())},
                           {"sizes", std::move(sizes)}});
  }
  llvm::json::Object scanDescription = describeScan(scan);

  OwningOpRef<ModuleOp> module = spec.clone();
  // Keep only the kernel's function.
  for (auto other : llvm::to_vector(module->getOps<func::FuncOp>()))
    if (other.getSymName() != name)
      other.erase();
  if (llvm::Error e = runPipeline(
          *module,
          [&](OpPassManager &pm) { buildGpuKernelPipeline(pm, options); },
          "GPU kernel pipeline"))
    return std::move(e);

  // Launch metadata lives on the gpu.func until serialisation.
  gpu::GPUFuncOp kernel;
  module->walk([&](gpu::GPUFuncOp op) { kernel = op; });
  if (!kernel)
    return error("the GPU kernel pipeline produced no kernel");
  auto block = kernel.getKnownBlockSize();
  auto workItems = kernel->getAttrOfType<ArrayAttr>("swr.work_items");
  auto threadsPerItem =
      kernel->getAttrOfType<IntegerAttr>("swr.threads_per_item");
  if (!block || !workItems || !threadsPerItem)
    return error("the kernel lacks known_block_size, swr.work_items or "
                 "swr.threads_per_item");
  llvm::json::Array items;
  for (Attribute item : workItems) {
    ArrayRef<int64_t> triple = cast<DenseI64ArrayAttr>(item).asArrayRef();
    items.push_back(llvm::json::Object{
        {"param", triple[0]}, {"dim", triple[1]}, {"ceil_div", triple[2]}});
  }
  // A work item over the CTAs of a cluster (nvvm.cluster_dim from
  // swr-distribute): one item per cluster of blocks.
  int64_t clusterCtas = 1;
  if (auto cluster = kernel->getAttrOfType<DenseI32ArrayAttr>(
          NVVM::NVVMDialect::getClusterDimAttrName()))
    clusterCtas = cluster.asArrayRef()[0];
  int64_t itemsPerBlock =
      std::max<int64_t>(1, (*block)[0] / threadsPerItem.getInt());
  llvm::json::Object grid{{"work_items", std::move(items)},
                          {"items_per_block", itemsPerBlock}};
  if (clusterCtas > 1)
    grid["blocks_per_item"] = clusterCtas;
  // Staging rings (swr.stage_tile) live in dynamic shared memory.
  int64_t dynamicSharedMemory = 0;
  if (auto bytes =
          kernel->getAttrOfType<IntegerAttr>(swr::kDynamicSharedMemoryAttrName))
    dynamicSharedMemory = bytes.getInt();
  auto workspace = describeWorkspace(kernel);
  if (!workspace)
    return workspace.takeError();

  {
    WithoutSlpVectorizer fasterCompile;
    if (llvm::Error e = runPipeline(
            *module,
            [&](OpPassManager &pm) {
              buildGpuSerializationPipeline(pm, options);
            },
            "GPU serialisation pipeline"))
      return std::move(e);
  }
  CompiledKernel result;
  result.entry = name.str();
  module->walk([&](gpu::BinaryOp binary) {
    for (Attribute object : binary.getObjects())
      result.ptx = cast<gpu::ObjectAttr>(object).getObject().str();
  });
  if (result.ptx.empty())
    return error("the GPU pipeline produced no PTX");

  llvm::json::Object launch{
      {"format", "swr-launch-v1"},
      {"entry", result.entry},
      {"target", options.chip.getValue()},
      {"compiler", compilerBuildId()},
      {"block", llvm::json::Array{(*block)[0], (*block)[1], (*block)[2]}},
      {"cluster", llvm::json::Array{clusterCtas, 1, 1}},
      {"dynamic_shared_memory", dynamicSharedMemory},
      {"grid", std::move(grid)},
      {"params", std::move(params)},
      {"scan", std::move(scanDescription)},
      {"strategy", options.strategy.getValue()}};
  if (*workspace)
    launch["workspace"] = std::move(**workspace);
  llvm::raw_string_ostream os(result.launchJson);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(launch))) << "\n";
  return result;
}
