//===- Distribute.cpp - map tiled scans onto GPU threads ------------------===//
//
// func.func @k(args) { ... scf.parallel (%s, %h, %c) = (0, 0, 0) to (S, H, C)
//                          step (1, 1, n) { tile loop } ... }
// becomes
// gpu.module @swr_kernels { gpu.func @k(args) kernel {
//   %id = block_id.x * block_dim.x + thread_id.x
//   scf.if %id < S * H * ceil(C / n) { (%s, %h, %c) = delinearize(%id); tile
//   loop }
// } }
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrOps.h"
#include "swr/Dialect/Swr/Transforms/Passes.h"

#include "GlobalMemory.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::swr {
#define GEN_PASS_DEF_SWRDISTRIBUTE
#include "swr/Dialect/Swr/Transforms/Passes.h.inc"
} // namespace mlir::swr

using namespace mlir;
using namespace mlir::swr;

namespace {

/// The argument and dimension an upper bound reads, or failure.
FailureOr<std::pair<int64_t, int64_t>> boundOf(Value upper) {
  auto dim = upper.getDefiningOp<memref::DimOp>();
  if (!dim)
    return failure();
  auto argument = dyn_cast<BlockArgument>(dim.getSource());
  std::optional<int64_t> index = dim.getConstantIndex();
  if (!argument || !index ||
      !isa<FunctionOpInterface>(argument.getOwner()->getParentOp()))
    return failure();
  return std::make_pair(int64_t(argument.getArgNumber()), *index);
}

/// swr.channel_sum over a group of G adjacent lanes (the channel blocks of
/// one head: the fastest-varying work-item dimension with G iterations, so
/// groups start at multiples of G and are never split by the grid's end):
/// a butterfly of shfl.sync.bfly per element, masked to the group, so lanes
/// past the end of the grid need not take part.
void lowerChannelSum(ChannelSumOp op) {
  ImplicitLocOpBuilder b(op.getLoc(), op);
  int64_t group = op.getGroup();
  Type i32 = b.getI32Type();
  auto i32Const = [&](int64_t value) -> Value {
    return arith::ConstantOp::create(b, b.getI32IntegerAttr(value));
  };
  Value lane = NVVM::LaneIdOp::create(b, i32);
  Value first = arith::AndIOp::create(b, lane, i32Const(~(group - 1)));
  uint64_t lanes = group == 32 ? 0xffffffffull : (1ull << group) - 1;
  Value mask = arith::ShLIOp::create(
      b, i32Const(static_cast<int32_t>(static_cast<uint32_t>(lanes))), first);
  Value clamp = i32Const(0x1f);
  auto type = cast<VectorType>(op.getValue().getType());
  Value result = op.getValue();
  for (int64_t i = 0; i < type.getDimSize(0); ++i) {
    Value sum = vector::ExtractOp::create(b, op.getValue(), i);
    for (int64_t offset = 1; offset < group; offset *= 2) {
      Value other =
          NVVM::ShflOp::create(b, b.getF32Type(), mask, sum, i32Const(offset),
                               clamp, NVVM::ShflKind::bfly, UnitAttr());
      sum = arith::AddFOp::create(b, sum, other);
    }
    result = vector::InsertOp::create(b, sum, result, i);
  }
  op.getResult().replaceAllUsesWith(result);
  op.erase();
}

/// The block's place in the order of work: blockIdx.x, or with a
/// workspace (grid carries: work items wait for the chunks before theirs)
/// a ticket drawn by the block's first thread from the workspace's first
/// word, so that every block a block waits for was started before it
/// whatever order the hardware starts blocks in (forward progress).
Value blockTicket(ImplicitLocOpBuilder &b, gpu::GPUFuncOp kernel,
                  Value workspace) {
  if (!workspace)
    return gpu::BlockIdOp::create(b, gpu::Dimension::x);
  auto ticketType = MemRefType::get(
      {1}, b.getIndexType(), MemRefLayoutAttrInterface(),
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup));
  Value ticket = kernel.addWorkgroupAttribution(ticketType, b.getLoc());
  Value zero = arith::ConstantIndexOp::create(b, 0);
  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value first =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, thread, zero);
  scf::IfOp::create(b, first, [&](OpBuilder &nested, Location loc) {
    ImplicitLocOpBuilder then(loc, nested);
    Value drawn = global::fetchAdd(
        then, global::wordAddress(then, workspace, zero),
        arith::ConstantOp::create(then, then.getI32IntegerAttr(1)));
    memref::StoreOp::create(
        then, arith::IndexCastUIOp::create(then, then.getIndexType(), drawn),
        ticket, ValueRange{zero});
    scf::YieldOp::create(then);
  });
  gpu::BarrierOp::create(b);
  return memref::LoadOp::create(b, ticket, ValueRange{zero});
}

