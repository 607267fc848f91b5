//===- LowerLocalSolve.cpp - pick the local-solve strategy ----------------===//
//
// strategy=fma rewrites
//   %L, %g = swr.transfer_operator %a
//   %v = swr.local_solve %L, %u
// into the recurrence over the tile's rows, v[i] = a[i] * v[i-1] + u[i]: the
// same numbers as L u (each entry of L is the product chain the recurrence
// applies), with n FMAs per channel instead of n^2. Per-channel decays of a
// block of channels (decays n x m) give each channel its own row of decays.
//
// strategy=mma lowers the solves a warp shares (warp_shared: one head's
// channels on the lanes of a warp) to tensor cores, mma.sync m16n8k16 with
// bf16 operands (TensorCoreSolve.cpp), strategy=wmma to wmma m16n16k16,
// and the others as fma: per-channel decays give every channel its own
// operator, which a warp-wide matrix product cannot share.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "TensorCoreSolve.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::swr {
#define GEN_PASS_DEF_SWRLOWERLOCALSOLVE
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;
using namespace mlir::swr;

namespace {

/// The decays whose unbanded transfer operator `transfer` is, or null.
Value recurrenceDecays(Value transfer) {
  auto op = transfer.getDefiningOp<TransferOperatorOp>();
  if (!op || op.getBand() || op.getTransfer() != transfer)
    return {};
  return op.getDecays();
}

/// L u runs v[i] = a[i] v[i-1] + u[i] forwards; L^T u runs
/// w[i] = a[i+1] w[i+1] + u[i] backwards.
void lowerToRecurrence(LocalSolveOp solve, Value decays) {
  ImplicitLocOpBuilder b(solve.getLoc(), solve);
  VectorType tileType = solve.getTile().getType();
  int64_t n = tileType.getDimSize(0);
  auto rowType = VectorType::get({tileType.getDimSize(1)}, b.getF32Type());
  bool backwards = solve.getTranspose();
  int64_t first = backwards ? n - 1 : 0;
  Value row = vector::ExtractOp::create(b, solve.getTile(), first);
  Value result = vector::BroadcastOp::create(b, tileType, row);
  for (int64_t step = 1; step < n; ++step) {
    int64_t i = backwards ? n - 1 - step : step;
    // Row of decays: one per channel (per-channel blocks), else one shared.
    Value decay = vector::ExtractOp::create(b, decays, backwards ? i + 1 : i);
    Value decayRow = decay.getType() == rowType
                         ? decay
                         : vector::BroadcastOp::create(b, rowType, decay);
    Value input = vector::ExtractOp::create(b, solve.getTile(), i);
    row = vector::FMAOp::create(b, decayRow, row, input);
    result = vector::InsertOp::create(b, row, result, i);
  }
  solve.getResult().replaceAllUsesWith(result);
  solve.erase();
}

struct SwrLowerLocalSolvePass
    : public swr::impl::SwrLowerLocalSolveBase<SwrLowerLocalSolvePass> {
  using SwrLowerLocalSolveBase::SwrLowerLocalSolveBase;

  void runOnOperation() override {
    if (!llvm::is_contained({"fma", "mma", "wmma", "matrix"}, strategy)) {
      getOperation()->emitError() << "swr-lower-local-solve: strategy must "
                                     "be fma, mma, wmma or matrix, got '"
                                  << strategy << "'";
      return signalPassFailure();
    }
    if (strategy == "matrix")
      return;
    SmallVector<LocalSolveOp> solves;
    getOperation()->walk([&](LocalSolveOp op) { solves.push_back(op); });
    TensorCoreBuffers buffers;
    for (LocalSolveOp solve : solves) {
      Value decays = recurrenceDecays(solve.getTransfer());
      if (!decays)
        continue;
      if (strategy == "mma" && fitsTensorCores(solve))
        lowerToMmaSync(solve, decays, buffers);
      else if (strategy == "wmma" && fitsTensorCores(solve))
        lowerToWmma(solve, decays, buffers);
      else
        lowerToRecurrence(solve, decays);
    }
  }
};

} // namespace
