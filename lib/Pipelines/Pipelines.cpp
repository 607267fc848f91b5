//===- Pipelines.cpp - swr pass pipelines ---------------------------------===//

#include "swr/Pipelines/Pipelines.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// The canonicalizer on a bottom-up worklist. In the pass's default
/// top-down order it spends its time in wouldOpBeTriviallyDead, walking the
/// bodies of enclosing loops and branches over and over: on a lowered tile
/// loop of tens of thousands of ops (guarded element loads of partial tiles)
/// 4.8 s against 0.35 s bottom-up, for the same result.
static std::unique_ptr<Pass> createBottomUpCanonicalizer() {
  return createCanonicalizerPass(
      GreedyRewriteConfig().setUseTopDownTraversal(false));
}

void swr::buildHostPipeline(OpPassManager &pm,
                            const HostPipelineOptions &options) {
  SwrTileBlocksOptions tiling;
  tiling.block = options.block;
  tiling.channelTile = options.channelTile;
  tiling.method = options.method;
  tiling.timeChunk = options.timeChunk;
  tiling.reread = options.reread;
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createSwrTileBlocks(tiling));
  SwrLowerLocalSolveOptions solves;
  solves.strategy = options.strategy;
  func.addPass(createSwrLowerLocalSolve(solves));
  func.addPass(createSwrLowerToLoops());
  func.addPass(createBottomUpCanonicalizer());
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

void swr::buildGpuKernelPipeline(OpPassManager &pm,
                                 const GpuPipelineOptions &options) {
  // Channel tiles (per-head decays): one channel per thread, or with -1 up
  // to 8 for bands<k> over bthd (each step of a tile one vector access).
  SwrTileBlocksOptions tiling;
  tiling.block = options.block;
  tiling.channelTile = options.channelTile;
  tiling.timeChunk = options.timeChunk;
  tiling.gradTimeChunk = options.gradTimeChunk;
  // A full window's tiles spread over the lanes of a warp: one thread per
  // channel leaves too few threads to keep enough bytes in flight.
  tiling.timeLanes = options.timeLanes;
  tiling.fullBlock = options.fullBlock;
  tiling.timeWarps = options.timeWarps;
  tiling.timeCtas = options.timeCtas;
  tiling.prefetch = options.prefetch;
  tiling.reread = options.reread;
  tiling.l2Prefetch = options.l2Prefetch;
  tiling.stages = options.stages;
  tiling.overhang = options.overhang;
  tiling.gridCarries = options.gridCarries;
  // A backward's per-head decay gradient: one head's channels on adjacent
  // lanes, summed by shuffles.
  tiling.laneReduction = true;
  // Token-major layouts: adjacent threads take adjacent channels.
  tiling.channelFastest = true;
  pm.nest<func::FuncOp>().addPass(createSwrTileBlocks(tiling));
  SwrDistributeOptions distribute;
  // A work item of time-warps warps raises the block to its size there
  // (swr-distribute); kernels of one-thread items keep block-size.
  distribute.blockSize = options.blockSize;
  distribute.minBlocksPerSM = options.minBlocksPerSM;
  pm.addPass(createSwrDistribute(distribute));
  OpPassManager &kernel = pm.nest<gpu::GPUModuleOp>().nest<gpu::GPUFuncOp>();
  SwrLowerLocalSolveOptions solves;
  solves.strategy = options.strategy;
  kernel.addPass(createSwrLowerLocalSolve(solves));
  kernel.addPass(createSwrLowerToLoops());
  SwrExpandMathOptions math;
  math.hardwareExp = true;
  math.approximateDivide = true;
  kernel.addPass(createSwrExpandMath(math));
  kernel.addPass(createSwrWidenBf16AsBits());
  kernel.addPass(createBottomUpCanonicalizer());
  kernel.addPass(createCSEPass());
}

void swr::buildGpuSerializationPipeline(OpPassManager &pm,
                                        const GpuPipelineOptions &options) {
  VectorTransferToSCFOptions transfers;
  transfers.enableFullUnroll();
  pm.addPass(createConvertVectorToSCFPass(transfers));
  pm.addPass(createSCFToControlFlowPass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = 3;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &gpuModule = pm.nest<gpu::GPUModuleOp>();
  gpuModule.addPass(createConvertVectorToLLVMPass());
  gpuModule.addPass(createConvertGpuOpsToNVVMOps());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // format=isa runs LLVM's NVPTX backend in-process: no CUDA toolkit.
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = "isa";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

static void buildGpuPipeline(OpPassManager &pm,
                             const swr::GpuPipelineOptions &options) {
  swr::buildGpuKernelPipeline(pm, options);
  swr::buildGpuSerializationPipeline(pm, options);
}

void swr::registerPipelines() {
  PassPipelineRegistration<GpuPipelineOptions>(
      "swr-gpu-pipeline",
      "Lower swr.scan through the Block Two-Pass form to a gpu.binary "
      "holding PTX for NVIDIA GPUs",
      buildGpuPipeline);
  PassPipelineRegistration<HostPipelineOptions>(
      "swr-host-pipeline",
      "Lower swr.scan through the Block Two-Pass form to the LLVM dialect "
      "for the CPU JIT",
      buildHostPipeline);
}
