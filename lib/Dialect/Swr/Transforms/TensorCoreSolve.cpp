//===- TensorCoreSolve.cpp - local solves on tensor cores -----------------===//
//
// In a warp_shared solve lane l holds columns l*m .. l*m+m-1 of the warp's
// n x 32m tile U (n time steps, 32m channels of one head) and every lane the
// same n decays. The warp solves V = L U one 16-step block k at a time, the
// Block Two-Pass form inside the tile: V_k = L_kk U_k + g_k (x) V_{k-1}[15].
//
//  1. Each lane stores its rows of U_k as bf16 into the warp's staging
//     buffer (16 rows of 32m channels, padded by 16 bytes so that the 8 rows
//     an ldmatrix phase reads fall in distinct banks).
//  2. ldmatrix.x4.trans loads the B fragments (k = step, n = channel) of two
//     8-channel groups at once.
//  3. Each lane builds its entries of the A fragment, L_kk[i][j] =
//     sign 2^(cum[i] - cum[j]) for i >= j, with cum the prefix sums of
//     log2 |a| over the block (clamped at -100 so zero decays give 2^-100,
//     not -inf - -inf) and the sign the parity of the negative decays in
//     j+1..i. Lane t holds rows t/4 and t/4 + 8, columns 2(t%4) + {0,1,8,9}
//     (registers a0..a3; a2 is above the diagonal, always 0); the cum
//     values come by shuffles from lane i, which picked cum[i % 16].
//  4. Each group's accumulator C is the carry from the block before,
//     g_k[i] V_{k-1}[15][c] (g_k[i] = 2^cum[i] with its sign), the last row
//     shuffled from lanes 28..31, which hold rows 15 of D.
//  5. mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 per group; D goes
//     through the warp's f32 output buffer (rows padded by 8 words: the
//     8-byte stores of a half-warp hit distinct banks) back to the lanes'
//     own columns.
//
// wmma (m16n16k16) has opaque fragments: the lanes store their entries of
// step 3 (which cover L_kk once) into a per-warp operator buffer, wmma.load
// reads it and the staged tile, wmma.store writes D, and the lanes add the
// carry between blocks after reading their columns back.
//
// Accuracy: bf16 keeps 8 significant bits, so each operand is split into a
// rounded high part and the rounded rest (x = high + low to 2^-17) and
// L U = Lh Uh + Ll Uh + Lh Ul, three mma per group (two when U was read
// from bf16 and is exact): products and sums are f32, the dropped Ll Ul and
// the rounding of the low parts about 2^-17 relative to |L| |U|.
//
//===----------------------------------------------------------------------===//

#include "TensorCoreSolve.h"

#include "GlobalMemory.h"
#include "VectorUtils.h"
#include "WarpPrimitives.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cmath>

using namespace mlir;
using namespace mlir::swr;

namespace {

constexpr int64_t kWarpLanes = 32;
/// m16n8k16: a block of 16 time steps (M = K) times 8 channels (N).
constexpr int64_t kBlockSteps = 16;
constexpr int64_t kGroupChannels = 8;
/// Padding of a staging buffer's rows, in elements.
constexpr int64_t kRowPadding = 8;
/// wmma.load / wmma.store need 32-byte aligned matrices: the buffers are
/// aligned so, and their rows and 16-channel groups keep it.
constexpr int64_t kWmmaAlignment = 32;
/// log2 of the smallest decay magnitude the operator distinguishes.
constexpr float kMinLog2Decay = -100.0f;

/// This lane's view of the warp's solve.
struct WarpMma {
  ImplicitLocOpBuilder &b;
  int64_t laneColumns;     // m: channels per lane
  Value inputs, outputs;   // staging: [warps][2 parts][16][32m + pad] bf16,
                           // [warps][16][32m + pad] f32
  Value warp;              // index: the warp's place in its block
  Value firstColumn;       // index: lane * m
  Value lane, group, quad; // i32: lane id, lane / 4, lane % 4

