//===- LowerToLoops.cpp - block-level swr ops to scf/vector/memref --------===//
//
// The host lowering of the Block Two-Pass form. Carry exchanges at level
// `serial` become loop-carried state of the enclosing tile loop:
//
//   full      s' = terminal + c s                 carry = s
//   bands<k>  P'_m = terminal + c P_{m-1}         carry = P_{k-1}
//             (P_m: the carrier recurrence truncated to m hops, P_0 = 0)
//   exact<W>  P as for bands<1 + floor((W-1)/n)>, plus the suffix sums of the
//             last tiles scaled by the decays since: the tile holding the
//             start of an output's window contributes a suffix of its inputs.
//
// At level `warp` (GPU kernels) the loop's iterations deal their tiles to
// the time lanes of a warp: for full windows the lanes scan (c, terminal) by
// shuffles and the carry leaving the iteration's last tile is loop-carried
// state; for bands<k> each lane reads the k-1 pairs before its tile by
// shuffles, the previous iteration's pairs kept as loop-carried state.
//
// Tile reads and writes are masked scalar loops through a stack buffer; the
// tile math becomes vector ops (rows of running products, outer products).
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "GlobalMemory.h"
#include "StagedTiles.h"
#include "TileChecks.h"
#include "VectorUtils.h"
#include "WarpPrimitives.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <limits>

namespace mlir::swr {
#define GEN_PASS_DEF_SWRLOWERTOLOOPS
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;
using namespace mlir::swr;

namespace {

//===----------------------------------------------------------------------===//
// Vector helpers
//===----------------------------------------------------------------------===//

/// A constant i1 vector of `n` lanes: lane j is `predicate(j)`.
Value laneMask(ImplicitLocOpBuilder &b, int64_t n,
               llvm::function_ref<bool(int64_t)> predicate) {
  SmallVector<bool> lanes;
  for (int64_t j = 0; j < n; ++j)
    lanes.push_back(predicate(j));
  auto type = VectorType::get({n}, b.getI1Type());
  return arith::ConstantOp::create(b, DenseElementsAttr::get(type, lanes));
}

/// The f32 vector with 1 in lane `i` and 0 elsewhere.
Value unitVector(ImplicitLocOpBuilder &b, int64_t n, int64_t i) {
  SmallVector<float> lanes(n, 0.0f);
  lanes[i] = 1.0f;
  auto type = VectorType::get({n}, b.getF32Type());
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, ArrayRef<float>(lanes)));
}

/// `vector` times `factor`: a scalar, or a vector of its trailing shape
/// (one factor per channel, per-channel decays) broadcast over the rest.
Value scale(ImplicitLocOpBuilder &b, Value vector, Value factor) {
  if (factor.getType() != vector.getType())
    factor = vector::BroadcastOp::create(b, vector.getType(), factor);
  return arith::MulFOp::create(b, vector, factor);
}

/// Shifts the rows of `rows` (leading dimension K) down by one, scaling
/// them by `decay`, and puts `first` in row 0.
Value shiftInRow(ImplicitLocOpBuilder &b, Value rows, Value first,
                 Value decay) {
  auto type = cast<VectorType>(rows.getType());
  int64_t count = type.getDimSize(0);
  SmallVector<int64_t> firstShape{1};
  llvm::append_range(firstShape, type.getShape().drop_front());
  Value firstRow = vector::ShapeCastOp::create(
      b, VectorType::get(firstShape, b.getF32Type()), first);
  SmallVector<int64_t> mask;
  for (int64_t m = 0; m < count; ++m)
    mask.push_back(m); // lane 0: `first`; lane m >= 1: row m-1 of `rows`
  return vector::ShuffleOp::create(b, firstRow, scale(b, rows, decay), mask);
}

/// The update of every truncated carrier at once: row m-1 holds P_m, the
/// carrier recurrence truncated to m hops, and P'_m = t + c P_{m-1} with
/// P_0 = 0.
Value updateCarriers(ImplicitLocOpBuilder &b, Value carriers, Value terminal,
                     Value decay) {
  auto type = cast<VectorType>(carriers.getType());
  Value zero = splat(b, cast<VectorType>(terminal.getType()), 0.0f);
  Value shifted = shiftInRow(b, carriers, zero, decay);
  Value terminals = vector::BroadcastOp::create(b, type, terminal);
  return arith::AddFOp::create(b, shifted, terminals);
}

//===----------------------------------------------------------------------===//
// Transfer operators and solves
//===----------------------------------------------------------------------===//

/// Row i of L: lanes j < i (and i - j < band) from `offDiagonal`, 1 at j = i.
Value operatorRow(ImplicitLocOpBuilder &b, int64_t n, int64_t i,
                  std::optional<int64_t> band, Value offDiagonal) {
  Value unit = unitVector(b, n, i);
  if (i == 0)
    return unit;
  Value mask = laneMask(
      b, n, [&](int64_t j) { return j < i && (!band || i - j < *band); });
  return arith::SelectOp::create(b, mask, offDiagonal, unit);
}

void lowerTransferOperator(TransferOperatorOp op);

/// Rows of `matrix` (m x n) as the columns of an n x m one and back.
Value transposed(ImplicitLocOpBuilder &b, Value matrix) {
  return vector::TransposeOp::create(b, matrix, ArrayRef<int64_t>{1, 0});
}

/// Per-channel decays (n x m): the operator and injection of each channel's
/// column, built as for one decay per step and stacked (operators m x n x
/// n; injections back in columns, n x m). Operators nothing reads (local
/// solves as recurrences) are not built.
void lowerChannelTransferOperators(TransferOperatorOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  VectorType decays = op.getDecays().getType();
  int64_t n = decays.getDimSize(0), m = decays.getDimSize(1);
  Value columns = transposed(b, op.getDecays());
  Value transfers = splat(b, op.getTransfer().getType(), 0.0f);
  Value injections = splat(b, VectorType::get({m, n}, b.getF32Type()), 0.0f);
  for (int64_t c = 0; c < m; ++c) {
    auto channel =
        TransferOperatorOp::create(b, VectorType::get({n, n}, b.getF32Type()),
                                   VectorType::get({n}, b.getF32Type()),
                                   vector::ExtractOp::create(b, columns, c),
                                   op.getMethodAttr(), IntegerAttr());
    if (!op.getTransfer().use_empty())
      transfers =
          vector::InsertOp::create(b, channel.getTransfer(), transfers, c);
    injections =
        vector::InsertOp::create(b, channel.getInjection(), injections, c);
    lowerTransferOperator(channel);
  }
  op.getTransfer().replaceAllUsesWith(transfers);
  op.getInjection().replaceAllUsesWith(transposed(b, injections));
  op.erase();
}

void lowerTransferOperator(TransferOperatorOp op) {
  if (op.getDecays().getType().getRank() == 2)
    return lowerChannelTransferOperators(op);
  ImplicitLocOpBuilder b(op.getLoc(), op);
  int64_t n = op.getDecays().getType().getDimSize(0);
  auto rowType = VectorType::get({n}, b.getF32Type());
  Value transfer = splat(b, op.getTransfer().getType(), 0.0f);
  SmallVector<Value> injection;
  std::optional<int64_t> band = op.getBand();
  // Local solves as recurrences read the injection only.
  bool operatorUsed = !op.getTransfer().use_empty();
  if (op.getMethod() == TransferMethod::running_product) {
    // Row i = row i-1 times a[i]: every product is a chain of multiplies,
    // exact at a = 0 and accurate near 1.
    Value row;
    for (int64_t i = 0; i < n; ++i) {
      Value decay = vector::ExtractOp::create(b, op.getDecays(), i);
      if (operatorUsed) {
        Value offDiagonal = i == 0 ? Value() : scale(b, row, decay);
        row = operatorRow(b, n, i, band, offDiagonal);
        transfer = vector::InsertOp::create(b, row, transfer, i);
      }
      injection.push_back(
          i == 0 ? decay : arith::MulFOp::create(b, injection.back(), decay));
    }
  } else {
    // Prefix sums of log a; a is clamped to the smallest normal float so a
    // decay of 0 gives a vanishing product instead of exp(-inf + inf).
    Value tiny = f32Const(b, std::numeric_limits<float>::min());
    SmallVector<Value> prefix;
    for (int64_t i = 0; i < n; ++i) {
      Value decay = vector::ExtractOp::create(b, op.getDecays(), i);
      Value clamped = arith::MaximumFOp::create(b, decay, tiny);
      Value log = math::LogOp::create(b, clamped);
      prefix.push_back(i == 0 ? log
                              : arith::AddFOp::create(b, prefix.back(), log));
      injection.push_back(math::ExpOp::create(b, prefix.back()));
    }
    Value prefixVector = vector::FromElementsOp::create(b, rowType, prefix);
    for (int64_t i = 0; operatorUsed && i < n; ++i) {
      Value offDiagonal;
      if (i > 0) {
        Value here = vector::BroadcastOp::create(b, rowType, prefix[i]);
        offDiagonal = math::ExpOp::create(
            b, arith::SubFOp::create(b, here, prefixVector));
      }
      Value row = operatorRow(b, n, i, band, offDiagonal);
      transfer = vector::InsertOp::create(b, row, transfer, i);
    }
  }
  Value injectionVector = vector::FromElementsOp::create(b, rowType, injection);
  op.getTransfer().replaceAllUsesWith(transfer);
  op.getInjection().replaceAllUsesWith(injectionVector);
  op.erase();
}

