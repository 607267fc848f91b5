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
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrLayout.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::swr {
#define GEN_PASS_DEF_SWRTILEBLOCKS
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;
using namespace mlir::swr;

namespace {

/// Loop indices of the current (sequence, head, channel block).
struct TileCoords {
  Value batch;   // batch index into input/output/decay
  Value head;    // head (bhdl, bthd) or channel (bct) index
  Value channel; // first channel of the block; null without a channel axis
  Value base;    // time index where the sequence starts
  Value length;  // steps in the sequence
  Value state;   // index into dimension 0 of init/final
  Value chunk;   // first time step of this chunk; null when not chunked
};

/// How one scan is tiled.
struct ScanTiling {
  mutable ScanOp scan; // op accessors are not const
  const LayoutAxes &axes;
  int64_t steps;    // time steps per tile
  int64_t channels; // channels per tile
  TransferMethod method;
  int64_t chunkTiles; // tiles per time chunk; 0: one chunk per sequence

  bool hasChannelAxis() const { return axes.channel >= 0; }
  bool perHead() const { return scan.getSharing() == DecaySharing::per_head; }
};

Value indexConst(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

/// The coordinate of input axis `axis` at `coords`.
Value coordOfAxis(const ScanTiling &tiling, const TileCoords &coords,
                  int64_t axis) {
  const LayoutAxes &axes = tiling.axes;
  if (axis == axes.batch)
    return coords.batch;
  if (axis == axes.head)
    return coords.head;
  if (axis == axes.channel)
    return coords.channel;
  return coords.base;
}

/// Position of input axis `axis` among `kept`, or nullopt.
std::optional<int64_t> positionOf(ArrayRef<int64_t> kept, int64_t axis) {
  for (auto [pos, keptAxis] : llvm::enumerate(kept))
    if (keptAxis == axis)
      return pos;
  return std::nullopt;
}

/// Reads the decays of the tile at `position` as vector<steps x f32>: one per
/// head (shared by the channel block) or one per channel (a block of one).
Value readDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value position) {
  SmallVector<int64_t, 4> kept;
  if (tiling.perHead())
    kept.assign(tiling.axes.perHeadDecay.begin(),
                tiling.axes.perHeadDecay.end());
  else
    for (int64_t axis = 0; axis < tiling.axes.rank; ++axis)
      kept.push_back(axis);
  SmallVector<Value, 4> indices;
  for (int64_t axis : kept)
    indices.push_back(coordOfAxis(tiling, coords, axis));

  IntegerAttr channelAxis;
  VectorType type = VectorType::get({tiling.steps}, b.getF32Type());
  VectorType readType = type;
  if (!tiling.perHead() && tiling.hasChannelAxis()) {
    channelAxis = b.getI64IntegerAttr(tiling.axes.channel);
    readType = VectorType::get({tiling.steps, 1}, b.getF32Type());
  }
  int64_t timeAxis = *positionOf(kept, tiling.axes.time);
  Value decays = ReadTileOp::create(
      b, readType, tiling.scan.getDecay(), indices, position, coords.length,
      b.getI64IntegerAttr(timeAxis), channelAxis,
      tiling.scan.getReverse() ? b.getUnitAttr() : UnitAttr(),
      b.getF32FloatAttr(1.0f));
  if (readType != type)
    decays = vector::ShapeCastOp::create(b, type, decays);
  return decays;
}

/// Indices of an input-shaped tensor (input, output, per-channel decay).
SmallVector<Value, 4> inputIndices(const ScanTiling &tiling,
                                   const TileCoords &coords) {
  SmallVector<Value, 4> indices;
  for (int64_t axis = 0; axis < tiling.axes.rank; ++axis)
    indices.push_back(coordOfAxis(tiling, coords, axis));
  return indices;
}

VectorType tileType(ImplicitLocOpBuilder &b, const ScanTiling &tiling) {
  return VectorType::get({tiling.steps, tiling.channels}, b.getF32Type());
}

/// Reads the inputs of the tile as vector<steps x channels x f32>.
Value readInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value position) {
  VectorType type = tileType(b, tiling);
  IntegerAttr channelAxis;
  VectorType readType = VectorType::get({tiling.steps}, b.getF32Type());
  if (tiling.hasChannelAxis()) {
    channelAxis = b.getI64IntegerAttr(tiling.axes.channel);
    readType = type;
  }
  Value tile = ReadTileOp::create(
      b, readType, tiling.scan.getInput(), inputIndices(tiling, coords),
      position, coords.length, b.getI64IntegerAttr(tiling.axes.time),
      channelAxis, tiling.scan.getReverse() ? b.getUnitAttr() : UnitAttr(),
      b.getF32FloatAttr(0.0f));
  if (readType != type)
    tile = vector::ShapeCastOp::create(b, type, tile);
  return tile;
}

void writeOutputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                  const TileCoords &coords, Value position, Value tile) {
  IntegerAttr channelAxis;
  if (tiling.hasChannelAxis())
    channelAxis = b.getI64IntegerAttr(tiling.axes.channel);
  else
    tile = vector::ShapeCastOp::create(
        b, VectorType::get({tiling.steps}, b.getF32Type()), tile);
  WriteTileOp::create(b, tile, tiling.scan.getOutput(),
                      inputIndices(tiling, coords), position, coords.length,
                      b.getI64IntegerAttr(tiling.axes.time), channelAxis,
                      tiling.scan.getReverse() ? b.getUnitAttr() : UnitAttr());
}

