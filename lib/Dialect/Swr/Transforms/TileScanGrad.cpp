//===- TileScanGrad.cpp - swr.scan_grad to the Block Two-Pass form --------===//
//
// The backward of a scan walks the forward's tile grid from the last tile to
// the first (DESIGN.md 1.5). For tile tau with decays a, transfer operator L
// and injection g (g[i] = a[0]...a[i], c = g[n-1]):
//
//   adjoint:  w   = L^T dy                  (local_solve transpose)
//             h   = suffix products, h[i] = a[i+1]...a[n-1] = L[n-1][i]
//             r   = carry_exchange c, a[0] w[0]  over the tiles after tau
//             dx  = w + h (x) r               (rank-1, as in the forward)
//   decays:   da[t] = sum over kept (i, j), i >= t > j, of
//                     dy[i] T[i][t] T[t-1][j] x[j]
//
// Split by the tile of j: j inside tau gives v[t-1] dx[t] with v = L x the
// local forward solve; j in tau - m (m >= 1) gives g[t-1] P_m (w[t] +
// h[t] R_m), where P_m is tile tau-m's terminal carried to the end of tile
// tau-1 and R_m the adjoint carry from the tiles after tau that output i
// may lie in (window bands<k - m>; all of them for full windows). For a
// full window the P_m sum to the forward state y[start-1], read from the
// forward output; for bands<k> they are recomputed from the k-1 tiles
// before tau (one local solve each), so nothing but the forward inputs is
// read. The gradient of h0 (a virtual tile -1) is tile 0's outgoing
// adjoint carry a[0] (w[0] + h[0] R_1). Exact windows carry nothing
// between tiles: ExactWindowGrad.cpp computes each tile from its neighbours.
//
// Behind fused regions (swr-derive-backward's prologue, cotangent and
// pullback) a and x are the prologue of the loaded operands, wherever they
// are read; dy is the cotangent of the loaded output gradient; and what is
// written are the pullback's gradients of the loaded operands, from dx and
// the per-channel da. The regions are linear in their gradient arguments
// and keep exact zeros zero, so padding (zero gradients) stays inert.
//
//===----------------------------------------------------------------------===//

#include "ExactWindowGrad.h"
#include "FullWindowGrad.h"
#include "TileBuilder.h"

#include "VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::swr;
using namespace mlir::swr::tiling;

namespace {

/// Adds `row` to row `step` of `tile` (no row when `step` is outside it).
Value addAtRow(ImplicitLocOpBuilder &b, Value tile, Value row, Value step) {
  int64_t n = cast<VectorType>(tile.getType()).getDimSize(0);
  for (int64_t i = 0; i < n; ++i) {
    Value isRow = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, step,
                                        indexConst(b, i));
    Value current = vector::ExtractOp::create(b, tile, i);
    Value sum = arith::AddFOp::create(b, current, row);
    tile = vector::InsertOp::create(
        b, arith::SelectOp::create(b, isRow, sum, current), tile, i);
  }
  return tile;
}

/// What one backward needs at one (sequence, head, channel block).
struct GradContext {
  mutable ScanGradOp grad; // op accessors are not const
  const ScanTiling &tiling;
  const TileCoords &coords;
  Value init;      // h0 as f32 (zeros without an init)
  Value gradFinal; // the final state's gradient; null without one

  ScanOperandValues operands() const {
    return {grad.getDecay(), grad.getInput(), grad.getExtraInputs()};
  }
};

/// The forward's (a, x) of the tile at `position`, from `loaded` operands.
std::pair<Value, Value> scanTile(ImplicitLocOpBuilder &b,
                                 const GradContext &ctx, Value position,
                                 const LoadedTile &loaded) {
  return applyPrologue(b, ctx.grad.getPrologue(), ctx.tiling, ctx.coords,
                       position, loaded);
}

/// The operands the prologue reads (decay and input without one).
LoadedTile loadOperands(ImplicitLocOpBuilder &b, const GradContext &ctx,
                        Value position) {
  Region &prologue = ctx.grad.getPrologue();
  return loadTile(b, ctx.tiling, ctx.coords, position, ctx.operands(),
                  prologue.empty() ? nullptr : &prologue, 0);
}