void lowerExtractionOperator(ExtractionOperatorOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  VectorType type = op.getTransfer().getType();
  int64_t n = type.getDimSize(0);
  Value last = vector::ExtractOp::create(b, op.getTransfer(), n - 1);
  Value zeroRow = splat(b, VectorType::get({n}, b.getF32Type()), 0.0f);
  Value result = splat(b, type, 0.0f);
  for (int64_t j = 0; j < n; ++j) {
    Value mask = laneMask(b, n, [&](int64_t lane) { return lane >= j; });
    Value row = arith::SelectOp::create(b, mask, last, zeroRow);
    result = vector::InsertOp::create(b, row, result, j);
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

void lowerLocalSolve(LocalSolveOp op);

/// One operator per channel (m x n x n): column c of the tile solved by
/// operator c, as for a shared operator on a tile of one channel.
void lowerChannelLocalSolves(LocalSolveOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  VectorType tileType = op.getTile().getType();
  int64_t n = tileType.getDimSize(0), m = tileType.getDimSize(1);
  auto columnType = VectorType::get({n, 1}, b.getF32Type());
  auto stepsType = VectorType::get({n}, b.getF32Type());
  Value inputs = transposed(b, op.getTile());
  Value solved = splat(b, VectorType::get({m, n}, b.getF32Type()), 0.0f);
  for (int64_t c = 0; c < m; ++c) {
    Value column = vector::ShapeCastOp::create(
        b, columnType, vector::ExtractOp::create(b, inputs, c));
    auto channel = LocalSolveOp::create(
        b, columnType, vector::ExtractOp::create(b, op.getTransfer(), c),
        column, op.getTransposeAttr());
    solved = vector::InsertOp::create(
        b, vector::ShapeCastOp::create(b, stepsType, channel.getResult()),
        solved, c);
    lowerLocalSolve(channel);
  }
  op.getResult().replaceAllUsesWith(transposed(b, solved));
  op.erase();
}

/// v = L u as a sum of outer products of L's columns and u's rows (L^T u:
/// L's rows are L^T's columns).
void lowerLocalSolve(LocalSolveOp op) {
  if (op.getTransfer().getType().getRank() == 3)
    return lowerChannelLocalSolves(op);
  ImplicitLocOpBuilder b(op.getLoc(), op);
  VectorType tileType = op.getTile().getType();
  int64_t n = tileType.getDimSize(0);
  Value columns = op.getTranspose()
                      ? op.getTransfer()
                      : vector::TransposeOp::create(b, op.getTransfer(),
                                                    ArrayRef<int64_t>{1, 0});
  Value acc = splat(b, tileType, 0.0f);
  for (int64_t j = 0; j < n; ++j) {
    Value column = vector::ExtractOp::create(b, columns, j);
    Value row = vector::ExtractOp::create(b, op.getTile(), j);
    acc = vector::OuterProductOp::create(b, tileType, column, row, acc,
                                         vector::CombiningKind::ADD);
  }
  op.getResult().replaceAllUsesWith(acc);
  op.erase();
}

void lowerCarry(CarryOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  VectorType tileType = op.getLocal().getType();
  Value result;
  if (op.getInjection().getType().getRank() == 2) {
    // Per-channel injections: y[i][c] = v[i][c] + g[i][c] s[c], one fused
    // multiply-add per element (a separate product and sum cost one more
    // instruction per element of a kernel bound by its instructions).
    Value carries = vector::BroadcastOp::create(b, tileType, op.getCarryIn());
    result = math::FmaOp::create(b, op.getInjection(), carries, op.getLocal());
  } else if (op.getCarryIn().getType().getRank() == 1) {
    result = vector::OuterProductOp::create(b, tileType, op.getInjection(),
                                            op.getCarryIn(), op.getLocal(),
                                            vector::CombiningKind::ADD);
  } else {
    // Per-output carries: scale row i by g[i].
    auto transposedType = VectorType::get(
        {tileType.getDimSize(1), tileType.getDimSize(0)}, b.getF32Type());
    Value columns =
        vector::BroadcastOp::create(b, transposedType, op.getInjection());
    Value rows =
        vector::TransposeOp::create(b, columns, ArrayRef<int64_t>{1, 0});
    result = math::FmaOp::create(b, rows, op.getCarryIn(), op.getLocal());
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

//===----------------------------------------------------------------------===//
// Serial carry exchanges: loop-carried state of the tile loop
//===----------------------------------------------------------------------===//

/// The state `init` broadcast to `type`, or zeros without an init.
Value initialState(ImplicitLocOpBuilder &b, VectorType type, Value init) {
  if (!init)
    return splat(b, type, 0.0f);
  if (init.getType() == type)
    return init;
  return vector::BroadcastOp::create(b, type, init);
}

FailureOr<scf::ForOp> enclosingTileLoop(Operation *op, Value init,
                                        CarryLevel level = CarryLevel::serial) {
  auto loop = dyn_cast_or_null<scf::ForOp>(op->getParentOp());
  if (!loop)
    return op->emitOpError()
           << "level " << stringifyCarryLevel(level)
           << ": expected to be directly inside the scf.for over tiles";
  if (init && !loop.isDefinedOutsideOfLoop(init))
    return op->emitOpError() << "init: expected a value defined outside "
                                "the tile loop";
  return loop;
}

/// Adds `initial` as loop-carried state of `loop`; `next` computes the
/// state for the next tile from the current one (at the yield).
BlockArgument
addLoopState(scf::ForOp loop, Value initial,
             llvm::function_ref<Value(OpBuilder &, Location, Value)> next) {
  IRRewriter rewriter(loop.getContext());
  rewriter.setInsertionPoint(loop);
  FailureOr<LoopLikeOpInterface> newLoop = loop.replaceWithAdditionalYields(
      rewriter, initial, /*replaceInitOperandUsesInLoop=*/false,
      [&](OpBuilder &b, Location loc, ArrayRef<BlockArgument> state) {
        return SmallVector<Value>{next(b, loc, state.front())};
      });
  assert(succeeded(newLoop) && "scf.for always takes more iter_args");
  return (*newLoop).getRegionIterArgs().back();
}

/// Where a lane sits among tiles dealt to `lanes` time lanes of its warp,
/// `stride` lanes apart (i32): time lane (lane id / stride) mod lanes,
/// beside channel lane lane id mod stride.
struct WarpLane {
  Value timeLane, channelLane;
};

WarpLane warpLane(ImplicitLocOpBuilder &b, WarpShuffles &warp, int64_t lanes,
                  int64_t stride) {
  Value lane = NVVM::LaneIdOp::create(b, b.getI32Type());
  Value timeLane = arith::AndIOp::create(
      b, arith::ShRUIOp::create(b, lane, warp.i32(llvm::Log2_64(stride))),
      warp.i32(lanes - 1));
  return {timeLane, arith::AndIOp::create(b, lane, warp.i32(stride - 1))};
}

/// Level warp, bands<k>: the carry entering tile tau sums k-1 hops back,
/// s = sum_{j=1..k-1} c[tau-1] ... c[tau-j+1] t[tau-j]. The pair of tile
/// tau-j lives on time lane (p-j) mod P, in this iteration or, for p < j,
/// in the previous one, whose pairs every lane keeps as loop-carried state
/// (k-1 <= P). Before the first iteration the last time lane holds the
/// virtual tile (c = 0, t = init) and the others (0, 0): nothing reaches
/// past the initial state.
LogicalResult lowerWarpBandsExchange(CarryExchangeOp op, scf::ForOp loop) {
  if (isa<VectorType>(op.getDecay().getType()))
    return op.emitOpError()
           << "level warp: bands<k> windows with one decay per channel are "
              "not lowered yet (swr-tile-blocks keeps them at level serial)";
  int64_t lanes = *op.getLanes(), stride = *op.getStride();
  int64_t hops = op.getWindow().getSize() - 1; // at most lanes (verifier)
  VectorType rowType = op.getTerminal().getType();
  ImplicitLocOpBuilder before(op.getLoc(), loop);
  WarpShuffles atLoop{before};
  Value isLast = arith::CmpIOp::create(
      before, arith::CmpIPredicate::eq,
      warpLane(before, atLoop, lanes, stride).timeLane, atLoop.i32(lanes - 1));
  Value zeros = splat(before, rowType, 0.0f);
  Value initRow = arith::SelectOp::create(
      before, isLast, initialState(before, rowType, op.getInit()), zeros);
  Value zero = arith::ConstantOp::create(before, before.getF32FloatAttr(0.0f));
  // Loop state: this lane's pair of the previous iteration.
  BlockArgument previousTerminal =
      addLoopState(loop, initRow, [&](OpBuilder &, Location, Value) -> Value {
        return op.getTerminal();
      });
  scf::ForOp current =
      cast<scf::ForOp>(previousTerminal.getOwner()->getParentOp());
  BlockArgument previousDecay =
      addLoopState(current, zero, [&](OpBuilder &, Location, Value) -> Value {
        return op.getDecay();
      });
  previousTerminal =
      previousDecay.getOwner()->getArgument(previousTerminal.getArgNumber());

  ImplicitLocOpBuilder b(op.getLoc(), op);
  WarpShuffles warp{b};
  auto [timeLane, channelLane] = warpLane(b, warp, lanes, stride);
  int64_t channels = rowType.getDimSize(0);
  SmallVector<Value> sums(channels, zero);
  Value product = arith::ConstantOp::create(b, b.getF32FloatAttr(1.0f));
  for (int64_t hop = 1; hop <= hops; ++hop) {
    // Time lane (p - hop) mod P of this lane's channel.
    Value sourceTime = arith::AndIOp::create(
        b, arith::SubIOp::create(b, timeLane, warp.i32(hop)),
        warp.i32(lanes - 1));
    Value source = arith::OrIOp::create(
        b, arith::MulIOp::create(b, sourceTime, warp.i32(stride)), channelLane);
    Value wraps = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, timeLane,
                                        warp.i32(hop));
    auto fetch = [&](Value now, Value earlier) -> Value {
      return arith::SelectOp::create(b, wraps, warp.from(earlier, source),
                                     warp.from(now, source));
    };
    for (int64_t i = 0; i < channels; ++i) {
      Value terminal = fetch(vector::ExtractOp::create(b, op.getTerminal(), i),
                             vector::ExtractOp::create(b, previousTerminal, i));
      sums[i] = math::FmaOp::create(b, product, terminal, sums[i]);
    }
    if (hop < hops)
      product = arith::MulFOp::create(b, product,
                                      fetch(op.getDecay(), previousDecay));
  }
  op.getCarryIn().replaceAllUsesWith(
      vector::FromElementsOp::create(b, rowType, sums));
  op.erase();
  return success();
}

/// The scalars of a carry exchange's decay: the one the channels share, or
/// one per channel.
SmallVector<Value> decayScalars(ImplicitLocOpBuilder &b, Value decay) {
  auto type = dyn_cast<VectorType>(decay.getType());
  if (!type)
    return {decay};
  SmallVector<Value> scalars;
  for (int64_t i = 0; i < type.getDimSize(0); ++i)
    scalars.push_back(vector::ExtractOp::create(b, decay, i));
  return scalars;
}

/// A pair (c, t) of the carrier recurrence over consecutive tiles: a carry
/// s entering the first leaves the last as t + c s (one t per channel; the
/// channels of a lane share c, or with per-channel decays each has its
/// own).
struct CarryPair {
  SmallVector<Value> terminals;
  SmallVector<Value> decays; // one, or one per terminal

  Value decay(size_t channel) const {
    return decays.size() == 1 ? decays[0] : decays[channel];
  }
  /// No tiles: (1, 0), with `decayCount` decays.
  static CarryPair identity(ImplicitLocOpBuilder &b, int64_t channels,
                            int64_t decayCount) {
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
    Value one = arith::ConstantOp::create(b, b.getF32FloatAttr(1.0f));
    return {SmallVector<Value>(channels, zero),
            SmallVector<Value>(decayCount, one)};
  }
  /// The tiles of `this` followed by those of `later`.
  CarryPair then(ImplicitLocOpBuilder &b, const CarryPair &later) const {
    CarryPair joined;
    for (auto [mine, next] : llvm::zip(decays, later.decays))
      joined.decays.push_back(arith::MulFOp::create(b, mine, next));
    for (auto [i, pair] :
         llvm::enumerate(llvm::zip(terminals, later.terminals)))
      joined.terminals.push_back(math::FmaOp::create(
          b, later.decay(i), std::get<0>(pair), std::get<1>(pair)));
    return joined;
  }
  CarryPair select(ImplicitLocOpBuilder &b, Value condition,
                   const CarryPair &otherwise) const {
    auto choose = [&](ArrayRef<Value> mine, ArrayRef<Value> other) {
      SmallVector<Value> chosen;
      for (auto [a, c] : llvm::zip(mine, other))
        chosen.push_back(arith::SelectOp::create(b, condition, a, c));
      return chosen;
    };
    return {choose(terminals, otherwise.terminals),
            choose(decays, otherwise.decays)};
  }
  /// t + c s for the carry row `state`.
  Value apply(ImplicitLocOpBuilder &b, VectorType rowType, Value state) const {
    Value terminal = vector::FromElementsOp::create(b, rowType, terminals);
    Value factor = decays.size() == 1
                       ? decays[0]
                       : vector::FromElementsOp::create(b, rowType, decays);
    return arith::AddFOp::create(b, terminal, scale(b, state, factor));
  }
};

/// The threads of the block of the kernel holding a cta or grid exchange,
/// which must be whole work items of `warps` warps.
FailureOr<int64_t> kernelBlockThreads(CarryExchangeOp op) {
  auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
  std::optional<ArrayRef<int32_t>> blockSize =
      kernel ? kernel.getKnownBlockSize() : std::nullopt;
  int64_t warps = *op.getWarps(), itemThreads = 32 * warps;
  if (!blockSize || (*blockSize)[0] % itemThreads != 0)
    return op.emitOpError()
           << "level " << stringifyCarryLevel(op.getLevel())
           << ": expected a gpu.func kernel whose known block size "
              "is a multiple of the "
           << itemThreads << " threads of " << warps
           << " warps (run swr-distribute first)";
  return (*blockSize)[0];
}

/// A barrier of the `itemThreads` threads of this thread's work item, named
/// by the item's place in the block, so the items of a block wait for their
/// own threads only.
void itemBarrier(ImplicitLocOpBuilder &b, Value thread, int64_t itemThreads) {
  Value item = arith::IndexCastOp::create(
      b, b.getI32Type(),
      arith::DivUIOp::create(b, thread,
                             arith::ConstantIndexOp::create(b, itemThreads)));
  Value count = arith::ConstantOp::create(b, b.getI32IntegerAttr(itemThreads));
  NVVM::BarrierOp::create(b, Type(), item, count, NVVM::BarrierReductionAttr(),
                          Value());
}

/// A barrier of all threads of the cluster: stores to distributed shared
/// memory before it (arrive, release) are seen by loads after it (wait,
/// acquire). Every warp reaches it whole.
void clusterBarrier(ImplicitLocOpBuilder &b) {
  NVVM::ClusterArriveOp::create(b, b.getUnitAttr());
  NVVM::ClusterWaitOp::create(b, b.getUnitAttr());
}

/// A cluster exchange's kernel: blocks of exactly its `warps` warps (one
/// CTA's share of the work item) in clusters of `ctas` CTAs.
LogicalResult checkClusterKernel(CarryExchangeOp op) {
  auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
  std::optional<ArrayRef<int32_t>> blockSize =
      kernel ? kernel.getKnownBlockSize() : std::nullopt;
  auto cluster = kernel ? kernel->getAttrOfType<DenseI32ArrayAttr>(
                              NVVM::NVVMDialect::getClusterDimAttrName())
                        : DenseI32ArrayAttr();
  int64_t warps = *op.getWarps(), ctas = *op.getCtas();
  if (!blockSize || (*blockSize)[0] != 32 * warps || !cluster ||
      cluster.asArrayRef() != ArrayRef<int32_t>{int32_t(ctas), 1, 1})
    return op.emitOpError()
           << "level cluster: expected a gpu.func kernel of blocks of "
           << 32 * warps << " threads (" << warps << " warps) in clusters of "
           << ctas << " (nvvm.cluster_dim; run swr-distribute first)";
  return success();
}

/// The pairs that `count` publishers (the warps of a work item, the CTAs of
/// a cluster), in order, left in `buffer`, read back by a lane: the join of
/// those before it (publishers i < `position`, a prefix: while i is one of
/// them the pair so far is theirs) and of all of them. `slot(i, field)`
/// indexes field `field` of publisher i: its terminals, then its decays.
std::pair<CarryPair, CarryPair> joinPublishedPairs(
    ImplicitLocOpBuilder &b, Value buffer, int64_t count, Value position,
    int64_t channels, int64_t decayCount,
    llvm::function_ref<SmallVector<Value>(int64_t, int64_t)> slot) {
  CarryPair before = CarryPair::identity(b, channels, decayCount);
  CarryPair all = before;
  for (int64_t i = 0; i < count; ++i) {
    CarryPair pair;
    for (int64_t k = 0; k < decayCount; ++k)
      pair.decays.push_back(
          memref::LoadOp::create(b, buffer, slot(i, channels + k)));
    for (int64_t t = 0; t < channels; ++t)
      pair.terminals.push_back(memref::LoadOp::create(b, buffer, slot(i, t)));
    all = all.then(b, pair);
    if (i + 1 < count) {
      Value earlier =
          arith::CmpIOp::create(b, arith::CmpIPredicate::ugt, position,
                                arith::ConstantIndexOp::create(b, i));
      before = all.select(b, earlier, before);
    }
  }
  return {before, all};
}

/// Level cta: the pairs of the warps of a work item (32 * warps adjacent
/// threads), published by each warp's last time lane in shared memory and
/// read back by every lane after a barrier of the item's threads (named by
/// the item's place in the CTA, so the items of a CTA wait for their own
/// warps only). Two buffers alternate by iteration: a warp writes buffer
/// g mod 2 only after the barrier of iteration g - 1, which every lane
/// passes after its reads of iteration g - 2. Returns the pair of the warps
/// before this lane's warp in the iteration and the pair of all of them.
FailureOr<std::pair<CarryPair, CarryPair>>
exchangeBetweenWarps(ImplicitLocOpBuilder &b, CarryExchangeOp op,
                     Value iteration, const WarpLane &at,
                     const CarryPair &warpPair) {
  auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
  FailureOr<int64_t> blockThreads = kernelBlockThreads(op);
  if (failed(blockThreads))
    return failure();
  int64_t warps = *op.getWarps(), itemThreads = 32 * warps;
  int64_t blockWarps = *blockThreads / 32;
  int64_t channels = warpPair.terminals.size(), stride = *op.getStride();
  int64_t decayCount = warpPair.decays.size();
  Value buffer = global::addSharedBuffer(
      kernel, {2, blockWarps, stride, channels + decayCount}, b.getF32Type(),
      op.getLoc());
  WarpShuffles shuffles{b};
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, value);
  };
  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value warpInBlock = arith::DivUIOp::create(b, thread, index(32));
  Value warpInItem = arith::RemUIOp::create(b, warpInBlock, index(warps));
  Value firstWarp = arith::SubIOp::create(b, warpInBlock, warpInItem);
  Value parity = arith::RemUIOp::create(b, iteration, index(2));
  Value channelLane =
      arith::IndexCastOp::create(b, b.getIndexType(), at.channelLane);
  auto slot = [&](Value warp, int64_t value) -> SmallVector<Value> {
    return {parity, warp, channelLane, index(value)};
  };
  Value publishes =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, at.timeLane,
                            shuffles.i32(*op.getLanes() - 1));
  scf::IfOp::create(b, publishes, [&](OpBuilder &nested, Location loc) {
    ImplicitLocOpBuilder then(loc, nested);
    for (auto [i, terminal] : llvm::enumerate(warpPair.terminals))
      memref::StoreOp::create(then, terminal, buffer,
                              slot(warpInBlock, int64_t(i)));
    for (auto [k, decay] : llvm::enumerate(warpPair.decays))
      memref::StoreOp::create(then, decay, buffer,
                              slot(warpInBlock, channels + int64_t(k)));
    scf::YieldOp::create(then);
  });
  itemBarrier(b, thread, itemThreads);
  return joinPublishedPairs(
      b, buffer, warps, warpInItem, channels, decayCount,
      [&](int64_t w, int64_t field) {
        return slot(arith::AddIOp::create(b, firstWarp, index(w)), field);
      });
}

