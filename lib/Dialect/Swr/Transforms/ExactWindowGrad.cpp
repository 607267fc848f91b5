//===- ExactWindowGrad.cpp - the backward of an exact<W> window -----------===//
//
// An exact window keeps the pairs (s, u) with u - s < W: y[u] sums
// P(s+1..u) x[s] over them (P(i..j) = a[i]...a[j]; h0 is x[-1]). So
//
//   dx[s] = sum over kept u >= s of P(s+1..u) dy[u]
//   da[t] = sum over kept pairs s < t <= u of dy[u] P(t+1..u) P(s+1..t-1) x[s]
//
// The tempting da[t] = (sum of pairs crossing t) / a[t] divides by a decay
// that may be 0, and removing a tile from a product divides too, so every
// product below is built forwards from where it starts. For tile tau
// (steps n, decays a, L its transfer operator, g[i] = a[0]..a[i], h[i] =
// a[i+1]..a[n-1]) and t = start + i:
//
//   E[j]  = later tiles' gradients in the window of source j, carried back
//           to the tile's end:  sum over u > end, u <= start+j+W-1 of
//           P(end+1..u) dy[u]
//   D[k]  = earlier tiles' inputs in the window of output k, carried to
//           the tile's start:   sum over s < start, s >= start+k-W+1 of
//           P(s+1..start-1) x[s]
//   C     = pairs that jump the whole tile: s < start, u > end, kept, of
//           P(s+1..start-1) x[s] P(end+1..u) dy[u]
//
//   dx    = L_W^T dy + h (.) E                     (L_W: L cut to i-j < W)
//   da[i] = in-tile pairs + h[i] (L (x (.) E))[i-1]
//           + g[i-1] (L^T (dy (.) D))[i] + g[i-1] h[i] C
//
// E and D take whole tiles (all of whose steps are in every window) by
// their totals and at most two partial tiles on each side by shuffles with
// static offsets; C adds tile pairs by distance, whole pairs in one Horner
// loop and partial ones in one per distance. A tile reads the tiles within
// W steps on both sides and carries nothing, so the tiles are independent.
//
//===----------------------------------------------------------------------===//

#include "ExactWindowGrad.h"

#include "VectorUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::swr;
using namespace mlir::swr::tiling;

namespace {

/// How far a window reaches on the tile grid: tiles m steps away are whole
/// inside every window of the tile for m <= wholeTiles, partly inside up
/// to m <= reachTiles (at most two more).
struct WindowReach {
  int64_t steps, width, wholeTiles, reachTiles;

