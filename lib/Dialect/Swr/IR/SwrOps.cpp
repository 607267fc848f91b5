//===- SwrOps.cpp - swr operations ----------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/IR/SwrLayout.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace mlir::swr;

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// Windows are written without their attribute wrapper in op syntax:
/// `swr.scan bands<2> ...`.
static ParseResult parseWindow(OpAsmParser &parser, WindowAttr &window) {
  window = WindowAttr::parseBody(parser);
  return success(window != nullptr);
}

static void printWindow(OpAsmPrinter &printer, Operation *, WindowAttr window) {
  window.printBody(printer);
}

/// A carry exchange's decay: f32 (shared by the channels), or with
/// `per_channel` one per channel, typed like the terminal values.
static ParseResult parseExchangeDecay(OpAsmParser &parser, Type &decay,
                                      Type terminal) {
  decay = succeeded(parser.parseOptionalKeyword("per_channel"))
              ? terminal
              : Type(parser.getBuilder().getF32Type());
  return success();
}

static void printExchangeDecay(OpAsmPrinter &printer, Operation *, Type decay,
                               Type) {
  if (isa<VectorType>(decay))
    printer << " per_channel";
}

#define GET_OP_CLASSES
#include "swr/Dialect/Swr/IR/SwrOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shape checking helpers
//===----------------------------------------------------------------------===//

namespace {

std::string formatDim(int64_t dim) {
  return ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim);
}

/// Checks that `operand` (named `name`) has rank `rank`; `shape` describes
/// the expected axes for the message.
LogicalResult verifyRank(Operation *op, StringRef name, Value operand,
                         int64_t rank, StringRef shape) {
  auto type = cast<MemRefType>(operand.getType());
  if (type.getRank() == rank)
    return success();
  return op->emitOpError() << name << ": expected rank " << rank << " ("
                           << shape << "), got rank " << type.getRank() << " ("
                           << type << ")";
}

/// The operands every scan-like op shares, for the shape checks.
struct ScanOperands {
  Operation *op;
  Layout layout;
  DecaySharing sharing;
  Value decay, input, init, seqOffsets;
};

/// Checks that dimension `dim` of `operand` agrees with input axis
/// `inputAxis` where both are static.
LogicalResult verifyDimAgrees(const ScanOperands &scan, StringRef name,
                              Value operand, int64_t dim, int64_t inputAxis) {
  auto type = cast<MemRefType>(operand.getType());
  auto inputType = cast<MemRefType>(scan.input.getType());
  int64_t got = type.getDimSize(dim);
  int64_t expected = inputType.getDimSize(inputAxis);
  if (ShapedType::isDynamic(got) || ShapedType::isDynamic(expected) ||
      got == expected)
    return success();
  return scan.op->emitOpError()
         << name << ": dimension " << dim << " ("
         << getAxisName(scan.layout, inputAxis) << ") is " << got
         << " but input has " << formatDim(expected);
}

/// Checks that `operand` keeps exactly the input axes `axes`, in order.
LogicalResult verifyKeepsAxes(const ScanOperands &scan, StringRef name,
                              Value operand, ArrayRef<int64_t> axes,
                              StringRef shape) {
  if (failed(verifyRank(scan.op, name, operand, axes.size(), shape)))
    return failure();
  for (auto [dim, axis] : llvm::enumerate(axes))
    if (failed(verifyDimAgrees(scan, name, operand, dim, axis)))
      return failure();
  return success();
}

/// Checks that `operand` has the input's shape.
LogicalResult verifyInputShaped(const ScanOperands &scan, StringRef name,
                                Value operand, const LayoutAxes &axes) {
  if (failed(verifyRank(scan.op, name, operand, axes.rank, axes.inputShape)))
    return failure();
  for (int64_t axis = 0; axis < axes.rank; ++axis)
    if (failed(verifyDimAgrees(scan, name, operand, axis, axis)))
      return failure();
  return success();
}