/// Indices of the state tensors ([B|N, H, D] or [B|N, C]) at `coords`.
SmallVector<Value, 4> stateIndices(const ScanTiling &tiling,
                                   const TileCoords &coords) {
  SmallVector<Value, 4> indices{coords.state};
  for (int64_t axis : ArrayRef<int64_t>(tiling.axes.state).drop_front())
    indices.push_back(coordOfAxis(tiling, coords, axis));
  return indices;
}

/// Reads the initial state of the channel block (0 past the channel axis).
Value readInitialState(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       const TileCoords &coords) {
  Value init = tiling.scan.getInit();
  Type elementType = cast<MemRefType>(init.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(elementType));
  auto type = VectorType::get({tiling.channels}, elementType);
  Value state = vector::TransferReadOp::create(
      b, type, init, stateIndices(tiling, coords), zero, ArrayRef<bool>{false});
  if (!elementType.isF32())
    state = arith::ExtFOp::create(
        b, VectorType::get({tiling.channels}, b.getF32Type()), state);
  return state;
}

void writeFinalState(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                     const TileCoords &coords, Value state) {
  Value final = tiling.scan.getFinalState();
  Type elementType = cast<MemRefType>(final.getType()).getElementType();
  if (!elementType.isF32())
    state = arith::TruncFOp::create(
        b, VectorType::get({tiling.channels}, elementType), state);
  vector::TransferWriteOp::create(b, state, final, stateIndices(tiling, coords),
                                  ArrayRef<bool>{false});
}

/// Builds the transfer operator (and injection) of a tile's decays.
TransferOperatorOp buildTransferOperator(ImplicitLocOpBuilder &b,
                                         const ScanTiling &tiling, Value decays,
                                         std::optional<int64_t> band) {
  int64_t n = tiling.steps;
  auto operatorType = VectorType::get({n, n}, b.getF32Type());
  auto injectionType = VectorType::get({n}, b.getF32Type());
  return TransferOperatorOp::create(
      b, operatorType, injectionType, decays,
      TransferMethodAttr::get(b.getContext(), tiling.method),
      band ? b.getI64IntegerAttr(*band) : IntegerAttr());
}

Value localSolve(ImplicitLocOpBuilder &b, Value transfer, Value tile) {
  return LocalSolveOp::create(b, tile.getType(), transfer, tile);
}