  /// How many more steps than a tile distance m the window spans:
  /// W - 1 - m n. Source j of a tile m tiles before output k is inside
  /// its window iff j >= k - offset; gradient k of a tile m tiles after
  /// source j iff k <= j + offset.
  int64_t offset(int64_t m) const { return width - 1 - m * steps; }
};

WindowReach reachOf(const ScanTiling &tiling) {
  int64_t n = tiling.steps, w = tiling.window.getSize();
  return {n, w, w >= n ? (w - n) / n : 0, (w + n - 2) / n};
}

/// Running sums over the rows of `tile`: from the first row, or from the
/// last (result[j] = rows j.. n-1).
Value runningSums(ImplicitLocOpBuilder &b, Value tile, bool fromEnd) {
  int64_t n = cast<VectorType>(tile.getType()).getDimSize(0);
  Value sum, result = tile;
  for (int64_t step = 0; step < n; ++step) {
    int64_t row = fromEnd ? n - 1 - step : step;
    Value value = vector::ExtractOp::create(b, tile, row);
    sum = sum ? arith::AddFOp::create(b, sum, value) : value;
    result = vector::InsertOp::create(b, sum, result, row);
  }
  return result;
}

/// g[i] = a[0] * ... * a[i].
Value prefixProducts(ImplicitLocOpBuilder &b, Value decays) {
  int64_t n = cast<VectorType>(decays.getType()).getDimSize(0);
  SmallVector<Value> products;
  for (int64_t i = 0; i < n; ++i) {
    Value decay = vector::ExtractOp::create(b, decays, i);
    products.push_back(
        i == 0 ? decay : arith::MulFOp::create(b, products.back(), decay));
  }
  return vector::FromElementsOp::create(b, decays.getType(), products);
}

/// Rows of `rows` picked by `pick` (a row index, or -1 for zeros).
Value pickRows(ImplicitLocOpBuilder &b, Value rows,
               llvm::function_ref<int64_t(int64_t)> pick) {
  auto type = cast<VectorType>(rows.getType());
  int64_t n = type.getDimSize(0);
  Value zeros = splat(b, type, 0.0f);
  SmallVector<int64_t> mask;
  for (int64_t i = 0; i < n; ++i) {
    int64_t row = pick(i);
    mask.push_back(row < 0 ? n : row);
  }
  return vector::ShuffleOp::create(b, rows, zeros, mask);
}

Value addIndex(ImplicitLocOpBuilder &b, Value index, int64_t offset) {
  return arith::AddIOp::create(b, index, indexConst(b, offset));
}

/// `compute()` where `exists`, else `absent`: out-of-sequence neighbours
/// (most of them when W is much longer than the sequence) cost no loads.
SmallVector<Value> ifExists(
    ImplicitLocOpBuilder &b, Value exists, ValueRange absent,
    llvm::function_ref<SmallVector<Value>(ImplicitLocOpBuilder &)> compute) {
  auto branch = scf::IfOp::create(
      b, exists,
      [&](OpBuilder &nested, Location loc) {
        ImplicitLocOpBuilder inner(loc, nested);
        scf::YieldOp::create(inner, compute(inner));
      },
      [&](OpBuilder &nested, Location loc) {
        scf::YieldOp::create(nested, loc, absent);
      });
  return SmallVector<Value>(branch.getResults());
}

/// A tile before the current one, seen from its end: its total decay c and
/// its inputs carried to its last step, xw[j] = h[j] x[j], with their
/// suffix sums. The virtual tile -1 holds h0 at its last step; tiles before
/// it hold nothing.
struct SourceTile {
  Value decay, carried, suffixes;
};

SourceTile sourceTile(ImplicitLocOpBuilder &b, const ExactWindowReads &reads,
                      Value index) {
  const ScanTiling &tiling = reads.tiling;
  Value zero = indexConst(b, 0);
  Value exists =
      arith::CmpIOp::create(b, arith::CmpIPredicate::sge, index, zero);
  Value isVirtual = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, index,
                                          indexConst(b, -1));
  VectorType type = tileType(b, tiling);
  Value zeros = splat(b, type, 0.0f);
  Value initRows = vector::BroadcastOp::create(b, type, reads.init);
  Value virtualCarried = arith::SelectOp::create(
      b, isVirtual, shiftUp(b, zeros, reads.init), zeros);
  Value virtualSuffixes =
      arith::SelectOp::create(b, isVirtual, initRows, zeros);
  SmallVector<Value> tile = ifExists(
      b, exists, {f32Const(b, 1.0f), virtualCarried, virtualSuffixes},
      [&](ImplicitLocOpBuilder &in) -> SmallVector<Value> {
        auto [decays, inputs] = reads.forward(
            in, arith::MulIOp::create(in, index, indexConst(in, tiling.steps)));
        Value toEnd = suffixProducts(in, decays);
        Value carried = scaleRows(in, inputs, toEnd);
        Value decay =
            arith::MulFOp::create(in, vector::ExtractOp::create(in, decays, 0),
                                  vector::ExtractOp::create(in, toEnd, 0));
        return {decay, carried, runningSums(in, carried, true)};
      });
  return {tile[0], tile[1], tile[2]};
}

/// A tile after the current one, seen from its start: its total decay and
/// the prefix sums of its gradients carried back to before its first step,
/// g[k] dy[k]. Tiles past the sequence hold nothing.
struct GradientTile {
  Value decay, prefixes;
};

