//===- RegionAdjoint.cpp - reverse mode through fused regions -------------===//
//
// A scan with a prologue P and an epilogue E computes, per element,
//
//   (a, x) = P(z),  y = scan(a, x),  out = E(y, z)
//
// with z = (decay, input, operands...). Given dout, its backward needs
//
//   dy = dout * dE/dy                                 (the cotangent)
//   dz = dout * dE/dz + da * dP_a/dz + dx * dP_x/dz   (the pullback)
//
// where (dx, da) is the scan's own adjoint of dy. Both are the regions
// replayed and differentiated in reverse mode; multiplications by a
// derivative treat 0 * inf as 0, so a gradient that is exactly zero stays
// zero where a composed function saturates (sigmoid's exp(-z) overflowing
// for z << 0 has derivative 0, not NaN).
//
//===----------------------------------------------------------------------===//

#include "RegionAdjoint.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// Replays one region's ops and carries gradients backwards through them.
class ReverseMode {
public:
  ReverseMode(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  /// Clones the ops of `block` with its arguments bound to `arguments`.
  void replay(Block &block, ValueRange arguments) {
    for (auto [argument, value] : llvm::zip(block.getArguments(), arguments))
      primals.map(argument, value);
    for (Operation &op : block.without_terminator())
      b.clone(op, primals);
  }

  /// Adds `gradient` to the gradient of the region value `original`.
  void seed(Value original, Value gradient) { accumulate(original, gradient); }

  /// Walks `block`'s ops last to first, applying the chain rule.
  LogicalResult propagate(Block &block, StringRef regionName) {
    for (Operation &op : llvm::reverse(
             llvm::make_range(block.begin(), std::prev(block.end())))) {
      if (op.getNumResults() != 1)
        continue;
      Value gradient = gradients.lookup(op.getResult(0));
      if (!gradient)
        continue;
      if (failed(propagateThrough(op, gradient)))
        return op.emitOpError()
               << "has no derivative rule: swr-derive-backward cannot "
                  "differentiate the "
               << regionName << " through it";
    }
    return success();
  }

  /// The gradient of the region value `original` (null: it has none).
  Value gradientOf(Value original) const { return gradients.lookup(original); }

private:
  Value primal(Value original) const { return primals.lookup(original); }

  Value constant(Type type, double value) {
    return arith::ConstantOp::create(b, loc, type, b.getFloatAttr(type, value));
  }

  Value isZero(Value value) {
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, value,
                                 constant(value.getType(), 0.0));
  }

  /// Whether `value` is a region argument (a loaded operand, the state or
  /// the output gradient) or a finite constant: not infinite unless the
  /// data is, where torch's autograd propagates NaN as well.
  static bool finiteByConstruction(Value value) {
    if (isa<BlockArgument>(value))
      return true;
    FloatAttr constant;
    return matchPattern(value, m_Constant(&constant)) &&
           constant.getValue().isFinite();
  }

  /// gradient * factor, 0 where the gradient is 0 even for an infinite or
  /// NaN factor (a saturated exp times a gradient that underflowed to 0).
  /// Factors finite by construction need no guard.
  Value scaled(Value gradient, Value factor) {
    Value product = arith::MulFOp::create(b, loc, gradient, factor);
    if (finiteByConstruction(factor))
      return product;
    return arith::SelectOp::create(b, loc, isZero(gradient),
                                   constant(gradient.getType(), 0.0), product);
  }

  /// gradient / divisor, 0 where the gradient is 0.
  Value divided(Value gradient, Value divisor) {
    Value quotient = arith::DivFOp::create(b, loc, gradient, divisor);
    return arith::SelectOp::create(b, loc, isZero(gradient),
                                   constant(gradient.getType(), 0.0), quotient);
  }

  Value negated(Value value) { return arith::NegFOp::create(b, loc, value); }

