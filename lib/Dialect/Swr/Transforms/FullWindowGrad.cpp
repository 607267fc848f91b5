//===- FullWindowGrad.cpp - a full window's backward as a scan ------------===//
//
// For a full window the adjoint of h[t] = a[t] h[t-1] + x[t] is itself a
// linear recurrence, run backwards in time (T steps, y the forward output):
//
//   dh[t] = dy[t] + a[t+1] dh[t+1]          dh[T-1] = dy[T-1] + dh_final
//   dx[t] = dh[t]    da[t] = dh[t] y[t-1]    dh0 = a[0] dh[0]   (y[-1] = h0)
//
// In mirrored time s = T-1-t (every tile read in the forward's opposite
// direction) it is a forward scan whose decay at step s is the mirrored
// decay one step earlier, a'[s-1]. Inside a tile of mirrored decays a' the
// decays b = (1, a'[0], ..., a'[n-2]) make it the forward's B2P step:
//
//   w = L_b dy'      g = injection of b (g[0] = 1)
//   terminal = a'[n-1] w[n-1]      decay = a'[n-1] g[n-1]
//   s = carry_exchange decay, terminal, init dh_final
//   dh' = w + g (x) s
//
// so what a tile passes on is a'[n-1] dh'[n-1], which past the sequence
// (padding a' = 1, dy' = 0) is a[0] dh[0] = dh0: the scan's final state.
// Its carries are the forward's, so its tiles are dealt to time lanes and
// warps the same way (TileBlocks.cpp), where the tile-by-tile walk of
// TileScanGrad.cpp keeps one thread per sequence.
//
// With per-head decays the carries are the same (one decay per step, a
// carry per channel), and da[t] = sum over the head's channels of
// dh[t] y[t-1]: the head's channels lie on adjacent lanes of one warp,
// each lane sums its own, swr.channel_sum those of the lanes, and the
// head's first lane writes.
//
// The states y[t-1] are read as a tile of an f32 forward output, one row
// further on in mirrored time (so x is not read: 5 arrays move, not 6).
// A 2-byte y would round each of them: they are recomputed from x instead,
// y'[s] = x'[s] + a'[s] y'[s+1] being the transposed solve L_b^T with row
// n-1 seeded by a'[n-1] y'[n], the forward output just past the tile (h0
// past the sequence).
//
//===----------------------------------------------------------------------===//

#include "FullWindowGrad.h"
#include "VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::swr;
using namespace mlir::swr::tiling;

namespace {

/// `row` times the decays of one step: one per channel of a per-channel
/// block (a vector), else a scalar.
Value scaleByDecay(ImplicitLocOpBuilder &b, Value row, Value decay) {
  if (isa<VectorType>(decay.getType()))
    return arith::MulFOp::create(b, row, decay);
  return scaleRow(b, row, decay);
}

/// The forward state y'[p + n] just past the tile at mirrored `position`
/// p, the real state before the tile: the forward output there, or h0
/// past the sequence.
Value enteringState(ImplicitLocOpBuilder &b, ScanGradOp grad,
                    const ScanTiling &tiling, const TileCoords &coords,
                    Value position, Value init) {
  ScanTiling single = tiling;
  single.steps = 1;
  Value next = arith::AddIOp::create(b, position, indexConst(b, tiling.steps));
  Value row = vector::ExtractOp::create(
      b, readInputs(b, single, coords, grad.getOutput(), next), 0);
  Value inside =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ult, next, coords.length);
  return arith::SelectOp::create(b, inside, row, init);
}

/// The forward states y'[s + 1] (the real y[t-1]) of the rows of the tile
/// at mirrored `position`, read from an f32 forward output one row further
/// on, h0 from the sequence's end: a whole tile rather than one row of it
/// (a lane's single row fetches a whole sector, as much as its tile), and
/// the inputs are not read.
Value storedStates(ImplicitLocOpBuilder &b, ScanGradOp grad,
                   const ScanTiling &tiling, const TileCoords &coords,
                   Value position, Value init) {
  Value next = arith::AddIOp::create(b, position, indexConst(b, 1));
  Value rows = readInputs(b, tiling, coords, grad.getOutput(), next);
  VectorType type = tileType(b, tiling);
  // Rows below length - next lie inside the sequence (create_mask clamps a
  // negative count to none).
  Value inside = vector::CreateMaskOp::create(
      b, VectorType::get(type.getShape(), b.getI1Type()),
      ValueRange{arith::SubIOp::create(b, coords.length, next),
                 indexConst(b, tiling.channels)});
  return arith::SelectOp::create(b, inside, rows,
                                 vector::BroadcastOp::create(b, type, init));
}

