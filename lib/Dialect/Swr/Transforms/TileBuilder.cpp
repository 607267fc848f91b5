//===- TileBuilder.cpp - building blocks of swr-tile-blocks ---------------===//

#include "TileBuilder.h"

#include "VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::swr;
using namespace mlir::swr::tiling;

namespace {

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

/// Indices of an input-shaped tensor (input, output, per-channel decay).
SmallVector<Value, 4> inputIndices(const ScanTiling &tiling,
                                   const TileCoords &coords) {
  SmallVector<Value, 4> indices;
  for (int64_t axis = 0; axis < tiling.axes.rank; ++axis)
    indices.push_back(coordOfAxis(tiling, coords, axis));
  return indices;
}

/// Indices of the state tensors ([B|N, H, D] or [B|N, C]) at `coords`.
SmallVector<Value, 4> stateIndices(const ScanTiling &tiling,
                                   const TileCoords &coords) {
  SmallVector<Value, 4> indices{coords.state};
  for (int64_t axis : ArrayRef<int64_t>(tiling.axes.state).drop_front())
    indices.push_back(coordOfAxis(tiling, coords, axis));
  return indices;
}

/// How a decay-shaped memref is indexed: its indices, the position of its
/// time axis, its channel axis (per-channel decays with a channel axis) and
/// the vector type a tile access moves.
struct DecayAccess {
  SmallVector<Value, 4> indices;
  int64_t timeAxis;
  IntegerAttr channelAxis;
  VectorType accessType;
};

DecayAccess decayAccess(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                        const TileCoords &coords) {
  SmallVector<int64_t, 4> kept;
  if (tiling.perHead())
    kept.assign(tiling.axes.perHeadDecay.begin(),
                tiling.axes.perHeadDecay.end());
  else
    for (int64_t axis = 0; axis < tiling.axes.rank; ++axis)
      kept.push_back(axis);
  DecayAccess access;
  for (int64_t axis : kept)
    access.indices.push_back(coordOfAxis(tiling, coords, axis));
  access.timeAxis = *positionOf(kept, tiling.axes.time);
  access.accessType = VectorType::get({tiling.steps}, b.getF32Type());
  if (!tiling.perHead() && tiling.hasChannelAxis()) {
    access.channelAxis = b.getI64IntegerAttr(tiling.axes.channel);
    access.accessType = tileType(b, tiling);
  }
  return access;
}

/// Where the tile of an input-shaped memref lies, in DecayAccess's terms
/// (steps x channels, or steps without a channel axis).
DecayAccess inputAccess(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                        const TileCoords &coords) {
  DecayAccess access;
  access.indices = inputIndices(tiling, coords);
  access.timeAxis = tiling.axes.time;
  access.accessType = VectorType::get({tiling.steps}, b.getF32Type());
  if (tiling.hasChannelAxis()) {
    access.channelAxis = b.getI64IntegerAttr(tiling.axes.channel);
    access.accessType = tileType(b, tiling);
  }
  return access;
}

UnitAttr reverseAttr(ImplicitLocOpBuilder &b, const ScanTiling &tiling) {
  return tiling.reverse ? b.getUnitAttr() : UnitAttr();
}

/// `overhang` for a tile access with a channel axis, where the tiling says
/// lanes may lie past it.
UnitAttr overhangAttr(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                      IntegerAttr channelAxis) {
  return tiling.channelOverhang && channelAxis ? b.getUnitAttr() : UnitAttr();
}

} // namespace

Value tiling::indexConst(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

VectorType tiling::tileType(ImplicitLocOpBuilder &b, const ScanTiling &tiling) {
  return VectorType::get({tiling.steps, tiling.channels}, b.getF32Type());
}

VectorType tiling::decayTileType(ImplicitLocOpBuilder &b,
                                 const ScanTiling &tiling) {
  if (tiling.perChannelBlock())
    return tileType(b, tiling);
  return VectorType::get({tiling.steps}, b.getF32Type());
}

VectorType tiling::rowType(ImplicitLocOpBuilder &b, const ScanTiling &tiling) {
  return VectorType::get({tiling.channels}, b.getF32Type());
}

Value tiling::readDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                         const TileCoords &coords, Value decay,
                         Value position) {
  DecayAccess access = decayAccess(b, tiling, coords);
  Value decays = ReadTileOp::create(
      b, access.accessType, decay, access.indices, position, coords.length,
      b.getI64IntegerAttr(access.timeAxis), access.channelAxis,
      reverseAttr(b, tiling), b.getF32FloatAttr(1.0f),
      overhangAttr(b, tiling, access.channelAxis));
  VectorType type = decayTileType(b, tiling);
  if (access.accessType != type)
    decays = vector::ShapeCastOp::create(b, type, decays);
  return decays;
}

