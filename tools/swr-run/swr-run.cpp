//===- swr-run.cpp - execute a swr spec and check it against float64 ------===//
//
//   swr-run spec.mlir --shape 2x4x16x1000 [--lengths 1,17,8193]
//           [--seq-lens 1,17,300] [--decays near1|spread|near0] [--seed N]
//           [--target host] [--json]
//
// Fills the scan's operands with seeded random data, poisons the outputs
// with NaN, compiles and runs the spec, and compares every output element
// with an independent sequential float64 reference. The last line is
//   swr-run: ok rel_err=<e> floor=<f>      (or FAIL ..., exit code 1)
// where floor is the error of merely rounding the inputs and outputs to
// their dtypes. f32 outputs must be within 1e-5 of float64 on the inputs
// the kernel saw; bf16/f16 outputs within 1.5 x floor of exact float64.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrLayout.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/InitAllDialects.h"
#include "swr/Reference/Reference.h"
#include "swr/Target/Host/HostJit.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::swr;
namespace ref = ::swr::reference;
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
                 cl::desc("Decay regimes to run: near1, spread, near0 "
                          "(default spread)"));
static cl::opt<uint64_t> seedOption("seed", cl::init(1),
                                    cl::desc("Random seed"));
static cl::opt<std::string> targetOption("target", cl::init("host"),
                                         cl::desc("host"));
static cl::opt<std::string>
    methodOption("method", cl::init("running_product"),
                 cl::desc("Transfer operators: running_product, log_space"));
static cl::opt<int64_t> blockOption("block", cl::init(16),
                                    cl::desc("Tile length (full/exact)"));
static cl::opt<bool> jsonOption("json", cl::desc("Print JSON lines"));

namespace {

[[noreturn]] void fail(const llvm::Twine &message) {
  llvm::errs() << "swr-run: error: " << message << "\n";
  std::exit(2);
}

//===----------------------------------------------------------------------===//
// Host tensors
//===----------------------------------------------------------------------===//

enum class Storage { F32, BF16, F16, I32, I64 };

Storage storageOf(Type type) {
  if (type.isF32())
    return Storage::F32;
  if (type.isBF16())
    return Storage::BF16;
  if (type.isF16())
    return Storage::F16;
  if (type.isInteger(32))
    return Storage::I32;
  return Storage::I64;
}

ref::DType dtypeOf(Storage storage) {
  switch (storage) {
  case Storage::BF16:
    return ref::DType::BF16;
  case Storage::F16:
    return ref::DType::F16;
  default:
    return ref::DType::F32;
  }
}

size_t bytesOf(Storage storage) {
  switch (storage) {
  case Storage::BF16:
  case Storage::F16:
    return 2;
  case Storage::F32:
  case Storage::I32:
    return 4;
  case Storage::I64:
    return 8;
  }
  return 8;
}

/// A contiguous host tensor with its values as float64: `exact` before and
/// `seen` after rounding to the storage type.
struct Tensor {
  Storage storage = Storage::F32;
  SmallVector<int64_t> shape;
  std::vector<uint8_t> bytes;
  std::vector<double> exact;
  std::vector<double> seen;