/// The state tensors of a packed variable-length batch are indexed by
/// sequence; their first dimension is the number of sequences.
LogicalResult verifyPackedState(const ScanOperands &scan, StringRef name,
                                Value state, const LayoutAxes &axes) {
  if (failed(
          verifyRank(scan.op, name, state, axes.state.size(), axes.stateShape)))
    return failure();
  for (auto [dim, axis] : llvm::enumerate(axes.state)) {
    if (dim == 0)
      continue;
    if (failed(verifyDimAgrees(scan, name, state, dim, axis)))
      return failure();
  }
  auto offsetsType = cast<MemRefType>(scan.seqOffsets.getType());
  int64_t sequences = cast<MemRefType>(state.getType()).getDimSize(0);
  int64_t offsets = offsetsType.getDimSize(0);
  if (ShapedType::isDynamic(sequences) || ShapedType::isDynamic(offsets) ||
      sequences == offsets - 1)
    return success();
  return scan.op->emitOpError()
         << name << ": dimension 0 (sequences) is " << sequences
         << " but seq_offsets holds " << offsets - 1 << " sequences ("
         << offsets << " offsets)";
}

/// Checks the operands of a scan-like op: `inputShaped` operands (beyond
/// the input) take the input's shape, the decay the shape its sharing
/// implies, and `states` the shape of the initial state.
LogicalResult
verifyScanOperands(const ScanOperands &scan,
                   ArrayRef<std::pair<StringRef, Value>> inputShaped,
                   ArrayRef<std::pair<StringRef, Value>> decayShaped,
                   ArrayRef<std::pair<StringRef, Value>> states) {
  const LayoutAxes &axes = getLayoutAxes(scan.layout);
  StringRef layoutName = stringifyLayout(scan.layout);
  if (failed(
          verifyRank(scan.op, "input", scan.input, axes.rank, axes.inputShape)))
    return failure();
  for (auto [name, operand] : inputShaped)
    if (operand && failed(verifyInputShaped(scan, name, operand, axes)))
      return failure();

  // Decays: per head or shaped like the input.
  for (auto [name, decay] : decayShaped) {
    if (scan.sharing == DecaySharing::per_head) {
      if (axes.perHeadDecay.empty())
        return scan.op->emitOpError()
               << name << ": layout " << layoutName
               << " has no head axis; per_head decays need layout bhdl or "
                  "bthd (use per_channel)";
      if (failed(verifyKeepsAxes(scan, name, decay, axes.perHeadDecay,
                                 axes.perHeadDecayShape)))
        return failure();
    } else if (failed(verifyInputShaped(scan, name, decay, axes))) {
      return failure();
    }
  }

  // Packed variable-length batches hold every sequence in batch 0.
  if (scan.seqOffsets) {
    int64_t batch = cast<MemRefType>(scan.input.getType()).getDimSize(0);
    if (!ShapedType::isDynamic(batch) && batch != 1)
      return scan.op->emitOpError()
             << "input: a packed batch (seq_offsets) needs batch size 1, got "
             << batch;
  }

  // Initial and final state keep the batch (or sequence) and channel axes.
  for (auto [name, state] : states) {
    if (!state)
      continue;
    if (scan.seqOffsets) {
      if (failed(verifyPackedState(scan, name, state, axes)))
        return failure();
    } else if (failed(verifyKeepsAxes(scan, name, state, axes.state,
                                      axes.stateShape))) {
      return failure();
    }
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

int64_t ScanOp::getInputRank() { return getLayoutAxes(getLayout()).rank; }

int64_t ScanOp::getTimeAxis() { return getLayoutAxes(getLayout()).time; }

int64_t ScanOp::getStaticLength() {
  return cast<MemRefType>(getInput().getType()).getDimSize(getTimeAxis());
}

LogicalResult ScanOp::verify() {
  ScanOperands scan{*this,      getLayout(), getSharing(),   getDecay(),
                    getInput(), getInit(),   getSeqOffsets()};
  int64_t numOperands = getExtraInputs().size();
  if (numOperands > kMaxOperands)
    return emitOpError() << "operands: expected at most " << kMaxOperands
                         << ", got " << numOperands;
  SmallVector<std::string> names;
  for (int64_t i = 0; i < numOperands; ++i)
    names.push_back("operand #" + std::to_string(i));
  if (getState() && getEpilogue().empty())
    return emitOpError() << "state: without an epilogue the output is the "
                            "state; expected no state";
  SmallVector<std::pair<StringRef, Value>> inputShaped{{"output", getOutput()},
                                                       {"state", getState()}};
  for (auto [name, operand] : llvm::zip(names, getExtraInputs()))
    inputShaped.push_back({name, operand});
  return verifyScanOperands(scan, inputShaped, {{"decay", getDecay()}},
                            {{"init", getInit()}, {"final", getFinalState()}});
}

namespace {

/// Checks that `region` (named `name`) of `scan` is one block taking
/// `numArguments` f32 scalars, made of element-wise side-effect-free ops on
/// scalars, ending in swr.yield of `numResults` values.
LogicalResult verifyFusedRegion(Operation *scan, Region &region, StringRef name,
                                int64_t numArguments, int64_t numResults,
                                StringRef arguments, StringRef results) {
  if (region.empty())
    return success();
  Block &block = region.front();
  StringRef opName = scan->getName().getStringRef();
  if (static_cast<int64_t>(block.getNumArguments()) != numArguments)
    return scan->emitOpError()
           << name << ": expected " << numArguments << " block arguments ("
           << arguments << "), got " << block.getNumArguments();
  for (BlockArgument argument : block.getArguments())
    if (!argument.getType().isF32())
      return scan->emitOpError()
             << name << ": block argument #" << argument.getArgNumber()
             << " must be f32, got " << argument.getType();
  for (Operation &op : block.without_terminator()) {
    bool elementwise = OpTrait::hasElementwiseMappableTraits(&op) ||
                       isa<arith::ConstantOp>(op);
    if (!elementwise || !isMemoryEffectFree(&op) || op.getNumRegions() != 0)
      return op.emitOpError()
             << "is not allowed in the " << name << " of " << opName
             << ": expected element-wise ops without side effects (arith, "
                "math)";
    for (Type type :
         llvm::concat<const Type>(op.getOperandTypes(), op.getResultTypes()))
      if (isa<ShapedType>(type))
        return op.emitOpError() << "in the " << name << " of " << opName
                                << ": expected scalars, got " << type;
  }
  auto yield = cast<YieldOp>(block.getTerminator());
  if (static_cast<int64_t>(yield.getValues().size()) != numResults)
    return yield.emitOpError()
           << "expected " << numResults << " values (" << results
           << ") from the " << name << ", got " << yield.getValues().size();
  return success();
}

/// Whether `value`, computed in a fused region, depends only on the block
/// arguments in `allowed`.
bool dependsOnlyOn(Value value, ArrayRef<BlockArgument> allowed) {
  SmallVector<Value> worklist{value};
  llvm::SmallPtrSet<Value, 16> seen;
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    if (!seen.insert(current).second)
      continue;
    if (auto argument = dyn_cast<BlockArgument>(current)) {
      if (!llvm::is_contained(allowed, argument))
        return false;
      continue;
    }
    llvm::append_range(worklist, current.getDefiningOp()->getOperands());
  }
  return true;
}

/// With per_head decays the prologue's `a` is shared by a head's channels.
LogicalResult verifySharedDecay(Operation *scan, Region &prologue,
                                DecaySharing sharing) {
  if (prologue.empty() || sharing != DecaySharing::per_head)
    return success();
  Block &block = prologue.front();
  Value decay = cast<YieldOp>(block.getTerminator()).getValues()[0];
  if (!dependsOnlyOn(decay, {block.getArgument(0)}))
    return scan->emitOpError()
           << "prologue: with per_head decays, a must depend on the decay "
              "argument only (it is shared by the head's channels)";
  return success();
}

/// "decay, input" and ", operands..." when there are any.
std::string loadedArgumentNames(size_t numOperands) {
  return std::string("decay, input") + (numOperands ? ", operands..." : "");
}

} // namespace

LogicalResult ScanOp::verifyRegions() {
  int64_t loaded = 2 + static_cast<int64_t>(getExtraInputs().size());
  std::string loadedNames = loadedArgumentNames(getExtraInputs().size());
  if (failed(verifyFusedRegion(*this, getPrologue(), "prologue", loaded, 2,
                               loadedNames, "a, x")) ||
      failed(verifyFusedRegion(*this, getEpilogue(), "epilogue", loaded + 1, 1,
                               "y, " + loadedNames, "the output")))
    return failure();
  return verifySharedDecay(*this, getPrologue(), getSharing());
}

//===----------------------------------------------------------------------===//
// ScanGradOp
//===----------------------------------------------------------------------===//

LogicalResult ScanGradOp::verify() {
  WindowAttr window = getWindow();
  if (window.isFull() && !getOutput())
    return emitOpError() << "output: a full window's decay gradient reads "
                            "the forward output y (h[t-1]); expected it";
  if (!getCotangent().empty() && !getOutput())
    return emitOpError() << "output: the cotangent of an epilogue reads the "
                            "forward state y; expected it";
  if (!window.isFull() && getCotangent().empty() && getOutput())
    return emitOpError() << "output: " << window
                         << " windows recompute the forward state; expected "
                            "no output";
  int64_t numOperands = getExtraInputs().size();
  if (numOperands > ScanOp::kMaxOperands)
    return emitOpError() << "operands: expected at most "
                         << ScanOp::kMaxOperands << ", got " << numOperands;
  if (static_cast<int64_t>(getGradExtraInputs().size()) != numOperands)
    return emitOpError() << "grad_operands: expected one per operand ("
                         << numOperands << "), got "
                         << getGradExtraInputs().size();
  if (numOperands && getPullback().empty())
    return emitOpError() << "operands: their gradients come from a pullback "
                            "region; expected one";
  if ((!getPrologue().empty() || !getCotangent().empty()) &&
      getPullback().empty())
    return emitOpError() << "pullback: a backward through a prologue or "
                            "cotangent needs a pullback region";
  ScanOperands scan{*this,      getLayout(), getSharing(),   getDecay(),
                    getInput(), getInit(),   getSeqOffsets()};
  SmallVector<std::string> names;
  for (int64_t i = 0; i < numOperands; ++i) {
    names.push_back("operand #" + std::to_string(i));
    names.push_back("grad_operand #" + std::to_string(i));
  }
  SmallVector<std::pair<StringRef, Value>> inputShaped{
      {"output", getOutput()},
      {"grad_output", getGradOutput()},
      {"grad_input", getGradInput()}};
  for (int64_t i = 0; i < numOperands; ++i) {
    inputShaped.push_back({names[2 * i], getExtraInputs()[i]});
    inputShaped.push_back({names[2 * i + 1], getGradExtraInputs()[i]});
  }
  return verifyScanOperands(
      scan, inputShaped,
      {{"decay", getDecay()}, {"grad_decay", getGradDecay()}},
      {{"init", getInit()},
       {"grad_final", getGradFinal()},
       {"grad_init", getGradInit()}});
}

LogicalResult ScanGradOp::verifyRegions() {
  int64_t loaded = 2 + static_cast<int64_t>(getExtraInputs().size());
  std::string loadedNames = loadedArgumentNames(getExtraInputs().size());
  if (failed(verifyFusedRegion(*this, getPrologue(), "prologue", loaded, 2,
                               loadedNames, "a, x")) ||
      failed(verifyFusedRegion(*this, getCotangent(), "cotangent", loaded + 2,
                               1, "dout, y, " + loadedNames, "dy")) ||
      failed(verifyFusedRegion(*this, getPullback(), "pullback", loaded + 4,
                               loaded, "dx, da, dout, y, " + loadedNames,
                               "d " + loadedNames)))
    return failure();
  // Without a forward state there is no y to read.
  if (!getOutput())
    for (auto [region, index] :
         {std::pair<Region *, unsigned>{&getCotangent(), 1},
          {&getPullback(), 3}})
      if (!region->empty() && !region->front().getArgument(index).use_empty())
        return emitOpError() << "the state y is used but no output (forward "
                                "state) is given";
  return verifySharedDecay(*this, getPrologue(), getSharing());
}

namespace {

/// A window that keeps every entry of the transfer operator at the scan's
/// static length is the full recurrence: `bands<k>` with k at least the
/// number of tiles, `exact<W>` with W at least the length.
struct WindowCoveringLengthIsFull : OpRewritePattern<ScanOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp op,
                                PatternRewriter &rewriter) const override {
    WindowAttr window = op.getWindow();
    int64_t length = op.getStaticLength();
    if (window.isFull() || ShapedType::isDynamic(length) ||
        !window.coversLength(length))
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.setWindowAttr(WindowAttr::getFull(op.getContext())); });
    return success();
  }
};

} // namespace

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<WindowCoveringLengthIsFull>(context);
}