void tiling::writeDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                         const TileCoords &coords, Value dest, Value position,
                         Value values) {
  DecayAccess access = decayAccess(b, tiling, coords);
  if (values.getType() != access.accessType)
    values = vector::ShapeCastOp::create(b, access.accessType, values);
  WriteTileOp::create(b, values, dest, access.indices, position, coords.length,
                      b.getI64IntegerAttr(access.timeAxis), access.channelAxis,
                      reverseAttr(b, tiling),
                      overhangAttr(b, tiling, access.channelAxis));
}

Value tiling::readInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                         const TileCoords &coords, Value source,
                         Value position) {
  VectorType type = tileType(b, tiling);
  DecayAccess access = inputAccess(b, tiling, coords);
  Value tile = ReadTileOp::create(
      b, access.accessType, source, access.indices, position, coords.length,
      b.getI64IntegerAttr(access.timeAxis), access.channelAxis,
      reverseAttr(b, tiling), b.getF32FloatAttr(0.0f),
      overhangAttr(b, tiling, access.channelAxis));
  if (access.accessType != type)
    tile = vector::ShapeCastOp::create(b, type, tile);
  return tile;
}

namespace {

int64_t accessChannels(VectorType accessType) {
  return accessType.getRank() == 2 ? accessType.getDimSize(1) : 1;
}

void stageAccess(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, const DecayAccess &access,
                 Value source, Value position, Value slot, int64_t buffer) {
  StageTileOp::create(b, source, access.indices, position, coords.length,
                      b.getI64IntegerAttr(access.timeAxis), access.channelAxis,
                      reverseAttr(b, tiling), b.getI64IntegerAttr(buffer), slot,
                      b.getI64IntegerAttr(tiling.stages),
                      b.getI64IntegerAttr(tiling.steps),
                      b.getI64IntegerAttr(accessChannels(access.accessType)),
                      b.getI64IntegerAttr(tiling.laneChannels()));
}

Value readStagedAccess(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       const TileCoords &coords, const DecayAccess &access,
                       Value source, Value position, Value slot, int64_t buffer,
                       float padding, VectorType type) {
  Value tile = ReadStagedOp::create(
      b, access.accessType, b.getI64IntegerAttr(buffer), slot,
      b.getI64IntegerAttr(tiling.stages), position, coords.length,
      TypeAttr::get(cast<MemRefType>(source.getType()).getElementType()),
      b.getF32FloatAttr(padding));
  if (access.accessType != type)
    tile = vector::ShapeCastOp::create(b, type, tile);
  return tile;
}

int64_t rowBytes(Value source, int64_t channels) {
  return channels *
         cast<MemRefType>(source.getType()).getElementTypeBitWidth() / 8;
}

} // namespace

void tiling::stageDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                         const TileCoords &coords, Value decay, Value position,
                         Value slot, int64_t buffer) {
  stageAccess(b, tiling, coords, decayAccess(b, tiling, coords), decay,
              position, slot, buffer);
}

void tiling::stageInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                         const TileCoords &coords, Value source, Value position,
                         Value slot, int64_t buffer) {
  stageAccess(b, tiling, coords, inputAccess(b, tiling, coords), source,
              position, slot, buffer);
}

Value tiling::readStagedDecays(ImplicitLocOpBuilder &b,
                               const ScanTiling &tiling,
                               const TileCoords &coords, Value decay,
                               Value position, Value slot, int64_t buffer) {
  return readStagedAccess(b, tiling, coords, decayAccess(b, tiling, coords),
                          decay, position, slot, buffer, 1.0f,
                          decayTileType(b, tiling));
}