/// Replaces `loop` (inside a kernel) by one iteration per thread.
LogicalResult distributeLoop(scf::ParallelOp loop, Value workspace) {
  ImplicitLocOpBuilder b(loop.getLoc(), loop);
  for (Value lower : loop.getLowerBound())
    if (getConstantIntValue(lower) != 0)
      return loop.emitOpError() << "swr-distribute: expected lower bounds 0";

  // Trip count of every dimension, and their product.
  SmallVector<Value> trips;
  Value total = arith::ConstantIndexOp::create(b, 1);
  for (auto [upper, step] : llvm::zip(loop.getUpperBound(), loop.getStep())) {
    Value trip = arith::CeilDivUIOp::create(b, upper, step);
    trips.push_back(trip);
    total = arith::MulIOp::create(b, total, trip);
  }
  Value thread = gpu::ThreadIdOp::create(b, gpu::Dimension::x);
  Value block =
      blockTicket(b, loop->getParentOfType<gpu::GPUFuncOp>(), workspace);
  Value blockDim = gpu::BlockDimOp::create(b, gpu::Dimension::x);
  Value id = arith::AddIOp::create(b, arith::MulIOp::create(b, block, blockDim),
                                   thread);
  Value active = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, id, total);
  auto ifOp = scf::IfOp::create(b, active, /*withElseRegion=*/false);

  // Delinearise: the last loop dimension varies fastest.
  b.setInsertionPointToStart(ifOp.thenBlock());
  IRMapping mapping;
  Value rest = id;
  SmallVector<Value> indices(trips.size());
  for (int64_t d = static_cast<int64_t>(trips.size()) - 1; d >= 0; --d) {
    Value index = d == 0 ? rest : arith::RemUIOp::create(b, rest, trips[d]);
    if (d > 0)
      rest = arith::DivUIOp::create(b, rest, trips[d]);
    indices[d] = arith::MulIOp::create(b, index, loop.getStep()[d]);
  }
  for (auto [iv, index] : llvm::zip(loop.getInductionVars(), indices))
    mapping.map(iv, index);
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
  return success();
}