/// The operands of a scan or scan_grad with their role names, in the
/// order a kernel takes them.
static SmallVector<std::pair<Value, StringRef>> getOperandRoles(Operation *op) {
  static const char *const operandRoles[ScanOp::kMaxOperands] = {
      "operand0",  "operand1",  "operand2",  "operand3",
      "operand4",  "operand5",  "operand6",  "operand7",
      "operand8",  "operand9",  "operand10", "operand11",
      "operand12", "operand13", "operand14", "operand15"};
  if (auto scan = dyn_cast<ScanOp>(op)) {
    SmallVector<std::pair<Value, StringRef>> roles{{scan.getDecay(), "decay"},
                                                   {scan.getInput(), "input"}};
    for (auto [index, operand] : llvm::enumerate(scan.getExtraInputs()))
      if (index < static_cast<size_t>(ScanOp::kMaxOperands))
        roles.push_back({operand, operandRoles[index]});
    roles.append({{scan.getInit(), "init"},
                  {scan.getSeqOffsets(), "seq_offsets"},
                  {scan.getOutput(), "output"},
                  {scan.getFinalState(), "final"},
                  {scan.getState(), "state"}});
    return roles;
  }
  auto grad = cast<ScanGradOp>(op);
  static const char *const gradOperandRoles[ScanOp::kMaxOperands] = {
      "grad_operand0",  "grad_operand1",  "grad_operand2",  "grad_operand3",
      "grad_operand4",  "grad_operand5",  "grad_operand6",  "grad_operand7",
      "grad_operand8",  "grad_operand9",  "grad_operand10", "grad_operand11",
      "grad_operand12", "grad_operand13", "grad_operand14", "grad_operand15"};
  SmallVector<std::pair<Value, StringRef>> roles{{grad.getDecay(), "decay"},
                                                 {grad.getInput(), "input"}};
  for (auto [index, operand] : llvm::enumerate(grad.getExtraInputs()))
    if (index < static_cast<size_t>(ScanOp::kMaxOperands))
      roles.push_back({operand, operandRoles[index]});
  // Behind an epilogue the forward's output is not its state.
  StringRef stateRole = grad.getCotangent().empty() ? "output" : "state";
  roles.append({{grad.getInit(), "init"},
                {grad.getSeqOffsets(), "seq_offsets"},
                {grad.getOutput(), stateRole},
                {grad.getGradOutput(), "grad_output"},
                {grad.getGradFinal(), "grad_final"},
                {grad.getGradInput(), "grad_input"},
                {grad.getGradDecay(), "grad_decay"}});
  for (auto [index, operand] : llvm::enumerate(grad.getGradExtraInputs()))
    if (index < static_cast<size_t>(ScanOp::kMaxOperands))
      roles.push_back({operand, gradOperandRoles[index]});
  roles.push_back({grad.getGradInit(), "grad_init"});
  return roles;
}