Value tiling::readStagedInputs(ImplicitLocOpBuilder &b,
                               const ScanTiling &tiling,
                               const TileCoords &coords, Value source,
                               Value position, Value slot, int64_t buffer) {
  return readStagedAccess(b, tiling, coords, inputAccess(b, tiling, coords),
                          source, position, slot, buffer, 0.0f,
                          tileType(b, tiling));
}

int64_t tiling::decayRowBytes(const ScanTiling &tiling, Value decay) {
  bool perChannel = !tiling.perHead() && tiling.hasChannelAxis();
  return rowBytes(decay, perChannel ? tiling.channels : 1);
}

int64_t tiling::inputRowBytes(const ScanTiling &tiling, Value input) {
  return rowBytes(input, tiling.hasChannelAxis() ? tiling.channels : 1);
}

void tiling::prefetchDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                            const TileCoords &coords, Value decay,
                            Value position) {
  DecayAccess access = decayAccess(b, tiling, coords);
  PrefetchTileOp::create(b, decay, access.indices, position, coords.length,
                         b.getI64IntegerAttr(access.timeAxis),
                         access.channelAxis, reverseAttr(b, tiling),
                         b.getI64IntegerAttr(tiling.steps),
                         b.getI64IntegerAttr(tiling.laneChannels()));
}

void tiling::prefetchInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                            const TileCoords &coords, Value source,
                            Value position) {
  DecayAccess access = inputAccess(b, tiling, coords);
  PrefetchTileOp::create(b, source, access.indices, position, coords.length,
                         b.getI64IntegerAttr(access.timeAxis),
                         access.channelAxis, reverseAttr(b, tiling),
                         b.getI64IntegerAttr(tiling.steps),
                         b.getI64IntegerAttr(tiling.laneChannels()));
}

void tiling::writeOutputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                          const TileCoords &coords, Value dest, Value position,
                          Value tile) {
  IntegerAttr channelAxis;
  if (tiling.hasChannelAxis())
    channelAxis = b.getI64IntegerAttr(tiling.axes.channel);
  else
    tile = vector::ShapeCastOp::create(
        b, VectorType::get({tiling.steps}, b.getF32Type()), tile);
  WriteTileOp::create(b, tile, dest, inputIndices(tiling, coords), position,
                      coords.length, b.getI64IntegerAttr(tiling.axes.time),
                      channelAxis, reverseAttr(b, tiling),
                      overhangAttr(b, tiling, channelAxis));
}

Value tiling::readState(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                        const TileCoords &coords, Value source) {
  Type elementType = cast<MemRefType>(source.getType()).getElementType();
  Value zero = arith::ConstantOp::create(b, b.getZeroAttr(elementType));
  auto type = VectorType::get({tiling.channels}, elementType);
  Value state = vector::TransferReadOp::create(b, type, source,
                                               stateIndices(tiling, coords),
                                               zero, ArrayRef<bool>{false});
  if (!elementType.isF32())
    state = arith::ExtFOp::create(b, rowType(b, tiling), state);
  return state;
}

void tiling::writeState(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                        const TileCoords &coords, Value dest, Value state) {
  Type elementType = cast<MemRefType>(dest.getType()).getElementType();
  if (!elementType.isF32())
    state = arith::TruncFOp::create(
        b, VectorType::get({tiling.channels}, elementType), state);
  vector::TransferWriteOp::create(b, state, dest, stateIndices(tiling, coords),
                                  ArrayRef<bool>{false});
}

TransferOperatorOp tiling::buildTransferOperator(ImplicitLocOpBuilder &b,
                                                 const ScanTiling &tiling,
                                                 Value decays,
                                                 std::optional<int64_t> band) {
  int64_t n = tiling.steps;
  auto injectionType = cast<VectorType>(decays.getType());
  SmallVector<int64_t> operatorShape{n, n};
  if (injectionType.getRank() == 2) // one operator per channel
    operatorShape.insert(operatorShape.begin(), injectionType.getDimSize(1));
  auto operatorType = VectorType::get(operatorShape, b.getF32Type());
  return TransferOperatorOp::create(
      b, operatorType, injectionType, decays,
      TransferMethodAttr::get(b.getContext(), tiling.method),
      band ? b.getI64IntegerAttr(*band) : IntegerAttr());
}