  Value i32(int64_t value) {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(value));
  }
  Value index(Value value) {
    return arith::IndexCastOp::create(b, b.getIndexType(), value);
  }
  Value add(Value value, int64_t offset) {
    return arith::AddIOp::create(b, value, i32(offset));
  }
  /// `value` of lane `source`.
  Value shuffle(Value value, Value source) {
    return WarpShuffles{b}.from(value, source);
  }
  Value specialFunction(StringRef intrinsic, Value x) {
    return LLVM::CallIntrinsicOp::create(b, b.getF32Type(),
                                         b.getStringAttr(intrinsic), x)
        .getResult(0);
  }
  Value exp2(Value x) { return specialFunction("llvm.nvvm.ex2.approx.f32", x); }
  Value log2(Value x) { return specialFunction("llvm.nvvm.lg2.approx.f", x); }
  void syncWarp() { NVVM::SyncWarpOp::create(b, i32(-1)); }
};

/// values[index] for an i32 index below values.size() (a power of two): a
/// tree of selects on the index's bits.
Value selectByIndex(WarpMma &w, ArrayRef<Value> values, Value index) {
  SmallVector<Value> level(values);
  for (int64_t bit = 1; level.size() > 1; bit <<= 1) {
    Value odd = arith::CmpIOp::create(
        w.b, arith::CmpIPredicate::ne,
        arith::AndIOp::create(w.b, index, w.i32(bit)), w.i32(0));
    SmallVector<Value> next;
    for (size_t i = 0; i < level.size(); i += 2)
      next.push_back(arith::SelectOp::create(w.b, odd, level[i + 1], level[i]));
    level = std::move(next);
  }
  return level.front();
}

/// -value where `parity` (i32, 0 or 1) is 1.
Value flipSign(WarpMma &w, Value value, Value parity) {
  Value bits = arith::BitcastOp::create(w.b, w.b.getI32Type(), value);
  Value sign = arith::ShLIOp::create(w.b, parity, w.i32(31));
  return arith::BitcastOp::create(w.b, w.b.getF32Type(),
                                  arith::XOrIOp::create(w.b, bits, sign));
}

/// The parity of the set bits of `bits` (i32).
Value parity(WarpMma &w, Value bits) {
  return arith::AndIOp::create(w.b, LLVM::CtPopOp::create(w.b, bits), w.i32(1));
}

/// Bits 0..last of an i32 (last an i32 in [-1, 31)).
Value lowBits(WarpMma &w, Value last) {
  return arith::SubIOp::create(
      w.b, arith::ShLIOp::create(w.b, w.i32(1), w.add(last, 1)), w.i32(1));
}

/// Two f32 as bf16 pairs (vector<2xbf16>, `low` first): the rounded values
/// and what rounding left (value = high + low to 2^-17).
struct SplitPair {
  Value high, low;
};

SplitPair splitBf16(WarpMma &w, Value low, Value high) {
  auto f32Pair = VectorType::get({2}, w.b.getF32Type());
  auto bf16Pair = VectorType::get({2}, w.b.getBF16Type());
  Value pair =
      vector::FromElementsOp::create(w.b, f32Pair, ValueRange{low, high});
  Value rounded = arith::TruncFOp::create(w.b, bf16Pair, pair);
  Value rest = arith::SubFOp::create(
      w.b, pair, arith::ExtFOp::create(w.b, f32Pair, rounded));
  return {rounded, arith::TruncFOp::create(w.b, bf16Pair, rest)};
}

/// A bf16 pair as one mma register (the first element in bits 0..15).
Value asWord(WarpMma &w, Value pair) {
  Value word = vector::BitCastOp::create(
      w.b, VectorType::get({1}, w.b.getI32Type()), pair);
  return vector::ExtractOp::create(w.b, word, 0);
}

