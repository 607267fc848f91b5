//===- TileBlocks.cpp - swr.scan to the Block Two-Pass form ---------------===//
//
// Rewrites each swr.scan into loops over (sequence, head, channel block)
// around a loop over time tiles whose body is the B2P step of one tile:
//
//   a  = read_tile decay        (padding 1: the state carries through)
//   L, g = transfer_operator a
//   u  = read_tile input        (padding 0)
//   v  = local_solve L, u
//   s  = carry_exchange c, v[n-1]       (full, bands<k>)
//      | window_exchange c, S u         (exact<W>, per-output carries)
//   y  = carry v, g, s
//   write_tile y
//
// The loop over tiles carries the last output row, which is the final state.
// A fused prologue turns the loaded tiles into (a, x) before the solve and a
// fused epilogue turns y into the stored output, both on whole tiles.
//
//===----------------------------------------------------------------------===//

#include "FullWindowGrad.h"
#include "TileBuilder.h"
#include "VectorUtils.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <type_traits>

namespace mlir::swr {
#define GEN_PASS_DEF_SWRTILEBLOCKS
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;
using namespace mlir::swr;
using namespace mlir::swr::tiling;

namespace {

/// Shared memory a CTA's staging ring may take: the H200's 227 KB per CTA
/// less room for the carry exchanges' buffers and the runtime's reserve.
constexpr int64_t kMaxStagingBytes = 200 * 1024;

/// The chunk of the sequence a grid-carry work item solves (one iteration
/// of the tile loop).
Value gridChunk(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                const TileCoords &coords) {
  return arith::DivUIOp::create(b, coords.chunk,
                                indexConst(b, tiling.chunkSteps()));
}

/// The (decays, inputs) of the tile being solved, read again.
using TileReader =
    llvm::function_ref<std::pair<Value, Value>(ImplicitLocOpBuilder &)>;

/// The outputs of a tile whose carry in is `carry`, from operands read
/// again: the recurrence rerun with the carry folded into the first row,
/// u[0] + a[0] s (the same numbers as v + g s, each step one FMA).
Value resolveFromCarry(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       TileReader reread, Value carry) {
  auto [decays, inputs] = reread(b);
  Value firstDecay = vector::ExtractOp::create(b, decays, 0);
  Value entering = isa<VectorType>(firstDecay.getType())
                       ? arith::MulFOp::create(b, carry, firstDecay)
                       : scaleRow(b, carry, firstDecay);
  Value firstRow = arith::AddFOp::create(
      b, vector::ExtractOp::create(b, inputs, 0), entering);
  Value seeded = vector::InsertOp::create(b, firstRow, inputs, 0);
  auto transfer =
      buildTransferOperator(b, tiling, decays, /*band=*/std::nullopt);
  return localSolve(b, transfer.getTransfer(), seeded, /*transpose=*/false,
                    tiling.warpSharesOperator());
}

/// The carries entering the tile and the tile's outputs, for full and
/// bands<k> windows: one carry per channel, a rank-1 update, or with
/// `reread` the recurrence rerun from the carry. `beforeExchange` emits
/// what must come after the tile's aggregates and before the exchange.
Value solveWithCarrier(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       const TileCoords &coords, Value decays, Value inputs,
                       Value init, std::optional<TileReader> reread,
                       llvm::function_ref<void()> beforeExchange = {}) {
  auto transfer =
      buildTransferOperator(b, tiling, decays, /*band=*/std::nullopt);
  Value local = localSolve(b, transfer.getTransfer(), inputs,
                           /*transpose=*/false, tiling.warpSharesOperator());
  Value terminal = vector::ExtractOp::create(b, local, tiling.steps - 1);
  Value decay =
      vector::ExtractOp::create(b, transfer.getInjection(), tiling.steps - 1);
  if (beforeExchange)
    beforeExchange();
  GridPlacement grid;
  if (tiling.gridCarries())
    grid = {tiling.workspace, coords.slot, coords.slots,
            gridChunk(b, tiling, coords)};
  Value carry =
      carryExchange(b, decay, terminal, init, tiling.window, tiling.timeLanes,
                    tiling.timeWarps, tiling.timeCtas, grid);
  if (reread)
    return resolveFromCarry(b, tiling, *reread, carry);
  return CarryOp::create(b, local.getType(), local, transfer.getInjection(),
                         carry);
}

/// Exact W-token windows: the operator of the tile is cut to the band
/// i - j < W, and earlier tiles contribute per output through the suffix
/// sums of their inputs' weights.
Value solveExactWindow(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       Value decays, Value inputs, Value init) {
  WindowAttr window = tiling.window;
  auto transfer =
      buildTransferOperator(b, tiling, decays, /*band=*/std::nullopt);
  Value banded = transfer.getTransfer();
  if (window.getSize() < tiling.steps)
    banded = buildTransferOperator(b, tiling, decays, window.getSize())
                 .getTransfer();
  Value local = localSolve(b, banded, inputs);
  Value extraction =
      ExtractionOperatorOp::create(b, banded.getType(), transfer.getTransfer());
  Value suffixSums = localSolve(b, extraction, inputs);
  Value decay =
      vector::ExtractOp::create(b, transfer.getInjection(), tiling.steps - 1);
  Value carry = WindowExchangeOp::create(
      b, suffixSums.getType(), decay, suffixSums, init, window,
      CarryLevelAttr::get(b.getContext(), CarryLevel::serial));
  return CarryOp::create(b, local.getType(), local, transfer.getInjection(),
                         carry);
}

/// The output at the last step of the sequence seen so far: row n-1, or
/// the last real row of a partial tile. Padding (decay 1, input 0) carries
/// the state to row n-1 for full and bands windows, but an exact window
/// slides over the padding, so it picks the row of step length-1.
Value lastOutput(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value position, Value outputs) {
  int64_t n = tiling.steps;
  if (!tiling.window.isExact())
    return vector::ExtractOp::create(b, outputs, n - 1);
  Value one = indexConst(b, 1);
  Value remaining = arith::SubIOp::create(
      b, arith::SubIOp::create(b, coords.length, position), one);
  Value row = arith::MinUIOp::create(b, remaining, indexConst(b, n - 1));
  Value last = vector::ExtractOp::create(b, outputs, n - 1);
  for (int64_t i = 0; i < n - 1; ++i) {
    Value isRow = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, row,
                                        indexConst(b, i));
    Value candidate = vector::ExtractOp::create(b, outputs, i);
    last = arith::SelectOp::create(b, isRow, candidate, last);
  }
  return last;
}

/// Emits the loop over the tiles of one sequence of one channel block.
/// The tiles one thread walks: all of them, or for a time chunk of a
/// bands<k> window its own tiles after k-1 tiles that only warm up the
/// carriers (a bands<k> output sees no further back).
struct TileRange {
  Value begin, end; // tiles [begin, end) are solved
  Value firstOwned; // tiles before it are not written; null: all are
};

TileRange tileRange(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                    const TileCoords &coords, Value tiles) {
  if (tiling.gridCarries()) { // one iteration per work item
    Value chunk = gridChunk(b, tiling, coords);
    return {chunk, arith::AddIOp::create(b, chunk, indexConst(b, 1)), Value()};
  }
  if (coords.timeLane) // iterations over groups of tiles, one per time lane
    return {indexConst(b, 0), tileIterations(b, tiling, coords, tiles),
            Value()};
  Value first = chunkFirstTile(b, tiling, coords);
  if (!first)
    return {indexConst(b, 0), tiles, Value()};
  int64_t warmUp = tiling.window.getSize() - 1;
  Value begin = arith::MaxSIOp::create(
      b, arith::SubIOp::create(b, first, indexConst(b, warmUp)),
      indexConst(b, 0));
  return {begin, chunkEndTile(b, tiling, first, tiles), first};
}

/// The memrefs of a tile's loaded values that exist (unused operands stay
/// null), in a fixed order.
SmallVector<Value> loadedSources(const LoadedTile &loaded,
                                 const ScanOperandValues &operands) {
  SmallVector<Value> sources;
  if (loaded.decays)
    sources.push_back(operands.decay);
  if (loaded.inputs)
    sources.push_back(operands.input);
  for (auto [value, source] : llvm::zip(loaded.extras, operands.extras))
    if (value)
      sources.push_back(source);
  return sources;
}

/// The element type each loaded value was stored in.
Type storedElementType(Value source) {
  return cast<MemRefType>(source.getType()).getElementType();
}

/// The loaded values of a tile that exist, in loadedSources' order, each
/// narrowed back to the width it was stored in (exact: it was widened from
/// it): loop-carried state of a prefetching loop, whose 2-byte tiles then
/// take half the registers across the iteration.
SmallVector<Value> loadedValues(ImplicitLocOpBuilder &b,
                                const LoadedTile &loaded,
                                const ScanOperandValues &operands) {
  SmallVector<Value> values;
  for (Value value : {loaded.decays, loaded.inputs})
    if (value)
      values.push_back(value);
  for (Value value : loaded.extras)
    if (value)
      values.push_back(value);
  SmallVector<Value> sources = loadedSources(loaded, operands);
  for (size_t i = 0; i < values.size(); ++i) {
    auto type = cast<VectorType>(values[i].getType());
    Type stored = storedElementType(sources[i]);
    if (stored != type.getElementType())
      values[i] = arith::TruncFOp::create(b, type.clone(stored), values[i]);
  }
  return values;
}

/// The inverse of loadedValues: the state widened to f32 in the shape of
/// `shape`; `again` and `atUse` mark the widenings (kWidenAgainAttr,
/// kWidenAtUseAttr).
LoadedTile withValues(ImplicitLocOpBuilder &b, const LoadedTile &shape,
                      const ScanOperandValues &operands, ValueRange values,
                      bool again = false, bool atUse = false) {
  LoadedTile loaded = shape;
  SmallVector<Value> widened;
  for (Value value : values) {
    auto type = cast<VectorType>(value.getType());
    if (type.getElementType().isF32()) {
      widened.push_back(value);
      continue;
    }
    auto ext = arith::ExtFOp::create(b, type.clone(b.getF32Type()), value);
    if (again)
      ext->setAttr(kWidenAgainAttr, b.getUnitAttr());
    if (atUse)
      ext->setAttr(kWidenAtUseAttr, b.getUnitAttr());
    widened.push_back(ext);
  }
  auto next = widened.begin();
  for (Value *value : {&loaded.decays, &loaded.inputs})
    if (*value)
      *value = *next++;
  for (Value &value : loaded.extras)
    if (value)
      value = *next++;
  return loaded;
}

void emitTileLoop(ImplicitLocOpBuilder &b, ScanOp scan,
                  const ScanTiling &tiling, const TileCoords &coords) {
  Value zeros = arith::ConstantOp::create(
      b, DenseElementsAttr::get(rowType(b, tiling), b.getF32FloatAttr(0.0f)));
  Value init =
      scan.getInit() ? readState(b, tiling, coords, scan.getInit()) : Value();
  Value steps = indexConst(b, tiling.steps);
  Value tiles = arith::CeilDivUIOp::create(b, coords.length, steps);
  TileRange range = tileRange(b, tiling, coords, tiles);
  // The initial state is the terminal of a virtual tile before tile 0: a
  // chunk whose warm-up starts later is beyond its reach.
  if (init && range.firstOwned) {
    Value fromStart = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                            range.begin, indexConst(b, 0));
    init = arith::SelectOp::create(b, fromStart, init, zeros);
  }
  Value lastRow = init ? init : zeros;