  /// value * factor, a constant of value's type.
  Value times(Value value, double factor) {
    return arith::MulFOp::create(b, loc, value,
                                 constant(value.getType(), factor));
  }

  void accumulate(Value original, Value contribution) {
    Value &gradient = gradients[original];
    gradient =
        gradient
            ? arith::AddFOp::create(b, loc, gradient, contribution).getResult()
            : contribution;
  }

  /// Of max/min(lhs, rhs): the gradient goes to the chosen operand, half
  /// to each on a tie (as torch.maximum and torch.minimum do).
  void propagateChoice(Value lhs, Value rhs, Value gradient, bool maximum) {
    Value l = primal(lhs), r = primal(rhs);
    auto wins = arith::CmpFOp::create(
        b, loc, maximum ? arith::CmpFPredicate::OGT : arith::CmpFPredicate::OLT,
        l, r);
    auto loses = arith::CmpFOp::create(
        b, loc, maximum ? arith::CmpFPredicate::OLT : arith::CmpFPredicate::OGT,
        l, r);
    Type type = gradient.getType();
    Value half = times(gradient, 0.5);
    Value toLhs = arith::SelectOp::create(
        b, loc, wins, gradient,
        arith::SelectOp::create(b, loc, loses, constant(type, 0.0), half));
    accumulate(lhs, toLhs);
    accumulate(rhs, arith::SubFOp::create(b, loc, gradient, toLhs));
  }