GradientTile gradientTile(ImplicitLocOpBuilder &b,
                          const ExactWindowReads &reads, Value index) {
  const ScanTiling &tiling = reads.tiling;
  Value zero = indexConst(b, 0);
  Value exists = arith::AndIOp::create(
      b, arith::CmpIOp::create(b, arith::CmpIPredicate::sge, index, zero),
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, index, reads.tiles));
  SmallVector<Value> tile = ifExists(
      b, exists, {f32Const(b, 1.0f), splat(b, tileType(b, tiling), 0.0f)},
      [&](ImplicitLocOpBuilder &in) -> SmallVector<Value> {
        auto [decays, gradients] = reads.gradient(
            in, arith::MulIOp::create(in, index, indexConst(in, tiling.steps)));
        Value fromStart = prefixProducts(in, decays);
        Value prefixes =
            runningSums(in, scaleRows(in, gradients, fromStart), false);
        return {vector::ExtractOp::create(in, fromStart, tiling.steps - 1),
                prefixes};
      });
  return {tile[0], tile[1]};
}

Value lastRow(ImplicitLocOpBuilder &b, Value tile) {
  int64_t n = cast<VectorType>(tile.getType()).getDimSize(0);
  return vector::ExtractOp::create(b, tile, n - 1);
}

Value firstRow(ImplicitLocOpBuilder &b, Value tile) {
  return vector::ExtractOp::create(b, tile, 0);
}

/// Emits `for m in [first, end)` carrying `init`; `body` returns the next
/// values from m and the current ones.
SmallVector<Value>
tileLoop(ImplicitLocOpBuilder &b, int64_t first, int64_t end, ValueRange init,
         llvm::function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value,
                                               ValueRange)>
             body) {
  if (first >= end)
    return SmallVector<Value>(init);
  auto loop = scf::ForOp::create(
      b, indexConst(b, first), indexConst(b, end), indexConst(b, 1), init,
      [&](OpBuilder &nested, Location loc, Value m, ValueRange current) {
        ImplicitLocOpBuilder inner(loc, nested);
        scf::YieldOp::create(inner, body(inner, m, current));
      });
  return SmallVector<Value>(loop.getResults());
}

/// The tiles on one side of a tile: later ones hold the gradients that
/// reach back into it, earlier ones the inputs that reach forwards.
enum class Side { Later, Earlier };

/// Tile `tile` +- m on `side`: its total decay, what all of it contributes
/// (the gradients' total, the inputs' total) and per step what part of it
/// a window that cuts it at that step contributes (prefix or suffix sums).
struct SideTile {
  Value decay, whole, parts;
};

SideTile sideTile(ImplicitLocOpBuilder &b, const ExactWindowReads &reads,
                  Side side, Value tile, Value m) {
  if (side == Side::Later) {
    GradientTile later =
        gradientTile(b, reads, arith::AddIOp::create(b, tile, m));
    return {later.decay, lastRow(b, later.prefixes), later.prefixes};
  }
  SourceTile earlier = sourceTile(b, reads, arith::SubIOp::create(b, tile, m));
  return {earlier.decay, firstRow(b, earlier.suffixes), earlier.suffixes};
}

/// Per step of tile `tile`, what the tiles on `side` inside its window
/// contribute, carried to the tile's edge: E[j] (later gradients in the
/// window of source j) or D[k] (earlier inputs in the window of output k).
Value windowReach(ImplicitLocOpBuilder &b, const ExactWindowReads &reads,
                  const WindowReach &reach, Side side, Value tile) {
  const ScanTiling &tiling = reads.tiling;
  Value zeros = splat(b, rowType(b, tiling), 0.0f);
  // Whole tiles: their totals, carried through the tiles between.
  SmallVector<Value> whole =
      tileLoop(b, 1, reach.wholeTiles + 1, {f32Const(b, 1.0f), zeros},
               [&](ImplicitLocOpBuilder &in, Value m, ValueRange state) {
                 SideTile next = sideTile(in, reads, side, tile, m);
                 Value total = arith::AddFOp::create(
                     in, state[1], scaleRow(in, next.whole, state[0]));
                 return SmallVector<Value>{
                     arith::MulFOp::create(in, state[0], next.decay), total};
               });
  Value through = whole[0];
  Value result =
      vector::BroadcastOp::create(b, tileType(b, tiling), whole[1]).getResult();
  int64_t last = reach.steps - 1;
  for (int64_t m = reach.wholeTiles + 1; m <= reach.reachTiles; ++m) {
    SideTile next = sideTile(b, reads, side, tile, indexConst(b, m));
    int64_t offset = reach.offset(m);
    Value inWindow = pickRows(b, next.parts, [&](int64_t step) -> int64_t {
      if (side == Side::Later)
        return step + offset < 0 ? -1 : std::min(step + offset, last);
      return step - offset > last ? -1 : std::max<int64_t>(step - offset, 0);
    });
    result = arith::AddFOp::create(b, result, scaleRow(b, inWindow, through));
    through = arith::MulFOp::create(b, through, next.decay);
  }
  return result;
}