/// Level cluster: the pairs of the CTAs of a cluster (`ctas` CTAs of
/// `warps` warps, one work item), which every lane holds for its CTA after
/// the warps' exchange. The first warp's time lane 0 of each channel lane
/// stores the CTA's pair into slot [g mod 2][rank] of every CTA's buffer
/// (its own included) through distributed shared memory (mapa); a cluster
/// barrier (arrive.release, wait.acquire) orders those stores before every
/// read, and each lane joins the pairs from its own buffer. Two buffers
/// alternate by iteration: a CTA stores into buffer g mod 2 only after the
/// barrier of iteration g - 1, which every thread of the cluster passes
/// after its reads of iteration g - 2. Returns the pair of the CTAs before
/// this lane's and that of all of them.
std::pair<CarryPair, CarryPair> exchangeBetweenCtas(ImplicitLocOpBuilder &b,
                                                    CarryExchangeOp op,
                                                    Value iteration,
                                                    const WarpLane &at,
                                                    const CarryPair &ctaPair) {
  auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
  int64_t ctas = *op.getCtas(), stride = *op.getStride();
  int64_t channels = ctaPair.terminals.size();
  int64_t decayCount = ctaPair.decays.size();
  Value buffer =
      global::addSharedBuffer(kernel, {2, ctas, stride, channels + decayCount},
                              b.getF32Type(), op.getLoc());
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, value);
  };
  Value rank32 = NVVM::ClusterId::create(b, b.getI32Type());
  Value rank = arith::IndexCastUIOp::create(b, b.getIndexType(), rank32);
  Value parity = arith::RemUIOp::create(b, iteration, index(2));
  Value channelLane =
      arith::IndexCastOp::create(b, b.getIndexType(), at.channelLane);
  auto slot = [&](Value source, int64_t field) -> SmallVector<Value> {
    return {parity, source, channelLane, index(field)};
  };
  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value publishes = arith::AndIOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::ult, thread, index(32)),
      arith::CmpIOp::create(
          b, arith::CmpIPredicate::eq, at.timeLane,
          arith::ConstantOp::create(b, b.getI32IntegerAttr(0))));
  SmallVector<Value> fields(ctaPair.terminals);
  llvm::append_range(fields, ctaPair.decays);
  scf::IfOp::create(b, publishes, [&](OpBuilder &nested, Location loc) {
    ImplicitLocOpBuilder then(loc, nested);
    auto clusterPointer =
        LLVM::LLVMPointerType::get(then.getContext(), kSharedClusterSpace);
    for (auto [field, value] : llvm::enumerate(fields)) {
      Value local = global::elementAddress(
          then, buffer, slot(rank, int64_t(field)), kSharedSpace);
      for (int64_t peer = 0; peer < ctas; ++peer) {
        Value remote = NVVM::MapaOp::create(
            then, clusterPointer, local,
            arith::ConstantOp::create(then, then.getI32IntegerAttr(peer)));
        LLVM::StoreOp::create(then, value, remote, /*alignment=*/4);
      }
    }
    scf::YieldOp::create(then);
  });
  clusterBarrier(b);
  return joinPublishedPairs(
      b, buffer, ctas, rank, channels, decayCount,
      [&](int64_t c, int64_t field) { return slot(index(c), field); });
}