  /// Element count; 0 for an operand the scan does not have.
  int64_t size() const {
    if (shape.empty())
      return 0;
    int64_t n = 1;
    for (int64_t dim : shape)
      n *= dim;
    return n;
  }
  SmallVector<int64_t> strides() const {
    SmallVector<int64_t> result(shape.size(), 1);
    for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
      result[i] = result[i + 1] * shape[i + 1];
    return result;
  }
  void allocate(Storage type, ArrayRef<int64_t> dims) {
    storage = type;
    shape.assign(dims.begin(), dims.end());
    bytes.assign(size() * bytesOf(storage), 0);
    exact.assign(size(), 0.0);
    seen.assign(size(), 0.0);
  }
  void store(int64_t i, double value) {
    exact[i] = value;
    uint8_t *at = bytes.data() + i * bytesOf(storage);
    switch (storage) {
    case Storage::F32: {
      float v = static_cast<float>(value);
      std::memcpy(at, &v, 4);
      seen[i] = v;
      break;
    }
    case Storage::BF16: {
      uint16_t v = ref::toBF16Bits(
          static_cast<float>(ref::roundTo(ref::DType::BF16, value)));
      std::memcpy(at, &v, 2);
      seen[i] = ref::fromBF16Bits(v);
      break;
    }
    case Storage::F16: {
      uint16_t v = ref::toF16Bits(
          static_cast<float>(ref::roundTo(ref::DType::F16, value)));
      std::memcpy(at, &v, 2);
      seen[i] = ref::fromF16Bits(v);
      break;
    }
    case Storage::I32: {
      int32_t v = static_cast<int32_t>(value);
      std::memcpy(at, &v, 4);
      seen[i] = v;
      break;
    }
    case Storage::I64: {
      int64_t v = static_cast<int64_t>(value);
      std::memcpy(at, &v, 8);
      seen[i] = static_cast<double>(v);
      break;
    }
    }
  }
  double load(int64_t i) const {
    const uint8_t *at = bytes.data() + i * bytesOf(storage);
    switch (storage) {
    case Storage::F32: {
      float v;
      std::memcpy(&v, at, 4);
      return v;
    }
    case Storage::BF16: {
      uint16_t v;
      std::memcpy(&v, at, 2);
      return ref::fromBF16Bits(v);
    }
    case Storage::F16: {
      uint16_t v;
      std::memcpy(&v, at, 2);
      return ref::fromF16Bits(v);
    }
    default:
      return 0.0;
    }
  }
  void poison() {
    for (int64_t i = 0; i < size(); ++i)
      store(i, std::numeric_limits<double>::quiet_NaN());
  }
};

//===----------------------------------------------------------------------===//
// The scan under test
//===----------------------------------------------------------------------===//

/// Which function argument each operand of the scan is.
struct ScanBinding {
  ScanOp scan;
  func::FuncOp func;
  int decay = -1, input = -1, init = -1, offsets = -1, output = -1, final = -1;
};

int argumentIndex(ScanOp scan, func::FuncOp func, Value value, StringRef role) {
  if (!value)
    return -1;
  auto argument = dyn_cast<BlockArgument>(value);
  if (!argument || argument.getOwner() != &func.getBody().front())
    fail("the " + role + " operand of swr.scan must be an argument of @" +
         func.getSymName());
  return static_cast<int>(argument.getArgNumber());
}

ScanBinding bindScan(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!functionName.empty() && func.getSymName() != functionName)
      continue;
    SmallVector<ScanOp> scans;
    func.walk([&](ScanOp scan) { scans.push_back(scan); });
    if (scans.empty())
      continue;
    if (scans.size() > 1)
      fail("@" + func.getSymName() + " holds " + llvm::Twine(scans.size()) +
           " swr.scan ops; swr-run checks functions with one");
    ScanBinding binding{scans.front(), func};
    ScanOp scan = binding.scan;
    binding.decay = argumentIndex(scan, func, scan.getDecay(), "decay");
    binding.input = argumentIndex(scan, func, scan.getInput(), "input");
    binding.init = argumentIndex(scan, func, scan.getInit(), "init");
    binding.offsets =
        argumentIndex(scan, func, scan.getSeqOffsets(), "seq_offsets");
    binding.output = argumentIndex(scan, func, scan.getOutput(), "output");
    binding.final = argumentIndex(scan, func, scan.getFinalState(), "final");
    return binding;
  }
  fail(functionName.empty()
           ? llvm::Twine("no function holds a swr.scan")
           : llvm::Twine("no function @") + functionName + " with a swr.scan");
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