/// The carries entering the tile and the tile's outputs, for full and
/// bands<k> windows: one carry per channel, a rank-1 update.
Value solveWithCarrier(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       Value decays, Value inputs, Value init) {
  auto transfer =
      buildTransferOperator(b, tiling, decays, /*band=*/std::nullopt);
  Value local = localSolve(b, transfer.getTransfer(), inputs);
  Value terminal = vector::ExtractOp::create(b, local, tiling.steps - 1);
  Value decay =
      vector::ExtractOp::create(b, transfer.getInjection(), tiling.steps - 1);
  Value carry = CarryExchangeOp::create(
      b, terminal.getType(), decay, terminal, init, tiling.scan.getWindow(),
      CarryLevelAttr::get(b.getContext(), CarryLevel::serial));
  return CarryOp::create(b, local.getType(), local, transfer.getInjection(),
                         carry);
}

/// Exact W-token windows: the operator of the tile is cut to the band
/// i - j < W, and earlier tiles contribute per output through the suffix
/// sums of their inputs' weights.
Value solveExactWindow(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       Value decays, Value inputs, Value init) {
  WindowAttr window = tiling.scan.getWindow();
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
  if (!tiling.scan.getWindow().isExact())
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
  if (!coords.chunk)
    return {indexConst(b, 0), tiles, Value()};
  Value steps = indexConst(b, tiling.steps);
  Value first = arith::DivUIOp::create(b, coords.chunk, steps);
  int64_t warmUp = tiling.scan.getWindow().getSize() - 1;
  Value begin = arith::MaxSIOp::create(
      b, arith::SubIOp::create(b, first, indexConst(b, warmUp)),
      indexConst(b, 0));
  Value end = arith::MinUIOp::create(
      b, arith::AddIOp::create(b, first, indexConst(b, tiling.chunkTiles)),
      tiles);
  return {begin, end, first};
}

void emitTileLoop(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                  const TileCoords &coords) {
  ScanOp scan = tiling.scan;
  auto rowType = VectorType::get({tiling.channels}, b.getF32Type());
  Value zeros = arith::ConstantOp::create(
      b, DenseElementsAttr::get(rowType, b.getF32FloatAttr(0.0f)));
  Value init = scan.getInit() ? readInitialState(b, tiling, coords) : Value();
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

  auto loop = scf::ForOp::create(
      b, range.begin, range.end, indexConst(b, 1), ValueRange{lastRow},
      [&](OpBuilder &nested, Location loc, Value tile, ValueRange) {
        ImplicitLocOpBuilder body(loc, nested);
        Value position = arith::MulIOp::create(body, tile, steps);
        Value decays = readDecays(body, tiling, coords, position);
        Value inputs = readInputs(body, tiling, coords, position);
        Value outputs =
            scan.getWindow().isExact()
                ? solveExactWindow(body, tiling, decays, inputs, init)
                : solveWithCarrier(body, tiling, decays, inputs, init);
        if (range.firstOwned) {
          Value owned = arith::CmpIOp::create(body, arith::CmpIPredicate::uge,
                                              tile, range.firstOwned);
          scf::IfOp::create(body, owned, [&](OpBuilder &then, Location) {
            ImplicitLocOpBuilder inner(loc, then);
            writeOutputs(inner, tiling, coords, position, outputs);
            scf::YieldOp::create(inner);
          });
        } else {
          writeOutputs(body, tiling, coords, position, outputs);
        }
        scf::YieldOp::create(
            body, lastOutput(body, tiling, coords, position, outputs));
      });
  if (scan.getFinalState())
    writeFinalState(b, tiling, coords, loop.getResult(0));
}

