//===- swr-run.cpp - execute a swr spec and check it against float64 ------===//
//
//   swr-run spec.mlir --shape 2x4x16x1000 [--lengths 1,17,8193]
//           [--seq-lens 1,17,300] [--decays near1|spread|near0] [--seed N]
//           [--target host|sm_90a [--bench] [--device N]] [--grad] [--json]
//
// Fills the scan's operands with seeded random data, poisons the outputs
// with NaN, compiles and runs the spec, and compares every output element
// with an independent sequential float64 reference. The last line is
//   swr-run: ok rel_err=<e> floor=<f>      (or FAIL ..., exit code 1)
// where floor is the error of merely rounding the inputs and outputs to
// their dtypes. f32 outputs must be within 1e-5 of float64 on the inputs
// the kernel saw; bf16/f16 outputs within 1.5 x floor of exact float64.
//
// With --grad the compiler derives the backward of the scan
// (swr-derive-backward) and that runs instead: random gradients of the
// output (and final state) in, dx, da and dh0 checked one by one against a
// float64 reverse-mode reference, which a finite difference of the float64
// loss spot checks on the first channel. A spec holding an swr.scan_grad
// runs as such without --grad.
//
// With --target=sm_90a (any sm_*) the GPU pipeline compiles the function to
// PTX in process and the Phalanx runtime runs it on the GPU, checked the
// same way (swr-gpu-run's device half); --bench then times it against a
// device-to-device copy. Without a CUDA driver it says so and exits 2.
//
//===----------------------------------------------------------------------===//

#include "swr/Check/Check.h"
#include "swr/Dialect/Swr/IR/SwrLayout.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"
#include "swr/InitAllDialects.h"
#include "swr/Pipelines/CommandLine.h"
#include "swr/Pipelines/Pipelines.h"
#include "swr/Reference/Reference.h"
#include "swr/Target/Host/HostJit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include "swr-c/Runtime.h"
#include "swr/Check/DeviceRun.h"
#include "swr/Target/Cuda/PtxCompiler.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::swr;
namespace ref = ::swr::reference;
namespace check = ::swr::check;
namespace cl = llvm::cl;

static cl::opt<std::string> specFile(cl::Positional, cl::desc("<spec.mlir>"),
                                     cl::Required);
static cl::opt<std::string>
    functionName("function", cl::desc("Function to run (default: the first "
                                      "holding a swr.scan)"));
static cl::opt<std::string>
    shapeOption("shape", cl::desc("Input shape, e.g. 2x4x16x1000 ([B,H,D,L] "
                                  "for bhdl); dynamic dims must be given"));
static cl::list<int64_t>
    lengthsOption("lengths", cl::CommaSeparated,
                  cl::desc("Run once per length (overrides the time axis)"));
static cl::list<int64_t>
    seqLensOption("seq-lens", cl::CommaSeparated,
                  cl::desc("Packed sequence lengths (needs seq_offsets)"));
static cl::list<std::string>
    decaysOption("decays", cl::CommaSeparated,
                 cl::desc("Decay regimes to run: near1, spread, near0, signed "
                          "(default spread)"));
static cl::opt<uint64_t> seedOption("seed", cl::init(1),
                                    cl::desc("Random seed"));
static cl::opt<std::string> targetOption(
    "target", cl::init("host"),
    cl::desc("host (the CPU JIT) or an NVIDIA chip such as sm_90a: compile "
             "to PTX and run through the Phalanx runtime"));
static cl::opt<int> deviceOption("device", cl::init(0),
                                 cl::desc("CUDA device (GPU targets)"));
static cl::opt<bool>
    benchOption("bench", cl::desc("GPU targets: then time the kernel at the "
                                  "--shape length against a device-to-device "
                                  "copy of the same bytes"));
static cl::opt<std::string>
    methodOption("method", cl::init("running_product"),
                 cl::desc("Transfer operators: running_product, log_space"));
static cl::opt<std::string>
    strategyOption("strategy", cl::init("matrix"),
                   cl::desc("Local solves: matrix (outer products), fma "
                            "(the recurrence) or, for GPU kernels, mma or "
                            "wmma (tensor cores where a warp shares the "
                            "operator)"));
static cl::opt<int64_t>
    timeChunkOption("time-chunk", cl::init(0),
                    cl::desc("bands<k>: independent time chunks of this many "
                             "tiles (0: none)"));
static cl::opt<int64_t> blockOption("block", cl::init(16),
                                    cl::desc("Tile length (full/exact)"));