/// This lane's part of a block's operator: its entries of L_kk as the bf16
/// pairs of the A fragment's registers a0..a3 (rows group, group + 8,
/// group, group + 8; columns 2 quad + {0, 1}, the same, + 8, + 8), split
/// into high and low parts; and the injections g_k of its rows group and
/// group + 8.
struct BlockOperator {
  SmallVector<SplitPair, 4> pairs;
  Value injection, injection8;

  SmallVector<Value, 4> words(WarpMma &w, bool high) const {
    SmallVector<Value, 4> result;
    for (const SplitPair &pair : pairs)
      result.push_back(asWord(w, high ? pair.high : pair.low));
    return result;
  }
};

BlockOperator buildBlockOperator(WarpMma &w, ArrayRef<Value> decays) {
  ImplicitLocOpBuilder &b = w.b;
  Value smallest = f32Const(b, std::ldexp(1.0f, int(kMinLog2Decay)));
  SmallVector<Value> cum;
  Value negatives = w.i32(0); // bit i: decay i < 0
  for (auto [i, decay] : llvm::enumerate(decays)) {
    Value magnitude =
        arith::MaximumFOp::create(b, math::AbsFOp::create(b, decay), smallest);
    Value log = w.log2(magnitude);
    cum.push_back(cum.empty() ? log
                              : arith::AddFOp::create(b, cum.back(), log));
    Value negative = arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, decay,
                                           f32Const(b, 0.0f));
    negatives = arith::OrIOp::create(
        b, negatives,
        arith::SelectOp::create(b, negative, w.i32(int64_t(1) << i), w.i32(0)));
  }
  Value laneCum = selectByIndex(
      w, cum, arith::AndIOp::create(b, w.lane, w.i32(kBlockSteps - 1)));
  // Entry (row, column) of L_kk, both i32 steps of the block.
  auto entry = [&](Value row, Value column) -> Value {
    Value magnitude = w.exp2(arith::SubFOp::create(b, w.shuffle(laneCum, row),
                                                   w.shuffle(laneCum, column)));
    Value between = arith::AndIOp::create(
        b, negatives,
        arith::SubIOp::create(b, lowBits(w, row), lowBits(w, column)));
    Value value = flipSign(w, magnitude, parity(w, between));
    Value lower =
        arith::CmpIOp::create(b, arith::CmpIPredicate::sge, row, column);
    return arith::SelectOp::create(b, lower, value, f32Const(b, 0.0f));
  };
  auto injection = [&](Value row) -> Value {
    Value magnitude = w.exp2(w.shuffle(laneCum, row));
    return flipSign(
        w, magnitude,
        parity(w, arith::AndIOp::create(b, negatives, lowBits(w, row))));
  };
  Value row = w.group, row8 = w.add(w.group, 8);
  Value column = arith::ShLIOp::create(b, w.quad, w.i32(1));
  Value column1 = w.add(column, 1), column8 = w.add(column, 8),
        column9 = w.add(column, 9);
  BlockOperator op;
  Value zeros = arith::ConstantOp::create(
      b, DenseElementsAttr::get(VectorType::get({2}, b.getBF16Type()),
                                b.getFloatAttr(b.getBF16Type(), 0.0)));
  op.pairs = {splitBf16(w, entry(row, column), entry(row, column1)),
              splitBf16(w, entry(row8, column), entry(row8, column1)),
              SplitPair{zeros, zeros},
              splitBf16(w, entry(row8, column8), entry(row8, column9))};
  op.injection = injection(row);
  op.injection8 = injection(row8);
  return op;
}