/// The forward's x of the tile at `position`, read where it is needed (so
/// it is not held in registers across the adjoint solve).
Value forwardInputs(ImplicitLocOpBuilder &b, const GradContext &ctx,
                    Value position) {
  if (!ctx.grad.hasFusedRegions())
    return readInputs(b, ctx.tiling, ctx.coords, ctx.grad.getInput(), position);
  return scanTile(b, ctx, position, loadOperands(b, ctx, position)).second;
}

/// The forward's a of the tile at `position`.
Value forwardDecays(ImplicitLocOpBuilder &b, const GradContext &ctx,
                    Value position) {
  if (!ctx.grad.hasFusedRegions())
    return readDecays(b, ctx.tiling, ctx.coords, ctx.grad.getDecay(), position);
  return scanTile(b, ctx, position, loadOperands(b, ctx, position)).first;
}

/// The forward's (a, x) of the tile at `position`, through one prologue.
std::pair<Value, Value> forwardTile(ImplicitLocOpBuilder &b,
                                    const GradContext &ctx, Value position) {
  if (ctx.grad.hasFusedRegions())
    return scanTile(b, ctx, position, loadOperands(b, ctx, position));
  return {forwardDecays(b, ctx, position), forwardInputs(b, ctx, position)};
}

/// The forward's state y of the tile at `position`, which the cotangent
/// and pullback read (null when they do not exist).
Value forwardState(ImplicitLocOpBuilder &b, const GradContext &ctx,
                   Value position) {
  if (!ctx.grad.getOutput() || !ctx.grad.hasFusedRegions())
    return {};
  return readInputs(b, ctx.tiling, ctx.coords, ctx.grad.getOutput(), position);
}

/// The output gradient as loaded (before a cotangent).
Value loadedGradOutput(ImplicitLocOpBuilder &b, const GradContext &ctx,
                       Value position) {
  return readInputs(b, ctx.tiling, ctx.coords, ctx.grad.getGradOutput(),
                    position);
}

/// The gradient dy of the scan's output at the tile at `position`: the
/// cotangent of the loaded gradient behind an epilogue, and the final
/// state's gradient added at the last step (the final state is the output
/// there).
Value gradientOfScan(ImplicitLocOpBuilder &b, const GradContext &ctx,
                     Value position) {
  const ScanTiling &tiling = ctx.tiling;
  Value gradOutput = loadedGradOutput(b, ctx, position);
  Region &cotangent = ctx.grad.getCotangent();
  if (!cotangent.empty())
    gradOutput = applyFusedRegion(b, cotangent,
                                  loadTile(b, tiling, ctx.coords, position,
                                           ctx.operands(), &cotangent, 2),
                                  {gradOutput, forwardState(b, ctx, position)},
                                  tileType(b, tiling), 0);
  if (!ctx.gradFinal)
    return gradOutput;
  Value one = indexConst(b, 1);
  Value lastStep = arith::SubIOp::create(
      b, arith::SubIOp::create(b, ctx.coords.length, position), one);
  return addAtRow(b, gradOutput, ctx.gradFinal, lastStep);
}

/// The forward's terminal of the tile `back` tiles before `tile` (the last
/// row of its local solve, recomputed from its inputs) and that tile's
/// total decay; h0 for the virtual tile -1, and 0 before it.
std::pair<Value, Value> earlierTerminal(ImplicitLocOpBuilder &b,
                                        const GradContext &ctx, Value tile,
                                        int64_t back) {
  const ScanTiling &tiling = ctx.tiling;
  Value backConst = indexConst(b, back);
  Value exists =
      arith::CmpIOp::create(b, arith::CmpIPredicate::uge, tile, backConst);
  Value earlier = arith::SelectOp::create(
      b, exists, arith::SubIOp::create(b, tile, backConst), indexConst(b, 0));
  Value position =
      arith::MulIOp::create(b, earlier, indexConst(b, tiling.steps));
  auto [decays, inputs] =
      scanTile(b, ctx, position, loadOperands(b, ctx, position));
  auto transfer = buildTransferOperator(b, tiling, decays, std::nullopt);
  Value local = localSolve(b, transfer.getTransfer(), inputs);
  Value terminal = vector::ExtractOp::create(b, local, tiling.steps - 1);
  Value decay =
      vector::ExtractOp::create(b, transfer.getInjection(), tiling.steps - 1);
  // Tile -1 is the virtual tile whose terminal is h0.
  Value isInitial = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tile,
                                          indexConst(b, back - 1));
  Value zeros = splat(b, rowType(b, tiling), 0.0f);
  Value virtualTerminal =
      arith::SelectOp::create(b, isInitial, ctx.init, zeros);
  return {arith::SelectOp::create(b, exists, terminal, virtualTerminal),
          arith::SelectOp::create(b, exists, decay, f32Const(b, 1.0f))};
}

