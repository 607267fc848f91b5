//===- ExpandMath.cpp - math functions as arithmetic for GPU kernels ------===//
//
// A fused prologue or epilogue may call math functions (sigmoid gates are
// exp, softplus is log1p of exp). Lowered for NVIDIA GPUs, most of them
// would become calls into libdevice, which ships with the CUDA toolkit and
// must be linked before PTX is emitted; the polynomial approximations MLIR
// provides for f32 are a few ulp accurate and need nothing, so every such
// function is expanded here, and what the approximations are built from
// (fma, absf, copysign, floor) becomes plain arithmetic, since the GPU
// lowering would send those to libdevice too. sqrt and rsqrt have no such
// form and are rejected, naming the op.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swr {
#define GEN_PASS_DEF_SWREXPANDMATH
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;

namespace {

/// The bits of f32 `value` as i32 (for vectors too), and back.
Value bitsOf(OpBuilder &b, Location loc, Value value) {
  Type i32 = b.getI32Type();
  if (auto shaped = dyn_cast<ShapedType>(value.getType()))
    i32 = shaped.clone(i32);
  return arith::BitcastOp::create(b, loc, i32, value);
}

Value constantLike(OpBuilder &b, Location loc, Value like, Attribute scalar) {
  Attribute value = scalar;
  if (auto shaped = dyn_cast<ShapedType>(like.getType()))
    value = DenseElementsAttr::get(shaped, scalar);
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(value));
}

/// An i32 constant shaped like `like` (itself i32: what bitsOf returns).
Value intLike(OpBuilder &b, Location loc, Value like, uint32_t bits) {
  return constantLike(
      b, loc, like,
      b.getIntegerAttr(b.getI32Type(), static_cast<int32_t>(bits)));
}

/// fma(a, b, c) = a * b + c, contracted: NVPTX selects fma.rn.f32 (the GPU
/// lowering would call libdevice's __nv_fmaf).
struct FmaAsContractedMulAdd : OpRewritePattern<math::FmaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FmaOp op,
                                PatternRewriter &rewriter) const override {
    auto contract = arith::FastMathFlagsAttr::get(
        getContext(), arith::FastMathFlags::contract);
    Value product = arith::MulFOp::create(rewriter, op.getLoc(), op.getA(),
                                          op.getB(), contract);
    rewriter.replaceOpWithNewOp<arith::AddFOp>(op, product, op.getC(),
                                               contract);
    return success();
  }
};

/// |x| clears the sign bit.
struct AbsAsBits : OpRewritePattern<math::AbsFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::AbsFOp op,
                                PatternRewriter &rewriter) const override {
    if (!getElementTypeOrSelf(op.getType()).isF32())
      return failure();
    Location loc = op.getLoc();
    Value bits = bitsOf(rewriter, loc, op.getOperand());
    Value cleared = arith::AndIOp::create(
        rewriter, loc, bits, intLike(rewriter, loc, bits, 0x7fffffffu));
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), cleared);
    return success();
  }
};

/// copysign(x, y) takes the magnitude bits of x and the sign bit of y.
struct CopySignAsBits : OpRewritePattern<math::CopySignOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::CopySignOp op,
                                PatternRewriter &rewriter) const override {
    if (!getElementTypeOrSelf(op.getType()).isF32())
      return failure();
    Location loc = op.getLoc();
    Value x = bitsOf(rewriter, loc, op.getLhs());
    Value y = bitsOf(rewriter, loc, op.getRhs());
    Value magnitude = arith::AndIOp::create(
        rewriter, loc, x, intLike(rewriter, loc, x, 0x7fffffffu));
    Value sign = arith::AndIOp::create(rewriter, loc, y,
                                       intLike(rewriter, loc, y, 0x80000000u));
    Value joined = arith::OrIOp::create(rewriter, loc, magnitude, sign);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), joined);
    return success();
  }
};