/// Checks `shape` against the static dims of `type` for operand `role`.
void checkAgainstType(StringRef role, ArrayRef<int64_t> shape, Type type) {
  auto memref = cast<MemRefType>(type);
  if (memref.getRank() != static_cast<int64_t>(shape.size()))
    fail(role + ": expected rank " + llvm::Twine(memref.getRank()) +
         ", got a shape of rank " + llvm::Twine(shape.size()));
  for (auto [dim, size] : llvm::enumerate(shape))
    if (!ShapedType::isDynamic(memref.getDimSize(dim)) &&
        memref.getDimSize(dim) != size)
      fail(role + ": dimension " + llvm::Twine(dim) + " of the spec is " +
           llvm::Twine(memref.getDimSize(dim)) + " but the run asks for " +
           llvm::Twine(size));
}

//===----------------------------------------------------------------------===//
// One run
//===----------------------------------------------------------------------===//

struct RunResult {
  ref::DecayRegime regime = ref::DecayRegime::Spread;
  int64_t length = 0;
  double relErr = 0, floor = 0, relErrSeen = 0;
  int64_t unwritten = 0;
  bool ok = false;
};

struct Problem {
  ScanBinding binding;
  const LayoutAxes *axes;
  SmallVector<int64_t> inputShape;
  SmallVector<int64_t> seqLens; // packed batch when non-empty
  Tensor decay, input, init, offsets, output, final;
};

SmallVector<int64_t> keptShape(ArrayRef<int64_t> input,
                               ArrayRef<int64_t> axes) {
  SmallVector<int64_t> shape;
  for (int64_t axis : axes)
    shape.push_back(input[axis]);
  return shape;
}

Type argumentType(ScanBinding binding, int index) {
  return binding.func.getArgumentTypes()[index];
}

Storage elementStorage(ScanBinding binding, int index) {
  return storageOf(
      cast<MemRefType>(argumentType(binding, index)).getElementType());
}

void allocateProblem(Problem &p) {
  ScanBinding &b = p.binding;
  const LayoutAxes &axes = *p.axes;
  checkAgainstType("input", p.inputShape, argumentType(b, b.input));
  checkAgainstType("output", p.inputShape, argumentType(b, b.output));
  p.input.allocate(elementStorage(b, b.input), p.inputShape);
  p.output.allocate(elementStorage(b, b.output), p.inputShape);
  SmallVector<int64_t> decayShape =
      b.scan.getSharing() == DecaySharing::per_head
          ? keptShape(p.inputShape, axes.perHeadDecay)
          : p.inputShape;
  checkAgainstType("decay", decayShape, argumentType(b, b.decay));
  p.decay.allocate(elementStorage(b, b.decay), decayShape);
  SmallVector<int64_t> stateShape = keptShape(p.inputShape, axes.state);
  if (!p.seqLens.empty())
    stateShape[0] = static_cast<int64_t>(p.seqLens.size());
  if (b.init >= 0) {
    checkAgainstType("init", stateShape, argumentType(b, b.init));
    p.init.allocate(elementStorage(b, b.init), stateShape);
  }
  if (b.final >= 0) {
    checkAgainstType("final", stateShape, argumentType(b, b.final));
    p.final.allocate(elementStorage(b, b.final), stateShape);
  }
  if (b.offsets >= 0) {
    SmallVector<int64_t> offsetsShape{static_cast<int64_t>(p.seqLens.size()) +
                                      1};
    checkAgainstType("seq_offsets", offsetsShape, argumentType(b, b.offsets));
    p.offsets.allocate(elementStorage(b, b.offsets), offsetsShape);
    int64_t start = 0;
    p.offsets.store(0, 0);
    for (auto [i, len] : llvm::enumerate(p.seqLens)) {
      start += len;
      p.offsets.store(i + 1, static_cast<double>(start));
    }
  }
}

void fillProblem(Problem &p, ref::DecayRegime regime, uint64_t seed) {
  ref::Random random(seed);
  for (int64_t i = 0; i < p.decay.size(); ++i)
    p.decay.store(i, random.decay(regime));
  for (int64_t i = 0; i < p.input.size(); ++i)
    p.input.store(i, random.normal());
  for (int64_t i = 0; i < p.init.size(); ++i)
    p.init.store(i, random.normal());
  p.output.poison();
  p.final.poison();
}

