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

#define GEN_PASS_DECL
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"

} // namespace mlir::swr

#endif // SWR_DIALECT_SWR_TRANSFORMS_PASSES_H