llvm::Expected<SmallVector<StringRef>>
mlir::swr::getKernelArgumentRoles(Operation *scan, Block &entry) {
  SmallVector<std::pair<Value, StringRef>> operands = getOperandRoles(scan);
  auto error = [](const llvm::Twine &message) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  };
  for (auto &[value, role] : operands)
    if (value && !(isa<BlockArgument>(value) &&
                   cast<BlockArgument>(value).getOwner() == &entry))
      return error("the " + role + " operand of " +
                   scan->getName().getStringRef() +
                   " must be an argument of the function");
  SmallVector<StringRef> roles;
  for (BlockArgument argument : entry.getArguments()) {
    auto *it = llvm::find_if(
        operands, [&](auto &operand) { return operand.first == argument; });
    if (it == operands.end())
      return error("argument #" + llvm::Twine(argument.getArgNumber()) +
                   " is not an operand of the function's " +
                   scan->getName().getStringRef());
    roles.push_back(it->second);
  }
  return roles;
}

//===----------------------------------------------------------------------===//
// Block-level ops
//===----------------------------------------------------------------------===//

LogicalResult TransferOperatorOp::verify() {
  VectorType decays = getDecays().getType();
  int64_t n = decays.getDimSize(0);
  // Per-channel decays (n x m): one n x n operator per channel.
  SmallVector<int64_t> transferShape{n, n};
  if (decays.getRank() == 2)
    transferShape.insert(transferShape.begin(), decays.getDimSize(1));
  auto transfer = VectorType::get(transferShape, decays.getElementType());
  if (getTransfer().getType() != transfer)
    return emitOpError() << "transfer: expected " << transfer << " for "
                         << decays << " decays, got "
                         << getTransfer().getType();
  if (getInjection().getType() != decays)
    return emitOpError() << "injection: expected " << decays
                         << " like the decays, got "
                         << getInjection().getType();
  if (decays.getRank() == 2 && getBand())
    return emitOpError() << "band: expected one decay per step (banded "
                            "operators of exact windows), got "
                         << decays;
  return success();
}