ref::Window referenceWindow(WindowAttr window) {
  switch (window.getKind()) {
  case WindowKind::full:
    return {ref::WindowKind::Full, 0, window.getTile()};
  case WindowKind::bands:
    return {ref::WindowKind::Bands, window.getSize(), window.getTile()};
  case WindowKind::exact:
    return {ref::WindowKind::Exact, window.getSize(), window.getTile()};
  }
  return {};
}

/// The float64 reference on `exact` or `seen` inputs, shaped like output
/// and final.
void computeReference(const Problem &p, bool onSeen, std::vector<double> &y,
                      std::vector<double> &final) {
  const LayoutAxes &axes = *p.axes;
  ScanOp scan = p.binding.scan;
  auto pick = [&](const Tensor &t) -> const std::vector<double> & {
    return onSeen ? t.seen : t.exact;
  };
  const std::vector<double> &a = pick(p.decay);
  const std::vector<double> &x = pick(p.input);
  const std::vector<double> &h0 = pick(p.init);
  y.assign(p.output.size(), 0.0);
  final.assign(p.final.size(), 0.0);
  SmallVector<int64_t> xStrides = p.input.strides();
  SmallVector<int64_t> aStrides = p.decay.strides();
  SmallVector<int64_t> sStrides =
      p.init.size() ? p.init.strides() : p.final.strides();
  bool perHead = scan.getSharing() == DecaySharing::per_head;
  ref::Window window = referenceWindow(scan.getWindow());
  int64_t heads = p.inputShape[axes.head];
  int64_t channels = axes.channel >= 0 ? p.inputShape[axes.channel] : 1;

  // Sequences: (batch, time base, length, state row).
  struct Sequence {
    int64_t batch, base, length, state;
  };
  std::vector<Sequence> sequences;
  if (p.seqLens.empty()) {
    for (int64_t b = 0; b < p.inputShape[axes.batch]; ++b)
      sequences.push_back({b, 0, p.inputShape[axes.time], b});
  } else {
    int64_t base = 0;
    for (auto [s, len] : llvm::enumerate(p.seqLens)) {
      sequences.push_back({0, base, len, static_cast<int64_t>(s)});
      base += len;
    }
  }
  for (const Sequence &seq : sequences) {
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t c = 0; c < channels; ++c) {
        SmallVector<int64_t> index(axes.rank, 0);
        index[axes.batch] = seq.batch;
        index[axes.head] = h;
        if (axes.channel >= 0)
          index[axes.channel] = c;
        index[axes.time] = seq.base;
        int64_t xOffset = 0;
        for (int64_t d = 0; d < axes.rank; ++d)
          xOffset += index[d] * xStrides[d];
        int64_t aOffset = 0, aTimeStride;
        if (perHead) {
          for (auto [d, axis] : llvm::enumerate(axes.perHeadDecay))
            aOffset += index[axis] * aStrides[d];
          auto timePosition = llvm::find(axes.perHeadDecay, axes.time) -
                              axes.perHeadDecay.begin();
          aTimeStride = aStrides[timePosition];
        } else {
          aOffset = xOffset;
          aTimeStride = xStrides[axes.time];
        }
        int64_t sOffset = 0;
        if (!sStrides.empty()) {
          SmallVector<int64_t> stateIndex{seq.state};
          for (int64_t axis : ArrayRef<int64_t>(axes.state).drop_front())
            stateIndex.push_back(index[axis]);
          for (auto [d, i] : llvm::enumerate(stateIndex))
            sOffset += i * sStrides[d];
        }
        double finalState = 0;
        ref::scanSequence(a.data() + aOffset, aTimeStride, x.data() + xOffset,
                          xStrides[axes.time], seq.length, window,
                          scan.getReverse(),
                          p.init.size() ? h0.data() + sOffset : nullptr,
                          y.data() + xOffset, xStrides[axes.time], &finalState);
        if (p.final.size())
          final[sOffset] = finalState;
      }
    }
  }
}