  // The first step of the tile an iteration solves.
  auto positionOf = [&](ImplicitLocOpBuilder &at, Value iteration) -> Value {
    return iterationPosition(at, tiling, coords, steps, iteration);
  };
  Region *prologue = scan.getPrologue().empty() ? nullptr : &scan.getPrologue();
  ScanOperandValues operands{scan.getDecay(), scan.getInput(),
                             scan.getExtraInputs()};
  // Prefetching (tiles dealt to lanes): the operands of the next
  // iteration's tile are read before this one is solved, so their loads are
  // in flight during the solve, its carries and its stores; they enter the
  // loop as state. Past the sequence the reads are padding (masked).
  // Staging (tiles dealt to lanes on GPUs): the operands of the tile
  // stages - 1 iterations ahead are copied asynchronously into a ring of
  // slots in shared memory, so they are in flight without registers.
  bool staged = tiling.stages > 0 && coords.timeLane;
  bool prefetch = !staged && tiling.prefetch && coords.timeLane;
  auto slotOf = [&](ImplicitLocOpBuilder &at, Value iteration) -> Value {
    return arith::RemUIOp::create(
        at, arith::SubIOp::create(at, iteration, range.begin),
        indexConst(at, tiling.stages));
  };
  // Stages the tile of `iteration` when the loop reaches it, then closes
  // the group (an empty group past the end keeps the count uniform).
  auto stageIteration = [&](ImplicitLocOpBuilder &at, Value iteration) {
    Value exists = arith::CmpIOp::create(at, arith::CmpIPredicate::ult,
                                         iteration, range.end);
    emitIf(at, exists, [&](ImplicitLocOpBuilder &then) {
      Value position = positionOf(then, iteration);
      Value slot = slotOf(then, iteration);
      stageDecays(then, tiling, coords, scan.getDecay(), position, slot, 0);
      stageInputs(then, tiling, coords, scan.getInput(), position, slot, 1);
    });
    StageCommitOp::create(at);
  };
  auto readStaged = [&](ImplicitLocOpBuilder &at, Value iteration,
                        Value position) {
    Value slot = slotOf(at, iteration);
    return std::pair<Value, Value>{
        readStagedDecays(at, tiling, coords, scan.getDecay(), position, slot,
                         0),
        readStagedInputs(at, tiling, coords, scan.getInput(), position, slot,
                         1)};
  };
  if (staged)
    for (int64_t ahead = 0; ahead + 1 < tiling.stages; ++ahead)
      stageIteration(
          b, arith::AddIOp::create(b, range.begin, indexConst(b, ahead)));
  SmallVector<Value> initial{lastRow};
  LoadedTile firstTile;
  if (prefetch) {
    firstTile = loadTile(b, tiling, coords, positionOf(b, range.begin),
                         operands, prologue, 0);
    llvm::append_range(initial, loadedValues(b, firstTile, operands));
  }