/// The forward output just before the tile at `position` (h0 before the
/// first tile): the state y[start-1] every output of the tile extends, for
/// full windows.
Value previousOutput(ImplicitLocOpBuilder &b, const GradContext &ctx,
                     Value position) {
  ScanTiling single = ctx.tiling;
  single.steps = 1;
  Value one = indexConst(b, 1);
  Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, position,
                                      indexConst(b, 0));
  Value before = arith::SubIOp::create(
      b, arith::SelectOp::create(b, first, one, position), one);
  Value row = readInputs(b, single, ctx.coords, ctx.grad.getOutput(), before);
  row = vector::ExtractOp::create(b, row, 0);
  return arith::SelectOp::create(b, first, ctx.init, row);
}

/// One tile of the adjoint, as the dx step left it.
struct AdjointTile {
  Value tile, position;
  Value transfer;  // L
  Value injection; // g
  Value decay;     // the tile's total decay g[n-1]
  Value local;     // w = L^T dy
  Value suffix;    // h[i] = L[n-1][i]
  Value terminal;  // a[0] w[0], what the tile passes to the one before
  Value carry;     // the adjoint carry from the tiles after
  Value dx;        // w + h (x) carry
};

/// The decay gradient of a tile and the adjoint carry the tile passes to
/// the one before it (which is dh0 after tile 0).
struct DecayGradient {
  Value tile;          // time x channels, before summing shared decays
  Value outgoingCarry; // a[0] (w[0] + h[0] R_1)
};

DecayGradient decayGradient(ImplicitLocOpBuilder &b, const GradContext &ctx,
                            const AdjointTile &t) {
  const ScanTiling &tiling = ctx.tiling;
  WindowAttr window = tiling.window;
  Value local = localSolve(b, t.transfer, forwardInputs(b, ctx, t.position));
  // Inputs of this tile before step t: v[t-1], and the weight g[t-1] with
  // which a state entering the tile reaches step t-1.
  Value localBefore = shiftDown(b, local, splat(b, rowType(b, tiling), 0.0f));
  Value injectionBefore = shiftDown(b, t.injection, f32Const(b, 1.0f));
  VectorType type = tileType(b, tiling);
  auto outer = [&](Value column, Value row) -> Value {
    return vector::OuterProductOp::create(b, type, column, row, Value(),
                                          vector::CombiningKind::ADD);
  };

  if (window.isFull()) {
    Value entering = previousOutput(b, ctx, t.position);
    Value before =
        arith::AddFOp::create(b, localBefore, outer(injectionBefore, entering));
    Value outgoing =
        arith::AddFOp::create(b, t.terminal, scaleRow(b, t.carry, t.decay));
    return {arith::MulFOp::create(b, t.dx, before), outgoing};
  }

  // bands<k>: sources in this tile, then in each of the k-1 tiles before.
  int64_t k = window.getSize();
  Value gradient = arith::MulFOp::create(b, localBefore, t.dx);
  // h0 is tile -1's terminal: bands<1> outputs never see it.
  Value outgoing = splat(b, rowType(b, tiling), 0.0f);
  Value through = f32Const(b, 1.0f); // total decay of tiles tau-m+1..tau-1
  for (int64_t m = 1; m < k; ++m) {
    auto [terminal, earlierDecay] = earlierTerminal(b, ctx, t.tile, m);
    Value entering = scaleRow(b, terminal, through);
    through = arith::MulFOp::create(b, through, earlierDecay);
    // Outputs that see tile tau-m lie at most k-1-m tiles after tau.
    Value reach = splat(b, rowType(b, tiling), 0.0f);
    if (k - m >= 2)
      reach = carryExchange(
          b, t.decay, t.terminal, Value(),
          WindowAttr::getBands(b.getContext(), k - m, window.getTile()));
    Value adjoint = arith::AddFOp::create(b, t.local, outer(t.suffix, reach));
    gradient = arith::AddFOp::create(
        b, gradient,
        arith::MulFOp::create(b, outer(injectionBefore, entering), adjoint));
    if (m == 1)
      outgoing =
          arith::AddFOp::create(b, t.terminal, scaleRow(b, reach, t.decay));
  }
  return {gradient, outgoing};
}