Value tiling::localSolve(ImplicitLocOpBuilder &b, Value transfer, Value tile,
                         bool transpose, bool warpShared) {
  return LocalSolveOp::create(b, tile.getType(), transfer, tile,
                              transpose ? b.getUnitAttr() : UnitAttr(),
                              warpShared ? b.getUnitAttr() : UnitAttr());
}

Value tiling::chunkFirstTile(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                             const TileCoords &coords) {
  if (!coords.chunk)
    return {};
  return arith::DivUIOp::create(b, coords.chunk, indexConst(b, tiling.steps));
}

Value tiling::chunkEndTile(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                           Value first, Value tiles) {
  return arith::MinUIOp::create(
      b, arith::AddIOp::create(b, first, indexConst(b, tiling.chunkTiles)),
      tiles);
}

Value tiling::tileIterations(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                             const TileCoords &coords, Value tiles) {
  if (!coords.timeLane)
    return tiles;
  return arith::CeilDivUIOp::create(b, tiles,
                                    indexConst(b, tiling.tilesPerIteration()));
}

Value tiling::iterationPosition(ImplicitLocOpBuilder &b,
                                const ScanTiling &tiling,
                                const TileCoords &coords, Value steps,
                                Value iteration) {
  Value tile = iteration;
  if (coords.timeLane)
    tile = arith::AddIOp::create(
        b,
        arith::MulIOp::create(b, iteration,
                              indexConst(b, tiling.tilesPerIteration())),
        coords.timeLane);
  return arith::MulIOp::create(b, tile, steps);
}

Value tiling::lastTimeLane(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                           const TileCoords &coords) {
  if (!coords.timeLane)
    return Value();
  return arith::CmpIOp::create(b, arith::CmpIPredicate::eq, coords.timeLane,
                               indexConst(b, tiling.tilesPerIteration() - 1));
}

void tiling::emitIf(ImplicitLocOpBuilder &b, Value condition,
                    llvm::function_ref<void(ImplicitLocOpBuilder &)> body) {
  if (!condition)
    return body(b);
  scf::IfOp::create(b, condition, [&](OpBuilder &then, Location loc) {
    ImplicitLocOpBuilder inner(loc, then);
    body(inner);
    scf::YieldOp::create(inner);
  });
}

Value tiling::carryExchange(ImplicitLocOpBuilder &b, Value decay,
                            Value terminal, Value init, WindowAttr window,
                            int64_t timeLanes, int64_t timeWarps,
                            int64_t timeCtas, const GridPlacement &grid) {
  MLIRContext *context = b.getContext();
  if (timeLanes == 1 && timeWarps == 1 && timeCtas == 1 && !grid.workspace)
    return CarryExchangeOp::create(
        b, terminal.getType(), decay, terminal, init, Value(), Value(), Value(),
        Value(), window, CarryLevelAttr::get(context, CarryLevel::serial),
        IntegerAttr(), IntegerAttr(), IntegerAttr(), IntegerAttr());
  CarryLevel level = grid.workspace  ? CarryLevel::grid
                     : timeCtas > 1  ? CarryLevel::cluster
                     : timeWarps > 1 ? CarryLevel::cta
                                     : CarryLevel::warp;
  return CarryExchangeOp::create(
      b, terminal.getType(), decay, terminal, init, grid.workspace, grid.slot,
      grid.slots, grid.chunk, window, CarryLevelAttr::get(context, level),
      b.getI64IntegerAttr(timeLanes), b.getI64IntegerAttr(32 / timeLanes),
      level == CarryLevel::warp ? IntegerAttr()
                                : b.getI64IntegerAttr(timeWarps),
      level == CarryLevel::cluster ? b.getI64IntegerAttr(timeCtas)
                                   : IntegerAttr());
}