/// floor(x): truncate through i32 and step down where that rounded up;
/// |x| >= 2^23 (and NaN, inf) is already integral and kept as is.
struct FloorAsArith : OpRewritePattern<math::FloorOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FloorOp op,
                                PatternRewriter &rewriter) const override {
    if (!getElementTypeOrSelf(op.getType()).isF32())
      return failure();
    Location loc = op.getLoc();
    Value x = op.getOperand();
    Type i32 = rewriter.getI32Type();
    if (auto shaped = dyn_cast<ShapedType>(x.getType()))
      i32 = shaped.clone(i32);
    Value truncated =
        arith::SIToFPOp::create(rewriter, loc, x.getType(),
                                arith::FPToSIOp::create(rewriter, loc, i32, x));
    Value one = constantLike(rewriter, loc, x, rewriter.getF32FloatAttr(1.0f));
    Value roundedUp = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::OGT, truncated, x);
    Value down = arith::SelectOp::create(
        rewriter, loc, roundedUp,
        arith::SubFOp::create(rewriter, loc, truncated, one), truncated);
    Value magnitude = math::AbsFOp::create(rewriter, loc, x);
    Value integral = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::UGE, magnitude,
        constantLike(rewriter, loc, x, rewriter.getF32FloatAttr(8388608.0f)));
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, integral, x, down);
    return success();
  }
};

/// exp(x) = 2^(x log2 e) on the special function unit (ex2.approx.f32,
/// 2 ulp; what CUDA's __expf does): one instruction instead of a dozen. Its
/// relative error grows with |x| as the product rounds, about |x| 6e-8.
struct ExpOnSpecialFunctionUnit : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::ExpOp op,
                                PatternRewriter &rewriter) const override {
    Type f32 = rewriter.getF32Type();
    if (getElementTypeOrSelf(op.getType()) != f32)
      return failure();
    Location loc = op.getLoc();
    Value scaled = arith::MulFOp::create(
        rewriter, loc, op.getOperand(),
        constantLike(rewriter, loc, op.getOperand(),
                     rewriter.getF32FloatAttr(1.4426950408889634f)));
    auto exp2 = [&](Value x) -> Value {
      return LLVM::CallIntrinsicOp::create(
                 rewriter, loc, f32,
                 rewriter.getStringAttr("llvm.nvvm.ex2.approx.f32"),
                 ValueRange{x})
          .getResult(0);
    };
    auto type = dyn_cast<VectorType>(op.getType());
    if (!type) {
      rewriter.replaceOp(op, exp2(scaled));
      return success();
    }
    // The intrinsic is scalar: one call per element (kernels hold a tile
    // per thread, so the vectors are scalarised anyway).
    SmallVector<Value> elements;
    SmallVector<int64_t> position(type.getRank(), 0);
    for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
      int64_t rest = i;
      for (int64_t d = type.getRank() - 1; d >= 0; --d) {
        position[d] = rest % type.getDimSize(d);
        rest /= type.getDimSize(d);
      }
      elements.push_back(
          exp2(vector::ExtractOp::create(rewriter, loc, scaled, position)));
    }
    rewriter.replaceOpWithNewOp<vector::FromElementsOp>(op, type, elements);
    return success();
  }
};

struct SwrExpandMathPass
    : public swr::impl::SwrExpandMathBase<SwrExpandMathPass> {
  using SwrExpandMathBase::SwrExpandMathBase;

  void runOnOperation() override {
    if (hardwareExp) {
      RewritePatternSet hardware(&getContext());
      hardware.add<ExpOnSpecialFunctionUnit>(&getContext());
      if (failed(applyPatternsGreedily(getOperation(), std::move(hardware))))
        return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    math::populateExpansionPatterns(
        patterns,
        {"sinh", "cosh", "asinh", "acosh", "atanh", "powf", "fpowi", "ipowi"});
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // What the approximations are built from, as arithmetic.
    RewritePatternSet basic(&getContext());
    basic.add<FmaAsContractedMulAdd, AbsAsBits, CopySignAsBits, FloorAsArith>(
        &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(basic))))
      return signalPassFailure();
    WalkResult leftover = getOperation()->walk([](Operation *op) {
      if (!isa<math::MathDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitOpError() << "has no lowering for GPU kernels without "
                           "libdevice; use exp, log, log1p, expm1, tanh, "
                           "erf, absf or arithmetic";
      return WalkResult::interrupt();
    });
    if (leftover.wasInterrupted())
      return signalPassFailure();
    // Negations too: LLVM folds -(a / b) into (-a) / b with the flags
    // both ops share.
    if (approximateDivide)
      getOperation()->walk([](Operation *op) {
        auto fastmath = dyn_cast<arith::ArithFastMathInterface>(op);
        if (fastmath && isa<arith::DivFOp, arith::NegFOp>(op) &&
            getElementTypeOrSelf(op->getResult(0).getType()).isF32())
          op->setAttr(
              fastmath.getFastMathAttrName(),
              arith::FastMathFlagsAttr::get(
                  op->getContext(), fastmath.getFastMathFlagsAttr().getValue() |
                                        arith::FastMathFlags::afn));
      });
  }
};

} // namespace