/// Appends `values` rounded to `storage` (what a perfect kernel would store).
std::vector<double> roundAll(const std::vector<double> &values,
                             Storage storage) {
  std::vector<double> rounded;
  rounded.reserve(values.size());
  for (double v : values)
    rounded.push_back(ref::roundTo(dtypeOf(storage), v));
  return rounded;
}

RunResult runOnce(Problem &p, HostKernel &kernel, ref::DecayRegime regime,
                  uint64_t seed) {
  allocateProblem(p);
  fillProblem(p, regime, seed);

  ScanBinding &b = p.binding;
  std::vector<std::unique_ptr<MemRefDescriptor>> descriptors(
      b.func.getNumArguments());
  auto bind = [&](int index, Tensor &t) {
    if (index >= 0)
      descriptors[index] = std::make_unique<MemRefDescriptor>(
          MemRefDescriptor::contiguous(t.bytes.data(), t.shape));
  };
  bind(b.decay, p.decay);
  bind(b.input, p.input);
  bind(b.init, p.init);
  bind(b.offsets, p.offsets);
  bind(b.output, p.output);
  bind(b.final, p.final);
  SmallVector<MemRefDescriptor *> arguments;
  for (auto &descriptor : descriptors) {
    if (!descriptor)
      fail("@" + b.func.getSymName() +
           " has arguments that are not operands of its swr.scan");
    arguments.push_back(descriptor.get());
  }
  if (llvm::Error error = kernel.invoke(arguments))
    fail("running the kernel: " + llvm::toString(std::move(error)));

  std::vector<double> wantExact, wantExactFinal, wantSeen, wantSeenFinal;
  computeReference(p, /*onSeen=*/false, wantExact, wantExactFinal);
  computeReference(p, /*onSeen=*/true, wantSeen, wantSeenFinal);

  // Outputs and final states count together.
  std::vector<double> got, exact, seen;
  RunResult result;
  for (int64_t i = 0; i < p.output.size(); ++i)
    got.push_back(p.output.load(i));
  for (int64_t i = 0; i < p.final.size(); ++i)
    got.push_back(p.final.load(i));
  for (double v : got)
    if (!std::isfinite(v))
      ++result.unwritten;
  exact = wantExact;
  exact.insert(exact.end(), wantExactFinal.begin(), wantExactFinal.end());
  std::vector<double> perfect = roundAll(wantSeen, p.output.storage);
  std::vector<double> perfectFinal = roundAll(wantSeenFinal, p.final.storage);
  perfect.insert(perfect.end(), perfectFinal.begin(), perfectFinal.end());
  seen = wantSeen;
  seen.insert(seen.end(), wantSeenFinal.begin(), wantSeenFinal.end());

  int64_t n = static_cast<int64_t>(got.size());
  result.length = p.inputShape[p.axes->time];
  result.relErr = ref::relativeError(got.data(), exact.data(), n);
  result.floor = ref::relativeError(perfect.data(), exact.data(), n);
  result.relErrSeen = ref::relativeError(got.data(), seen.data(), n);
  bool lowPrecisionOut = p.output.storage != Storage::F32 ||
                         (p.final.size() && p.final.storage != Storage::F32);
  bool withinBound = lowPrecisionOut
                         ? result.relErr <= 1.5 * result.floor + 1e-12
                         : result.relErrSeen <= 1e-5;
  result.ok = result.unwritten == 0 && withinBound;
  return result;
}