/// The pairs of one iteration's tiles for a lane: an inclusive scan of the
/// pairs (c, terminal) over the time lanes (Hillis-Steele, log2(lanes)
/// shuffles; a later pair (c2, t2) after (c1, t1) gives (c1 c2, t2 + c2
/// t1)) shifted by one time lane gives that of the tiles before the lane's
/// own, the last time lane's that of all of them; at levels cta and grid
/// the pairs of the warps before this one come first
/// (exchangeBetweenWarps).
FailureOr<std::pair<CarryPair, CarryPair>>
pairsOfIteration(ImplicitLocOpBuilder &b, CarryExchangeOp op, Value iteration) {
  WarpShuffles warp{b};
  int64_t lanes = *op.getLanes(), stride = *op.getStride();
  WarpLane at = warpLane(b, warp, lanes, stride);
  VectorType rowType = op.getTerminal().getType();
  int64_t channels = rowType.getDimSize(0);
  // The running pair of the scan: this lane's tiles joined to those of the
  // time lanes before it, as far as the scan has reached.
  CarryPair running;
  for (int64_t i = 0; i < channels; ++i)
    running.terminals.push_back(
        vector::ExtractOp::create(b, op.getTerminal(), i));
  running.decays = decayScalars(b, op.getDecay());
  for (int64_t delta = 1; delta < lanes; delta *= 2) {
    Value reaches = arith::CmpIOp::create(b, arith::CmpIPredicate::uge,
                                          at.timeLane, warp.i32(delta));
    for (auto [i, sum] : llvm::enumerate(running.terminals)) {
      Value earlier = warp.up(sum, delta * stride);
      Value joined = math::FmaOp::create(b, running.decay(i), earlier, sum);
      sum = arith::SelectOp::create(b, reaches, joined, sum);
    }
    for (Value &product : running.decays) {
      Value earlier = warp.up(product, delta * stride);
      product = arith::SelectOp::create(
          b, reaches, arith::MulFOp::create(b, product, earlier), product);
    }
  }
  // The pair of the tiles before this one in the warp's share of the
  // iteration (none on time lane 0), and that of all of them, from the last
  // time lane of this lane's channel. With one time lane: none, and its own.
  CarryPair before = CarryPair::identity(b, channels, running.decays.size());
  CarryPair all = running;
  if (lanes > 1) {
    Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                        at.timeLane, warp.i32(0));
    CarryPair shifted;
    for (Value sum : running.terminals)
      shifted.terminals.push_back(warp.up(sum, stride));
    for (Value product : running.decays)
      shifted.decays.push_back(warp.up(product, stride));
    before = before.select(b, first, shifted);
    Value last =
        arith::OrIOp::create(b, at.channelLane, warp.i32((lanes - 1) * stride));
    for (auto [sum, total] : llvm::zip(running.terminals, all.terminals))
      total = warp.from(sum, last);
    for (auto [product, total] : llvm::zip(running.decays, all.decays))
      total = warp.from(product, last);
  }
  if (op.getWarps() && *op.getWarps() > 1) {
    auto warps = exchangeBetweenWarps(b, op, iteration, at, all);
    if (failed(warps))
      return failure();
    before = warps->first.then(b, before);
    all = warps->second;
  }
  if (op.getLevel() == CarryLevel::cluster) {
    auto [ctasBefore, ctasAll] = exchangeBetweenCtas(b, op, iteration, at, all);
    before = ctasBefore.then(b, before);
    all = ctasAll;
  }
  return std::make_pair(before, all);
}

/// The carries of tiles dealt to the time lanes of a warp (level warp, full
/// windows) or to the warps of a CTA (level cta): the iteration's pairs
/// (pairsOfIteration) joined to the loop-carried carry s leaving the
/// previous iteration: carry_in = t_before + c_before s, and s' = t_all +
/// c_all s.
LogicalResult lowerWarpCarryExchange(CarryExchangeOp op, scf::ForOp loop) {
  if (op.getWindow().isBands())
    return lowerWarpBandsExchange(op, loop);
  ImplicitLocOpBuilder b(op.getLoc(), op);
  auto pairs = pairsOfIteration(b, op, loop.getInductionVar());
  if (failed(pairs))
    return failure();
  auto [before, all] = *pairs;
  VectorType rowType = op.getTerminal().getType();

  ImplicitLocOpBuilder atLoop(op.getLoc(), loop);
  // Before the first stores into its CTAs' shared memory, every CTA of the
  // cluster must be running.
  if (op.getLevel() == CarryLevel::cluster)
    clusterBarrier(atLoop);
  BlockArgument state = addLoopState(
      loop, initialState(atLoop, rowType, op.getInit()),
      [&](OpBuilder &nested, Location loc, Value current) -> Value {
        ImplicitLocOpBuilder atYield(loc, nested);
        return all.apply(atYield, rowType, current);
      });
  // The loop's body moved into a new loop: build at the op afresh.
  ImplicitLocOpBuilder atOp(op.getLoc(), op);
  op.getCarryIn().replaceAllUsesWith(before.apply(atOp, rowType, state));
  op.erase();
  return success();
}

/// Where the words of a grid exchange's work item live in the workspace:
/// after the header, the flags of all slots (one word per channel lane),
/// then the values of each slot: per field (terminals, decays, inclusive
/// carries) one word per channel lane, so that a warp's accesses are
/// contiguous. Only the header and the flags need zeroing.
struct WorkspaceSlot {
  CarryExchangeOp op;
  Value channelLane; // index

  int64_t channels() { return op.getTerminal().getType().getDimSize(0); }
  int64_t decayCount() { return op.getDecayCount(); }
  Value constant(ImplicitLocOpBuilder &b, int64_t value) {
    return arith::ConstantIndexOp::create(b, value);
  }
  Value address(ImplicitLocOpBuilder &b, Value word) {
    return global::wordAddress(b, op.getWorkspace(),
                               arith::AddIOp::create(b, word, channelLane));
  }
  Value flag(ImplicitLocOpBuilder &b, Value slot) {
    int64_t flags = op.getWorkspaceFlagWordsPerSlot();
    return address(b, arith::AddIOp::create(
                          b, constant(b, op.kWorkspaceHeaderWords),
                          arith::MulIOp::create(b, slot, constant(b, flags))));
  }
  /// Value field `field` of slot `slot` for this lane.
  Value word(ImplicitLocOpBuilder &b, Value slot, int64_t field) {
    int64_t flags = op.getWorkspaceFlagWordsPerSlot();
    int64_t values = op.getWorkspaceWordsPerSlot() - flags;
    Value valuesStart = arith::AddIOp::create(
        b, constant(b, op.kWorkspaceHeaderWords),
        arith::MulIOp::create(b, op.getSlots(), constant(b, flags)));
    Value first = arith::AddIOp::create(
        b, valuesStart, arith::MulIOp::create(b, slot, constant(b, values)));
    return address(b, arith::AddIOp::create(
                          b, first, constant(b, field * *op.getStride())));
  }
  Value terminal(ImplicitLocOpBuilder &b, Value slot, int64_t i) {
    return word(b, slot, i);
  }
  Value decay(ImplicitLocOpBuilder &b, Value slot, int64_t k) {
    return word(b, slot, channels() + k);
  }
  Value inclusive(ImplicitLocOpBuilder &b, Value slot, int64_t i) {
    return word(b, slot, channels() + decayCount() + i);
  }
};

/// Flags of a workspace slot: nothing yet, the chunk's own pair, the
/// inclusive carry leaving it.
enum SlotStatus : int32_t { kSlotEmpty = 0, kSlotPair = 1, kSlotInclusive = 2 };

void storeFloat(ImplicitLocOpBuilder &b, Value address, Value value) {
  global::store(b, address, arith::BitcastOp::create(b, b.getI32Type(), value));
}
Value loadFloat(ImplicitLocOpBuilder &b, Value address) {
  return arith::BitcastOp::create(b, b.getF32Type(), global::load(b, address));
}

/// Spins until the flag at `address` is set; returns it.
Value waitForFlag(ImplicitLocOpBuilder &b, Value address) {
  Value empty = arith::ConstantOp::create(b, b.getI32IntegerAttr(kSlotEmpty));
  auto spin = scf::WhileOp::create(
      b, TypeRange{b.getI32Type()}, ValueRange{empty},
      [&](OpBuilder &nested, Location loc, ValueRange) {
        ImplicitLocOpBuilder in(loc, nested);
        Value flag = global::loadAcquire(in, address);
        Value unset =
            arith::CmpIOp::create(in, arith::CmpIPredicate::eq, flag, empty);
        scf::ConditionOp::create(in, unset, ValueRange{flag});
      },
      [&](OpBuilder &nested, Location loc, ValueRange flag) {
        scf::YieldOp::create(nested, loc, flag);
      });
  return spin.getResult(0);
}

/// The carry entering chunk `chunk` > 0 (slot `slot`) for this lane's
/// channels: walks back over the slots before it, joining their pairs
/// (published with kSlotPair) until one holds its inclusive carry.
SmallVector<Value> lookBack(ImplicitLocOpBuilder &b, WorkspaceSlot &at,
                            Value slot) {
  int64_t channels = at.channels(), decayCount = at.decayCount();
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0.0f));
  Value one = arith::ConstantOp::create(b, b.getF32FloatAttr(1.0f));
  Value indexOne = arith::ConstantIndexOp::create(b, 1);
  // State: the slot to read, the pair of the chunks between it and this
  // one (terminals, decays), the carry once found, and whether to go on.
  SmallVector<Value> initial{arith::SubIOp::create(b, slot, indexOne)};
  initial.append(channels, zero);
  initial.append(decayCount, one);
  initial.append(channels, zero);
  initial.push_back(arith::ConstantOp::create(b, b.getBoolAttr(true)));
  // The results (and the body's arguments) are the state without the flag.
  SmallVector<Type> types;
  for (Value value : ArrayRef<Value>(initial).drop_back())
    types.push_back(value.getType());
  auto walk = scf::WhileOp::create(
      b, types, initial,
      [&](OpBuilder &nested, Location loc, ValueRange state) {
        scf::ConditionOp::create(nested, loc, state.back(), state.drop_back());
      },
      [&](OpBuilder &nested, Location loc, ValueRange state) {
        ImplicitLocOpBuilder in(loc, nested);
        Value current = state[0];
        // The pair of the chunks between slot `current` and this one.
        CarryPair between{
            llvm::to_vector(state.slice(1, channels)),
            llvm::to_vector(state.slice(1 + channels, decayCount))};
        Value flag = waitForFlag(in, at.flag(in, current));
        Value found = arith::CmpIOp::create(
            in, arith::CmpIPredicate::eq, flag,
            arith::ConstantOp::create(in,
                                      in.getI32IntegerAttr(kSlotInclusive)));
        // The slot's own pair, then the chunks between: the pair from it.
        CarryPair published;
        for (int64_t i = 0; i < channels; ++i)
          published.terminals.push_back(
              loadFloat(in, at.terminal(in, current, i)));
        for (int64_t k = 0; k < decayCount; ++k)
          published.decays.push_back(loadFloat(in, at.decay(in, current, k)));
        CarryPair joined = published.then(in, between);
        // With its inclusive carry: the carry entering this chunk.
        SmallVector<Value> carries;
        for (int64_t i = 0; i < channels; ++i)
          carries.push_back(math::FmaOp::create(
              in, between.decay(i), loadFloat(in, at.inclusive(in, current, i)),
              between.terminals[i]));
        SmallVector<Value> next{arith::SubIOp::create(in, current, indexOne)};
        llvm::append_range(next, joined.terminals);
        llvm::append_range(next, joined.decays);
        llvm::append_range(next, carries);
        next.push_back(arith::XOrIOp::create(
            in, found, arith::ConstantOp::create(in, in.getBoolAttr(true))));
        scf::YieldOp::create(in, next);
      });
  return llvm::to_vector_of<Value>(
      walk.getResults().slice(1 + channels + decayCount, channels));
}

