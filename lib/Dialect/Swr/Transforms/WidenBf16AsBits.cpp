//===- WidenBf16AsBits.cpp - bf16 -> f32 as integer shifts ----------------===//
//
// A bf16 is the upper half of the f32 with the same value, so widening one
// is a 16-bit shift of its bits. Written as such, the widening of a loaded
// pair of bf16 lowers to 32-bit integer operations on the loaded word, with
// no 16-bit register in between (see the pass description).
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::swr {
#define GEN_PASS_DEF_SWRWIDENBF16ASBITS
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;

namespace {

/// `type` (a scalar or a shaped type) with its elements replaced.
Type withElement(Type type, Type element) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return shaped.clone(element);
  return element;
}

/// extf bf16 -> f32 = bitcast(extui(bitcast(x) : i16) : i32 << 16).
struct ExtFFromBf16AsShift : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp op,
                                PatternRewriter &rewriter) const override {
    Type from = op.getIn().getType();
    Type to = op.getType();
    if (!getElementTypeOrSelf(from).isBF16() ||
        !getElementTypeOrSelf(to).isF32() || op->hasAttr(swr::kWidenAgainAttr))
      return failure();
    Location loc = op.getLoc();
    Type i16 = withElement(from, rewriter.getI16Type());
    Type i32 = withElement(to, rewriter.getI32Type());
    Value half = arith::BitcastOp::create(rewriter, loc, i16, op.getIn());
    Value word = arith::ExtUIOp::create(rewriter, loc, i32, half);
    TypedAttr sixteen = rewriter.getI32IntegerAttr(16);
    if (auto shaped = dyn_cast<ShapedType>(i32))
      sixteen = DenseElementsAttr::get(shaped, sixteen);
    Value shift = arith::ConstantOp::create(rewriter, loc, sixteen);
    Value bits = arith::ShLIOp::create(rewriter, loc, word, shift);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, to, bits);
    return success();
  }
};

/// extract(extf(v), i) -> extf(extract(v, i)) where the widening is marked
/// `swr.widen_at_use`: each row is widened where it is used.
struct WidenRowAtUse : OpRewritePattern<vector::ExtractOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::ExtractOp op,
                                PatternRewriter &rewriter) const override {
    auto ext = op.getSource().getDefiningOp<arith::ExtFOp>();
    if (!ext || !ext->hasAttr(swr::kWidenAtUseAttr))
      return failure();
    Value row = vector::ExtractOp::create(rewriter, op.getLoc(), ext.getIn(),
                                          op.getMixedPosition());
    auto widened =
        arith::ExtFOp::create(rewriter, op.getLoc(), op.getType(), row);
    if (ext->hasAttr(swr::kWidenAgainAttr))
      widened->setAttr(swr::kWidenAgainAttr, rewriter.getUnitAttr());
    rewriter.replaceOp(op, widened);
    return success();
  }
};

struct SwrWidenBf16AsBitsPass
    : public swr::impl::SwrWidenBf16AsBitsBase<SwrWidenBf16AsBitsPass> {
  void runOnOperation() override {
    RewritePatternSet rows(&getContext());
    rows.add<WidenRowAtUse>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(rows))))
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    patterns.add<ExtFFromBf16AsShift>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