void printResult(const RunResult &r, const Problem &p) {
  if (jsonOption) {
    llvm::json::Object object{{"decays", ref::regimeName(r.regime)},
                              {"length", r.length},
                              {"rel_err", r.relErr},
                              {"floor", r.floor},
                              {"rel_err_seen_inputs", r.relErrSeen},
                              {"unwritten", r.unwritten},
                              {"ok", r.ok}};
    llvm::outs() << llvm::json::Value(std::move(object)) << "\n";
    return;
  }
  llvm::outs() << llvm::format("%-6s L=%-8lld rel_err=%.3e floor=%.3e "
                               "rel_err_seen=%.3e unwritten=%lld %s\n",
                               ref::regimeName(r.regime), (long long)r.length,
                               r.relErr, r.floor, r.relErrSeen,
                               (long long)r.unwritten, r.ok ? "ok" : "FAIL");
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv,
                              "swr-run: execute a swr spec and check it "
                              "against a float64 reference\n");
  if (targetOption != "host")
    fail("--target: only 'host' runs here (got '" + targetOption +
         "'); the GPU target comes with the CUDA runtime");
  SmallVector<ref::DecayRegime> regimes;
  for (const std::string &name : decaysOption) {
    std::optional<ref::DecayRegime> regime = ref::parseRegime(name);
    if (!regime)
      fail("--decays: expected near1, spread or near0, got '" + name + "'");
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

  Problem problem;
  problem.binding = bindScan(*module);
  ScanOp scan = problem.binding.scan;
  problem.axes = &getLayoutAxes(scan.getLayout());
  if (shapeOption.empty())
    fail("--shape: give the input shape, e.g. --shape 2x4x16x1000");
  problem.inputShape = parseShape(shapeOption);
  if (static_cast<int64_t>(problem.inputShape.size()) != problem.axes->rank)
    fail("--shape: layout " + stringifyLayout(scan.getLayout()) +
         " takes rank " + llvm::Twine(problem.axes->rank) + " " +
         problem.axes->inputShape + ", got " +
         llvm::Twine(problem.inputShape.size()) + " dimensions");
  if (!seqLensOption.empty()) {
    if (!scan.getSeqOffsets())
      fail("--seq-lens: the spec's swr.scan takes no seq_offsets");
    problem.seqLens.assign(seqLensOption.begin(), seqLensOption.end());
    int64_t total = 0;
    for (int64_t len : problem.seqLens) {
      if (len < 0)
        fail("--seq-lens: lengths must be >= 0");
      total += len;
    }
    problem.inputShape[problem.axes->batch] = 1;
    problem.inputShape[problem.axes->time] = total;
  } else if (scan.getSeqOffsets()) {
    fail("--seq-lens: the spec's swr.scan takes seq_offsets; give the "
         "sequence lengths");
  }
  SmallVector<int64_t> lengths(lengthsOption.begin(), lengthsOption.end());
  if (lengths.empty())
    lengths.push_back(problem.inputShape[problem.axes->time]);

  HostPipelineOptions options;
  options.block = blockOption;
  options.method = methodOption;
  StringRef name = problem.binding.func.getSymName();
  std::string nameCopy = name.str();
  OwningOpRef<ModuleOp> lowered = module->clone();
  auto kernel = HostKernel::compile(*lowered, nameCopy, options);
  if (!kernel)
    fail("compiling " + specFile + ": " + llvm::toString(kernel.takeError()));

  // The summary reports the run closest to (or furthest past) its bound.
  bool allOk = true;
  RunResult worst;
  double worstRatio = -1;
  for (ref::DecayRegime regime : regimes)
    for (int64_t length : lengths) {
      if (problem.seqLens.empty())
        problem.inputShape[problem.axes->time] = length;
      RunResult r = runOnce(problem, **kernel, regime, seedOption + length);
      r.regime = regime;
      printResult(r, problem);
      allOk &= r.ok;
      double ratio = r.relErr / std::max(r.floor, 1e-300);
      if (!r.ok || ratio > worstRatio) {
        worst = r;
        worstRatio = r.ok ? ratio : std::numeric_limits<double>::infinity();
      }
    }
  worst.ok = allOk;
  llvm::outs() << "swr-run: " << (worst.ok ? "ok" : "FAIL")
               << llvm::format(" rel_err=%.3e floor=%.3e", worst.relErr,
                               worst.floor)
               << "\n";
  return worst.ok ? 0 : 1;
}