/// Every upper bound is a dimension of a function argument, so a launch can
/// size its grid from the shapes. A packed batch iterates over all offsets
/// and skips the last, which closes the last sequence.
void tiling::emitScanLoops(
    ImplicitLocOpBuilder &b, const ScanTiling &tiling, Value input,
    Value offsets,
    llvm::function_ref<void(ImplicitLocOpBuilder &, const TileCoords &)> body) {
  Value zero = indexConst(b, 0);
  Value one = indexConst(b, 1);
  Value outer = offsets ? memref::DimOp::create(b, offsets, 0)
                        : memref::DimOp::create(b, input, tiling.axes.batch);
  Value length = memref::DimOp::create(b, input, tiling.axes.time);
  SmallVector<Value> upper, steps;
  bool parallelChannels =
      tiling.hasChannelAxis() && !tiling.channelBlocksInside;
  // After the outer dimension: heads, channel blocks and time chunks. The
  // channel blocks come last when they must vary fastest; then, when time
  // lies outside the heads in memory (bthd), so do the time chunks, so that
  // the threads of a block read whole rows of one time step. Grid carries
  // put the chunks before the outer dimension (below).
  int64_t headDim = -1, channelDim = -1, chunkDim = -1;
  auto addHeads = [&] {
    headDim = upper.size();
    upper.push_back(memref::DimOp::create(b, input, tiling.axes.head));
    steps.push_back(one);
  };
  auto addChannels = [&] {
    channelDim = upper.size();
    upper.push_back(memref::DimOp::create(b, input, tiling.axes.channel));
    steps.push_back(indexConst(b, tiling.itemChannels()));
  };
  int64_t chunkSteps = tiling.chunkSteps();
  auto addChunks = [&] {
    chunkDim = upper.size();
    upper.push_back(length);
    steps.push_back(indexConst(b, chunkSteps));
  };
  // Grid carries: the chunks outermost, so that the work items in flight
  // at once (numbered in this order) hold few chunks of each sequence and
  // a look-back finds a finished chunk one or two steps back.
  int64_t batchDim = tiling.gridCarries() ? 1 : 0;
  if (tiling.gridCarries())
    addChunks();
  upper.push_back(outer);
  steps.push_back(one);
  bool chunksOutsideHeads = !tiling.gridCarries() && tiling.channelFastest &&
                            chunkSteps > 0 &&
                            tiling.axes.time < tiling.axes.head;
  if (chunksOutsideHeads)
    addChunks();
  addHeads();
  if (parallelChannels && !tiling.channelFastest)
    addChannels();
  if (chunkSteps > 0 && !chunksOutsideHeads && !tiling.gridCarries())
    addChunks();
  if (parallelChannels && tiling.channelFastest)
    addChannels();
  if (tiling.sharesSequence()) {
    upper.push_back(indexConst(b, 32 * tiling.sequenceWarps()));
    steps.push_back(one);
  }
  // Grid carries: the work item's slot in the workspace, its chunk after
  // those of the same sequence and channel block before it.
  int64_t itemDims = upper.size() - (tiling.sharesSequence() ? 1 : 0);
  SmallVector<Value> trips;
  Value slots = one;
  if (tiling.gridCarries())
    for (int64_t d = 0; d < itemDims; ++d) {
      trips.push_back(arith::CeilDivUIOp::create(b, upper[d], steps[d]));
      slots = arith::MulIOp::create(b, slots, trips.back());
    }
  auto slotOf = [&](ImplicitLocOpBuilder &at, ValueRange ivs) -> Value {
    auto index = [&](int64_t d) -> Value {
      return arith::DivUIOp::create(at, ivs[d], steps[d]);
    };
    Value column = zero;
    for (int64_t d = 0; d < itemDims; ++d)
      if (d != chunkDim)
        column = arith::AddIOp::create(
            at, arith::MulIOp::create(at, column, trips[d]), index(d));
    Value chunk = index(chunkDim);
    Value before = arith::MulIOp::create(at, column, trips[chunkDim]);
    return arith::AddIOp::create(at, before, chunk);
  };
  SmallVector<Value> lower(upper.size(), zero);
  auto parallel = scf::ParallelOp::create(
      b, lower, upper, steps,
      [&](OpBuilder &nested, Location loc, ValueRange ivs) {
        ImplicitLocOpBuilder inside(loc, nested);
        TileCoords coords;
        coords.head = ivs[headDim];
        coords.channel = channelDim >= 0 ? ivs[channelDim] : Value();
        coords.chunk = chunkDim >= 0 ? ivs[chunkDim] : Value();
        if (tiling.sharesSequence()) {
          // Lane l of the work item: in warp w = l / 32 (of the CTA, or
          // of the cluster: CTA rank * timeWarps + warp), time lane
          // w * timeLanes + (l mod 32) / width, beside channel block
          // (l mod 32) mod width.
          Value lane = ivs.back();
          Value width = indexConst(inside, tiling.laneChannels());
          if (tiling.sequenceWarps() > 1) {
            Value warpSize = indexConst(inside, 32);
            Value firstTimeLane = arith::MulIOp::create(
                inside, arith::DivUIOp::create(inside, lane, warpSize),
                indexConst(inside, tiling.timeLanes));
            lane = arith::RemUIOp::create(inside, lane, warpSize);
            coords.timeLane = arith::AddIOp::create(
                inside, firstTimeLane,
                arith::DivUIOp::create(inside, lane, width));
          } else {
            coords.timeLane = arith::DivUIOp::create(inside, lane, width);
          }
          if (coords.channel)
            coords.channel = arith::AddIOp::create(
                inside, coords.channel,
                arith::MulIOp::create(
                    inside, arith::RemUIOp::create(inside, lane, width),
                    indexConst(inside, tiling.channels)));
        }
        if (tiling.gridCarries()) {
          coords.slot = slotOf(inside, ivs);
          coords.slots = slots;
        }
        if (!offsets) {
          coords.batch = ivs[batchDim];
          coords.base = zero;
          coords.length = length;
          coords.state = ivs[batchDim];
          body(inside, coords);
          return;
        }
        Value sequence = ivs[batchDim];
        Value next = arith::AddIOp::create(inside, sequence, one);
        Value isSequence = arith::CmpIOp::create(
            inside, arith::CmpIPredicate::ult, next, outer);
        scf::IfOp::create(inside, isSequence, [&](OpBuilder &then, Location) {
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
          body(inner, coords);
          scf::YieldOp::create(inner);
        });
      });
  // The lanes of a work item span the CTAs of a cluster: swr-distribute
  // makes each CTA 32 * timeWarps threads.
  if (tiling.timeCtas > 1)
    parallel->setAttr(kClusterCtasAttrName,
                      b.getI64IntegerAttr(tiling.timeCtas));
}