/// Stores rows [first, first + 16) of this lane's tile as bf16 into the
/// warp's input buffer, part 0; with `split` what rounding left into part
/// 1.
void stageInputs(WarpMma &w, Value tile, int64_t first, bool split) {
  auto f32Row = VectorType::get({w.laneColumns}, w.b.getF32Type());
  auto bf16Row = VectorType::get({w.laneColumns}, w.b.getBF16Type());
  auto store = [&](Value row, int64_t part, int64_t step) {
    vector::StoreOp::create(
        w.b, row, w.inputs,
        ValueRange{w.warp, arith::ConstantIndexOp::create(w.b, part),
                   arith::ConstantIndexOp::create(w.b, step), w.firstColumn});
  };
  for (int64_t i = 0; i < kBlockSteps; ++i) {
    Value row = vector::ExtractOp::create(w.b, tile, first + i);
    Value rounded = arith::TruncFOp::create(w.b, bf16Row, row);
    store(rounded, 0, i);
    if (split)
      store(arith::TruncFOp::create(
                w.b, bf16Row,
                arith::SubFOp::create(
                    w.b, row, arith::ExtFOp::create(w.b, f32Row, rounded))),
            1, i);
  }
}

/// The B fragments (two i32 registers per 8-channel group) of part `part`
/// of the staged block: one ldmatrix.x4.trans per two groups, lanes 8j..8j+7
/// pointing at the rows of matrix j (steps 0-7 / 8-15 of group 2p / 2p+1).
SmallVector<Value> loadInputFragments(WarpMma &w, int64_t part) {
  ImplicitLocOpBuilder &b = w.b;
  Value matrix = arith::ShRUIOp::create(b, w.lane, w.i32(3));
  Value step = arith::AddIOp::create(
      b, arith::AndIOp::create(b, w.lane, w.i32(7)),
      arith::ShLIOp::create(b, arith::AndIOp::create(b, matrix, w.i32(1)),
                            w.i32(3)));
  Value groupColumn = arith::ShLIOp::create(
      b, arith::ShRUIOp::create(b, matrix, w.i32(1)), w.i32(3));
  Type i32 = b.getI32Type();
  auto fourWords =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {i32, i32, i32, i32});
  SmallVector<Value> fragments;
  int64_t groups = kWarpLanes * w.laneColumns / kGroupChannels;
  for (int64_t pair = 0; pair < groups / 2; ++pair) {
    Value column = w.add(groupColumn, 2 * kGroupChannels * pair);
    Value address =
        global::elementAddress(b, w.inputs,
                               {w.warp, arith::ConstantIndexOp::create(b, part),
                                w.index(step), w.index(column)},
                               kSharedSpace);
    Value words = NVVM::LdMatrixOp::create(
        b, fourWords, address, /*num=*/4, NVVM::MMALayout::col,
        NVVM::LdStMatrixShapeAttr::get(b.getContext(), 8, 8),
        NVVM::LdStMatrixEltType::B16);
    for (int64_t i = 0; i < 4; ++i)
      fragments.push_back(LLVM::ExtractValueOp::create(b, words, i));
  }
  return fragments;
}

/// The accumulator of a group: g_k (x) the last row of its D in the block
/// before (registers d2, d3 of lane 28 + quad), or zero for the first block.
SmallVector<Value, 4> carryAccumulator(WarpMma &w, const BlockOperator &op,
                                       ArrayRef<Value> previous) {
  if (previous.empty())
    return SmallVector<Value, 4>(4, f32Const(w.b, 0.0f));
  Value source = w.add(w.quad, 4 * (kGroupChannels - 1));
  Value carry0 = w.shuffle(previous[2], source);
  Value carry1 = w.shuffle(previous[3], source);
  auto mul = [&](Value x, Value y) -> Value {
    return arith::MulFOp::create(w.b, x, y);
  };
  return {mul(op.injection, carry0), mul(op.injection, carry1),
          mul(op.injection8, carry0), mul(op.injection8, carry1)};
}