static cl::opt<bool> jsonOption("json", cl::desc("Print JSON lines"));
static cl::opt<bool>
    gradOption("grad", cl::desc("Derive the scan's backward and check its "
                                "gradients instead of the forward"));

namespace {

[[noreturn]] void fail(const llvm::Twine &message) {
  llvm::errs() << "swr-run: error: " << message << "\n";
  std::exit(2);
}

const char *axesLayoutName(check::Layout layout) {
  switch (layout) {
  case check::Layout::BHDL:
    return "bhdl";
  case check::Layout::BCT:
    return "bct";
  case check::Layout::BTHD:
    return "bthd";
  }
  return "?";
}

//===----------------------------------------------------------------------===//
// The scan under test
//===----------------------------------------------------------------------===//

/// The function holding the scan (an swr.scan or swr.scan_grad), and the
/// role of each of its arguments.
struct ScanBinding {
  Operation *scan;
  mutable func::FuncOp func;      // op accessors are not const
  SmallVector<check::Role> roles; // one per function argument
};

check::Storage storageOf(Type type) {
  if (type.isBF16())
    return check::Storage::BF16;
  if (type.isF16())
    return check::Storage::F16;
  if (type.isInteger(32))
    return check::Storage::I32;
  if (type.isInteger(64))
    return check::Storage::I64;
  return check::Storage::F32;
}

ScanBinding bindScan(ModuleOp module, StringRef name) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!name.empty() && func.getSymName() != name)
      continue;
    SmallVector<Operation *> scans;
    func.walk([&](Operation *op) {
      if (isa<ScanOp, ScanGradOp>(op))
        scans.push_back(op);
    });
    if (scans.empty())
      continue;
    if (scans.size() > 1)
      fail("@" + func.getSymName() + " holds " + llvm::Twine(scans.size()) +
           " scans; swr-run checks functions with one");
    ScanBinding binding{scans.front(), func, {}};
    auto roles = getKernelArgumentRoles(binding.scan, func.getBody().front());
    if (!roles)
      fail("@" + func.getSymName() + ": " + llvm::toString(roles.takeError()));
    // The float64 reference knows the plain recurrence; fused regions are
    // checked through the Python frontend (swr.jit's reference).
    if (auto scan = dyn_cast<ScanOp>(binding.scan);
        scan && scan.hasFusedRegions())
      fail("@" + func.getSymName() +
           ": swr-run does not check scans with a fused prologue or "
           "epilogue yet; check them with the Python frontend (swr.jit "
           "functions have a float64 .reference)");
    for (StringRef role : *roles) {
      std::optional<check::Role> parsed = check::parseRole(role);
      if (!parsed)
        fail("@" + func.getSymName() + ": swr-run cannot check the " + role +
             " operand");
      binding.roles.push_back(*parsed);
    }
    return binding;
  }
  fail(name.empty() ? llvm::Twine("no function holds a swr.scan")
                    : llvm::Twine("no function @") + name + " with a swr.scan");
}

template <typename ScanLikeOp>
check::ScanDescription describeScan(ScanLikeOp scan) {
  check::ScanDescription description;
  WindowAttr window = scan.getWindow();
  ref::WindowKind kind = window.isFull()    ? ref::WindowKind::Full
                         : window.isBands() ? ref::WindowKind::Bands
                                            : ref::WindowKind::Exact;
  description.window = {kind, window.getSize(), window.getTile()};
  description.layout = *check::parseLayout(stringifyLayout(scan.getLayout()));
  description.perHead = scan.getSharing() == DecaySharing::per_head;
  description.reverse = scan.getReverse();
  return description;
}

check::ScanDescription describe(const ScanBinding &binding) {
  check::ScanDescription description;
  if (auto grad = dyn_cast<ScanGradOp>(binding.scan)) {
    description = describeScan(grad);
    description.gradient = true;
  } else {
    description = describeScan(cast<ScanOp>(binding.scan));
  }
  for (auto [role, type] :
       llvm::zip(binding.roles, binding.func.getArgumentTypes()))
    description.params.push_back(
        {role, storageOf(cast<MemRefType>(type).getElementType())});
  return description;
}

/// Adds the backward of every scan function (swr-derive-backward) and
/// returns the name of the backward of `forward`.
std::string deriveBackward(ModuleOp module, const ScanBinding &forward) {
  if (!isa<ScanOp>(forward.scan))
    fail("--grad: @" + forward.func.getSymName() +
         " already holds an swr.scan_grad; run it without --grad");
  PassManager pm(module.getContext());
  pm.addPass(createSwrDeriveBackward());
  if (failed(pm.run(module)))
    fail("--grad: deriving the backward failed");
  std::string name = (forward.func.getSymName() + "_backward").str();
  if (!module.lookupSymbol(name))
    fail("--grad: @" + forward.func.getSymName() +
         " has no backward (swr-derive-backward derives one for a function "
         "that is one swr.scan on its arguments)");
  return name;
}