/// `value` (vector<steps> or vector<steps x channels>) at `shape`: decays
/// are broadcast over the channels; a block of one channel is reshaped.
static Value atShape(ImplicitLocOpBuilder &b, Value value, VectorType shape) {
  auto type = cast<VectorType>(value.getType());
  if (type.getShape() == shape.getShape())
    return value;
  if (type.getNumElements() == shape.getNumElements())
    return vector::ShapeCastOp::create(
        b, VectorType::get(shape.getShape(), type.getElementType()), value);
  if (type.getRank() != 1 || shape.getRank() != 2)
    return {};
  Value column = vector::ShapeCastOp::create(
      b, VectorType::get({type.getDimSize(0), 1}, type.getElementType()),
      value);
  return vector::BroadcastOp::create(
      b, VectorType::get(shape.getShape(), type.getElementType()), column);
}

LoadedTile tiling::loadTile(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                            const TileCoords &coords, Value position,
                            const ScanOperandValues &operands, Region *region,
                            unsigned leading) {
  auto used = [&](unsigned index) {
    return !region || !region->front().getArgument(leading + index).use_empty();
  };
  LoadedTile loaded;
  if (used(0))
    loaded.decays = readDecays(b, tiling, coords, operands.decay, position);
  if (used(1))
    loaded.inputs = readInputs(b, tiling, coords, operands.input, position);
  for (auto [index, extra] : llvm::enumerate(operands.extras))
    loaded.extras.push_back(used(2 + index)
                                ? readInputs(b, tiling, coords, extra, position)
                                : Value());
  return loaded;
}