struct SwrDistributePass
    : public swr::impl::SwrDistributeBase<SwrDistributePass> {
  using SwrDistributeBase::SwrDistributeBase;

  /// A last dimension with a constant trip count K (time lanes: the 32
  /// lanes of a warp) makes K adjacent threads one work item; K must divide
  /// the block so that no item straddles two blocks and the guard on the
  /// item count is uniform across a warp. A block smaller than an item of
  /// whole warps (time warps: 32 x warps lanes) is raised to the item, so
  /// that block-size can stay small for kernels whose items are one thread
  /// (a full window's backward). Otherwise 1.
  FailureOr<int64_t> threadsPerWorkItem(scf::ParallelOp loop,
                                        int64_t &threads) {
    std::optional<int64_t> lanes =
        getConstantIntValue(loop.getUpperBound().back());
    if (!lanes || getConstantIntValue(loop.getStep().back()) != 1)
      return 1;
    if (*lanes > threads && *lanes % 32 == 0 && *lanes <= 1024)
      threads = *lanes;
    if (*lanes < 1 || threads % *lanes != 0)
      return loop.emitOpError() << "swr-distribute: block-size " << threads
                                << " must be a multiple of the " << *lanes
                                << " lanes of the last dimension";
    return *lanes;
  }

  /// The CTAs of a cluster that one work item spans (swr.cluster_ctas on
  /// the loop), or 1.
  FailureOr<int64_t> clusterCtas(scf::ParallelOp loop) {
    auto attr = loop->getAttrOfType<IntegerAttr>(kClusterCtasAttrName);
    if (!attr)
      return 1;
    int64_t ctas = attr.getInt();
    std::optional<int64_t> lanes =
        getConstantIntValue(loop.getUpperBound().back());
    if (ctas < 2 || ctas > CarryExchangeOp::kMaxClusterCtas || !lanes ||
        *lanes % (32 * ctas) != 0 || *lanes / ctas > 1024)
      return loop.emitOpError()
             << "swr-distribute: " << kClusterCtasAttrName << " = " << ctas
             << " must be 2 to " << CarryExchangeOp::kMaxClusterCtas
             << " CTAs sharing the last dimension's constant number of lanes "
                "in whole warps, at most 1024 per CTA";
    return ctas;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (minBlocksPerSM < 0 || minBlocksPerSM > 32) {
      module.emitError() << "swr-distribute: min-blocks-per-sm must be in "
                            "[0, 32], got "
                         << static_cast<int64_t>(minBlocksPerSM);
      return signalPassFailure();
    }
    if (blockSize < 1 || blockSize > 1024) {
      module.emitError() << "swr-distribute: block-size must be in [1, 1024], "
                            "got "
                         << static_cast<int64_t>(blockSize);
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> kernels;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.getOps<scf::ParallelOp>().empty())
        kernels.push_back(func);
    if (kernels.empty())
      return;

    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    auto gpuModule = gpu::GPUModuleOp::create(b, module.getLoc(), moduleName);
    SymbolTable symbols(gpuModule);
    for (func::FuncOp func : kernels)
      if (failed(outline(func, gpuModule, symbols)))
        return signalPassFailure();
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());
  }

  LogicalResult outline(func::FuncOp func, gpu::GPUModuleOp gpuModule,
                        SymbolTable &symbols) {
    auto loops = llvm::to_vector(func.getOps<scf::ParallelOp>());
    if (loops.size() != 1)
      return func.emitOpError()
             << "swr-distribute: expected one tiled scan per function, got "
             << loops.size();
    scf::ParallelOp loop = loops.front();
    SmallVector<Attribute> workItems;
    OpBuilder attrs(func.getContext());
    // A work item over the CTAs of a cluster: each CTA is its share of the
    // item's lanes, whatever block-size says.
    FailureOr<int64_t> ctas = clusterCtas(loop);
    if (failed(ctas))
      return failure();
    int64_t threads = blockSize;
    FailureOr<int64_t> threadsPerItem =
        *ctas > 1 ? *getConstantIntValue(loop.getUpperBound().back())
                  : threadsPerWorkItem(loop, threads);
    if (failed(threadsPerItem))
      return failure();
    if (*ctas > 1)
      threads = *threadsPerItem / *ctas;
    auto dims = llvm::zip(loop.getUpperBound(), loop.getStep());
    for (auto [upper, step] : llvm::drop_end(dims, *threadsPerItem > 1)) {
      FailureOr<std::pair<int64_t, int64_t>> bound = boundOf(upper);
      std::optional<int64_t> constantStep = getConstantIntValue(step);
      if (failed(bound) || !constantStep)
        return loop.emitOpError()
               << "swr-distribute: every upper bound must be a dimension of "
                  "a function argument (or the last a constant number of "
                  "lanes) and every step a constant";
      workItems.push_back(attrs.getDenseI64ArrayAttr(
          {bound->first, bound->second, *constantStep}));
    }

    OpBuilder b = OpBuilder::atBlockEnd(gpuModule.getBody());
    auto kernel = gpu::GPUFuncOp::create(b, func.getLoc(), func.getSymName(),
                                         func.getFunctionType());
    kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    kernel.setKnownBlockSizeAttr(
        b.getDenseI32ArrayAttr({static_cast<int32_t>(threads), 1, 1}));
    if (minBlocksPerSM > 0)
      kernel->setAttr(
          NVVM::NVVMDialect::getMinctasmAttrName(),
          b.getI32IntegerAttr(static_cast<int32_t>(minBlocksPerSM)));
    kernel->setAttr("swr.work_items", b.getArrayAttr(workItems));
    kernel->setAttr("swr.threads_per_item",
                    b.getI64IntegerAttr(*threadsPerItem));
    // A work item over several blocks: they are one cluster
    // (.reqnctapercluster), consecutive in x, so block b has rank b mod
    // ctas in it.
    if (*ctas > 1)
      kernel->setAttr(
          NVVM::NVVMDialect::getClusterDimAttrName(),
          b.getDenseI32ArrayAttr({static_cast<int32_t>(*ctas), 1, 1}));
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      kernel.setArgAttrs(i, func.getArgAttrDict(i));
    symbols.insert(kernel);

    // Move the body over; the function's return becomes the kernel's.
    Block &body = kernel.getBody().front();
    IRMapping mapping;
    for (auto [from, to] : llvm::zip(func.getArguments(), body.getArguments()))
      mapping.map(from, to);
    b.setInsertionPointToEnd(&body);
    scf::ParallelOp kernelLoop;
    for (Operation &op : func.getBody().front()) {
      if (isa<func::ReturnOp>(op)) {
        gpu::ReturnOp::create(b, op.getLoc());
        continue;
      }
      Operation *clone = b.clone(op, mapping);
      if (&op == loop.getOperation())
        kernelLoop = cast<scf::ParallelOp>(clone);
    }
    func.erase();
    Value workspace;
    for (BlockArgument argument : body.getArguments())
      if (kernel.getArgAttr(argument.getArgNumber(), "swr.workspace"))
        workspace = argument;
    if (failed(distributeLoop(kernelLoop, workspace)))
      return failure();
    SmallVector<ChannelSumOp> sums;
    kernel.walk([&](ChannelSumOp op) { sums.push_back(op); });
    for (ChannelSumOp op : sums)
      lowerChannelSum(op);
    return success();
  }
};

} // namespace