SmallVector<int64_t> parseShape(StringRef text) {
  SmallVector<int64_t> shape;
  SmallVector<StringRef> parts;
  text.split(parts, 'x');
  for (StringRef part : parts) {
    int64_t dim;
    if (part.trim().getAsInteger(10, dim) || dim < 0)
      fail("--shape: expected dimensions like 2x4x16x1000, got '" + text + "'");
    shape.push_back(dim);
  }
  return shape;
}

/// Checks the run's shapes against the static dims of the spec's types.
void checkAgainstTypes(const ScanBinding &binding,
                       const check::Problem &problem) {
  for (auto [role, type] :
       llvm::zip(binding.roles, binding.func.getArgumentTypes())) {
    auto memref = cast<MemRefType>(type);
    std::vector<int64_t> shape = problem.shapeOf(role);
    StringRef name = check::roleName(role);
    if (memref.getRank() != static_cast<int64_t>(shape.size()))
      fail(name + ": expected rank " + llvm::Twine(memref.getRank()) +
           ", got a shape of rank " + llvm::Twine(shape.size()));
    for (auto [dim, size] : llvm::enumerate(shape))
      if (!ShapedType::isDynamic(memref.getDimSize(dim)) &&
          memref.getDimSize(dim) != size)
        fail(name + ": dimension " + llvm::Twine(dim) + " of the spec is " +
             llvm::Twine(memref.getDimSize(dim)) + " but the run asks for " +
             llvm::Twine(size));
  }
}

check::Result runOnce(const ScanBinding &binding, check::Problem &problem,
                      HostKernel &kernel, ref::DecayRegime regime,
                      uint64_t seed) {
  checkAgainstTypes(binding, problem);
  problem.prepare(regime, seed);
  std::vector<MemRefDescriptor> descriptors;
  for (check::Role role : binding.roles) {
    check::Tensor &tensor = problem.tensor(role);
    descriptors.push_back(
        MemRefDescriptor::contiguous(tensor.bytes.data(), tensor.shape));
  }
  SmallVector<MemRefDescriptor *> arguments;
  for (MemRefDescriptor &descriptor : descriptors)
    arguments.push_back(&descriptor);
  if (llvm::Error error = kernel.invoke(arguments))
    fail("running the kernel: " + llvm::toString(std::move(error)));
  check::Result result = check::compare(problem);
  result.regime = regime;
  return result;
}