/// C: the kept pairs of a source before tile `tile` and a gradient after
/// it, carried to the tile's edges. Pairs of tiles m1 before and m2 after
/// are whole when m1 + m2 <= wholeTiles: with S(q) the totals of the q
/// tiles after, sum over m1 of X(m1) S(wholeTiles - m1), in one loop that
/// walks the source tiles towards the tile (Horner) as S grows. Partial
/// pairs, one loop per distance m1 + m2, add their in-window products.
Value crossingPairs(ImplicitLocOpBuilder &b, const ExactWindowReads &reads,
                    const WindowReach &reach, Value tile) {
  const ScanTiling &tiling = reads.tiling;
  Value zeros = splat(b, rowType(b, tiling), 0.0f);
  Value one = f32Const(b, 1.0f);
  int64_t whole = reach.wholeTiles;
  SmallVector<Value> wholePairs = tileLoop(
      b, 1, whole, {one, zeros, zeros},
      [&](ImplicitLocOpBuilder &in, Value q, ValueRange state) {
        GradientTile later =
            gradientTile(in, reads, arith::AddIOp::create(in, tile, q));
        Value totals = arith::AddFOp::create(
            in, state[1], scaleRow(in, lastRow(in, later.prefixes), state[0]));
        SourceTile earlier = sourceTile(
            in, reads,
            arith::AddIOp::create(in, addIndex(in, tile, -whole), q));
        Value pairs = arith::AddFOp::create(
            in, scaleRow(in, state[2], earlier.decay),
            arith::MulFOp::create(in, firstRow(in, earlier.suffixes), totals));
        return SmallVector<Value>{
            arith::MulFOp::create(in, state[0], later.decay), totals, pairs};
      });
  Value result = wholePairs[2];
  for (int64_t distance = std::max<int64_t>(2, whole + 1);
       distance <= reach.reachTiles; ++distance) {
    int64_t offset = reach.offset(distance);
    SmallVector<Value> partial = tileLoop(
        b, 1, distance, {one, zeros},
        [&](ImplicitLocOpBuilder &in, Value m2, ValueRange state) {
          GradientTile later =
              gradientTile(in, reads, arith::AddIOp::create(in, tile, m2));
          SourceTile earlier = sourceTile(
              in, reads,
              arith::AddIOp::create(in, addIndex(in, tile, -distance), m2));
          // Source j pairs with the gradients k <= j + offset.
          Value reached = pickRows(in, later.prefixes, [&](int64_t j) {
            return j + offset < 0 ? -1 : std::min(j + offset, reach.steps - 1);
          });
          Value products = arith::MulFOp::create(in, earlier.carried, reached);
          Value sum = lastRow(in, runningSums(in, products, false));
          Value pairs =
              arith::AddFOp::create(in, scaleRow(in, state[1], earlier.decay),
                                    scaleRow(in, sum, state[0]));
          return SmallVector<Value>{
              arith::MulFOp::create(in, state[0], later.decay), pairs};
        });
    result = arith::AddFOp::create(b, result, partial[1]);
  }
  return result;
}

