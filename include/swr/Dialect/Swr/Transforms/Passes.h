//===- Passes.h - swr transformation passes ---------------------*- C++ -*-===//

#ifndef SWR_DIALECT_SWR_TRANSFORMS_PASSES_H
#define SWR_DIALECT_SWR_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::swr {

/// Marks on an `arith.extf` of a stored-width tile that swr-tile-blocks
/// sets and swr-widen-bf16-as-bits reads: widen each row where it is
/// extracted, not the tile at once; and a second widening of a tile after a
/// carry exchange, kept an `arith.extf` so CSE cannot merge it with the
/// first (the widened tile would then live across the exchange).
inline constexpr llvm::StringLiteral kWidenAtUseAttr = "swr.widen_at_use";
inline constexpr llvm::StringLiteral kWidenAgainAttr = "swr.widen_again";

#define GEN_PASS_DECL
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

} // namespace mlir::swr

#endif // SWR_DIALECT_SWR_TRANSFORMS_PASSES_H