std::pair<Value, Value>
tiling::applyPrologue(ImplicitLocOpBuilder &b, Region &prologue,
                      const ScanTiling &tiling, const TileCoords &coords,
                      Value position, const LoadedTile &loaded) {
  if (prologue.empty())
    return {loaded.decays, loaded.inputs};
  auto decayType = VectorType::get({tiling.steps}, b.getF32Type());
  VectorType tile = tileType(b, tiling);
  Value decays = applyFusedRegion(b, prologue, loaded, {}, decayType, 0);
  Value inputs = applyFusedRegion(b, prologue, loaded, {}, tile, 1);
  Value inside = rowsInSequence(b, tiling, coords, position);
  decays = arith::SelectOp::create(b, inside, decays, splat(b, decayType, 1));
  Value insideTile = vector::BroadcastOp::create(
      b, VectorType::get(tile.getShape(), b.getI1Type()),
      vector::ShapeCastOp::create(
          b, VectorType::get({tiling.steps, 1}, b.getI1Type()), inside));
  inputs = arith::SelectOp::create(b, insideTile, inputs, splat(b, tile, 0));
  return {decays, inputs};
}

/// Clones `region`'s ops at `shape` with its arguments bound to `leading`
/// then `loaded`; returns the mapping.
static IRMapping cloneFusedRegion(ImplicitLocOpBuilder &b, Region &region,
                                  const LoadedTile &loaded,
                                  ArrayRef<Value> leading, VectorType shape) {
  Block &block = region.front();
  SmallVector<Value> arguments(leading.begin(), leading.end());
  arguments.push_back(loaded.decays);
  arguments.push_back(loaded.inputs);
  llvm::append_range(arguments, loaded.extras);
  IRMapping mapping;
  for (auto [argument, value] : llvm::zip(block.getArguments(), arguments))
    if (value)
      if (Value shaped = atShape(b, value, shape))
        mapping.map(argument, shaped);
  auto shaped = [&](Type scalar) {
    return VectorType::get(shape.getShape(), scalar);
  };
  for (Operation &op : block.without_terminator()) {
    if (!llvm::all_of(op.getOperands(),
                      [&](Value v) { return mapping.contains(v); }))
      continue;
    if (auto constant = dyn_cast<arith::ConstantOp>(op)) {
      auto splat = DenseElementsAttr::get(shaped(constant.getType()),
                                          cast<TypedAttr>(constant.getValue()));
      mapping.map(constant.getResult(), arith::ConstantOp::create(b, splat));
      continue;
    }
    Operation *clone = b.clone(op, mapping);
    for (OpResult value : clone->getResults())
      value.setType(shaped(value.getType()));
  }
  return mapping;
}

Value tiling::applyFusedRegion(ImplicitLocOpBuilder &b, Region &region,
                               const LoadedTile &loaded,
                               ArrayRef<Value> leading, VectorType shape,
                               unsigned result) {
  IRMapping mapping = cloneFusedRegion(b, region, loaded, leading, shape);
  return mapping.lookup(region.front().getTerminator()->getOperand(result));
}

SmallVector<Value> tiling::applyFusedRegionAll(ImplicitLocOpBuilder &b,
                                               Region &region,
                                               const LoadedTile &loaded,
                                               ArrayRef<Value> leading,
                                               VectorType shape) {
  IRMapping mapping = cloneFusedRegion(b, region, loaded, leading, shape);
  SmallVector<Value> results;
  for (Value value : region.front().getTerminator()->getOperands())
    results.push_back(mapping.lookup(value));
  return results;
}

Value tiling::rowsInSequence(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                             const TileCoords &coords, Value position) {
  auto indexType = VectorType::get({tiling.steps}, b.getIndexType());
  Value rows = vector::StepOp::create(b, indexType);
  Value steps = arith::AddIOp::create(
      b, rows, vector::BroadcastOp::create(b, indexType, position));
  Value length = vector::BroadcastOp::create(b, indexType, coords.length);
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, steps, length);
}

//===----------------------------------------------------------------------===//
// Row arithmetic on tiles
//===----------------------------------------------------------------------===//

Value tiling::scaleRow(ImplicitLocOpBuilder &b, Value row, Value factor) {
  Value splatFactor = vector::BroadcastOp::create(b, row.getType(), factor);
  return arith::MulFOp::create(b, row, splatFactor);
}