LogicalResult LocalSolveOp::verify() {
  VectorType op = getTransfer().getType();
  VectorType tile = getTile().getType();
  int64_t rank = op.getRank();
  if (op.getDimSize(rank - 2) != op.getDimSize(rank - 1))
    return emitOpError() << "transfer: expected square matrices, got " << op;
  if (tile.getDimSize(0) != op.getDimSize(rank - 1))
    return emitOpError() << "tile: expected " << op.getDimSize(rank - 1)
                         << " time steps (rows) to match the operator, got "
                         << tile.getDimSize(0);
  if (rank == 3 && op.getDimSize(0) != tile.getDimSize(1))
    return emitOpError() << "tile: expected " << op.getDimSize(0)
                         << " channels (one per operator), got "
                         << tile.getDimSize(1);
  if (rank == 3 && getWarpShared())
    return emitOpError() << "warp_shared: expected one operator shared by "
                            "the tile's channels, got "
                         << op;
  return success();
}

LogicalResult CarryOp::verify() {
  VectorType local = getLocal().getType();
  VectorType injection = getInjection().getType();
  if (injection.getRank() == 2 && injection != local)
    return emitOpError() << "injection: expected " << local
                         << " (one per time step and channel), got "
                         << injection;
  int64_t steps = injection.getDimSize(0);
  int64_t channels =
      getCarryIn().getType().getDimSize(getCarryIn().getType().getRank() - 1);
  if (local.getDimSize(0) != steps)
    return emitOpError() << "injection: expected " << local.getDimSize(0)
                         << " values (one per time step), got " << steps;
  VectorType carry = getCarryIn().getType();
  if (carry.getRank() == 2) {
    if (carry != local)
      return emitOpError() << "carry_in: expected " << local
                           << " (one carry per output), got " << carry;
    return success();
  }
  if (local.getDimSize(1) != channels)
    return emitOpError() << "carry_in: expected " << local.getDimSize(1)
                         << " values (one per channel), got " << channels;
  return success();
}