  /// Adds the operands' shares of `gradient`, the gradient of `op`'s result.
  LogicalResult propagateThrough(Operation &op, Value gradient) {
    Value result = primal(op.getResult(0));
    Type type = gradient.getType();
    auto operand = [&](unsigned i) { return op.getOperand(i); };
    auto x = [&](unsigned i) { return primal(op.getOperand(i)); };
    return llvm::TypeSwitch<Operation *, LogicalResult>(&op)
        .Case([&](arith::ConstantOp) { return success(); })
        .Case([&](arith::AddFOp) {
          accumulate(operand(0), gradient);
          accumulate(operand(1), gradient);
          return success();
        })
        .Case([&](arith::SubFOp) {
          accumulate(operand(0), gradient);
          accumulate(operand(1), negated(gradient));
          return success();
        })
        .Case([&](arith::MulFOp) {
          accumulate(operand(0), scaled(gradient, x(1)));
          accumulate(operand(1), scaled(gradient, x(0)));
          return success();
        })
        .Case([&](arith::DivFOp) {
          // d(l / r) = dl / r - d r * (l / r) / r
          accumulate(operand(0), divided(gradient, x(1)));
          accumulate(operand(1),
                     negated(divided(scaled(gradient, result), x(1))));
          return success();
        })
        .Case([&](arith::NegFOp) {
          accumulate(operand(0), negated(gradient));
          return success();
        })
        .Case<arith::MaximumFOp, arith::MaxNumFOp>([&](auto) {
          propagateChoice(operand(0), operand(1), gradient, true);
          return success();
        })
        .Case<arith::MinimumFOp, arith::MinNumFOp>([&](auto) {
          propagateChoice(operand(0), operand(1), gradient, false);
          return success();
        })
        .Case([&](arith::SelectOp) {
          Value zero = constant(type, 0.0);
          accumulate(operand(1),
                     arith::SelectOp::create(b, loc, x(0), gradient, zero));
          accumulate(operand(2),
                     arith::SelectOp::create(b, loc, x(0), zero, gradient));
          return success();
        })
        // A rounding cast passes the gradient through in the other type,
        // as torch's .to() does.
        .Case([&](arith::TruncFOp) {
          accumulate(operand(0),
                     arith::ExtFOp::create(b, loc, x(0).getType(), gradient));
          return success();
        })
        .Case([&](arith::ExtFOp) {
          accumulate(operand(0),
                     arith::TruncFOp::create(b, loc, x(0).getType(), gradient));
          return success();
        })
        .Case([&](math::ExpOp) {
          accumulate(operand(0), scaled(gradient, result));
          return success();
        })
        .Case([&](math::Exp2Op) {
          accumulate(operand(0),
                     scaled(gradient, times(result, llvm::numbers::ln2)));
          return success();
        })
        .Case([&](math::ExpM1Op) {
          Value exp =
              arith::AddFOp::create(b, loc, result, constant(type, 1.0));
          accumulate(operand(0), scaled(gradient, exp));
          return success();
        })
        .Case([&](math::LogOp) {
          accumulate(operand(0), divided(gradient, x(0)));
          return success();
        })
        .Case([&](math::Log2Op) {
          accumulate(operand(0),
                     divided(gradient, times(x(0), llvm::numbers::ln2)));
          return success();
        })
        .Case([&](math::Log10Op) {
          accumulate(operand(0),
                     divided(gradient, times(x(0), llvm::numbers::ln10)));
          return success();
        })
        .Case([&](math::Log1pOp) {
          Value onePlus =
              arith::AddFOp::create(b, loc, x(0), constant(type, 1.0));
          accumulate(operand(0), divided(gradient, onePlus));
          return success();
        })
        .Case([&](math::TanhOp) {
          Value square = arith::MulFOp::create(b, loc, result, result);
          Value slope =
              arith::SubFOp::create(b, loc, constant(type, 1.0), square);
          accumulate(operand(0), scaled(gradient, slope));
          return success();
        })
        .Case([&](math::SqrtOp) {
          accumulate(operand(0), divided(gradient, times(result, 2.0)));
          return success();
        })
        .Case([&](math::RsqrtOp) {
          // d r^-1/2 = -1/2 r^-3/2
          Value cube = arith::MulFOp::create(
              b, loc, result, arith::MulFOp::create(b, loc, result, result));
          accumulate(operand(0), scaled(gradient, times(cube, -0.5)));
          return success();
        })
        .Case([&](math::AbsFOp) {
          Value zero = constant(type, 0.0);
          Value positive = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OGT, x(0), zero);
          Value negative = arith::CmpFOp::create(
              b, loc, arith::CmpFPredicate::OLT, x(0), zero);
          Value share = arith::SelectOp::create(
              b, loc, positive, gradient,
              arith::SelectOp::create(b, loc, negative, negated(gradient),
                                      zero));
          accumulate(operand(0), share);
          return success();
        })
        .Case([&](math::CopySignOp) {
          Value one = constant(type, 1.0);
          Value sign = arith::MulFOp::create(
              b, loc, math::CopySignOp::create(b, loc, one, x(0)),
              math::CopySignOp::create(b, loc, one, x(1)));
          accumulate(operand(0), arith::MulFOp::create(b, loc, gradient, sign));
          return success();
        })
        .Case([&](math::FmaOp) {
          accumulate(operand(0), scaled(gradient, x(1)));
          accumulate(operand(1), scaled(gradient, x(0)));
          accumulate(operand(2), gradient);
          return success();
        })
        .Case([&](math::SinOp) {
          accumulate(operand(0),
                     scaled(gradient, math::CosOp::create(b, loc, x(0))));
          return success();
        })
        .Case([&](math::CosOp) {
          accumulate(
              operand(0),
              negated(scaled(gradient, math::SinOp::create(b, loc, x(0)))));
          return success();
        })
        // Piecewise constant: no gradient.
        .Case<math::FloorOp, math::CeilOp, math::RoundOp, math::RoundEvenOp,
              math::TruncOp, arith::CmpFOp>([&](auto) { return success(); })
        .Default([](Operation *) { return failure(); });
  }

  OpBuilder &b;
  Location loc;
  IRMapping primals;
  DenseMap<Value, Value> gradients;
};

/// A block of `count` f32 arguments in `region`, the builder at its start.
Block &createBlock(OpBuilder &b, Region &region, unsigned count, Location loc) {
  SmallVector<Type> types(count, b.getF32Type());
  SmallVector<Location> locs(count, loc);
  return *b.createBlock(&region, {}, types, locs);
}