/// D = A B + C for one 8-channel group, as four f32.
SmallVector<Value, 4> mmaSync(WarpMma &w, ArrayRef<Value> a,
                              ArrayRef<Value> bFragment, ArrayRef<Value> c) {
  Type f32 = w.b.getF32Type();
  auto fourFloats =
      LLVM::LLVMStructType::getLiteral(w.b.getContext(), {f32, f32, f32, f32});
  Value d = NVVM::MmaOp::create(
      w.b, fourFloats, a, bFragment, c, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value, 4> result;
  for (int64_t i = 0; i < 4; ++i)
    result.push_back(LLVM::ExtractValueOp::create(w.b, d, i));
  return result;
}

/// Stores a group's D (rows group and group + 8, channels 2 quad, +1).
void storeOutputFragment(WarpMma &w, int64_t groupIndex, ArrayRef<Value> d) {
  ImplicitLocOpBuilder &b = w.b;
  auto pairType = VectorType::get({2}, b.getF32Type());
  Value column = w.index(w.add(arith::ShLIOp::create(b, w.quad, w.i32(1)),
                               kGroupChannels * groupIndex));
  Value row = w.index(w.group), row8 = w.index(w.add(w.group, 8));
  vector::StoreOp::create(
      b, vector::FromElementsOp::create(b, pairType, ValueRange{d[0], d[1]}),
      w.outputs, ValueRange{w.warp, row, column});
  vector::StoreOp::create(
      b, vector::FromElementsOp::create(b, pairType, ValueRange{d[2], d[3]}),
      w.outputs, ValueRange{w.warp, row8, column});
}

/// Reads this lane's columns of the solved block back into `result` at rows
/// [first, first + 16).
Value unstageOutputs(WarpMma &w, Value result, int64_t first) {
  auto rowType = VectorType::get({w.laneColumns}, w.b.getF32Type());
  for (int64_t i = 0; i < kBlockSteps; ++i) {
    Value row = vector::LoadOp::create(
        w.b, rowType, w.outputs,
        ValueRange{w.warp, arith::ConstantIndexOp::create(w.b, i),
                   w.firstColumn});
    result = vector::InsertOp::create(w.b, row, result, first + i);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// wmma: m16n16k16 fragments loaded from and stored to shared memory
//===----------------------------------------------------------------------===//

// NVVM's wmma ops take no bf16 in MLIR 22; LLVM's intrinsics do.
constexpr StringLiteral kWmmaLoadA =
    "llvm.nvvm.wmma.m16n16k16.load.a.row.stride.bf16.p3";
constexpr StringLiteral kWmmaLoadB =
    "llvm.nvvm.wmma.m16n16k16.load.b.row.stride.bf16.p3";
constexpr StringLiteral kWmmaMma = "llvm.nvvm.wmma.m16n16k16.mma.row.row.bf16";
constexpr StringLiteral kWmmaStoreD =
    "llvm.nvvm.wmma.m16n16k16.store.d.row.stride.f32.p3";
/// wmma's N: channels per group.
constexpr int64_t kWmmaGroupChannels = 16;

/// The `count` values of an intrinsic returning a struct of `type`s.
SmallVector<Value> callUnpacked(WarpMma &w, StringRef intrinsic, Type type,
                                int64_t count, ValueRange args) {
  auto structType = LLVM::LLVMStructType::getLiteral(
      w.b.getContext(), SmallVector<Type>(count, type));
  Value result = LLVM::CallIntrinsicOp::create(
                     w.b, Type(structType), w.b.getStringAttr(intrinsic), args)
                     .getResult(0);
  SmallVector<Value> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(LLVM::ExtractValueOp::create(w.b, result, i));
  return values;
}

/// A bf16 A or B fragment (4 registers) of the 16 x 16 matrix at
/// `address`, rows `stride` elements apart.
SmallVector<Value> wmmaLoad(WarpMma &w, StringRef intrinsic, Value address,
                            int64_t stride) {
  return callUnpacked(w, intrinsic, w.b.getI32Type(), 4,
                      {address, w.i32(stride)});
}

/// D = A B + C (8 f32 per lane).
SmallVector<Value> wmmaMma(WarpMma &w, ArrayRef<Value> a, ArrayRef<Value> b,
                           ArrayRef<Value> c) {
  SmallVector<Value> args(a);
  llvm::append_range(args, b);
  llvm::append_range(args, c);
  return callUnpacked(w, kWmmaMma, w.b.getF32Type(), 8, args);
}

/// Stores this lane's entries of the block's operator (high part 0, low
/// part 1) into the warp's operator buffer, row-major: the lanes' A
/// fragments of mma.sync cover the 16 x 16 matrix once.
void stageOperator(WarpMma &w, const BlockOperator &op, Value buffer) {
  ImplicitLocOpBuilder &b = w.b;
  Value column = arith::ShLIOp::create(b, w.quad, w.i32(1));
  for (auto [i, pair] : llvm::enumerate(op.pairs)) {
    Value row = i % 2 ? w.add(w.group, 8) : w.group;
    Value at = i >= 2 ? w.add(column, 8) : column;
    for (int64_t part = 0; part < 2; ++part)
      vector::StoreOp::create(
          b, part ? pair.low : pair.high, buffer,
          ValueRange{w.warp, arith::ConstantIndexOp::create(b, part),
                     w.index(row), w.index(at)});
  }
}

/// The shared address of element (0, column) of part `part` of a warp's
/// [warps][parts][16][row] buffer, or without a part of its
/// [warps][16][row] buffer.
Value tileAddress(WarpMma &w, Value buffer, std::optional<int64_t> part,
                  int64_t column) {
  SmallVector<Value> indices{w.warp};
  if (part)
    indices.push_back(arith::ConstantIndexOp::create(w.b, *part));
  indices.push_back(arith::ConstantIndexOp::create(w.b, 0));
  indices.push_back(arith::ConstantIndexOp::create(w.b, column));
  return global::elementAddress(w.b, buffer, indices, kSharedSpace);
}

/// Reads this lane's columns of the solved block back into `result` at rows
/// [first, first + 16), adding the carry from the block before (if any),
/// g[i] carry with g the running products of the block's decays; returns
/// the block's last row, the next block's carry.
Value unstageWithCarry(WarpMma &w, Value &result, int64_t first,
                       ArrayRef<Value> decays, Value carry) {
  auto rowType = VectorType::get({w.laneColumns}, w.b.getF32Type());
  Value injection, row;
  for (int64_t i = 0; i < kBlockSteps; ++i) {
    row = vector::LoadOp::create(
        w.b, rowType, w.outputs,
        ValueRange{w.warp, arith::ConstantIndexOp::create(w.b, i),
                   w.firstColumn});
    if (carry) {
      injection =
          i ? arith::MulFOp::create(w.b, injection, decays[i]) : decays[i];
      row = vector::FMAOp::create(
          w.b, vector::BroadcastOp::create(w.b, rowType, injection), carry,
          row);
    }
    result = vector::InsertOp::create(w.b, row, result, first + i);
  }
  return row;
}

} // namespace

std::pair<Value, Value> TensorCoreBuffers::get(gpu::GPUFuncOp kernel,
                                               int64_t warps,
                                               int64_t laneColumns,
                                               Location loc) {
  auto key = std::make_pair(kernel.getOperation(), laneColumns);
  auto found = buffers.find(key);
  if (found != buffers.end())
    return found->second;
  Builder b(kernel.getContext());
  int64_t rowLength = kWarpLanes * laneColumns + kRowPadding;
  std::pair<Value, Value> added{
      global::addSharedBuffer(kernel, {warps, 2, kBlockSteps, rowLength},
                              b.getBF16Type(), loc, kWmmaAlignment),
      global::addSharedBuffer(kernel, {warps, kBlockSteps, rowLength},
                              b.getF32Type(), loc, kWmmaAlignment)};
  buffers[key] = added;
  return added;
}

Value TensorCoreBuffers::getOperator(gpu::GPUFuncOp kernel, int64_t warps,
                                     Location loc) {
  Value &buffer = operators[kernel.getOperation()];
  if (!buffer)
    buffer = global::addSharedBuffer(
        kernel, {warps, 2, kBlockSteps, kBlockSteps},
        Builder(kernel.getContext()).getBF16Type(), loc, kWmmaAlignment);
  return buffer;
}

bool swr::fitsTensorCores(LocalSolveOp solve) {
  if (!solve.getWarpShared() || solve.getTranspose() ||
      solve.getTransfer().getType().getRank() != 2 ||
      solve.getTile().getType().getDimSize(0) % kBlockSteps != 0)
    return false;
  auto kernel = solve->getParentOfType<gpu::GPUFuncOp>();
  std::optional<ArrayRef<int32_t>> block =
      kernel ? kernel.getKnownBlockSize() : std::nullopt;
  return block && (*block)[0] % kWarpLanes == 0 && (*block)[1] == 1 &&
         (*block)[2] == 1;
}

namespace {

/// This lane's view of `solve`'s warp, its staging buffers added to the
/// kernel.
WarpMma warpOf(ImplicitLocOpBuilder &b, LocalSolveOp solve,
               TensorCoreBuffers &buffers) {
  auto kernel = solve->getParentOfType<gpu::GPUFuncOp>();
  int64_t warps = (*kernel.getKnownBlockSize())[0] / kWarpLanes;
  int64_t laneColumns = solve.getTile().getType().getDimSize(1);
  auto [inputs, outputs] =
      buffers.get(kernel, warps, laneColumns, solve.getLoc());
  WarpMma w{b, laneColumns, inputs, outputs};
  w.lane = NVVM::LaneIdOp::create(b, b.getI32Type());
  w.group = arith::ShRUIOp::create(b, w.lane, w.i32(2));
  w.quad = arith::AndIOp::create(b, w.lane, w.i32(3));
  w.warp =
      arith::DivUIOp::create(b, gpu::ThreadIdOp::create(b, gpu::Dimension::x),
                             arith::ConstantIndexOp::create(b, kWarpLanes));
  w.firstColumn = w.index(arith::MulIOp::create(b, w.lane, w.i32(laneColumns)));
  return w;
}

/// Whether the tile needs a low bf16 part: inputs read from bf16 are bf16
/// already; others (f32, f16, a fused prologue's values) are split like the
/// operator.
bool needsSplitInputs(LocalSolveOp solve) {
  auto read = solve.getTile().getDefiningOp<ReadTileOp>();
  return !read || !read.getSource().getType().getElementType().isBF16();
}

/// Decays [first, first + 16) of the tile, as f32 scalars.
SmallVector<Value> blockDecays(ImplicitLocOpBuilder &b, Value decays,
                               int64_t first) {
  SmallVector<Value> values;
  for (int64_t i = 0; i < kBlockSteps; ++i)
    values.push_back(vector::ExtractOp::create(b, decays, first + i));
  return values;
}

} // namespace

void swr::lowerToMmaSync(LocalSolveOp solve, Value decays,
                         TensorCoreBuffers &buffers) {
  ImplicitLocOpBuilder b(solve.getLoc(), solve);
  WarpMma w = warpOf(b, solve, buffers);
  VectorType tileType = solve.getTile().getType();
  int64_t steps = tileType.getDimSize(0);
  bool splitInputs = needsSplitInputs(solve);
  Value result = splat(b, tileType, 0.0f);

  SmallVector<SmallVector<Value, 4>> previous; // D of the block before
  for (int64_t first = 0; first < steps; first += kBlockSteps) {
    BlockOperator op = buildBlockOperator(w, blockDecays(b, decays, first));
    SmallVector<Value, 4> aHigh = op.words(w, true), aLow = op.words(w, false);
    // The buffers are free once every lane has read the block before.
    w.syncWarp();
    stageInputs(w, solve.getTile(), first, splitInputs);
    w.syncWarp();
    SmallVector<Value> high = loadInputFragments(w, 0), low;
    if (splitInputs)
      low = loadInputFragments(w, 1);
    SmallVector<SmallVector<Value, 4>> current;
    for (int64_t group = 0; group < int64_t(high.size()) / 2; ++group) {
      SmallVector<Value, 4> d = carryAccumulator(
          w, op, previous.empty() ? ArrayRef<Value>() : previous[group]);
      // L U = Lh Uh + Ll Uh + Lh Ul + O(2^-18): the bf16 rounding of
      // neither operand shows in f32 outputs.
      ArrayRef<Value> highB = ArrayRef<Value>(high).slice(2 * group, 2);
      d = mmaSync(w, aLow, highB, d);
      if (splitInputs)
        d = mmaSync(w, aHigh, ArrayRef<Value>(low).slice(2 * group, 2), d);
      d = mmaSync(w, aHigh, highB, d);
      storeOutputFragment(w, group, d);
      current.push_back(std::move(d));
    }
    w.syncWarp();
    result = unstageOutputs(w, result, first);
    previous = std::move(current);
  }
  solve.getResult().replaceAllUsesWith(result);
  solve.erase();
}

void swr::lowerToWmma(LocalSolveOp solve, Value decays,
                      TensorCoreBuffers &buffers) {
  ImplicitLocOpBuilder b(solve.getLoc(), solve);
  WarpMma w = warpOf(b, solve, buffers);
  auto kernel = solve->getParentOfType<gpu::GPUFuncOp>();
  Value operatorBuffer = buffers.getOperator(
      kernel, (*kernel.getKnownBlockSize())[0] / kWarpLanes, solve.getLoc());
  VectorType tileType = solve.getTile().getType();
  int64_t steps = tileType.getDimSize(0);
  int64_t rowLength = kWarpLanes * w.laneColumns + kRowPadding;
  bool splitInputs = needsSplitInputs(solve);
  Value result = splat(b, tileType, 0.0f);
  Value carry; // the last row of the block before
  for (int64_t first = 0; first < steps; first += kBlockSteps) {
    SmallVector<Value> decaysOfBlock = blockDecays(b, decays, first);
    BlockOperator op = buildBlockOperator(w, decaysOfBlock);
    // The buffers are free once every lane has read the block before.
    w.syncWarp();
    stageInputs(w, solve.getTile(), first, splitInputs);
    stageOperator(w, op, operatorBuffer);
    w.syncWarp();
    auto loadOperator = [&](int64_t part) {
      return wmmaLoad(w, kWmmaLoadA, tileAddress(w, operatorBuffer, part, 0),
                      kBlockSteps);
    };
    SmallVector<Value> aHigh = loadOperator(0), aLow = loadOperator(1);
    int64_t groups = kWarpLanes * w.laneColumns / kWmmaGroupChannels;
    for (int64_t group = 0; group < groups; ++group) {
      int64_t column = group * kWmmaGroupChannels;
      auto loadInputs = [&](int64_t part) {
        return wmmaLoad(w, kWmmaLoadB, tileAddress(w, w.inputs, part, column),
                        rowLength);
      };
      SmallVector<Value> high = loadInputs(0);
      // L U = Lh Uh + Ll Uh + Lh Ul + O(2^-18), as with mma.sync.
      SmallVector<Value> d =
          wmmaMma(w, aLow, high, SmallVector<Value>(8, f32Const(b, 0.0f)));
      if (splitInputs)
        d = wmmaMma(w, aHigh, loadInputs(1), d);
      d = wmmaMma(w, aHigh, high, d);
      SmallVector<Value> args{tileAddress(w, w.outputs, std::nullopt, column)};
      llvm::append_range(args, d);
      args.push_back(w.i32(rowLength));
      LLVM::CallIntrinsicOp::create(b, b.getStringAttr(kWmmaStoreD), args);
    }
    w.syncWarp();
    carry = unstageWithCarry(w, result, first, decaysOfBlock, carry);
  }
  solve.getResult().replaceAllUsesWith(result);
  solve.erase();
}