LogicalResult CarryExchangeOp::verify() {
  if (getWindow().isExact())
    return emitOpError() << "window: exact<W> windows have no carrier "
                            "recurrence; expected full or bands<k>";
  if (isa<VectorType>(getDecay().getType()) &&
      getDecay().getType() != getTerminal().getType())
    return emitOpError() << "decay: expected f32 or " << getTerminal().getType()
                         << " (one per channel) like the terminal values, got "
                         << getDecay().getType();
  if (getInit() && getInit().getType() != getTerminal().getType())
    return emitOpError() << "init: expected " << getTerminal().getType()
                         << " like the terminal values, got "
                         << getInit().getType();
  CarryLevel level = getLevel();
  bool cta = level == CarryLevel::cta, grid = level == CarryLevel::grid;
  bool cluster = level == CarryLevel::cluster;
  bool lanesShared = level == CarryLevel::warp || cta || cluster || grid;
  if (lanesShared != getLanes().has_value() ||
      lanesShared != getStride().has_value())
    return emitOpError() << "lanes, stride: expected both at levels warp, "
                            "cta, cluster and grid and neither at other "
                            "levels";
  if ((cta || cluster || grid) != getWarps().has_value())
    return emitOpError() << "warps: expected at levels cta, cluster and grid "
                            "and only there";
  if (cluster != getCtas().has_value())
    return emitOpError() << "ctas: expected at level cluster and only there";
  if (grid != bool(getWorkspace()) || grid != bool(getSlot()) ||
      grid != bool(getSlots()) || grid != bool(getChunk()))
    return emitOpError() << "across: expected a workspace, slot, slot count "
                            "and chunk at level grid and only there";
  if (!lanesShared)
    return success();
  int64_t lanes = *getLanes(), stride = *getStride();
  if ((cta || cluster || grid) && !getWindow().isFull())
    return emitOpError() << "level " << stringifyCarryLevel(level)
                         << ": expected a full window, got " << getWindow();
  if (cta && (*getWarps() < 2 || *getWarps() > 32))
    return emitOpError() << "warps: expected 2 to 32 warps of a CTA, got "
                         << *getWarps();
  if (cluster && (*getCtas() < 2 || *getCtas() > kMaxClusterCtas))
    return emitOpError() << "ctas: expected 2 to " << kMaxClusterCtas
                         << " CTAs of a cluster, got " << *getCtas();
  if ((grid || cluster) && *getWarps() > 32)
    return emitOpError() << "warps: expected 1 to 32 warps of a CTA, got "
                         << *getWarps();
  if (getWindow().isBands() && getWindow().getSize() - 1 > lanes)
    return emitOpError() << "level warp: " << getWindow() << " reaches back "
                         << getWindow().getSize() - 1
                         << " tiles, more than the " << lanes
                         << " time lanes of an iteration";
  if (!llvm::isPowerOf2_64(lanes) || !llvm::isPowerOf2_64(stride) ||
      lanes * stride > 32)
    return emitOpError() << "lanes, stride: expected powers of 2 whose "
                            "product is at most 32 (the lanes of a warp), got "
                         << lanes << " and " << stride;
  return success();
}