Value tiling::scaleRows(ImplicitLocOpBuilder &b, Value tile, Value factors) {
  auto type = cast<VectorType>(tile.getType());
  if (type.getRank() == 1)
    return arith::MulFOp::create(b, tile, factors);
  auto transposed = VectorType::get({type.getDimSize(1), type.getDimSize(0)},
                                    type.getElementType());
  Value columns = vector::BroadcastOp::create(b, transposed, factors);
  Value rows = vector::TransposeOp::create(b, columns, ArrayRef<int64_t>{1, 0});
  return arith::MulFOp::create(b, tile, rows);
}

Value tiling::shiftDown(ImplicitLocOpBuilder &b, Value rows, Value first) {
  auto type = cast<VectorType>(rows.getType());
  int64_t n = type.getDimSize(0);
  Value filler = vector::BroadcastOp::create(b, type, first);
  SmallVector<int64_t> mask{0};
  for (int64_t i = 0; i + 1 < n; ++i)
    mask.push_back(n + i);
  return vector::ShuffleOp::create(b, filler, rows, mask);
}

Value tiling::shiftUp(ImplicitLocOpBuilder &b, Value rows, Value last) {
  auto type = cast<VectorType>(rows.getType());
  int64_t n = type.getDimSize(0);
  Value filler = vector::BroadcastOp::create(b, type, last);
  SmallVector<int64_t> mask;
  for (int64_t i = 1; i < n; ++i)
    mask.push_back(i);
  mask.push_back(n);
  return vector::ShuffleOp::create(b, rows, filler, mask);
}

Value tiling::suffixProducts(ImplicitLocOpBuilder &b, Value decays) {
  int64_t n = cast<VectorType>(decays.getType()).getDimSize(0);
  SmallVector<Value> products(n);
  Value running = f32Const(b, 1.0f);
  products[n - 1] = running;
  for (int64_t i = n - 2; i >= 0; --i) {
    running = arith::MulFOp::create(
        b, running, vector::ExtractOp::create(b, decays, i + 1));
    products[i] = running;
  }
  return vector::FromElementsOp::create(b, decays.getType(), products);
}

Value tiling::sumOverChannels(ImplicitLocOpBuilder &b, Value tile) {
  auto type = cast<VectorType>(tile.getType());
  int64_t n = type.getDimSize(0), m = type.getDimSize(1);
  auto resultType = VectorType::get({n}, b.getF32Type());
  if (m == 1)
    return vector::ShapeCastOp::create(b, resultType, tile);
  Value columns = vector::TransposeOp::create(b, tile, ArrayRef<int64_t>{1, 0});
  Value sum = vector::ExtractOp::create(b, columns, 0);
  for (int64_t c = 1; c < m; ++c)
    sum =
        arith::AddFOp::create(b, sum, vector::ExtractOp::create(b, columns, c));
  return sum;
}

Value tiling::reduceDecayGradient(ImplicitLocOpBuilder &b,
                                  const HeadReduction &head, Value gradient) {
  Value sum = sumOverChannels(b, gradient);
  if (head.kind == HeadReduction::Lanes && head.group > 1)
    sum = ChannelSumOp::create(b, sum.getType(), sum,
                               b.getI64IntegerAttr(head.group));
  return sum;
}

void tiling::writeDecayGradient(ImplicitLocOpBuilder &b,
                                const ScanTiling &tiling,
                                const TileCoords &coords, Value dest,
                                const HeadReduction &head, Value position,
                                Value sum) {
  switch (head.kind) {
  case HeadReduction::None:
    return writeDecays(b, tiling, coords, dest, position, sum);
  case HeadReduction::InIteration: {
    auto total = scf::IfOp::create(
        b, head.firstBlock,
        [&](OpBuilder &then, Location loc) {
          scf::YieldOp::create(then, loc, sum);
        },
        [&](OpBuilder &otherwise, Location loc) {
          ImplicitLocOpBuilder inner(loc, otherwise);
          Value earlier = readDecays(inner, tiling, coords, dest, position);
          scf::YieldOp::create(
              inner, ValueRange{arith::AddFOp::create(inner, earlier, sum)});
        });
    return writeDecays(b, tiling, coords, dest, position, total.getResult(0));
  }
  case HeadReduction::Lanes: {
    Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                        coords.channel, indexConst(b, 0));
    return emitIf(b, first, [&](ImplicitLocOpBuilder &inner) {
      writeDecays(inner, tiling, coords, dest, position, sum);
    });
  }
  }
}