/// Level grid (full windows, one iteration per work item): the pairs of the
/// iteration as at level cta, then, on warp 0's time lane 0 (one lane per
/// channel lane), a decoupled look-back over the chunks before through the
/// workspace: publish this chunk's pair, walk back to an inclusive carry,
/// publish this chunk's own; the carry reaches the item's other lanes
/// through shared memory after a barrier of the item's threads.
LogicalResult lowerGridCarryExchange(CarryExchangeOp op) {
  auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
  FailureOr<int64_t> blockThreads = kernelBlockThreads(op);
  if (failed(blockThreads))
    return failure();
  int64_t warps = *op.getWarps(), itemThreads = 32 * warps;
  ImplicitLocOpBuilder b(op.getLoc(), op);
  auto pairs = pairsOfIteration(b, op, op.getChunk());
  if (failed(pairs))
    return failure();
  auto [before, all] = *pairs;
  VectorType rowType = op.getTerminal().getType();
  int64_t channels = rowType.getDimSize(0);

  WarpShuffles shuffles{b};
  WarpLane lane = warpLane(b, shuffles, *op.getLanes(), *op.getStride());
  auto index = [&](int64_t value) -> Value {
    return arith::ConstantIndexOp::create(b, value);
  };
  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value itemInBlock = arith::DivUIOp::create(b, thread, index(itemThreads));
  Value warpInItem = arith::RemUIOp::create(
      b, arith::DivUIOp::create(b, thread, index(32)), index(warps));
  Value channelLane =
      arith::IndexCastOp::create(b, b.getIndexType(), lane.channelLane);
  WorkspaceSlot slots{op, channelLane};
  Value carries = global::addSharedBuffer(
      kernel, {*blockThreads / itemThreads, *op.getStride(), channels},
      b.getF32Type(), op.getLoc());

  Value leads = arith::AndIOp::create(
      b,
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, warpInItem, index(0)),
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lane.timeLane,
                            shuffles.i32(0)));
  scf::IfOp::create(b, leads, [&](OpBuilder &nested, Location loc) {
    ImplicitLocOpBuilder lead(loc, nested);
    Value slot = op.getSlot();
    Value first = arith::CmpIOp::create(lead, arith::CmpIPredicate::eq,
                                        op.getChunk(), index(0));
    auto entering = scf::IfOp::create(
        lead, first,
        [&](OpBuilder &thenBuilder, Location thenLoc) {
          ImplicitLocOpBuilder then(thenLoc, thenBuilder);
          scf::YieldOp::create(then, initialState(then, rowType, op.getInit()));
        },
        [&](OpBuilder &elseBuilder, Location elseLoc) {
          ImplicitLocOpBuilder other(elseLoc, elseBuilder);
          for (auto [i, terminal] : llvm::enumerate(all.terminals))
            storeFloat(other, slots.terminal(other, slot, i), terminal);
          for (auto [k, decay] : llvm::enumerate(all.decays))
            storeFloat(other, slots.decay(other, slot, k), decay);
          global::storeRelease(other, slots.flag(other, slot),
                               arith::ConstantOp::create(
                                   other, other.getI32IntegerAttr(kSlotPair)));
          SmallVector<Value> carry = lookBack(other, slots, slot);
          scf::YieldOp::create(other, ValueRange{vector::FromElementsOp::create(
                                          other, rowType, carry)});
        });
    Value carryIn = entering.getResult(0);
    Value leaving = all.apply(lead, rowType, carryIn);
    for (int64_t i = 0; i < channels; ++i) {
      storeFloat(lead, slots.inclusive(lead, slot, i),
                 vector::ExtractOp::create(lead, leaving, i));
      memref::StoreOp::create(lead, vector::ExtractOp::create(lead, carryIn, i),
                              carries, {itemInBlock, channelLane, index(i)});
    }
    global::storeRelease(lead, slots.flag(lead, slot),
                         arith::ConstantOp::create(
                             lead, lead.getI32IntegerAttr(kSlotInclusive)));
    scf::YieldOp::create(lead);
  });
  itemBarrier(b, thread, itemThreads);
  SmallVector<Value> carryIn;
  for (int64_t i = 0; i < channels; ++i)
    carryIn.push_back(memref::LoadOp::create(
        b, carries, ValueRange{itemInBlock, channelLane, index(i)}));
  Value state = vector::FromElementsOp::create(b, rowType, carryIn);
  op.getCarryIn().replaceAllUsesWith(before.apply(b, rowType, state));
  kernel->setAttr("swr.workspace",
                  b.getDenseI64ArrayAttr({op.kWorkspaceHeaderWords,
                                          op.getWorkspaceWordsPerSlot(),
                                          op.getWorkspaceFlagWordsPerSlot()}));
  op.erase();
  return success();
}

LogicalResult lowerCarryExchange(CarryExchangeOp op) {
  CarryLevel level = op.getLevel();
  if (level == CarryLevel::grid)
    return lowerGridCarryExchange(op);
  if (level == CarryLevel::cluster && failed(checkClusterKernel(op)))
    return failure();
  FailureOr<scf::ForOp> loop =
      enclosingTileLoop(op, op.getInit(), op.getLevel());
  if (failed(loop))
    return failure();
  if (level != CarryLevel::serial)
    return lowerWarpCarryExchange(op, *loop);
  VectorType rowType = op.getTerminal().getType();
  WindowAttr window = op.getWindow();
  ImplicitLocOpBuilder before(op.getLoc(), *loop);
  Value carry;
  if (window.isFull()) {
    BlockArgument state = addLoopState(
        *loop, initialState(before, rowType, op.getInit()),
        [&](OpBuilder &nested, Location loc, Value current) -> Value {
          ImplicitLocOpBuilder b(loc, nested);
          return arith::AddFOp::create(b, op.getTerminal(),
                                       scale(b, current, op.getDecay()));
        });
    carry = state;
  } else if (window.getSize() == 1) {
    ImplicitLocOpBuilder b(op.getLoc(), op);
    carry = splat(b, rowType, 0.0f);
  } else {
    int64_t hops = window.getSize() - 1;
    auto statesType =
        VectorType::get({hops, rowType.getDimSize(0)}, before.getF32Type());
    BlockArgument state = addLoopState(
        *loop, initialState(before, statesType, op.getInit()),
        [&](OpBuilder &nested, Location loc, Value current) -> Value {
          ImplicitLocOpBuilder b(loc, nested);
          return updateCarriers(b, current, op.getTerminal(), op.getDecay());
        });
    ImplicitLocOpBuilder b(op.getLoc(), op);
    carry = vector::ExtractOp::create(b, state, hops - 1);
  }
  op.getCarryIn().replaceAllUsesWith(carry);
  op.erase();
  return success();
}