/// The forward states y'[s + 1] (the real y[t-1]) of the rows of the tile
/// at mirrored `position`: from a 4-byte forward output as stored, else
/// recomputed from the tile's inputs (a 2-byte y would round each state).
Value previousStates(ImplicitLocOpBuilder &b, ScanGradOp grad,
                     const ScanTiling &tiling, const TileCoords &coords,
                     Value position, Value transfer, Value lastDecay,
                     Value init) {
  if (cast<MemRefType>(grad.getOutput().getType()).getElementType().isF32())
    return storedStates(b, grad, tiling, coords, position, init);
  int64_t last = tiling.steps - 1;
  Value inputs = readInputs(b, tiling, coords, grad.getInput(), position);
  Value entering = enteringState(b, grad, tiling, coords, position, init);
  Value seededRow =
      arith::AddFOp::create(b, vector::ExtractOp::create(b, inputs, last),
                            scaleByDecay(b, entering, lastDecay));
  Value seeded = vector::InsertOp::create(b, seededRow, inputs, last);
  Value states = localSolve(b, transfer, seeded, /*transpose=*/true);
  return shiftUp(b, states, entering);
}

} // namespace

bool tiling::isMirroredAdjoint(ScanGradOp grad) {
  return grad.getWindow().isFull() && !grad.hasFusedRegions() &&
         grad.getOutput();
}

void tiling::emitMirroredAdjointLoop(ImplicitLocOpBuilder &b, ScanGradOp grad,
                                     const ScanTiling &tiling,
                                     const TileCoords &coords,
                                     int64_t headLanes) {
  int64_t last = tiling.steps - 1;
  Value zeros = splat(b, rowType(b, tiling), 0.0f);
  Value init =
      grad.getInit() ? readState(b, tiling, coords, grad.getInit()) : zeros;
  Value gradFinal = grad.getGradFinal()
                        ? readState(b, tiling, coords, grad.getGradFinal())
                        : Value();
  Value steps = indexConst(b, tiling.steps);
  Value tiles = arith::CeilDivUIOp::create(b, coords.length, steps);
  Value iterations = tileIterations(b, tiling, coords, tiles);
  // The loop carries what the latest tile passes on: dh0 after the last.
  auto loop = scf::ForOp::create(
      b, indexConst(b, 0), iterations, indexConst(b, 1),
      ValueRange{gradFinal ? gradFinal : zeros},
      [&](OpBuilder &nested, Location loc, Value iteration, ValueRange) {
        ImplicitLocOpBuilder body(loc, nested);
        Value position =
            iterationPosition(body, tiling, coords, steps, iteration);
        Value decays =
            readDecays(body, tiling, coords, grad.getDecay(), position);
        Value shifted = shiftDown(body, decays, f32Const(body, 1.0f));
        auto transfer =
            buildTransferOperator(body, tiling, shifted, std::nullopt);
        Value gradOutput =
            readInputs(body, tiling, coords, grad.getGradOutput(), position);
        Value local = localSolve(body, transfer.getTransfer(), gradOutput);
        Value lastDecay = vector::ExtractOp::create(body, decays, last);
        Value terminal = scaleByDecay(
            body, vector::ExtractOp::create(body, local, last), lastDecay);
        Value decay = arith::MulFOp::create(
            body,
            vector::ExtractOp::create(body, transfer.getInjection(), last),
            lastDecay);
        Value carry =
            carryExchange(body, decay, terminal, gradFinal, tiling.window,
                          tiling.timeLanes, tiling.timeWarps);
        Value adjoint = CarryOp::create(body, local.getType(), local,
                                        transfer.getInjection(), carry);
        Value previous =
            previousStates(body, grad, tiling, coords, position,
                           transfer.getTransfer(), lastDecay, init);
        Value decayGradient = arith::MulFOp::create(body, adjoint, previous);
        writeOutputs(body, tiling, coords, grad.getGradInput(), position,
                     adjoint);
        // Per channel as it is; per head summed over the lane's channels,
        // then over the headLanes lanes of the head, whose first writes.
        HeadReduction head;
        if (tiling.perHead())
          head = {HeadReduction::Lanes, headLanes};
        writeDecayGradient(
            body, tiling, coords, grad.getGradDecay(), head, position,
            tiling.perHead() ? reduceDecayGradient(body, head, decayGradient)
                             : decayGradient);
        scf::YieldOp::create(
            body,
            scaleByDecay(body, vector::ExtractOp::create(body, adjoint, last),
                         lastDecay));
      });
  if (!grad.getGradInit())
    return;
  // With time lanes the last one's last tile lies at or past the sequence's
  // end, through padding that carries dh0 unchanged.
  emitIf(b, lastTimeLane(b, tiling, coords), [&](ImplicitLocOpBuilder &write) {
    writeState(write, tiling, coords, grad.getGradInit(), loop.getResult(0));
  });
}