/// The tiles one iteration walks (last first): all of them, or for a time
/// chunk of a bands<k> window its own tiles after the k-1 tiles that follow
/// it, which only warm up the adjoint carriers (no output of a bands<k>
/// window reaches further back; the forward side reads the k-1 tiles
/// before each tile anyway).
struct AdjointRange {
  Value begin, end; // tiles [begin, end) are solved
  Value ownedEnd;   // tiles at or after it are not written; null: none
};

AdjointRange adjointRange(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                          const TileCoords &coords, Value tiles) {
  Value first = chunkFirstTile(b, tiling, coords);
  if (!first)
    return {indexConst(b, 0), tiles, Value()};
  Value ownedEnd = chunkEndTile(b, tiling, first, tiles);
  int64_t warmUp = tiling.window.getSize() - 1;
  Value end = arith::MinUIOp::create(
      b, arith::AddIOp::create(b, ownedEnd, indexConst(b, warmUp)), tiles);
  return {first, end, ownedEnd};
}

/// The gradients of one tile with a carrier window (full, bands<k>): dx
/// and da (steps x channels) and the adjoint carry to the tile before.
struct TileGradients {
  Value dx, da, outgoingCarry;
};

TileGradients carrierWindowGradients(ImplicitLocOpBuilder &b,
                                     const GradContext &ctx, Value tile,
                                     Value position, Value decays) {
  const ScanTiling &tiling = ctx.tiling;
  auto transfer = buildTransferOperator(b, tiling, decays, std::nullopt);
  Value gradOutput = gradientOfScan(b, ctx, position);
  Value adjointLocal =
      localSolve(b, transfer.getTransfer(), gradOutput, /*transpose=*/true);
  Value firstDecay = vector::ExtractOp::create(b, decays, 0);
  Value adjointTerminal =
      scaleRow(b, vector::ExtractOp::create(b, adjointLocal, 0), firstDecay);
  Value decay =
      vector::ExtractOp::create(b, transfer.getInjection(), tiling.steps - 1);
  Value adjointCarry =
      carryExchange(b, decay, adjointTerminal, Value(), tiling.window);
  Value suffix = suffixProducts(b, decays);
  Value dx = CarryOp::create(b, adjointLocal.getType(), adjointLocal, suffix,
                             adjointCarry);
  DecayGradient da = decayGradient(
      b, ctx,
      {tile, position, transfer.getTransfer(), transfer.getInjection(), decay,
       adjointLocal, suffix, adjointTerminal, adjointCarry, dx});
  return {dx, da.tile, da.outgoingCarry};
}