LogicalResult lowerWindowExchange(WindowExchangeOp op) {
  if (op.getLevel() != CarryLevel::serial)
    return op.emitOpError() << "level: the host lowering carries only "
                               "`serial` exchanges";
  FailureOr<scf::ForOp> loop = enclosingTileLoop(op, op.getInit());
  if (failed(loop))
    return failure();
  VectorType tileType = op.getSuffixSums().getType();
  int64_t n = tileType.getDimSize(0);
  int64_t channels = tileType.getDimSize(1);
  int64_t width = op.getWindow().getSize();
  int64_t maxFullTiles = (width - 1) / n;
  auto rowType = VectorType::get({channels}, op.getDecay().getType());
  ImplicitLocOpBuilder before(op.getLoc(), *loop);

  // Suffix sums of the last maxFullTiles + 1 tiles, scaled by the decays
  // since; slot m-1 holds the tile m steps back. The virtual tile before
  // the first holds `init` at its last step, so all its suffixes are init.
  auto suffixesType =
      VectorType::get({maxFullTiles + 1, n, channels}, before.getF32Type());
  Value suffixesInit = splat(before, suffixesType, 0.0f);
  if (Value init = op.getInit()) {
    Value virtualTile = vector::BroadcastOp::create(before, tileType, init);
    suffixesInit =
        vector::InsertOp::create(before, virtualTile, suffixesInit, int64_t(0));
  }
  Value carriersInit;
  if (maxFullTiles > 0)
    carriersInit = initialState(
        before, VectorType::get({maxFullTiles, channels}, before.getF32Type()),
        op.getInit());

  BlockArgument suffixes = addLoopState(
      *loop, suffixesInit,
      [&](OpBuilder &nested, Location loc, Value current) -> Value {
        ImplicitLocOpBuilder b(loc, nested);
        return shiftInRow(b, current, op.getSuffixSums(), op.getDecay());
      });
  // Whole tiles inside the window: the carrier truncated to m hops.
  BlockArgument carriers;
  if (maxFullTiles > 0) {
    unsigned suffixesIndex = suffixes.getArgNumber();
    auto current = cast<scf::ForOp>(suffixes.getOwner()->getParentOp());
    carriers = addLoopState(
        current, carriersInit,
        [&](OpBuilder &nested, Location loc, Value state) -> Value {
          ImplicitLocOpBuilder b(loc, nested);
          Value terminal = vector::ExtractOp::create(b, op.getSuffixSums(), 0);
          return updateCarriers(b, state, terminal, op.getDecay());
        });
    // The body moved to a new loop: take the suffix state from there.
    suffixes = carriers.getOwner()->getArgument(suffixesIndex);
  }

  ImplicitLocOpBuilder b(op.getLoc(), op);
  Value zeroRow = splat(b, rowType, 0.0f);
  Value carry = splat(b, tileType, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    int64_t before = width - 1 - i; // tokens of the window before output i
    int64_t fullTiles = before >= n ? before / n : 0;
    Value row =
        fullTiles > 0
            ? Value(vector::ExtractOp::create(b, carriers, fullTiles - 1))
            : zeroRow;
    int64_t boundary = fullTiles + 1;
    int64_t start = n * boundary + i - width + 1;
    if (start < n) {
      Value suffix = vector::ExtractOp::create(
          b, suffixes, ArrayRef<int64_t>{boundary - 1, start});
      row = arith::AddFOp::create(b, row, suffix);
    }
    carry = vector::InsertOp::create(b, row, carry, i);
  }
  op.getCarryIn().replaceAllUsesWith(carry);
  op.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// Tile reads and writes
//===----------------------------------------------------------------------===//

/// A stack buffer for one tile, allocated once at the function entry.
Value tileBuffer(Operation *op, VectorType type) {
  auto func = op->getParentOfType<FunctionOpInterface>();
  OpBuilder b = OpBuilder::atBlockBegin(&func.getFunctionBody().front());
  return memref::AllocaOp::create(
      b, op->getLoc(), MemRefType::get(type.getShape(), type.getElementType()));
}

/// Calls `body(step, channel, valid, sourceIndices)` for every element of a
/// tile access, with `valid` true inside the sequence and channel axis.
template <typename TileOp>
void forEachTileElement(
    ImplicitLocOpBuilder &b, TileOp op, Value memref,
    llvm::function_ref<void(ImplicitLocOpBuilder &, ValueRange, Value,
                            SmallVector<Value>)>
        body) {
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value one = arith::ConstantIndexOp::create(b, 1);
  Value steps = arith::ConstantIndexOp::create(b, op.getTileSteps());
  Value channels = arith::ConstantIndexOp::create(b, op.getTileChannels());
  std::optional<int64_t> channelAxis = op.getChannelAxis();
  int64_t timeAxis = op.getTimeAxis();
  Value channelDim = channelAxis
                         ? Value(memref::DimOp::create(b, memref, *channelAxis))
                         : Value();
  scf::ForOp::create(
      b, zero, steps, one, ValueRange{},
      [&](OpBuilder &n1, Location loc, Value step, ValueRange) {
        scf::ForOp::create(
            n1, loc, zero, channels, one, ValueRange{},
            [&](OpBuilder &n2, Location loc2, Value channel, ValueRange) {
              ImplicitLocOpBuilder inner(loc2, n2);
              Value position =
                  arith::AddIOp::create(inner, op.getPosition(), step);
              Value valid = arith::CmpIOp::create(
                  inner, arith::CmpIPredicate::ult, position, op.getLength());
              SmallVector<Value> indices(op.getIndices());
              Value logical = position;
              if (op.getReverse()) {
                Value last = arith::SubIOp::create(inner, op.getLength(), one);
                logical = arith::SubIOp::create(inner, last, position);
              }
              indices[timeAxis] =
                  arith::AddIOp::create(inner, indices[timeAxis], logical);
              if (channelAxis) {
                Value index = arith::AddIOp::create(
                    inner, indices[*channelAxis], channel);
                Value inside = arith::CmpIOp::create(
                    inner, arith::CmpIPredicate::ult, index, channelDim);
                valid = arith::AndIOp::create(inner, valid, inside);
                indices[*channelAxis] = index;
              }
              SmallVector<Value, 2> bufferIndices{step};
              if (op.getTileChannels() > 1 || channelAxis)
                bufferIndices.push_back(channel);
              body(inner, bufferIndices, valid, indices);
              scf::YieldOp::create(inner);
            });
        scf::YieldOp::create(n1, loc);
      });
}

/// Whether a tile is one contiguous run of memory: a single channel, time
/// the innermost axis of an identity-layout memref.
template <typename TileOp> bool isContiguousRun(TileOp op, MemRefType type) {
  return op.getTileChannels() == 1 && op.getTimeAxis() == type.getRank() - 1 &&
         type.getLayout().isIdentity();
}

/// Bytes a contiguous run's vector accesses are aligned to: 16 (one
/// 128-bit access per 16 bytes) or the whole run if it is shorter.
template <typename TileOp> int64_t runAlignment(TileOp op, MemRefType type) {
  int64_t bytes = op.getTileSteps() * type.getElementTypeBitWidth() / 8;
  return std::min<int64_t>(16, llvm::PowerOf2Ceil(bytes) == uint64_t(bytes)
                                   ? bytes
                                   : type.getElementTypeBitWidth() / 8);
}

template <typename TileOp>
SmallVector<Value> runStart(ImplicitLocOpBuilder &b, TileOp op);

/// Whether the run starting at `indices` is aligned to `alignment` bytes:
/// rows of odd lengths start anywhere, so this is a runtime property.
Value isAligned(ImplicitLocOpBuilder &b, Value memref, ValueRange indices,
                int64_t alignment) {
  return isMultipleOf(b, global::elementByteAddress(b, memref, indices),
                      alignment);
}

/// Indices of the first element in memory of a full contiguous tile.
template <typename TileOp>
SmallVector<Value> runStart(ImplicitLocOpBuilder &b, TileOp op) {
  SmallVector<Value> indices(op.getIndices());
  Value first = op.getPosition();
  if (op.getReverse()) {
    // Logical steps p..p+n-1 sit at length-1-p down to length-p-n.
    Value steps = arith::ConstantIndexOp::create(b, op.getTileSteps());
    first = arith::SubIOp::create(
        b, arith::SubIOp::create(b, op.getLength(), op.getPosition()), steps);
  }
  int64_t time = op.getTimeAxis();
  indices[time] = arith::AddIOp::create(b, indices[time], first);
  return indices;
}

/// Whether the first channel of `op`'s tile lies inside the channel axis of
/// `memref` (a tile marked `overhang` that starts past it is skipped whole).
template <typename TileOp>
Value firstChannelInside(ImplicitLocOpBuilder &b, TileOp op, Value memref) {
  int64_t axis = *op.getChannelAxis();
  Value size = memref::DimOp::create(b, memref, axis);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                               op.getIndices()[axis], size);
}

/// Whether a tile lies wholly inside the sequence and the channel axis.
template <typename TileOp>
Value isInside(ImplicitLocOpBuilder &b, TileOp op, Value memref) {
  Value inside = isInsideSequence(b, op);
  if (op.getChannelAxis())
    inside =
        arith::AndIOp::create(b, inside, firstChannelInside(b, op, memref));
  return inside;
}

/// Whether a contiguous tile is inside (isInside) and its run, starting at
/// `start`, is aligned for vector accesses.
template <typename TileOp>
Value isFullTile(ImplicitLocOpBuilder &b, TileOp op, Value memref,
                 ValueRange start) {
  auto type = cast<MemRefType>(memref.getType());
  Value aligned = isAligned(b, memref, start, runAlignment(op, type));
  return arith::AndIOp::create(b, isInside(b, op, memref), aligned);
}

Value reversed(ImplicitLocOpBuilder &b, Value vector) {
  int64_t n = cast<VectorType>(vector.getType()).getDimSize(0);
  SmallVector<int64_t> mask;
  for (int64_t i = n - 1; i >= 0; --i)
    mask.push_back(i);
  return vector::ShuffleOp::create(b, vector, vector, mask);
}

/// A read tile in the element type of its memref (the read paths load in
/// that type; the tile is widened to f32 after they join).
VectorType storedTileType(ReadTileOp op) {
  return op.getResult().getType().clone(
      op.getSource().getType().getElementType());
}

/// The padding of a read tile in its memref's element type (1 and 0 are
/// exact in every float type).
Value storedPadding(ImplicitLocOpBuilder &b, ReadTileOp op) {
  Type type = op.getSource().getType().getElementType();
  return arith::ConstantOp::create(
      b, b.getFloatAttr(type, op.getPadding().convertToDouble()));
}

/// A full contiguous tile in one vector load (a GPU thread's 32 bytes of
/// bf16 in one or two instructions instead of 16 scalar loads).
Value loadRun(ImplicitLocOpBuilder &b, ReadTileOp op, ValueRange start) {
  MemRefType memref = op.getSource().getType();
  auto runType = VectorType::get({op.getTileSteps()}, memref.getElementType());
  Value run = vector::LoadOp::create(
      b, runType, op.getSource(), start, /*nontemporal=*/false,
      llvm::MaybeAlign(runAlignment(op, memref)));
  if (op.getReverse())
    run = reversed(b, run);
  return vector::ShapeCastOp::create(b, storedTileType(op), run);
}

/// The memory indices of logical step `step` of a tile of one channel that
/// lies inside the sequence, its run starting at `start` (runStart).
template <typename TileOp>
SmallVector<Value> stepIndices(ImplicitLocOpBuilder &b, TileOp op,
                               ValueRange start, int64_t step) {
  SmallVector<Value> indices(start.begin(), start.end());
  int64_t offset = op.getReverse() ? op.getTileSteps() - 1 - step : step;
  int64_t time = op.getTimeAxis();
  indices[time] = arith::AddIOp::create(
      b, indices[time], arith::ConstantIndexOp::create(b, offset));
  return indices;
}

/// A tile of one channel inside the sequence along a strided time axis
/// (token-major layouts): one unmasked scalar load per step, with no bounds
/// checks or branches; the addresses differ by the time stride only.
Value loadStrided(ImplicitLocOpBuilder &b, ReadTileOp op, ValueRange start) {
  SmallVector<Value> elements;
  for (int64_t i = 0; i < op.getTileSteps(); ++i)
    elements.push_back(memref::LoadOp::create(b, op.getSource(),
                                              stepIndices(b, op, start, i)));
  return vector::FromElementsOp::create(b, storedTileType(op), elements);
}

/// Whether a tile's rows are contiguous runs of its channels: several
/// channels on the innermost axis of an identity-layout memref (bthd with a
/// channel tile), so each step is one vector access instead of m scalars.
template <typename TileOp> bool hasContiguousRows(TileOp op, MemRefType type) {
  std::optional<int64_t> channelAxis = op.getChannelAxis();
  return op.getTileChannels() > 1 && channelAxis &&
         *channelAxis == type.getRank() - 1 && type.getLayout().isIdentity();
}

/// Bytes a row's vector access is aligned to: the whole row when its size
/// is a power of two (at most 16 bytes), else one element.
template <typename TileOp> int64_t rowAlignment(TileOp op, MemRefType type) {
  int64_t element = type.getElementTypeBitWidth() / 8;
  int64_t bytes = op.getTileChannels() * element;
  return llvm::isPowerOf2_64(bytes) ? std::min<int64_t>(16, bytes) : element;
}