  auto loop = scf::ForOp::create(
      b, range.begin, range.end, indexConst(b, 1), initial,
      [&](OpBuilder &nested, Location loc, Value iteration, ValueRange state) {
        ImplicitLocOpBuilder body(loc, nested);
        Value position = positionOf(body, iteration);
        if (tiling.l2Prefetch > 0 && coords.timeLane) {
          // The operands of the tile l2Prefetch iterations ahead, into L2:
          // its reads then wait on L2 rather than device memory.
          Value ahead = positionOf(
              body, arith::AddIOp::create(body, iteration,
                                          indexConst(body, tiling.l2Prefetch)));
          prefetchDecays(body, tiling, coords, scan.getDecay(), ahead);
          prefetchInputs(body, tiling, coords, scan.getInput(), ahead);
          for (Value extra : scan.getExtraInputs())
            prefetchInputs(body, tiling, coords, extra, ahead);
        }
        LoadedTile loaded, next;
        auto loadNext = [&](ImplicitLocOpBuilder &at) {
          Value following =
              arith::AddIOp::create(at, iteration, indexConst(at, 1));
          next = loadTile(at, tiling, coords, positionOf(at, following),
                          operands, prologue, 0);
        };
        if (staged) {
          stageIteration(
              body, arith::AddIOp::create(body, iteration,
                                          indexConst(body, tiling.stages - 1)));
          StageWaitOp::create(body, tiling.stages - 1);
          std::tie(loaded.decays, loaded.inputs) =
              readStaged(body, iteration, position);
        } else if (prefetch) {
          // This tile is used before the next one's loads are issued:
          // ptxas counts a tile's loads on one scoreboard, so a first use
          // after the next loads would wait for those too. Widened here
          // whole, or with reread row by row by the solve, the next loads
          // then following the tile's aggregates (solveWithCarrier).
          loaded = withValues(body, firstTile, operands, state.drop_front(),
                              /*again=*/false, /*atUse=*/tiling.reread);
          if (!tiling.reread)
            loadNext(body);
        } else {
          loaded =
              loadTile(body, tiling, coords, position, operands, prologue, 0);
        }
        auto [decays, inputs] = applyPrologue(body, scan.getPrologue(), tiling,
                                              coords, position, loaded);
        auto readAgain = [&](ImplicitLocOpBuilder &at) {
          if (staged) // the slot is not staged again before the next wait
            return readStaged(at, iteration, position);
          // Prefetched: widened again from the stored-width loop state.
          LoadedTile again =
              prefetch ? withValues(at, firstTile, operands, state.drop_front(),
                                    /*again=*/true, /*atUse=*/true)
                       : loadTile(at, tiling, coords, position, operands,
                                  prologue, 0);
          return applyPrologue(at, scan.getPrologue(), tiling, coords, position,
                               again);
        };
        std::optional<TileReader> reread;
        if (tiling.reread)
          reread = TileReader(readAgain);
        Value outputs =
            scan.getWindow().isExact()
                ? solveExactWindow(body, tiling, decays, inputs, init)
                : solveWithCarrier(body, tiling, coords, decays, inputs, init,
                                   reread, [&] {
                                     if (prefetch && tiling.reread)
                                       loadNext(body);
                                   });
        // Time chunks (never on lanes): iteration i solves tile i.
        Value owned =
            range.firstOwned
                ? arith::CmpIOp::create(body, arith::CmpIPredicate::uge,
                                        iteration, range.firstOwned)
                : Value();
        emitIf(body, owned, [&](ImplicitLocOpBuilder &write) {
          Value stored = outputs;
          if (!scan.getEpilogue().empty()) {
            LoadedTile late = loadTile(
                write, tiling, coords, position,
                {scan.getDecay(), scan.getInput(), scan.getExtraInputs()},
                &scan.getEpilogue(), 1);
            stored =
                applyFusedRegion(write, scan.getEpilogue(), late, {outputs},
                                 cast<VectorType>(outputs.getType()), 0);
          }
          writeOutputs(write, tiling, coords, scan.getOutput(), position,
                       stored);
          if (scan.getState())
            writeOutputs(write, tiling, coords, scan.getState(), position,
                         outputs);
        });
        SmallVector<Value> yielded{
            lastOutput(body, tiling, coords, position, outputs)};
        if (prefetch)
          llvm::append_range(yielded, loadedValues(body, next, operands));
        scf::YieldOp::create(body, yielded);
      });
  if (!scan.getFinalState())
    return;
  // With time lanes, the last one's last tile ends the sequence (the tiles
  // past its end carry the state through their padding).
  Value lastLane = lastTimeLane(b, tiling, coords);
  // Grid carries: in the chunk that holds the sequence's end.
  if (tiling.gridCarries())
    lastLane = arith::AndIOp::create(
        b, lastLane,
        arith::CmpIOp::create(
            b, arith::CmpIPredicate::uge,
            arith::AddIOp::create(b, coords.chunk,
                                  indexConst(b, tiling.chunkSteps())),
            coords.length));
  emitIf(b, lastLane, [&](ImplicitLocOpBuilder &write) {
    writeState(write, tiling, coords, scan.getFinalState(), loop.getResult(0));
  });
}