/// The loop over the tiles of one sequence and channel block, last first.
void emitAdjointLoop(ImplicitLocOpBuilder &b, ScanGradOp grad,
                     const ScanTiling &tiling, const TileCoords &coords,
                     const HeadReduction &head) {
  VectorType row = rowType(b, tiling);
  Value zeros = splat(b, row, 0.0f);
  Value gradFinal = grad.getGradFinal()
                        ? readState(b, tiling, coords, grad.getGradFinal())
                        : Value();
  GradContext ctx{grad, tiling, coords,
                  grad.getInit() ? readState(b, tiling, coords, grad.getInit())
                                 : zeros,
                  gradFinal};
  Value steps = indexConst(b, tiling.steps);
  Value one = indexConst(b, 1);
  Value tiles = arith::CeilDivUIOp::create(b, coords.length, steps);
  AdjointRange range = adjointRange(b, tiling, coords, tiles);
  bool fused = grad.hasFusedRegions();
  bool exact = tiling.window.isExact();
  auto readForward = [&](ImplicitLocOpBuilder &at, Value position) {
    return forwardTile(at, ctx, position);
  };
  auto readGradient = [&](ImplicitLocOpBuilder &at, Value position) {
    Value decays = forwardDecays(at, ctx, position);
    return std::make_pair(decays, gradientOfScan(at, ctx, position));
  };
  ExactWindowReads exactReads{tiling, tiles, ctx.init, readForward,
                              readGradient};
  // With no tile the final state is h0: dh0 is then the final's gradient.
  Value noTiles = gradFinal ? gradFinal : zeros;
  Value count = arith::SubIOp::create(b, range.end, range.begin);
  auto loop = scf::ForOp::create(
      b, indexConst(b, 0), count, one, ValueRange{noTiles},
      [&](OpBuilder &nested, Location loc, Value iteration,
          ValueRange carried) {
        ImplicitLocOpBuilder body(loc, nested);
        Value tile = arith::SubIOp::create(
            body, arith::SubIOp::create(body, range.end, one), iteration);
        Value position = arith::MulIOp::create(body, tile, steps);
        // Operands are read where each stage needs them (x only for the
        // decay gradient, the pullback's after the solve; again if an
        // earlier stage read them, from cache), so no tile is held in
        // registers across the adjoint solve.
        Value decays = forwardDecays(body, ctx, position);
        TileGradients gradients;
        if (exact) {
          ExactWindowAdjoint adjoint =
              exactWindowAdjoint(body, exactReads, tile, decays,
                                 forwardInputs(body, ctx, position),
                                 gradientOfScan(body, ctx, position));
          // dh0 is computed after the loop: nothing is carried.
          gradients = {adjoint.dx, adjoint.da, carried[0]};
        } else {
          gradients = carrierWindowGradients(body, ctx, tile, position, decays);
        }
        // The gradients written: of x and a, or of the loaded operands
        // through the regions.
        SmallVector<Value> written{gradients.da, gradients.dx};
        if (fused)
          written = applyFusedRegionAll(body, grad.getPullback(),
                                        loadTile(body, tiling, coords, position,
                                                 ctx.operands(),
                                                 &grad.getPullback(), 4),
                                        {gradients.dx, gradients.da,
                                         loadedGradOutput(body, ctx, position),
                                         forwardState(body, ctx, position)},
                                        tileType(body, tiling));
        Value daSum = reduceDecayGradient(body, head, written[0]);
        Value owned =
            range.ownedEnd
                ? arith::CmpIOp::create(body, arith::CmpIPredicate::ult, tile,
                                        range.ownedEnd)
                : Value();
        emitIf(body, owned, [&](ImplicitLocOpBuilder &owned) {
          writeOutputs(owned, tiling, coords, grad.getGradInput(), position,
                       written[1]);
          for (auto [dest, gradient] : llvm::zip(
                   grad.getGradExtraInputs(), ArrayRef(written).drop_front(2)))
            writeOutputs(owned, tiling, coords, dest, position, gradient);
          writeDecayGradient(owned, tiling, coords, grad.getGradDecay(), head,
                             position, daSum);
        });
        scf::YieldOp::create(body, gradients.outgoingCarry);
      });
  if (!grad.getGradInit())
    return;
  Value initGradient = loop.getResult(0);
  if (exact)
    initGradient = arith::SelectOp::create(
        b,
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, tiles,
                              indexConst(b, 0)),
        noTiles, exactWindowInitGradient(b, exactReads));
  // Only the chunk that ends at tile 0 saw dh0's whole adjoint.
  Value fromStart = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                          range.begin, indexConst(b, 0));
  emitIf(b, fromStart, [&](ImplicitLocOpBuilder &inner) {
    writeState(inner, tiling, coords, grad.getGradInit(), initGradient);
  });
}

} // namespace

/// How a per-head backward covers a head's D channels: spread over
/// `group` lanes of `channelTile` channels (lane reduction asked for and
/// headLaneGroup takes them), else walked in one iteration in blocks of D
/// (static) or 16.
HeadReduction::Kind headReductionKind(ScanGradOp grad, const LayoutAxes &axes,
                                      int64_t channelTile, bool laneReduction,
                                      int64_t &channels, int64_t &group) {
  channels = 1;
  group = 1;
  if (grad.getSharing() != DecaySharing::per_head || axes.channel < 0)
    return HeadReduction::None;
  int64_t headDim = channelAxisSize(grad.getInput(), axes);
  if (std::optional<int64_t> lanes =
          laneReduction ? headLaneGroup(headDim, channelTile) : std::nullopt) {
    if (*lanes == 1) {
      channels = headDim;
      return HeadReduction::None;
    }
    channels = channelTile;
    group = *lanes;
    return HeadReduction::Lanes;
  }
  // Adding block sums in memory rounds them to the gradient's type, so the
  // blocks are as wide as the head when it is static.
  channels = ShapedType::isDynamic(headDim) ? 16 : headDim;
  return HeadReduction::InIteration;
}