/// Whether every row of a tile with contiguous rows lies inside the
/// sequence and the channel axis (all m channels) and is aligned for its
/// vector access: the first row's address and the time stride in bytes
/// are multiples of rowAlignment (a runtime property: any channel count
/// and base pointer may come).
template <typename TileOp>
Value rowsAreFull(ImplicitLocOpBuilder &b, TileOp op, Value memref,
                  ValueRange start) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t channelAxis = *op.getChannelAxis();
  Value inside = isInsideSequence(b, op);
  Value channelEnd = arith::AddIOp::create(
      b, op.getIndices()[channelAxis],
      arith::ConstantIndexOp::create(b, op.getTileChannels()));
  Value channels = memref::DimOp::create(b, memref, channelAxis);
  inside =
      arith::AndIOp::create(b, inside,
                            arith::CmpIOp::create(b, arith::CmpIPredicate::ule,
                                                  channelEnd, channels));
  int64_t alignment = rowAlignment(op, type);
  Value aligned = isAligned(b, memref, start, alignment);
  auto metadata = memref::ExtractStridedMetadataOp::create(b, memref);
  Value strideBytes = arith::MulIOp::create(
      b, metadata.getStrides()[op.getTimeAxis()],
      arith::ConstantIndexOp::create(b, type.getElementTypeBitWidth() / 8));
  Value strideAligned = isMultipleOf(b, strideBytes, alignment);
  return arith::AndIOp::create(
      b, inside, arith::AndIOp::create(b, aligned, strideAligned));
}

/// A full tile with contiguous rows: one unmasked vector load per step.
Value loadRows(ImplicitLocOpBuilder &b, ReadTileOp op, ValueRange start) {
  MemRefType memref = op.getSource().getType();
  VectorType type = storedTileType(op);
  auto rowType = VectorType::get({op.getTileChannels()}, type.getElementType());
  Value tile = arith::ConstantOp::create(
      b,
      DenseElementsAttr::get(type, b.getFloatAttr(type.getElementType(), 0.0)));
  for (int64_t i = 0; i < op.getTileSteps(); ++i) {
    Value row = vector::LoadOp::create(
        b, rowType, op.getSource(), stepIndices(b, op, start, i),
        /*nontemporal=*/false, llvm::MaybeAlign(rowAlignment(op, memref)));
    tile = vector::InsertOp::create(b, row, tile, i);
  }
  return tile;
}

/// Any tile: masked scalar loads through a stack buffer (the last resort:
/// tiles of several channels that are not contiguous rows, e.g. the host's
/// 16-channel tiles over a time-innermost axis, where loops over a buffer
/// compile far faster than loadMaskedGather's unrolled 256 guarded loads).
Value loadMasked(ImplicitLocOpBuilder &b, ReadTileOp op) {
  VectorType type = storedTileType(op);
  Value buffer = tileBuffer(op, type);
  Value padding = storedPadding(b, op);
  forEachTileElement(b, op, op.getSource(),
                     [&](ImplicitLocOpBuilder &inner, ValueRange bufferIndices,
                         Value valid, SmallVector<Value> indices) {
                       auto ifOp = scf::IfOp::create(
                           inner, valid,
                           [&](OpBuilder &then, Location loc) {
                             Value value = memref::LoadOp::create(
                                 then, loc, op.getSource(), indices);
                             scf::YieldOp::create(then, loc, value);
                           },
                           [&](OpBuilder &otherwise, Location loc) {
                             scf::YieldOp::create(otherwise, loc, padding);
                           });
                       memref::StoreOp::create(inner, ifOp.getResult(0), buffer,
                                               bufferIndices);
                     });
  SmallVector<Value> origin(type.getRank(),
                            arith::ConstantIndexOp::create(b, 0));
  SmallVector<bool> inBounds(type.getRank(), true);
  return vector::TransferReadOp::create(b, type, buffer, origin, padding,
                                        inBounds);
}

/// Whether step `step` of a tile lies inside its sequence, and the step's
/// offset from the sequence's start (from its end for a reverse tile).
template <typename TileOp>
std::pair<Value, Value> stepInSequence(ImplicitLocOpBuilder &b, TileOp op,
                                       int64_t step) {
  Value position = arith::AddIOp::create(
      b, op.getPosition(), arith::ConstantIndexOp::create(b, step));
  Value inSequence = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                           position, op.getLength());
  if (!op.getReverse())
    return {inSequence, position};
  Value last = arith::SubIOp::create(b, op.getLength(),
                                     arith::ConstantIndexOp::create(b, 1));
  return {inSequence, arith::SubIOp::create(b, last, position)};
}

/// Any tile along a time axis: one guarded scalar load per element,
/// gathered in registers. (Gathered through a stack buffer, LLVM merges the
/// buffer's loads with the full-tile path's into loads from a generic
/// pointer after the join: f32 tiles lost their 16-byte loads and kept a
/// stack frame, 2-channel bf16 rows became generic loads.)
Value loadMaskedGather(ImplicitLocOpBuilder &b, ReadTileOp op) {
  Value padding = storedPadding(b, op);
  std::optional<int64_t> channelAxis = op.getChannelAxis();
  int64_t channels = op.getTileChannels();
  SmallVector<Value> channelIndices, channelInside;
  if (channelAxis) {
    Value dim = memref::DimOp::create(b, op.getSource(), *channelAxis);
    for (int64_t c = 0; c < channels; ++c) {
      Value index = arith::AddIOp::create(b, op.getIndices()[*channelAxis],
                                          arith::ConstantIndexOp::create(b, c));
      channelIndices.push_back(index);
      channelInside.push_back(
          arith::CmpIOp::create(b, arith::CmpIPredicate::ult, index, dim));
    }
  }
  SmallVector<Value> elements;
  for (int64_t i = 0; i < op.getTileSteps(); ++i) {
    auto [inSequence, logical] = stepInSequence(b, op, i);
    SmallVector<Value> indices(op.getIndices());
    int64_t time = op.getTimeAxis();
    indices[time] = arith::AddIOp::create(b, indices[time], logical);
    for (int64_t c = 0; c < channels; ++c) {
      Value valid = inSequence;
      if (channelAxis) {
        valid = arith::AndIOp::create(b, valid, channelInside[c]);
        indices[*channelAxis] = channelIndices[c];
      }
      auto ifOp = scf::IfOp::create(
          b, valid,
          [&](OpBuilder &then, Location loc) {
            Value value =
                memref::LoadOp::create(then, loc, op.getSource(), indices);
            scf::YieldOp::create(then, loc, value);
          },
          [&](OpBuilder &otherwise, Location loc) {
            scf::YieldOp::create(otherwise, loc, padding);
          });
      elements.push_back(ifOp.getResult(0));
    }
  }
  return vector::FromElementsOp::create(b, storedTileType(op), elements);
}

/// Whether `op` lowers into host code (not a GPU kernel).
bool onHost(Operation *op) { return !op->getParentOfType<gpu::GPUFuncOp>(); }

/// Per step of a partial tile with contiguous rows (hasContiguousRows): the
/// memory indices of its row and the mask of its channels inside the
/// channel axis, all off for a step outside the sequence (whose row index
/// is then the tile's first, so no address leaves the memref).
template <typename TileOp>
std::pair<SmallVector<Value>, Value>
maskedRow(ImplicitLocOpBuilder &b, TileOp op, Value memref, int64_t step) {
  int64_t channelAxis = *op.getChannelAxis();
  Value zero = arith::ConstantIndexOp::create(b, 0);
  auto [inSequence, logical] = stepInSequence(b, op, step);
  SmallVector<Value> indices(op.getIndices());
  int64_t time = op.getTimeAxis();
  indices[time] = arith::AddIOp::create(
      b, indices[time], arith::SelectOp::create(b, inSequence, logical, zero));
  // create_mask clamps its bound to [0, channels].
  Value channelsLeft = arith::SubIOp::create(
      b, memref::DimOp::create(b, memref, channelAxis), indices[channelAxis]);
  auto maskType = VectorType::get({op.getTileChannels()}, b.getI1Type());
  Value mask = vector::CreateMaskOp::create(
      b, maskType,
      ValueRange{arith::SelectOp::create(b, inSequence, channelsLeft, zero)});
  return {indices, mask};
}

/// On the host, a partial tile with contiguous rows: one masked vector load
/// per step (an AVX-512 masked load), padding where the mask is off. The
/// element-wise gather it replaces was 16 x 16 guarded loads per tile: an
/// exact<40> backward over [B,T,H,D] lowered to 40k ops before LLVM. GPU
/// kernels keep the gather (their PTX is tuned as it is).
Value loadRowsMasked(ImplicitLocOpBuilder &b, ReadTileOp op) {
  VectorType type = storedTileType(op);
  auto rowType = VectorType::get({op.getTileChannels()}, type.getElementType());
  Value padding = vector::BroadcastOp::create(b, rowType, storedPadding(b, op));
  Value tile = arith::ConstantOp::create(
      b,
      DenseElementsAttr::get(type, b.getFloatAttr(type.getElementType(), 0.0)));
  for (int64_t i = 0; i < op.getTileSteps(); ++i) {
    auto [indices, mask] = maskedRow(b, op, op.getSource(), i);
    Value row = vector::MaskedLoadOp::create(b, rowType, op.getSource(),
                                             indices, mask, padding);
    tile = vector::InsertOp::create(b, row, tile, i);
  }
  return tile;
}

using TilePath = llvm::function_ref<Value(ImplicitLocOpBuilder &)>;

/// `full` (a tile inside the sequence and aligned for the vector path)
/// chooses between `fast` and `masked`; both return the read tile, or null
/// for writes (the scf.if then has no result).
Value ifFullTile(ImplicitLocOpBuilder &b, Value full, TilePath fast,
                 TilePath masked) {
  auto branch = [](TilePath path) {
    return [path](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder inner(loc, nested);
      if (Value result = path(inner))
        scf::YieldOp::create(inner, result);
      else
        scf::YieldOp::create(inner);
    };
  };
  auto ifOp = scf::IfOp::create(b, full, branch(fast), branch(masked));
  return ifOp.getNumResults() ? ifOp.getResult(0) : Value();
}

/// The read tile in its stored type, by the path its shape allows.
Value readTilePaths(ImplicitLocOpBuilder &b, ReadTileOp op) {
  Value source = op.getSource();
  MemRefType type = op.getSource().getType();
  SmallVector<Value> start = runStart(b, op);
  auto gathered = [&](ImplicitLocOpBuilder &in) {
    return loadMaskedGather(in, op);
  };
  Value tile;
  if (isContiguousRun(op, type))
    tile = ifFullTile(
        b, isFullTile(b, op, source, start),
        [&](ImplicitLocOpBuilder &in) { return loadRun(in, op, start); },
        gathered);
  else if (op.getTileChannels() == 1)
    tile = ifFullTile(
        b, isInside(b, op, source),
        [&](ImplicitLocOpBuilder &in) { return loadStrided(in, op, start); },
        gathered);
  else if (hasContiguousRows(op, type))
    tile = ifFullTile(
        b, rowsAreFull(b, op, source, start),
        [&](ImplicitLocOpBuilder &in) { return loadRows(in, op, start); },
        [&](ImplicitLocOpBuilder &in) {
          return onHost(op) ? loadRowsMasked(in, op) : loadMaskedGather(in, op);
        });
  else
    tile = loadMasked(b, op);
  return tile;
}