int64_t CarryExchangeOp::getDecayCount() {
  auto decays = dyn_cast<VectorType>(getDecay().getType());
  return decays ? decays.getDimSize(0) : 1;
}

int64_t CarryExchangeOp::getWorkspaceWordsPerSlot() {
  int64_t channels = getTerminal().getType().getDimSize(0);
  return getStride().value_or(1) * (1 + 2 * channels + getDecayCount());
}

LogicalResult ChannelSumOp::verify() {
  int64_t group = getGroup();
  if (group > 32 || !llvm::isPowerOf2_64(group))
    return emitOpError() << "group: expected a power of 2 of at most 32 (the "
                            "lanes of a warp), got "
                         << group;
  return success();
}

LogicalResult WindowExchangeOp::verify() {
  if (!getWindow().isExact())
    return emitOpError() << "window: expected exact<W>, got " << getWindow()
                         << " (use swr.carry_exchange)";
  int64_t channels = getSuffixSums().getType().getDimSize(1);
  if (getInit() && getInit().getType().getDimSize(0) != channels)
    return emitOpError() << "init: expected " << channels
                         << " values (one per channel), got "
                         << getInit().getType().getDimSize(0);
  return success();
}

//===----------------------------------------------------------------------===//
// Tile memory access
//===----------------------------------------------------------------------===//