/// A full window as a scan in mirrored time, its tiles dealt to `lanes`
/// (FullWindowGrad.cpp).
static void tileMirroredAdjoint(ScanGradOp grad, TransferMethod method,
                                int64_t block, bool channelFastest,
                                const GradLanes &lanes) {
  const LayoutAxes &axes = getLayoutAxes(grad.getLayout());
  ScanTiling tiling{grad.getWindow(),
                    axes,
                    grad.getSharing() == DecaySharing::per_head,
                    /*reverse=*/!grad.getReverse(),
                    lanes.steps > 0 ? lanes.steps : block,
                    lanes.channels,
                    method,
                    /*chunkTiles=*/0};
  tiling.channelFastest =
      (channelFastest || lanes.headLanes > 1) && channelsContiguous(axes);
  tiling.timeLanes = lanes.timeLanes;
  tiling.timeWarps = lanes.timeWarps;
  ImplicitLocOpBuilder b(grad.getLoc(), grad);
  emitScanLoops(b, tiling, grad.getInput(), grad.getSeqOffsets(),
                [&](ImplicitLocOpBuilder &body, const TileCoords &coords) {
                  emitMirroredAdjointLoop(body, grad, tiling, coords,
                                          lanes.headLanes);
                });
  grad.erase();
}

void tiling::tileScanGrad(ScanGradOp grad, TransferMethod method, int64_t block,
                          int64_t channelTile, int64_t timeChunk,
                          bool laneReduction, bool channelFastest,
                          const GradLanes &lanes) {
  if (lanes.mirrored)
    return tileMirroredAdjoint(grad, method, block, channelFastest, lanes);
  WindowAttr window = grad.getWindow();
  const LayoutAxes &axes = getLayoutAxes(grad.getLayout());
  int64_t channels, group;
  HeadReduction::Kind kind = headReductionKind(grad, axes, channelTile,
                                               laneReduction, channels, group);
  bool blocksInside = kind == HeadReduction::InIteration;
  // Time chunks need no carry between them only for bands<k> windows.
  bool chunked = timeChunk > 0 && window.isBands() && !grad.getSeqOffsets();
  ScanTiling tiling{
      window,
      axes,
      grad.getSharing() == DecaySharing::per_head,
      grad.getReverse(),
      window.isBands() ? window.getTile() : block,
      channels,
      method,
      chunked ? timeChunk : 0,
      blocksInside,
      /*channelFastest=*/kind == HeadReduction::Lanes ||
          (channelFastest && !blocksInside && channelsContiguous(axes))};
  ImplicitLocOpBuilder b(grad.getLoc(), grad);
  emitScanLoops(
      b, tiling, grad.getInput(), grad.getSeqOffsets(),
      [&](ImplicitLocOpBuilder &body, const TileCoords &coords) {
        if (!blocksInside)
          return emitAdjointLoop(body, grad, tiling, coords,
                                 HeadReduction{kind, group});
        Value zero = indexConst(body, 0);
        Value headDim =
            memref::DimOp::create(body, grad.getInput(), axes.channel);
        scf::ForOp::create(
            body, zero, headDim, indexConst(body, channels), ValueRange{},
            [&](OpBuilder &nested, Location loc, Value channel, ValueRange) {
              ImplicitLocOpBuilder inner(loc, nested);
              TileCoords blockCoords = coords;
              blockCoords.channel = channel;
              Value first = arith::CmpIOp::create(
                  inner, arith::CmpIPredicate::eq, channel, zero);
              emitAdjointLoop(inner, grad, tiling, blockCoords,
                              HeadReduction{kind, 1, first});
              scf::YieldOp::create(inner);
            });
      });
  grad.erase();
}