/// The gradient, or an f32 zero where there is none.
Value orZero(OpBuilder &b, Location loc, Value gradient) {
  return gradient ? gradient
                  : arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f))
                        .getResult();
}

/// cotangent(dout, y, z...) = dout * dE/dy(y, z).
LogicalResult buildCotangent(ScanOp scan, ScanGradOp grad) {
  Block &epilogue = scan.getEpilogue().front();
  Location loc = scan.getEpilogue().getLoc();
  OpBuilder b(scan.getContext());
  Block &block =
      createBlock(b, grad.getCotangent(), epilogue.getNumArguments() + 1, loc);
  ReverseMode reverse(b, loc);
  reverse.replay(epilogue, block.getArguments().drop_front());
  reverse.seed(epilogue.getTerminator()->getOperand(0), block.getArgument(0));
  if (failed(reverse.propagate(epilogue, "epilogue")))
    return failure();
  YieldOp::create(b, loc,
                  orZero(b, loc, reverse.gradientOf(epilogue.getArgument(0))));
  return success();
}

/// pullback(dx, da, dout, y, z...) = the gradients of z through both
/// regions; without a prologue a and x are the loaded decay and input.
LogicalResult buildPullback(ScanOp scan, ScanGradOp grad) {
  Location loc = scan.getLoc();
  unsigned loaded = 2 + scan.getExtraInputs().size();
  OpBuilder b(scan.getContext());
  Block &block = createBlock(b, grad.getPullback(), loaded + 4, loc);
  Value dx = block.getArgument(0), da = block.getArgument(1);
  Value dout = block.getArgument(2), y = block.getArgument(3);
  ValueRange z = block.getArguments().drop_front(4);
  SmallVector<Value> totals(loaded);
  auto add = [&](unsigned i, Value gradient) {
    if (gradient)
      totals[i] =
          totals[i]
              ? arith::AddFOp::create(b, loc, totals[i], gradient).getResult()
              : gradient;
  };

  if (scan.getPrologue().empty()) {
    add(0, da);
    add(1, dx);
  } else {
    Block &prologue = scan.getPrologue().front();
    ReverseMode reverse(b, loc);
    reverse.replay(prologue, z);
    reverse.seed(prologue.getTerminator()->getOperand(0), da);
    reverse.seed(prologue.getTerminator()->getOperand(1), dx);
    if (failed(reverse.propagate(prologue, "prologue")))
      return failure();
    for (unsigned i = 0; i < loaded; ++i)
      add(i, reverse.gradientOf(prologue.getArgument(i)));
  }

  if (!scan.getEpilogue().empty()) {
    Block &epilogue = scan.getEpilogue().front();
    SmallVector<Value> arguments{y};
    llvm::append_range(arguments, z);
    ReverseMode reverse(b, loc);
    reverse.replay(epilogue, arguments);
    reverse.seed(epilogue.getTerminator()->getOperand(0), dout);
    if (failed(reverse.propagate(epilogue, "epilogue")))
      return failure();
    for (unsigned i = 0; i < loaded; ++i)
      add(i, reverse.gradientOf(epilogue.getArgument(i + 1)));
  }

  SmallVector<Value> results;
  for (Value total : totals)
    results.push_back(orZero(b, loc, total));
  YieldOp::create(b, loc, results);
  return success();
}

} // namespace

LogicalResult mlir::swr::buildAdjointRegions(ScanOp scan, ScanGradOp grad) {
  if (!scan.getPrologue().empty()) {
    IRMapping mapping;
    scan.getPrologue().cloneInto(&grad.getPrologue(), mapping);
  }
  if (!scan.getEpilogue().empty() && failed(buildCotangent(scan, grad)))
    return failure();
  return buildPullback(scan, grad);
}