/// One parallel loop over (batch or packed sequence, head, channel block)
/// around the tile loop: its iterations are independent, which is what
/// swr-distribute maps onto GPU threads. Every upper bound is a dimension
/// of a function argument, so a launch can size its grid from the shapes.
/// A packed batch iterates over all offsets and skips the last, which
/// closes the last sequence.
void emitScanLoops(ImplicitLocOpBuilder &b, const ScanTiling &tiling) {
  ScanOp scan = tiling.scan;
  Value zero = indexConst(b, 0);
  Value one = indexConst(b, 1);
  Value input = scan.getInput();
  Value offsets = scan.getSeqOffsets();
  Value outer = offsets ? memref::DimOp::create(b, offsets, 0)
                        : memref::DimOp::create(b, input, tiling.axes.batch);
  Value length = memref::DimOp::create(b, input, tiling.axes.time);
  SmallVector<Value> upper{outer,
                           memref::DimOp::create(b, input, tiling.axes.head)};
  SmallVector<Value> steps{one, one};
  if (tiling.hasChannelAxis()) {
    upper.push_back(memref::DimOp::create(b, input, tiling.axes.channel));
    steps.push_back(indexConst(b, tiling.channels));
  }
  if (tiling.chunkTiles > 0) {
    upper.push_back(length);
    steps.push_back(indexConst(b, tiling.chunkTiles * tiling.steps));
  }
  SmallVector<Value> lower(upper.size(), zero);
  scf::ParallelOp::create(
      b, lower, upper, steps,
      [&](OpBuilder &nested, Location loc, ValueRange ivs) {
        ImplicitLocOpBuilder body(loc, nested);
        TileCoords coords;
        coords.head = ivs[1];
        coords.channel = tiling.hasChannelAxis() ? ivs[2] : Value();
        coords.chunk = tiling.chunkTiles > 0 ? ivs.back() : Value();
        if (!offsets) {
          coords.batch = ivs[0];
          coords.base = zero;
          coords.length = length;
          coords.state = ivs[0];
          emitTileLoop(body, tiling, coords);
          return;
        }
        Value sequence = ivs[0];
        Value next = arith::AddIOp::create(body, sequence, one);
        Value isSequence =
            arith::CmpIOp::create(body, arith::CmpIPredicate::ult, next, outer);
        scf::IfOp::create(body, isSequence, [&](OpBuilder &then, Location) {
          ImplicitLocOpBuilder inner(loc, then);
          auto load = [&](Value index) -> Value {
            Value value = memref::LoadOp::create(inner, offsets, index);
            return arith::IndexCastOp::create(inner, inner.getIndexType(),
                                              value);
          };
          Value start = load(sequence);
          Value end = load(next);
          coords.batch = zero;
          coords.base = start;
          coords.length = arith::SubIOp::create(inner, end, start);
          coords.state = sequence;
          emitTileLoop(inner, tiling, coords);
          scf::YieldOp::create(inner);
        });
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
    if (block < 1 || channelTile < 1) {
      getOperation().emitError()
          << "swr-tile-blocks: block and channel-tile must be >= 1, got "
          << static_cast<int64_t>(block) << " and "
          << static_cast<int64_t>(channelTile);
      return signalPassFailure();
    }
    SmallVector<ScanOp> scans;
    getOperation().walk([&](ScanOp scan) { scans.push_back(scan); });
    for (ScanOp scan : scans)
      tile(scan, *transferMethod);
  }

  void tile(ScanOp scan, TransferMethod transferMethod) {
    WindowAttr window = scan.getWindow();
    const LayoutAxes &axes = getLayoutAxes(scan.getLayout());
    bool blockOfChannels =
        scan.getSharing() == DecaySharing::per_head && axes.channel >= 0;
    // Time chunks need no carry between them only for bands<k> windows;
    // a final state would need the last chunk to run even for length 0.
    bool chunked = timeChunk > 0 && window.isBands() && !scan.getSeqOffsets() &&
                   !scan.getFinalState();
    ScanTiling tiling{scan,
                      axes,
                      window.isBands() ? window.getTile() : block,
                      blockOfChannels ? channelTile : int64_t(1),
                      transferMethod,
                      chunked ? static_cast<int64_t>(timeChunk) : 0};
    ImplicitLocOpBuilder b(scan.getLoc(), scan);
    emitScanLoops(b, tiling);
    scan.erase();
  }
};

} // namespace