void lowerReadTile(ReadTileOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  // A lane past the channel axis reads padding without a load, rather
  // than running the masked path while its warp's other lanes run the
  // vector path.
  Value tile =
      op.getOverhang()
          ? ifFullTile(
                b, firstChannelInside(b, op, op.getSource()),
                [&](ImplicitLocOpBuilder &in) { return readTilePaths(in, op); },
                [&](ImplicitLocOpBuilder &in) -> Value {
                  return vector::BroadcastOp::create(in, storedTileType(op),
                                                     storedPadding(in, op));
                })
          : readTilePaths(b, op);
  // Widened once, after the paths join: the join then holds the tile in
  // its stored width (2-byte elements: half the registers that a tile read
  // before a carry exchange keeps across it).
  if (tile.getType() != op.getResult().getType())
    tile = arith::ExtFOp::create(b, op.getResult().getType(), tile);
  op.getResult().replaceAllUsesWith(tile);
  op.erase();
}

void storeRun(ImplicitLocOpBuilder &b, WriteTileOp op, Value tile,
              ValueRange start) {
  MemRefType memref = op.getDest().getType();
  Value run = vector::ShapeCastOp::create(
      b, VectorType::get({op.getTileSteps()}, memref.getElementType()), tile);
  if (op.getReverse())
    run = reversed(b, run);
  vector::StoreOp::create(b, run, op.getDest(), start,
                          /*nontemporal=*/false,
                          llvm::MaybeAlign(runAlignment(op, memref)));
}

/// The store counterpart of loadStrided.
void storeStrided(ImplicitLocOpBuilder &b, WriteTileOp op, Value tile,
                  ValueRange start) {
  int64_t n = op.getTileSteps();
  Value values = vector::ShapeCastOp::create(
      b, VectorType::get({n}, op.getDest().getType().getElementType()), tile);
  for (int64_t i = 0; i < n; ++i)
    memref::StoreOp::create(b, vector::ExtractOp::create(b, values, i),
                            op.getDest(), stepIndices(b, op, start, i));
}

/// The store counterpart of loadRows.
void storeRows(ImplicitLocOpBuilder &b, WriteTileOp op, Value tile,
               ValueRange start) {
  MemRefType memref = op.getDest().getType();
  for (int64_t i = 0; i < op.getTileSteps(); ++i)
    vector::StoreOp::create(b, vector::ExtractOp::create(b, tile, i),
                            op.getDest(), stepIndices(b, op, start, i),
                            /*nontemporal=*/false,
                            llvm::MaybeAlign(rowAlignment(op, memref)));
}

/// The store counterpart of loadRowsMasked (on the host).
void storeRowsMasked(ImplicitLocOpBuilder &b, WriteTileOp op, Value tile) {
  for (int64_t i = 0; i < op.getTileSteps(); ++i) {
    auto [indices, mask] = maskedRow(b, op, op.getDest(), i);
    vector::MaskedStoreOp::create(b, op.getDest(), indices, mask,
                                  vector::ExtractOp::create(b, tile, i));
  }
}

void storeMasked(ImplicitLocOpBuilder &b, WriteTileOp op, Value tile) {
  auto type = cast<VectorType>(tile.getType());
  Value buffer = tileBuffer(op, type);
  SmallVector<Value> origin(type.getRank(),
                            arith::ConstantIndexOp::create(b, 0));
  SmallVector<bool> inBounds(type.getRank(), true);
  vector::TransferWriteOp::create(b, tile, buffer, origin, inBounds);
  forEachTileElement(
      b, op, op.getDest(),
      [&](ImplicitLocOpBuilder &inner, ValueRange bufferIndices, Value valid,
          SmallVector<Value> indices) {
        scf::IfOp::create(inner, valid, [&](OpBuilder &then, Location loc) {
          Value value =
              memref::LoadOp::create(then, loc, buffer, bufferIndices);
          memref::StoreOp::create(then, loc, value, op.getDest(), indices);
          scf::YieldOp::create(then, loc);
        });
      });
}

/// Stores `tile` (in the memref's element type) by the path its shape
/// allows.
void writeTilePaths(ImplicitLocOpBuilder &b, WriteTileOp op, Value tile) {
  Value dest = op.getDest();
  MemRefType type = op.getDest().getType();
  SmallVector<Value> start = runStart(b, op);
  // Each path stores and yields nothing.
  auto store = [](auto emit) {
    return [emit](ImplicitLocOpBuilder &in) -> Value {
      emit(in);
      return Value();
    };
  };
  auto masked =
      store([&](ImplicitLocOpBuilder &in) { storeMasked(in, op, tile); });
  if (isContiguousRun(op, type))
    ifFullTile(
        b, isFullTile(b, op, dest, start),
        store([&](ImplicitLocOpBuilder &in) { storeRun(in, op, tile, start); }),
        masked);
  else if (op.getTileChannels() == 1)
    ifFullTile(b, isInside(b, op, dest), store([&](ImplicitLocOpBuilder &in) {
                 storeStrided(in, op, tile, start);
               }),
               masked);
  else if (hasContiguousRows(op, type))
    ifFullTile(b, rowsAreFull(b, op, dest, start),
               store([&](ImplicitLocOpBuilder &in) {
                 storeRows(in, op, tile, start);
               }),
               store([&](ImplicitLocOpBuilder &in) {
                 if (onHost(op))
                   storeRowsMasked(in, op, tile);
                 else
                   storeMasked(in, op, tile);
               }));
  else
    storeMasked(b, op, tile);
}

void lowerWriteTile(WriteTileOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  MemRefType type = op.getDest().getType();
  // Narrowed once, before the paths branch (the counterpart of a read
  // tile's widening after they join).
  Value tile = op.getValue();
  if (!type.getElementType().isF32())
    tile = arith::TruncFOp::create(
        b, op.getValue().getType().clone(type.getElementType()), tile);
  if (op.getOverhang())
    // A lane past the channel axis stores nothing.
    scf::IfOp::create(b, firstChannelInside(b, op, op.getDest()),
                      [&](OpBuilder &then, Location loc) {
                        ImplicitLocOpBuilder inner(loc, then);
                        writeTilePaths(inner, op, tile);
                        scf::YieldOp::create(inner);
                      });
  else
    writeTilePaths(b, op, tile);
  op.erase();
}

/// In a GPU kernel, when the whole tile lies inside the sequence and its
/// first channel inside the channel axis (so every address is inside the
/// memref), L2 prefetches of the cache lines of its steps dealt to each
/// group of G = `lanes` consecutive lanes holding the same steps: in round
/// r < ceil(n / G), lane l prefetches step ((l mod G) + G r) mod n of its
/// own tile, at its first channel. A warp whose lanes all walk adjacent
/// channels of one tile (G = 32: token-major tiles shared by warps, where
/// the hint is on by default) covers every step with one prefetch per
/// round instead of one per step and thread; the address arithmetic of a
/// prefetch per step and thread was a third of the [B,T,C] bf16 kernel's
/// instructions. Elsewhere (the host) nothing.
void lowerPrefetchTile(PrefetchTileOp op) {
  if (onHost(op)) {
    op.erase();
    return;
  }
  ImplicitLocOpBuilder b(op.getLoc(), op);
  SmallVector<Value> start = runStart(b, op);
  Value inside = isInside(b, op, op.getSource());
  scf::IfOp::create(b, inside, [&](OpBuilder &nested, Location loc) {
    ImplicitLocOpBuilder then(loc, nested);
    auto level = NVVM::PrefetchCacheLevelAttr::get(
        then.getContext(), NVVM::PrefetchCacheLevel::L2);
    int64_t group = op.getLanes(), steps = op.getTileSteps();
    // The lane's place in its group; 0 for a group of one (no lane id).
    Value first = arith::ConstantIndexOp::create(then, 0);
    if (group > 1)
      first = arith::RemUIOp::create(
          then,
          arith::IndexCastUIOp::create(
              then, then.getIndexType(),
              NVVM::LaneIdOp::create(then, then.getI32Type())),
          arith::ConstantIndexOp::create(then, group));
    Value stepCount = arith::ConstantIndexOp::create(then, steps);
    int64_t time = op.getTimeAxis();
    for (int64_t round = 0; round * group < steps; ++round) {
      Value dealt =
          round == 0 ? first
                     : arith::AddIOp::create(
                           then, first,
                           arith::ConstantIndexOp::create(then, round * group));
      Value step = arith::RemUIOp::create(then, dealt, stepCount);
      SmallVector<Value> indices(start);
      indices[time] = arith::AddIOp::create(then, start[time], step);
      NVVM::PrefetchOp::create(
          then, level, /*evictPriority=*/nullptr,
          global::elementAddress(then, op.getSource(), indices),
          /*predicate=*/Value(), /*tensormap=*/false);
    }
    scf::YieldOp::create(then);
  });
  op.erase();
}

struct SwrLowerToLoopsPass
    : public swr::impl::SwrLowerToLoopsBase<SwrLowerToLoopsPass> {
  void runOnOperation() override {
    Operation *func = getOperation();
    // Exchanges first: they add state to the tile loops, which must still be
    // the exchanges' direct parents.
    SmallVector<Operation *> exchanges;
    func->walk([&](Operation *op) {
      if (isa<CarryExchangeOp, WindowExchangeOp>(op))
        exchanges.push_back(op);
    });
    for (Operation *op : exchanges) {
      LogicalResult lowered =
          isa<CarryExchangeOp>(op)
              ? lowerCarryExchange(cast<CarryExchangeOp>(op))
              : lowerWindowExchange(cast<WindowExchangeOp>(op));
      if (failed(lowered))
        return signalPassFailure();
    }
    // Staged tiles next: a tile cp.async cannot copy becomes a read_tile.
    if (failed(lowerStagedTiles(func)))
      return signalPassFailure();
    SmallVector<Operation *> ops;
    func->walk([&](Operation *op) {
      if (isa_and_nonnull<SwrDialect>(op->getDialect()))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      llvm::TypeSwitch<Operation *>(op)
          .Case([](TransferOperatorOp op) { lowerTransferOperator(op); })
          .Case([](ExtractionOperatorOp op) { lowerExtractionOperator(op); })
          .Case([](LocalSolveOp op) { lowerLocalSolve(op); })
          .Case([](CarryOp op) { lowerCarry(op); })
          .Case([](ReadTileOp op) { lowerReadTile(op); })
          .Case([](WriteTileOp op) { lowerWriteTile(op); })
          .Case([](PrefetchTileOp op) { lowerPrefetchTile(op); })
          .Default([&](Operation *op) {
            op->emitOpError() << "has no host lowering; run swr-tile-blocks "
                                 "first";
            signalPassFailure();
          });
    }
  }
};

} // namespace