/// --target=sm_*: compiles `name` to PTX with the GPU pipeline (its default
/// strategy and time chunks unless given), loads it through the Phalanx
/// runtime and checks (and with --bench times) it on the device.
int runOnGpu(ModuleOp module, const std::string &name, check::Problem &problem,
             ArrayRef<ref::DecayRegime> regimes, ArrayRef<int64_t> lengths) {
  GpuPipelineOptions options;
  options.chip = targetOption;
  if (strategyOption.getNumOccurrences())
    options.strategy = strategyOption;
  if (timeChunkOption.getNumOccurrences())
    options.timeChunk = timeChunkOption;
  applyGpuPipelineCLOptions(options);
  options.block = blockOption;
  // An explicit --block also sets full windows' tile.
  if (blockOption.getNumOccurrences())
    options.fullBlock = blockOption;
  auto kernel = compileToPtx(module, name, options);
  if (!kernel)
    fail("compiling " + specFile + " for " + targetOption + ": " +
         llvm::toString(kernel.takeError()));
  const char *tool = "swr-run";
  check::checkDeviceCall(tool, swr_runtime_init(deviceOption),
                         "initialising CUDA");
  swr_kernel *loaded = nullptr;
  check::checkDeviceCall(tool,
                         swr_kernel_load(kernel->ptx.data(), kernel->ptx.size(),
                                         kernel->launchJson.data(),
                                         kernel->launchJson.size(), &loaded),
                         "loading the kernel");
  const check::Axes &axes = check::axesOf(problem.scan.layout);
  // Timed at the --shape length: a checked length such as 8193 misaligns
  // every bhdl row for vector loads, which is a property of that length.
  int64_t benchLength = problem.inputShape[axes.time];
  check::Summary summary;
  for (ref::DecayRegime regime : regimes) {
    for (int64_t length : lengths) {
      problem.inputShape[axes.time] = length;
      check::Result r = check::runOnDevice(tool, loaded, problem, regime,
                                           seedOption + length);
      llvm::outs() << check::formatResult(r, jsonOption) << "\n";
      summary.add(r);
    }
  }
  if (benchOption) {
    problem.inputShape[axes.time] = benchLength;
    problem.prepare(regimes.front(), seedOption);
    llvm::outs().flush();
    check::benchOnDevice(tool, loaded, problem, jsonOption);
  }
  swr_kernel_destroy(loaded);
  llvm::outs() << summary.line("swr-run") << "\n";
  return summary.ok() ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  registerGpuPipelineCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "swr-run: execute a swr spec and check it "
                              "against a float64 reference\n");
  bool gpu = targetOption != "host";
  if (gpu && !StringRef(targetOption).starts_with("sm_"))
    fail("--target: expected host or an NVIDIA chip such as sm_90a, got '" +
         targetOption + "'");
  if (benchOption && !gpu)
    fail("--bench: times GPU kernels; give --target=sm_90a");
  SmallVector<ref::DecayRegime> regimes;
  for (const std::string &name : decaysOption) {
    std::optional<ref::DecayRegime> regime = ref::parseRegime(name);
    if (!regime)
      fail("--decays: expected near1, spread, near0 or signed, got '" + name +
           "'");
    regimes.push_back(*regime);
  }
  if (regimes.empty())
    regimes.push_back(ref::DecayRegime::Spread);

  DialectRegistry registry;
  registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(specFile, sourceMgr, &context);
  if (!module)
    return 2;

  ScanBinding binding = bindScan(*module, functionName);
  if (gradOption)
    binding = bindScan(*module, deriveBackward(*module, binding));
  check::Problem problem;
  problem.scan = describe(binding);
  const check::Axes &axes = check::axesOf(problem.scan.layout);
  if (shapeOption.empty())
    fail("--shape: give the input shape, e.g. --shape 2x4x16x1000");
  SmallVector<int64_t> shape = parseShape(shapeOption);
  problem.inputShape.assign(shape.begin(), shape.end());
  if (static_cast<int64_t>(problem.inputShape.size()) != axes.rank)
    fail(llvm::Twine("--shape: layout ") + axesLayoutName(problem.scan.layout) +
         " takes rank " + llvm::Twine(axes.rank) + " " + axes.inputShape +
         ", got " + llvm::Twine(problem.inputShape.size()) + " dimensions");
  bool packed = problem.scan.find(check::Role::SeqOffsets) != nullptr;
  if (!seqLensOption.empty()) {
    if (!packed)
      fail("--seq-lens: the spec's scan takes no seq_offsets");
    int64_t total = 0;
    for (int64_t len : seqLensOption) {
      if (len < 0)
        fail("--seq-lens: lengths must be >= 0");
      problem.seqLens.push_back(len);
      total += len;
    }
    problem.inputShape[axes.batch] = 1;
    problem.inputShape[axes.time] = total;
  } else if (packed) {
    fail("--seq-lens: the spec's scan takes seq_offsets; give the "
         "sequence lengths");
  }
  SmallVector<int64_t> lengths(lengthsOption.begin(), lengthsOption.end());
  if (lengths.empty() || packed)
    lengths.assign(1, problem.inputShape[axes.time]);

  std::string name = binding.func.getSymName().str();
  // Only the function that runs is compiled: with --grad the forward (an
  // exact<W> forward's window state grows with W) is not needed.
  for (auto func : llvm::to_vector(module->getOps<func::FuncOp>()))
    if (func.getSymName() != name)
      func.erase();
  if (gpu)
    return runOnGpu(*module, name, problem, regimes, lengths);

  HostPipelineOptions options;
  options.block = blockOption;
  options.method = methodOption;
  options.strategy = strategyOption;
  options.timeChunk = timeChunkOption;
  applyHostPipelineCLOptions(options);
  OwningOpRef<ModuleOp> lowered = module->clone();
  auto kernel = HostKernel::compile(*lowered, name, options);
  if (!kernel)
    fail("compiling " + specFile + ": " + llvm::toString(kernel.takeError()));

  check::Summary summary;
  for (ref::DecayRegime regime : regimes) {
    for (int64_t length : lengths) {
      problem.inputShape[axes.time] = length;
      check::Result r =
          runOnce(binding, problem, **kernel, regime, seedOption + length);
      llvm::outs() << check::formatResult(r, jsonOption) << "\n";
      summary.add(r);
    }
  }
  llvm::outs() << summary.line("swr-run") << "\n";
  return summary.ok() ? 0 : 1;
}