/// The tile's own part: L_W^T dy, and the decay gradient of the pairs
/// inside the tile.
std::pair<Value, Value> withinTile(ImplicitLocOpBuilder &b,
                                   const WindowReach &reach, Value transfer,
                                   Value decays, Value inputs,
                                   Value gradOutput) {
  auto type = cast<VectorType>(inputs.getType());
  Value zeroRow =
      splat(b, VectorType::get({type.getDimSize(1)}, b.getF32Type()), 0.0f);
  if (reach.width >= reach.steps) {
    // Every in-tile pair is kept: (L x)[i-1] (L^T dy)[i].
    Value adjoint = localSolve(b, transfer, gradOutput, /*transpose=*/true);
    Value before = shiftDown(b, localSolve(b, transfer, inputs), zeroRow);
    return {adjoint, arith::MulFOp::create(b, before, adjoint)};
  }
  // Narrower than a tile: with X_q[i] = P(i-q+1..i-1) x[i-q] (sources q
  // steps back) and B_m[i] the gradients of steps i..i+m-1 carried to i,
  // the pairs crossing i are sum over q of X_q B_{W-q}, and L_W^T dy = B_W.
  SmallVector<Value> gradientSpans{gradOutput};
  for (int64_t m = 1; m < reach.width; ++m)
    gradientSpans.push_back(arith::AddFOp::create(
        b, gradOutput,
        shiftUp(b, scaleRows(b, gradientSpans.back(), decays), zeroRow)));
  Value pairs = splat(b, type, 0.0f);
  Value sources = shiftDown(b, inputs, zeroRow);
  for (int64_t q = 1; q < reach.width; ++q) {
    pairs = arith::AddFOp::create(
        b, pairs,
        arith::MulFOp::create(b, sources, gradientSpans[reach.width - q - 1]));
    sources = shiftDown(b, scaleRows(b, sources, decays), zeroRow);
  }
  return {gradientSpans.back(), pairs};
}

} // namespace

ExactWindowAdjoint tiling::exactWindowAdjoint(ImplicitLocOpBuilder &b,
                                              const ExactWindowReads &reads,
                                              Value tile, Value decays,
                                              Value inputs, Value gradOutput) {
  const ScanTiling &tiling = reads.tiling;
  WindowReach reach = reachOf(tiling);
  Value later = windowReach(b, reads, reach, Side::Later, tile);
  Value earlier = windowReach(b, reads, reach, Side::Earlier, tile);
  Value crossing = crossingPairs(b, reads, reach, tile);

  auto transfer = buildTransferOperator(b, tiling, decays, std::nullopt);
  Value operatorL = transfer.getTransfer();
  Value toEnd = suffixProducts(b, decays);
  Value fromStartBefore =
      shiftDown(b, transfer.getInjection(), f32Const(b, 1.0f));
  auto [adjoint, pairs] =
      withinTile(b, reach, operatorL, decays, inputs, gradOutput);
  Value zeroRow = splat(b, rowType(b, tiling), 0.0f);

  Value dx = arith::AddFOp::create(b, adjoint, scaleRows(b, later, toEnd));
  Value sourcesHere = shiftDown(
      b, localSolve(b, operatorL, arith::MulFOp::create(b, inputs, later)),
      zeroRow);
  Value gradientsHere =
      localSolve(b, operatorL, arith::MulFOp::create(b, gradOutput, earlier),
                 /*transpose=*/true);
  Value bothSides = vector::OuterProductOp::create(
      b, tileType(b, tiling), arith::MulFOp::create(b, fromStartBefore, toEnd),
      crossing, Value(), vector::CombiningKind::ADD);
  Value da = arith::AddFOp::create(
      b, arith::AddFOp::create(b, pairs, scaleRows(b, sourcesHere, toEnd)),
      arith::AddFOp::create(b, scaleRows(b, gradientsHere, fromStartBefore),
                            bothSides));
  return {dx, da};
}

Value tiling::exactWindowInitGradient(ImplicitLocOpBuilder &b,
                                      const ExactWindowReads &reads) {
  // h0 is source step n-1 of the virtual tile -1.
  return lastRow(b, windowReach(b, reads, reachOf(reads.tiling), Side::Later,
                                indexConst(b, -1)));
}