/// Shared checks of read_tile and write_tile: one index per memref dimension,
/// distinct time and channel axes inside the rank, a vector of rank 2 exactly
/// when there is a channel axis.
static LogicalResult verifyTileAxes(Operation *op, MemRefType memref,
                                    size_t numIndices, int64_t timeAxis,
                                    std::optional<int64_t> channelAxis) {
  int64_t rank = memref.getRank();
  if (static_cast<int64_t>(numIndices) != rank)
    return op->emitOpError()
           << "indices: expected " << rank << " (one per dimension of "
           << memref << "), got " << numIndices;
  if (timeAxis < 0 || timeAxis >= rank)
    return op->emitOpError()
           << "time: axis " << timeAxis << " is outside rank " << rank;
  if (channelAxis) {
    if (*channelAxis < 0 || *channelAxis >= rank)
      return op->emitOpError()
             << "channel: axis " << *channelAxis << " is outside rank " << rank;
    if (*channelAxis == timeAxis)
      return op->emitOpError()
             << "channel: axis " << *channelAxis << " is also the time axis";
  }
  return success();
}

static LogicalResult verifyTileAccess(Operation *op, MemRefType memref,
                                      size_t numIndices, int64_t timeAxis,
                                      std::optional<int64_t> channelAxis,
                                      bool overhang, VectorType tile,
                                      StringRef tileName) {
  if (failed(verifyTileAxes(op, memref, numIndices, timeAxis, channelAxis)))
    return failure();
  if (overhang && !channelAxis)
    return op->emitOpError()
           << "overhang: only a tile with a channel axis can start past it";
  int64_t expectedRank = channelAxis ? 2 : 1;
  if (tile.getRank() != expectedRank)
    return op->emitOpError()
           << tileName << ": expected a rank-" << expectedRank << " vector ("
           << (channelAxis ? "time x channels" : "time") << "), got " << tile;
  return success();
}

int64_t ReadTileOp::getTileSteps() {
  return getResult().getType().getDimSize(0);
}
int64_t ReadTileOp::getTileChannels() {
  VectorType type = getResult().getType();
  return type.getRank() == 2 ? type.getDimSize(1) : 1;
}
LogicalResult ReadTileOp::verify() {
  return verifyTileAccess(*this, getSource().getType(), getIndices().size(),
                          getTimeAxis(), getChannelAxis(), getOverhang(),
                          getResult().getType(), "result");
}

int64_t WriteTileOp::getTileSteps() {
  return getValue().getType().getDimSize(0);
}
int64_t WriteTileOp::getTileChannels() {
  VectorType type = getValue().getType();
  return type.getRank() == 2 ? type.getDimSize(1) : 1;
}
LogicalResult PrefetchTileOp::verify() {
  if (32 % getLanes() != 0)
    return emitOpError() << "lanes must divide the 32 lanes of a warp, got "
                         << getLanes();
  return verifyTileAxes(*this, getSource().getType(), getIndices().size(),
                        getTimeAxis(), getChannelAxis());
}

LogicalResult StageTileOp::verify() {
  if (32 % getLanes() != 0)
    return emitOpError() << "lanes must divide the 32 lanes of a warp, got "
                         << getLanes();
  if (getChannels() > 1 && !getChannelAxis())
    return emitOpError() << "channels: " << getChannels()
                         << " channels need a channel axis";
  return verifyTileAxes(*this, getSource().getType(), getIndices().size(),
                        getTimeAxis(), getChannelAxis());
}

LogicalResult ReadStagedOp::verify() {
  Type stored = getStored();
  if (!stored.isF32() && !stored.isBF16() && !stored.isF16())
    return emitOpError() << "stored: expected f32, bf16 or f16, got " << stored;
  return success();
}

LogicalResult WriteTileOp::verify() {
  return verifyTileAccess(*this, getDest().getType(), getIndices().size(),
                          getTimeAxis(), getChannelAxis(), getOverhang(),
                          getValue().getType(), "value");
}
