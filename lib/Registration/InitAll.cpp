//===- InitAll.cpp - register swr and the upstream pieces it uses ---------===//
//
// Registers only what the pipelines need: registering everything would pull
// all of MLIR into every tool.
//
//===----------------------------------------------------------------------===//

#include "swr/InitAllDialects.h"
#include "swr/InitAllPasses.h"

#include "swr/Dialect/Swr/IR/SwrDialect.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"
#include "swr/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlir::swr::registerAllDialects(DialectRegistry &registry) {
  registry.insert<SwrDialect, arith::ArithDialect, func::FuncDialect,
                  math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                  vector::VectorDialect>();
}

void mlir::swr::registerAllPasses() {
  registerSwrPasses();
  registerPipelines();
  registerCanonicalizerPass();
  registerCSEPass();
}
