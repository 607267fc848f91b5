//===- Pipelines.cpp - swr pass pipelines ---------------------------------===//

#include "swr/Pipelines/Pipelines.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void swr::buildHostPipeline(OpPassManager &pm,
                            const HostPipelineOptions &options) {
  SwrTileBlocksOptions tiling;
  tiling.block = options.block;
  tiling.channelTile = options.channelTile;
  tiling.method = options.method;
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createSwrTileBlocks(tiling));
  func.addPass(createSwrLowerToLoops());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());

  // Full unrolling turns n-D transfers into 1-D ones; the default keeps a
  // temporary buffer alloca'd inside the loop, which grows the stack on
  // every iteration.
  VectorTransferToSCFOptions transfers;
  transfers.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(transfers));
  pm.addPass(createSCFToControlFlowPass());
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void swr::registerPipelines() {
  PassPipelineRegistration<HostPipelineOptions>(
      "swr-host-pipeline",
      "Lower swr.scan through the Block Two-Pass form to the LLVM dialect "
      "for the CPU JIT",
      buildHostPipeline);
}