struct SwrTileBlocksPass
    : public swr::impl::SwrTileBlocksBase<SwrTileBlocksPass> {
  using SwrTileBlocksBase::SwrTileBlocksBase;

  void runOnOperation() override {
    std::optional<TransferMethod> transferMethod =
        symbolizeTransferMethod(method);
    if (!transferMethod) {
      getOperation().emitError()
          << "swr-tile-blocks: method must be running_product or "
             "log_space, got '"
          << method << "'";
      return signalPassFailure();
    }
    if (timeWarps != -1 && (timeWarps < 1 || timeWarps > 32)) {
      getOperation().emitError()
          << "swr-tile-blocks: time-warps must be -1 or in [1, 32], got "
          << static_cast<int64_t>(timeWarps);
      return signalPassFailure();
    }
    if (timeCtas < 1 || timeCtas > CarryExchangeOp::kMaxClusterCtas) {
      getOperation().emitError() << "swr-tile-blocks: time-ctas must be in [1, "
                                 << CarryExchangeOp::kMaxClusterCtas
                                 << "], got " << static_cast<int64_t>(timeCtas);
      return signalPassFailure();
    }
    if (l2Prefetch < -1) {
      getOperation().emitError()
          << "swr-tile-blocks: l2-prefetch must be -1 or >= 0, got "
          << static_cast<int64_t>(l2Prefetch);
      return signalPassFailure();
    }
    if (prefetch < -1 || prefetch > 1) {
      getOperation().emitError()
          << "swr-tile-blocks: prefetch must be -1, 0 or 1, got "
          << static_cast<int64_t>(prefetch);
      return signalPassFailure();
    }
    if (reread < -1 || reread > 1) {
      getOperation().emitError()
          << "swr-tile-blocks: reread must be -1, 0 or 1, got "
          << static_cast<int64_t>(reread);
      return signalPassFailure();
    }
    if (block < 1 || (channelTile < 1 && channelTile != -1)) {
      getOperation().emitError()
          << "swr-tile-blocks: block must be >= 1 and channel-tile -1 or "
             ">= 1, got "
          << static_cast<int64_t>(block) << " and "
          << static_cast<int64_t>(channelTile);
      return signalPassFailure();
    }
    SmallVector<ScanOp> scans;
    SmallVector<ScanGradOp> grads;
    getOperation().walk([&](ScanOp scan) { scans.push_back(scan); });
    getOperation().walk([&](ScanGradOp grad) { grads.push_back(grad); });
    for (ScanOp scan : scans)
      if (failed(tile(scan, *transferMethod)))
        return signalPassFailure();
    for (ScanGradOp grad : grads) {
      FailureOr<GradLanes> lanes = gradLanesFor(grad);
      if (failed(lanes))
        return signalPassFailure();
      tileScanGrad(grad, *transferMethod, block,
                   channelTile == -1 ? 1 : int64_t(channelTile),
                   gradTimeChunk < 0 ? timeChunk : gradTimeChunk, laneReduction,
                   channelFastest, *lanes);
    }
  }

  /// The time lanes and warps that share the tiles of a full window's
  /// backward run as a scan in mirrored time (FullWindowGrad.cpp): those
  /// its forward would take, with its channel pairs for 2-byte elements
  /// shared by warps (halfWordsSharedByWarps; channel-tile=1 keeps one
  /// channel) and its tiles (fullTileSteps). Per-head decays need a head
  /// on the lanes of one warp (headSplitFor), else the tile-by-tile
  /// walk of TileScanGrad.cpp takes them. Time CTAs and grid carries are
  /// the forward's only.
  FailureOr<GradLanes> gradLanesFor(ScanGradOp grad) {
    if (!isMirroredAdjoint(grad))
      return GradLanes{};
    const LayoutAxes &axes = getLayoutAxes(grad.getLayout());
    FailureOr<int64_t> lanes = timeLanesFor(grad, axes);
    if (failed(lanes))
      return failure();
    GradLanes result{/*mirrored=*/true, *lanes, timeWarpsFor(grad, axes)};
    if (grad.getSharing() == DecaySharing::per_head) {
      std::optional<HeadSplit> split = headSplitFor(grad, axes, *lanes);
      if (!split)
        return GradLanes{};
      result.channels = split->channels;
      result.headLanes = split->lanes;
      // 8 warps per CTA and 32-step tiles (16 from 4 channels per lane, 64
      // elements of a tile per lane: the backward holds several tiles at
      // once). Measured on the H200 at B8 T16384 H8, % of copy with 4 warps
      // / 8 warps / 16 warps: D64 bf16 32.9 / 49.1 / 37.3, D128 bf16 43.1 /
      // 63.0 / 44.7; D64 f32 with 32-step tiles 57.0 / 79.2 / 64.2 (16
      // steps 40.8 / 62.4 / 84.0).
      if (timeWarps == -1 && timeLanes == -1)
        result.timeWarps = 8;
      result.steps = fullBlock > 0
                         ? int64_t(fullBlock)
                         : std::clamp<int64_t>(64 / result.channels, 16, 32);
      return result;
    }
    if (channelTile == -1 && halfWordsSharedByWarps(grad, axes))
      result.channels = 2;
    // The forward's tiles, except that one channel per lane
    // (channel-tile=1) keeps `block` where the forward's channel pairs take
    // 32 steps (measured on the H200 at B8 C1536 T4096 bf16: 57.9% of copy
    // at 16 steps against 52.1% at 32).
    result.steps = fullBlock == -1 && result.channels == 1 &&
                           halfWordsSharedByWarps(grad, axes)
                       ? block
                       : fullTileSteps(grad, axes, *lanes);
    return result;
  }

  /// How a per-head backward run in mirrored time lays a head on lanes.
  /// Without a lane reduction (the CPU pipeline) one thread takes the
  /// whole head when one thread walks the sequence, as the tile-by-tile
  /// walk did (else none: warps that share a sequence take lanes). With
  /// one, a head's channels lie on adjacent lanes of one warp and its decay
  /// gradient is summed by shuffles: `channel-tile` channels per lane, or
  /// with -1 the forward's (2 for 2-byte elements shared by warps, else 1)
  /// or D / 32 if more, up to 8 (a vector access of 16 bytes of bf16), on
  /// headLaneGroup's lanes. std::nullopt when that cannot be: time on the
  /// lanes, D dynamic, with a lane reduction channels not innermost, or
  /// channels per lane not a power of 2 of at most 8 that headLaneGroup
  /// takes (D = 48 or 96, say: the tile-by-tile walk takes those).
  std::optional<HeadSplit> headSplitFor(ScanGradOp grad, const LayoutAxes &axes,
                                        int64_t lanes) {
    int64_t headDim = channelAxisSize(grad.getInput(), axes);
    if (lanes != 1 || ShapedType::isDynamic(headDim))
      return std::nullopt;
    if (!laneReduction) {
      if (timeWarpsFor(grad, axes) != 1)
        return std::nullopt;
      return HeadSplit{headDim, /*lanes=*/1};
    }
    if (!channelsContiguous(axes))
      return std::nullopt;
    int64_t channels = channelTile;
    if (channels == -1)
      channels = std::min<int64_t>(
          headDim, std::max<int64_t>(halfWordsSharedByWarps(grad, axes) ? 2 : 1,
                                     llvm::divideCeil(headDim, 32)));
    if (!llvm::isPowerOf2_64(channels) || channels > 8)
      return std::nullopt;
    std::optional<int64_t> group = headLaneGroup(headDim, channels);
    if (!group)
      return std::nullopt;
    return HeadSplit{channels, *group};
  }

  /// Bytes per element of the scan's (or its backward's) input.
  template <typename ScanLikeOp> static int64_t elementBytes(ScanLikeOp scan) {
    return cast<MemRefType>(scan.getInput().getType())
               .getElementTypeBitWidth() /
           8;
  }

  /// The time lanes of a full or bands window: the option, or with -1, 32
  /// when time is the input's innermost axis (a warp reads 32 consecutive
  /// tiles), else 4, each beside 8 adjacent channels (a warp-wide access
  /// reads 4 time steps of 8 channels: whole 32-byte sectors of f32;
  /// measured best on the H200 for one warp among 4, 8 and 16,
  /// docs/benchmarks.md), or 1 when several warps share the sequence.
  template <typename ScanLikeOp>
  FailureOr<int64_t> timeLanesFor(ScanLikeOp scan, const LayoutAxes &axes) {
    int64_t lanes = timeLanes;
    if (lanes == -1)
      lanes = timeInnermost(axes) || axes.channel < 0
                  ? 32
                  : (timeWarpsFor(scan, axes) > 1 ? 1 : 4);
    if (lanes < 1 || lanes > 32 || !llvm::isPowerOf2_64(lanes))
      return scan.emitOpError()
             << "swr-tile-blocks: time-lanes must be -1 or a power of 2 "
                "in [1, 32], got "
             << lanes;
    if (lanes < 32 && lanes > 1 && axes.channel < 0)
      return scan.emitOpError()
             << "swr-tile-blocks: time-lanes=" << lanes
             << " leaves lanes for adjacent channels, but this layout has no "
                "channel axis; use 32";
    return lanes;
  }

  /// The channels one thread solves together: for per-head decays the
  /// option, or with -1 (per-channel decays: only with -1, and 1 with
  /// fused regions, which see per-head decays only):
  /// - for bands<k> windows in time chunks over a contiguous channel axis
  ///   with a static channel dimension, the largest power of 2 dividing it
  ///   that keeps the input-shaped tiles a thread holds (input, extra
  ///   operands and per-channel decays) at 8 channels or fewer: each step
  ///   of a tile is then one vector access, and registers do not spill.
  ///   Measured on the H200 at B8 T8192 H128 D16 bf16: the scan with
  ///   1/2/4/8/16 channels 54/78/75/80/6% of copy; the fused Phalanx
  ///   mixing (three tiles) 1/2/4/8 channels 0.646/0.480/0.479/0.813 ms
  ///   (8: 255 registers and spills);
  /// - for full windows of 2-byte elements shared by the warps of a CTA
  ///   over a contiguous channel axis (halfWordsSharedByWarps), 2: each lane's
  ///   step one 4-byte access, a warp's 128 contiguous bytes. Measured at
  ///   B8 C1536 T4096 bf16 per-channel with 32-step tiles 70.1% of copy
  ///   against 58.5% with one channel (16-step tiles: 50.5 against
  ///   39.8%); a dynamic channel dimension's last block is masked;
  /// - else 1 (f32 full windows: fewer threads per sequence measured
  ///   slower).
  int64_t channelTileFor(ScanOp scan, const LayoutAxes &axes, bool chunked) {
    bool perHead = scan.getSharing() == DecaySharing::per_head;
    if (axes.channel < 0 || (!perHead && scan.hasFusedRegions()))
      return 1;
    if (channelTile != -1)
      return perHead ? int64_t(channelTile) : 1;
    if (halfWordsSharedByWarps(scan, axes))
      return 2;
    int64_t headDim = channelAxisSize(scan.getInput(), axes);
    if (!chunked || !channelsContiguous(axes) || ShapedType::isDynamic(headDim))
      return 1;
    int64_t tiles = 1 + scan.getExtraInputs().size() + (perHead ? 0 : 1);
    int64_t tile = 1;
    while (2 * tile * tiles <= 8 && headDim % (2 * tile) == 0)
      tile *= 2;
    return tile;
  }

  /// Whether a full window of 2-byte elements over a contiguous channel
  /// axis is shared by several warps whose lanes take adjacent channels
  /// (time lanes 1 by default; named time lanes below 32 leave 32 / lanes
  /// lanes for channels, e.g. 2: 32-channel CTAs, twice as many as 64-channel
  /// ones, for a batch whose CTAs would fill the SMs unevenly): such a
  /// kernel is bound by the loads its few warps keep in flight, so it takes
  /// more channels per lane and longer tiles. Not with grid carries, whose
  /// work items were measured with 16-step tiles, nor with fused regions
  /// (not measured; they keep one channel and 16 steps).
  template <typename ScanLikeOp>
  bool halfWordsSharedByWarps(ScanLikeOp scan, const LayoutAxes &axes) {
    return gridCarries == 0 && !scan.hasFusedRegions() &&
           scan.getWindow().isFull() && channelsContiguous(axes) &&
           elementBytes(scan) == 2 && (timeLanes == -1 || timeLanes < 32) &&
           timeWarpsFor(scan, axes) > 1;
  }

  /// The warps of a CTA that share a full window's sequence: the option,
  /// or with -1, when the time lanes are left to the pass too, 4 over
  /// token-major layouts (each warp's 32 lanes then take 32 adjacent
  /// channels; measured on the H200 at B8 C1536 T4096 f32 95.9% of copy
  /// against 81.4% with 4 time lanes x 8 channels on one warp, bf16 39.4%
  /// against 33.8%) and 4 for f32 over a time-innermost axis without fused
  /// regions or grid carries (each warp's 32 time lanes on 4-step tiles, a
  /// CTA 512 steps of one channel per iteration: B8 C1536 [B,C,T] f32 97.3
  /// / 96.4 / 95.7% of copy at T 4096 / 16384 / 65536 against 94.3 / 94.4 /
  /// 93.6% on one warp; 2-byte elements keep one warp, 4 measured slower),
  /// else 1 (named time lanes keep one warp, so time-lanes=1 stays a thread
  /// per sequence).
  template <typename ScanLikeOp>
  int64_t timeWarpsFor(ScanLikeOp scan, const LayoutAxes &axes) {
    if (timeWarps != -1)
      return timeWarps;
    if (timeLanes != -1 || !scan.getWindow().isFull())
      return 1;
    bool tokenMajor = !timeInnermost(axes) && axes.channel >= 0;
    bool wordsOverTime = timeInnermost(axes) && elementBytes(scan) == 4 &&
                         !scan.hasFusedRegions() && gridCarries == 0;
    return tokenMajor || wordsOverTime ? 4 : 1;
  }

  /// The tile of a full window: `full-block`, or with -1, on time lanes
  /// over a time-innermost axis 16 bytes of f32 (4 steps; 32 lanes x 16 B
  /// per access, measured 95% of copy against 83% with 16 steps) and 32
  /// steps for a prefetched forward of 2-byte elements with per-channel
  /// decays (64 bytes per lane and operand in flight instead of 32: 164
  /// registers, 3 CTAs per SM; measured on the H200 at B8 C1536 T16384
  /// bf16 97.5% of copy against 95.7% with 16 steps), 32 steps
  /// for 2-byte elements shared by warps over a contiguous channel axis
  /// (twice the loads in flight per iteration; measured at B8 C1536 T4096
  /// bf16 per-channel 58.5% of copy against 39.8% with 16 steps, f32 90.6%
  /// against 94.8%, so f32 keeps 16) or 64 steps for those with per-head
  /// decays (69.6 / 68.7 / 64.9% of copy at T4096 / 16384 / 65536 against
  /// 64.3 / 63.0 / 62.3% with 32), and `block` otherwise (16 bf16 steps
  /// over time measured best: 94%); 0: `block`.
  template <typename ScanLikeOp>
  int64_t fullTileSteps(ScanLikeOp scan, const LayoutAxes &axes,
                        int64_t lanes) {
    if (fullBlock > 0)
      return fullBlock;
    if (fullBlock == -1 && lanes == 32 && timeInnermost(axes) &&
        elementBytes(scan) == 4)
      return std::min<int64_t>(block, 4);
    if constexpr (std::is_same_v<ScanLikeOp, ScanOp>) {
      if (fullBlock == -1 && lanes == 32 && timeInnermost(axes) &&
          prefetchFor(scan, axes))
        return std::max<int64_t>(block, 32);
    }
    if (fullBlock == -1 && halfWordsSharedByWarps(scan, axes))
      return scan.getSharing() == DecaySharing::per_head ? 64 : 32;
    return block;
  }

  /// With the option on, whether the lanes over channels of a work item can
  /// lie past a static channel axis (its size not a multiple of their
  /// channels): a head of 48 channels on 32 lanes of 2 channels leaves
  /// lanes 24..31 with no channel. A dynamic axis is not marked. Off by
  /// default until measured on a GPU (the 48-channel heads that would even
  /// out the SMs at B8 C1536 [B,T,C] bf16: docs/benchmarks.md session 25).
  bool channelsOverhang(ScanOp scan, const ScanTiling &tiling) {
    if (overhang != 1 || !tiling.hasChannelAxis() || tiling.laneChannels() == 1)
      return false;
    int64_t size = channelAxisSize(scan.getInput(), tiling.axes);
    return !ShapedType::isDynamic(size) && size % tiling.itemChannels() != 0;
  }

  /// Whether tiles dealt to lanes or warps are read one iteration ahead:
  /// the option, or with -1 for full windows with per-channel decays and
  /// no fused regions, of 2-byte elements, or of 4-byte ones over a
  /// time-innermost axis (measured on the H200 at B8 C1536 bf16: [B,C,T]
  /// 93.6% of copy against 91.1%, [B,T,C] 72.5% against 69.2% at T16384,
  /// 70.0 / 69.9% at T4096; [B,C,T] f32 on its 4-step tiles 99.5 / 97.7 /
  /// 96.9% against 96.8 / 96.4 / 95.6% at T4096 / 16384 / 65536; per-head
  /// decays 62.3% against 64.0%, f32 [B,T,C] 94.6% against 95.8%).
  bool prefetchFor(ScanOp scan, const LayoutAxes &axes) {
    if (prefetch != -1)
      return prefetch == 1;
    return scan.getWindow().isFull() &&
           (elementBytes(scan) == 2 ||
            (elementBytes(scan) == 4 && timeInnermost(axes))) &&
           scan.getSharing() == DecaySharing::per_channel &&
           !scan.hasFusedRegions();
  }

  /// How many iterations ahead the tiles dealt to lanes or warps are
  /// prefetched into L2: the option, or with -1 one for 2-byte elements
  /// with per-channel decays shared by warps over bthd (measured on the
  /// H200 at B8 C1536 T16384 bf16: 75.8% of copy against 72.0% without,
  /// 74.9% two ahead, 59.8% four ahead), else none (per-head decays
  /// measured 59.5% against 63.3%, [B,C,T] bf16 25.4% against 96.8%).
  int64_t l2PrefetchFor(ScanOp scan, const LayoutAxes &axes) {
    if (l2Prefetch != -1)
      return l2Prefetch;
    return halfWordsSharedByWarps(scan, axes) &&
                   scan.getSharing() == DecaySharing::per_channel
               ? 1
               : 0;
  }

  /// Whether full windows on lanes or warps read their tiles again after
  /// the carry exchange: the option, or with -1 for prefetched 2-byte
  /// elements with per-channel decays shared by warps over bthd, whose
  /// 32-step tiles of 2 channels otherwise keep 128 f32 per thread across
  /// the exchange: the tile is read again from its stored-width registers
  /// (measured on the H200 at B8 C1536 T16384 bf16, static rows: 88.4% of
  /// copy against 85.6%) or from its staging slot; a second read from
  /// memory measured slower on every kernel, so -1 leaves the others
  /// alone.
  bool rereadFor(ScanOp scan, const LayoutAxes &axes) {
    if (reread == -1)
      return halfWordsSharedByWarps(scan, axes) &&
             scan.getSharing() == DecaySharing::per_channel &&
             (prefetchFor(scan, axes) || stages > 0);
    return reread == 1;
  }

  /// Slots of the ring that stages a full window's tiles through shared
  /// memory (swr.stage_tile), or 0 for none: the option where the tiles
  /// are dealt to lanes or warps of one CTA with per-channel decays, no
  /// fused regions and rows cp.async can copy (4, 8 or 16 bytes), and the
  /// ring fits the shared memory of a CTA. -1 is off: on the H200 at B8
  /// T16384 C1536 bf16 ([B,T,C], static rows) 2 slots tie the register
  /// prefetch (82.0% of copy against 82.3%), 3 slots lose (74.9%).
  FailureOr<int64_t> stagesFor(ScanOp scan, const ScanTiling &tiling) {
    if (stages == 0 || stages == -1)
      return 0;
    if (stages < 2)
      return scan.emitOpError()
             << "swr-tile-blocks: stages must be -1, 0 or >= 2, got "
             << static_cast<int64_t>(stages);
    auto copyable = [](int64_t bytes) {
      return bytes == 4 || bytes == 8 || bytes == 16;
    };
    int64_t decayBytes = decayRowBytes(tiling, scan.getDecay());
    int64_t inputBytes = inputRowBytes(tiling, scan.getInput());
    if (!tiling.window.isFull() || !tiling.sharesSequence() ||
        tiling.timeCtas > 1 || tiling.gridCarries() ||
        scan.getSharing() != DecaySharing::per_channel ||
        scan.hasFusedRegions() || !copyable(decayBytes) ||
        !copyable(inputBytes))
      return 0;
    int64_t threads = 32 * tiling.timeWarps;
    int64_t bytes = stages * tiling.steps * threads * (decayBytes + inputBytes);
    if (bytes > kMaxStagingBytes)
      return scan.emitOpError()
             << "swr-tile-blocks: stages=" << static_cast<int64_t>(stages)
             << " needs " << bytes << " bytes of shared memory per CTA ("
             << tiling.steps << " steps x " << threads << " threads x "
             << decayBytes + inputBytes << " bytes per slot), more than "
             << kMaxStagingBytes;
    return static_cast<int64_t>(stages);
  }

  /// Whether a full window's iterations become work items with carries
  /// through global memory (the option): needs tiles dealt to lanes or
  /// warps and one sequence per batch row.
  FailureOr<bool> gridCarriesFor(ScanOp scan, const ScanTiling &tiling) {
    if (gridCarries != 0 && gridCarries != 1)
      return scan.emitOpError()
             << "swr-tile-blocks: grid-carries must be 0 or 1, got "
             << static_cast<int64_t>(gridCarries);
    if (gridCarries == 0 || !tiling.window.isFull())
      return false;
    if (!tiling.sharesSequence())
      return scan.emitOpError()
             << "swr-tile-blocks: grid-carries=1 spreads the iterations of "
                "tiles dealt to lanes or warps; time-lanes and time-warps "
                "are both 1";
    if (scan.getSeqOffsets())
      return scan.emitOpError()
             << "swr-tile-blocks: grid-carries=1 does not take packed "
                "batches (seq_offsets)";
    return true;
  }

  /// The grid carries' workspace: a new last argument of the scan's
  /// function, marked `swr.workspace` (the launch supplies it, zeroed).
  static Value addWorkspaceArgument(ScanOp scan) {
    auto func = scan->getParentOfType<FunctionOpInterface>();
    Builder b(scan.getContext());
    auto type = MemRefType::get({ShapedType::kDynamic}, b.getI32Type());
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, type,
                                   b.getDictionaryAttr(b.getNamedAttr(
                                       "swr.workspace", b.getUnitAttr())),
                                   scan.getLoc())))
      return Value();
    return func.getArgument(index);
  }

  LogicalResult tile(ScanOp scan, TransferMethod transferMethod) {
    WindowAttr window = scan.getWindow();
    const LayoutAxes &axes = getLayoutAxes(scan.getLayout());
    // Time chunks need no carry between them only for bands<k> windows;
    // a final state would need the last chunk to run even for length 0.
    bool chunked = timeChunk > 0 && window.isBands() && !scan.getSeqOffsets() &&
                   !scan.getFinalState();
    // Time lanes for bands<k> too (instead of time chunks, which re-read
    // k-1 tiles each) when time is innermost (measured: 91.5% of copy
    // against 77%) or the option names the lanes (token-major bands keep
    // their measured chunks by default), unless a final state is asked for
    // (the last real tile's row, which padding tiles do not carry) or the
    // window reaches back further than one iteration's tiles.
    std::optional<int64_t> lanes;
    if (window.isFull() ||
        (window.isBands() && (timeInnermost(axes) || timeLanes > 1) &&
         !scan.getFinalState())) {
      FailureOr<int64_t> count = timeLanesFor(scan, axes);
      if (failed(count))
        return failure();
      if (window.isFull() || (*count > 1 && window.getSize() - 1 <= *count))
        lanes = *count;
    }
    if (lanes && window.isBands())
      chunked = false;
    ScanTiling tiling{window,
                      axes,
                      scan.getSharing() == DecaySharing::per_head,
                      scan.getReverse(),
                      window.isBands() ? window.getTile() : block,
                      channelTileFor(scan, axes, chunked),
                      transferMethod,
                      chunked ? static_cast<int64_t>(timeChunk) : 0};
    tiling.channelFastest = channelFastest && channelsContiguous(axes);
    if (lanes) {
      tiling.timeLanes = *lanes;
      if (window.isFull()) {
        tiling.steps = fullTileSteps(scan, axes, *lanes);
        tiling.timeWarps = timeWarpsFor(scan, axes);
        tiling.timeCtas = timeCtas;
      }
      tiling.prefetch = prefetchFor(scan, axes);
      tiling.reread = window.isFull() && rereadFor(scan, axes);
      tiling.l2Prefetch = l2PrefetchFor(scan, axes);
      tiling.channelOverhang = channelsOverhang(scan, tiling);
    }
    if (timeCtas > 1 && !window.isFull())
      return scan.emitOpError()
             << "swr-tile-blocks: time-ctas=" << static_cast<int64_t>(timeCtas)
             << " shares full windows among the CTAs of a cluster, got "
             << window;
    FailureOr<bool> grid = gridCarriesFor(scan, tiling);
    if (failed(grid))
      return failure();
    if (*grid && tiling.timeCtas > 1)
      return scan.emitOpError()
             << "swr-tile-blocks: time-ctas=" << tiling.timeCtas
             << " and grid-carries=1 both spread a sequence over CTAs; "
                "choose one";
    FailureOr<int64_t> staging = stagesFor(scan, tiling);
    if (failed(staging))
      return failure();
    tiling.stages = *grid ? 0 : *staging;
    if (*grid) {
      tiling.workspace = addWorkspaceArgument(scan);
      if (!tiling.workspace)
        return scan.emitOpError()
               << "swr-tile-blocks: cannot add the grid carries' workspace "
                  "argument to the enclosing function";
      tiling.prefetch = false; // one iteration per work item
    }
    ImplicitLocOpBuilder b(scan.getLoc(), scan);
    emitScanLoops(b, tiling, scan.getInput(), scan.getSeqOffsets(),
                  [&](ImplicitLocOpBuilder &body, const TileCoords &coords) {
                    emitTileLoop(body, scan, tiling, coords);
                  });
    scan.erase();
    return success();
  }
};

} // namespace
