//===- DeriveBackward.cpp - the backward function of a scan ---------------===//
//
// Adds @<name>_backward next to every function that is one swr.scan on its
// arguments. The backward is an swr.scan_grad whose arguments follow the
// kernel argument order of scan_grad (forward operands, gradients in,
// gradients out), so runners bind them by role like any kernel. Fused
// regions are differentiated in RegionAdjoint.cpp.
//
//===----------------------------------------------------------------------===//

#include "RegionAdjoint.h"

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::swr {
#define GEN_PASS_DEF_SWRDERIVEBACKWARD
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;
using namespace mlir::swr;

namespace {

/// The single swr.scan of `func` if every operand is an argument, else null.
ScanOp scanOf(func::FuncOp func) {
  SmallVector<ScanOp> scans;
  func.walk([&](ScanOp scan) { scans.push_back(scan); });
  if (scans.size() != 1)
    return {};
  auto roles = getKernelArgumentRoles(scans.front(), func.getBody().front());
  if (!roles) {
    llvm::consumeError(roles.takeError());
    return {};
  }
  return scans.front();
}

/// Arguments of the backward in order, appended as they are declared.
struct BackwardSignature {
  SmallVector<Type> types;
  Value add(Block &entry, Location loc, Value like) {
    if (!like)
      return {};
    types.push_back(like.getType());
    return entry.addArgument(like.getType(), loc);
  }
  SmallVector<Value> addAll(Block &entry, Location loc, ValueRange like) {
    SmallVector<Value> arguments;
    for (Value value : like)
      arguments.push_back(add(entry, loc, value));
    return arguments;
  }
};

LogicalResult deriveBackward(func::FuncOp func, ScanOp scan,
                             SymbolTable &symbols) {
  std::string name = (func.getSymName() + "_backward").str();
  if (symbols.lookup(name))
    return func.emitError()
           << "swr-derive-backward: @" << name << " already exists";
  Location loc = scan.getLoc();
  OpBuilder b(func->getContext());
  b.setInsertionPointAfter(func);
  auto backward = func::FuncOp::create(b, loc, name, b.getFunctionType({}, {}));
  Block *entry = backward.addEntryBlock();
  BackwardSignature sig;
  Value decay = sig.add(*entry, loc, scan.getDecay());
  Value input = sig.add(*entry, loc, scan.getInput());
  SmallVector<Value> operands = sig.addAll(*entry, loc, scan.getExtraInputs());
  Value init = sig.add(*entry, loc, scan.getInit());
  Value offsets = sig.add(*entry, loc, scan.getSeqOffsets());
  // The state y: the output unless an epilogue made something else of it.
  bool hasEpilogue = !scan.getEpilogue().empty();
  Value output = hasEpilogue || scan.getWindow().isFull()
                     ? sig.add(*entry, loc,
                               hasEpilogue ? scan.getState() : scan.getOutput())
                     : Value();
  Value gradOutput = sig.add(*entry, loc, scan.getOutput());
  Value gradFinal = sig.add(*entry, loc, scan.getFinalState());
  Value gradInput = sig.add(*entry, loc, scan.getInput());
  Value gradDecay = sig.add(*entry, loc, scan.getDecay());
  SmallVector<Value> gradOperands =
      sig.addAll(*entry, loc, scan.getExtraInputs());
  Value gradInit = sig.add(*entry, loc, scan.getInit());
  backward.setFunctionType(b.getFunctionType(sig.types, {}));

  b.setInsertionPointToStart(entry);
  auto grad = ScanGradOp::create(b, loc, decay, input, operands, init, offsets,
                                 output, gradOutput, gradFinal, gradInput,
                                 gradDecay, gradOperands, gradInit,
                                 scan.getWindowAttr(), scan.getLayoutAttr(),
                                 scan.getSharingAttr(), scan.getReverseAttr());
  func::ReturnOp::create(b, loc);
  if (scan.hasFusedRegions() && failed(buildAdjointRegions(scan, grad))) {
    backward.erase();
    return failure();
  }
  symbols.insert(backward);
  return success();
}

struct SwrDeriveBackwardPass
    : public swr::impl::SwrDeriveBackwardBase<SwrDeriveBackwardPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      ScanOp scan = scanOf(func);
      if (!scan)
        continue;
      if (!scan.getEpilogue().empty() && !scan.getState()) {
        scan.emitError() << "swr-derive-backward: the backward through an "
                            "epilogue reads the state y; store it with "
                            "state(...)";
        return signalPassFailure();
      }
      if (failed(deriveBackward(func, scan, symbols)))
        return signalPassFailure();
    }
  }
};

} // namespace
