//===- StagedTiles.cpp - tiles staged through shared memory ---------------===//
//
// swr.stage_tile starts copying a tile into a slot of a ring in shared
// memory; swr.read_staged reads it back after swr.stage_commit and
// swr.stage_wait. A thread's tile of n steps x m channels takes rows
// [slot][step][thread][0, m) of its buffer, so the lanes of a warp reading
// one step read adjacent rows, and every row a thread copies is one cp.async
// of m x (element bytes) = 4, 8 or 16 bytes whose bytes in flight hold no
// registers. Rows past the sequence end copy 0 bytes (zero-filled);
// swr.read_staged puts the padding there.
//
//===----------------------------------------------------------------------===//

#include "StagedTiles.h"

#include "GlobalMemory.h"
#include "TileChecks.h"

#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::swr;

namespace {

/// NVVM's address spaces of a global pointer and of a CTA's shared memory.
constexpr unsigned kGlobalAddressSpace = 1;
constexpr unsigned kSharedAddressSpace = 3;
/// Alignment of each staging buffer in the dynamic shared memory.
constexpr int64_t kBufferAlignment = 16;

/// The dynamic shared memory of a kernel: an external array of unknown
/// size, so NVPTX declares it `.extern .shared` (the GPU dialect's
/// gpu.dynamic_shared_memory makes an internal global, which NVPTX demotes
/// to a static one-byte variable that may sit below the kernel's other
/// shared buffers).
constexpr StringLiteral kStagingSymbol = "swr_staging";

/// One staging buffer: [stages][steps][threads] rows of `rowType`.
struct StagingBuffer {
  Value base; // !llvm.ptr<3> to its first byte
  int64_t steps, threads;
  VectorType rowType;

  int64_t rowBytes() const {
    return rowType.getNumElements() *
           rowType.getElementType().getIntOrFloatBitWidth() / 8;
  }
};

/// The staging buffers of one kernel, laid out one after another in its
/// dynamic shared memory on first use.
class StagingBuffers {
public:
  /// Buffer `id` for `op`, shaped [stages][steps][threads][channels] of
  /// `element`; fails (with a diagnostic) outside a GPU kernel with a known
  /// 1-D block or when an earlier op gave the buffer another shape.
  FailureOr<StagingBuffer> get(Operation *op, int64_t id, int64_t stages,
                               int64_t steps, int64_t channels, Type element) {
    auto kernel = op->getParentOfType<gpu::GPUFuncOp>();
    if (!kernel)
      return op->emitOpError()
             << "stages tiles in a GPU's shared memory and has no host "
                "lowering (swr-tile-blocks stages=0 on the host)";
    std::optional<ArrayRef<int32_t>> block = kernel.getKnownBlockSize();
    if (!block || (*block)[1] != 1 || (*block)[2] != 1)
      return op->emitOpError()
             << "needs a kernel with a known 1-D block (swr-distribute)";
    Shape shape{stages, steps, (*block)[0], channels, element};
    auto [it, inserted] = buffers.try_emplace(id, Entry{shape, {}});
    if (!inserted) {
      if (it->second.shape != shape)
        return op->emitOpError()
               << "staging buffer " << id
               << ": its ops disagree on its stages, steps, channels or "
                  "element type";
      return it->second.buffer;
    }
    it->second.buffer = create(kernel, shape, op->getLoc());
    return it->second.buffer;
  }

private:
  struct Shape {
    int64_t stages, steps, threads, channels;
    Type element;
    bool operator!=(const Shape &other) const {
      return std::tie(stages, steps, threads, channels, element) !=
             std::tie(other.stages, other.steps, other.threads, other.channels,
                      other.element);
    }
  };
  struct Entry {
    Shape shape;
    StagingBuffer buffer;
  };

  /// The kernel module's declaration of the dynamic shared memory.
  static void declareStaging(gpu::GPUFuncOp kernel) {
    auto module = kernel->getParentOfType<gpu::GPUModuleOp>();
    if (!module || module.lookupSymbol(kStagingSymbol))
      return;
    auto b =
        ImplicitLocOpBuilder::atBlockBegin(kernel.getLoc(), module.getBody());
    LLVM::GlobalOp::create(b, LLVM::LLVMArrayType::get(b.getI8Type(), 0),
                           /*isConstant=*/false, LLVM::Linkage::External,
                           kStagingSymbol, Attribute(),
                           /*alignment=*/kBufferAlignment, kSharedAddressSpace);
  }

  static StagingBuffer create(gpu::GPUFuncOp kernel, const Shape &shape,
                              Location loc) {
    declareStaging(kernel);
    auto b = ImplicitLocOpBuilder::atBlockBegin(loc, &kernel.getBody().front());
    int64_t offset = 0;
    if (auto used =
            kernel->getAttrOfType<IntegerAttr>(kDynamicSharedMemoryAttrName))
      offset = llvm::alignTo(used.getInt(), kBufferAlignment);
    StagingBuffer buffer{Value(), shape.steps, shape.threads,
                         VectorType::get({shape.channels}, shape.element)};
    int64_t bytes =
        shape.stages * shape.steps * shape.threads * buffer.rowBytes();
    kernel->setAttr(kDynamicSharedMemoryAttrName,
                    b.getI64IntegerAttr(offset + bytes));
    auto pointer =
        LLVM::LLVMPointerType::get(b.getContext(), kSharedAddressSpace);
    Value staging = LLVM::AddressOfOp::create(b, pointer, kStagingSymbol);
    buffer.base = LLVM::GEPOp::create(
        b, pointer, b.getI8Type(), staging,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(offset)});
    return buffer;
  }

  DenseMap<int64_t, Entry> buffers;
};

Value indexConst(ImplicitLocOpBuilder &b, int64_t value) {
  return arith::ConstantIndexOp::create(b, value);
}

/// This thread's place in its CTA (the buffers' thread dimension).
Value threadInBlock(ImplicitLocOpBuilder &b) {
  return gpu::ThreadIdOp::create(b, gpu::Dimension::x);
}

/// Whether logical step `position` + `row` lies inside the sequence.
Value rowInside(ImplicitLocOpBuilder &b, Value position, Value length,
                int64_t row) {
  Value step = arith::AddIOp::create(b, position, indexConst(b, row));
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, step, length);
}

/// The time stride of the staged memref in bytes.
Value timeStrideBytes(ImplicitLocOpBuilder &b, StageTileOp op) {
  MemRefType type = op.getSource().getType();
  return arith::MulIOp::create(
      b,
      memref::ExtractStridedMetadataOp::create(b, op.getSource())
          .getStrides()[op.getTimeAxis()],
      indexConst(b, type.getElementTypeBitWidth() / 8));
}

/// Emits `then` under scf.if `condition` and `otherwise` in its else
/// region (neither yields a value).
void ifElse(ImplicitLocOpBuilder &b, Value condition,
            llvm::function_ref<void(ImplicitLocOpBuilder &)> then,
            llvm::function_ref<void(ImplicitLocOpBuilder &)> otherwise) {
  auto region = [](llvm::function_ref<void(ImplicitLocOpBuilder &)> body) {
    return [body](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder inner(loc, nested);
      body(inner);
      scf::YieldOp::create(inner);
    };
  };
  scf::IfOp::create(b, condition, region(then), region(otherwise));
}

/// The memref indices of row `row` of a staged tile; with `inside` (null:
/// the whole tile is inside the sequence), rows past the sequence end
/// (copied as 0 bytes) take the address of step 0, so every address
/// computed lies inside the sequence.
SmallVector<Value> rowIndices(ImplicitLocOpBuilder &b, StageTileOp op,
                              Value inside, int64_t row) {
  SmallVector<Value> indices(op.getIndices());
  Value step = arith::AddIOp::create(b, op.getPosition(), indexConst(b, row));
  if (inside)
    step = arith::SelectOp::create(b, inside, step, indexConst(b, 0));
  if (op.getReverse())
    step = arith::SubIOp::create(
        b, arith::SubIOp::create(b, op.getLength(), indexConst(b, 1)), step);
  int64_t time = op.getTimeAxis();
  indices[time] = arith::AddIOp::create(b, indices[time], step);
  return indices;
}

/// Whether every row cp.async copies is valid: the tile's channels lie
/// inside the channel axis and the rows' addresses are multiples of their
/// size (the sequence's first row and the time stride in bytes are).
Value rowsCopyable(ImplicitLocOpBuilder &b, StageTileOp op, int64_t rowBytes) {
  Value source = op.getSource();
  Value copyable = arith::ConstantIntOp::create(b, 1, 1);
  if (std::optional<int64_t> axis = op.getChannelAxis()) {
    Value end = arith::AddIOp::create(b, op.getIndices()[*axis],
                                      indexConst(b, op.getTileChannels()));
    copyable = arith::CmpIOp::create(b, arith::CmpIPredicate::ule, end,
                                     memref::DimOp::create(b, source, *axis));
  }
  Value first = global::elementByteAddress(b, source, op.getIndices());
  return arith::AndIOp::create(
      b, copyable,
      arith::AndIOp::create(b, isMultipleOf(b, first, rowBytes),
                            isMultipleOf(b, timeStrideBytes(b, op), rowBytes)));
}

/// The addresses of this thread's rows in one slot of a staging buffer: a
/// base per slot and thread, then a constant offset per row (immediate
/// offsets in PTX).
class SlotRows {
public:
  SlotRows(ImplicitLocOpBuilder &b, const StagingBuffer &buffer, Value slot,
           Value thread)
      : buffer(buffer) {
    Value rowIndex = arith::AddIOp::create(
        b,
        arith::MulIOp::create(b, slot,
                              indexConst(b, buffer.steps * buffer.threads)),
        thread);
    Value bytes = arith::IndexCastOp::create(
        b, b.getI64Type(),
        arith::MulIOp::create(b, rowIndex, indexConst(b, buffer.rowBytes())));
    first = LLVM::GEPOp::create(b, buffer.base.getType(), b.getI8Type(),
                                buffer.base, ArrayRef<LLVM::GEPArg>{bytes});
  }

  Value row(ImplicitLocOpBuilder &b, int64_t step) const {
    if (step == 0)
      return first;
    return LLVM::GEPOp::create(b, first.getType(), b.getI8Type(), first,
                               ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(
                                   step * buffer.threads * buffer.rowBytes())});
  }

  /// The alignment of a row's access: its size when a power of 2 (at most
  /// 16 bytes), else one element.
  unsigned alignment() const {
    int64_t bytes = buffer.rowBytes();
    if (llvm::isPowerOf2_64(bytes))
      return std::min<int64_t>(bytes, kBufferAlignment);
    return buffer.rowType.getElementType().getIntOrFloatBitWidth() / 8;
  }

private:
  const StagingBuffer &buffer;
  Value first;
};

/// One cp.async per row of the tile (16-byte rows bypass L1: .cg); with
/// `masked` (a tile reaching past the sequence end) the rows past it copy
/// 0 bytes.
void copyRows(ImplicitLocOpBuilder &b, StageTileOp op, const SlotRows &slot,
              int64_t rowBytes, bool masked) {
  auto modifier = rowBytes == 16 ? NVVM::LoadCacheModifierKind::CG
                                 : NVVM::LoadCacheModifierKind::CA;
  Value full = arith::ConstantIntOp::create(b, rowBytes, 32);
  Value none = arith::ConstantIntOp::create(b, 0, 32);
  auto globalPointer =
      LLVM::LLVMPointerType::get(b.getContext(), kGlobalAddressSpace);
  auto rowAddress = [&](ArrayRef<Value> indices) {
    return LLVM::AddrSpaceCastOp::create(
        b, globalPointer, global::elementAddress(b, op.getSource(), indices));
  };
  if (!masked) {
    // Rows one time stride apart from the first: immediate offsets when
    // the stride is static, and no per-row address registers.
    Value first = rowAddress(rowIndices(b, op, Value(), 0));
    Value strideBytes = timeStrideBytes(b, op);
    for (int64_t row = 0; row < op.getTileSteps(); ++row) {
      Value offset = arith::IndexCastOp::create(
          b, b.getI64Type(),
          arith::MulIOp::create(b, strideBytes,
                                indexConst(b, op.getReverse() ? -row : row)));
      Value source = LLVM::GEPOp::create(b, globalPointer, b.getI8Type(), first,
                                         ArrayRef<LLVM::GEPArg>{offset});
      NVVM::CpAsyncOp::create(b, slot.row(b, row), source, rowBytes, modifier,
                              Value());
    }
    return;
  }
  for (int64_t row = 0; row < op.getTileSteps(); ++row) {
    Value inside = rowInside(b, op.getPosition(), op.getLength(), row);
    NVVM::CpAsyncOp::create(
        b, slot.row(b, row), rowAddress(rowIndices(b, op, inside, row)),
        rowBytes, modifier, arith::SelectOp::create(b, inside, full, none));
  }
}

/// A tile cp.async cannot copy: read by swr.read_tile (padding 0, lowered
/// by the caller) and stored to the slot before the op completes.
void storeReadRows(ImplicitLocOpBuilder &b, StageTileOp op,
                   const SlotRows &slot) {
  int64_t steps = op.getTileSteps(), channels = op.getTileChannels();
  Type f32 = b.getF32Type();
  VectorType readType = op.getChannelAxis()
                            ? VectorType::get({steps, channels}, f32)
                            : VectorType::get({steps}, f32);
  Value tile = ReadTileOp::create(b, readType, op.getSource(), op.getIndices(),
                                  op.getPosition(), op.getLength(),
                                  op.getTimeAxisAttr(), op.getChannelAxisAttr(),
                                  op.getReverseAttr(), b.getF32FloatAttr(0.0f));
  Type element = op.getSource().getType().getElementType();
  if (element != f32) // exact: the tile was widened from this type
    tile = arith::TruncFOp::create(b, readType.clone(element), tile);
  tile = vector::ShapeCastOp::create(
      b, VectorType::get({steps, channels}, element), tile);
  for (int64_t row = 0; row < steps; ++row)
    LLVM::StoreOp::create(b, vector::ExtractOp::create(b, tile, row),
                          slot.row(b, row), slot.alignment());
}

/// How a group of G lanes (StageTileOp `lanes`) copies a step's run of
/// G x rowBytes contiguous bytes together: `lanesPerStep` lanes of 16
/// bytes each, so one instruction of the group covers `stepsPerCopy` steps.
struct GroupCopy {
  int64_t lanesPerStep, stepsPerCopy;
};

/// The group copy of `op`, if its runs can be one: groups of several lanes
/// over the innermost, contiguous channel axis, runs a multiple of 16
/// bytes, tiles a multiple of the steps one instruction covers.
std::optional<GroupCopy> groupCopyShape(StageTileOp op, int64_t rowBytes) {
  MemRefType type = op.getSource().getType();
  std::optional<int64_t> channelAxis = op.getChannelAxis();
  int64_t group = op.getLanes(), run = group * rowBytes;
  if (group == 1 || !channelAxis || *channelAxis != type.getRank() - 1 ||
      !type.getLayout().isIdentity() || run % 16 != 0)
    return std::nullopt;
  GroupCopy copy{run / 16, group / (run / 16)};
  if (copy.stepsPerCopy == 0 || op.getTileSteps() % copy.stepsPerCopy != 0)
    return std::nullopt;
  return copy;
}

/// This lane's place in its group of `op.getLanes()`.
Value placeInGroup(ImplicitLocOpBuilder &b, StageTileOp op) {
  Value lane = arith::IndexCastUIOp::create(
      b, b.getIndexType(), NVVM::LaneIdOp::create(b, b.getI32Type()));
  return arith::RemUIOp::create(b, lane, indexConst(b, op.getLanes()));
}

/// The indices of the first element of the group's run of the tile's
/// first row: this lane's, at the group's first channel.
SmallVector<Value> groupRunIndices(ImplicitLocOpBuilder &b, StageTileOp op,
                                   Value place) {
  SmallVector<Value> indices = rowIndices(b, op, Value(), 0);
  int64_t axis = *op.getChannelAxis();
  indices[axis] = arith::SubIOp::create(
      b, indices[axis],
      arith::MulIOp::create(b, place, indexConst(b, op.getTileChannels())));
  return indices;
}

/// Whether the group's runs can be copied together: the whole tile inside
/// the sequence, the group's channels inside the channel axis, its runs
/// aligned to 16 bytes (the first and the time stride in bytes).
Value groupCopyable(ImplicitLocOpBuilder &b, StageTileOp op, Value place,
                    Value strideBytes) {
  Value source = op.getSource();
  int64_t axis = *op.getChannelAxis();
  SmallVector<Value> first = groupRunIndices(b, op, place);
  Value end = arith::AddIOp::create(
      b, first[axis], indexConst(b, op.getLanes() * op.getTileChannels()));
  Value channels =
      arith::CmpIOp::create(b, arith::CmpIPredicate::ule, end,
                            memref::DimOp::create(b, source, axis));
  Value steps = isInsideSequence(b, op);
  // Past the channel axis the run's address is never used.
  Value aligned = arith::AndIOp::create(
      b, isMultipleOf(b, global::elementByteAddress(b, source, first), 16),
      isMultipleOf(b, strideBytes, 16));
  return arith::AndIOp::create(b, arith::AndIOp::create(b, steps, channels),
                               aligned);
}

/// The group's copy: lane p takes 16-byte segment p mod lanesPerStep of
/// step p / lanesPerStep of every stepsPerCopy steps.
void copyGroupRuns(ImplicitLocOpBuilder &b, StageTileOp op,
                   const StagingBuffer &buffer, Value place, Value thread,
                   Value strideBytes, GroupCopy copy) {
  auto globalPointer =
      LLVM::LLVMPointerType::get(b.getContext(), kGlobalAddressSpace);
  Value segment =
      arith::RemUIOp::create(b, place, indexConst(b, copy.lanesPerStep));
  Value step =
      arith::DivUIOp::create(b, place, indexConst(b, copy.lanesPerStep));
  Value sign = indexConst(b, op.getReverse() ? -1 : 1);
  auto toI64 = [&](Value index) -> Value {
    return arith::IndexCastOp::create(b, b.getI64Type(), index);
  };
  Value segmentBytes = arith::MulIOp::create(b, segment, indexConst(b, 16));
  // This lane's first segment in memory and in the group's slot rows.
  Value source = LLVM::AddrSpaceCastOp::create(
      b, globalPointer,
      global::elementAddress(b, op.getSource(), groupRunIndices(b, op, place)));
  source = LLVM::GEPOp::create(
      b, globalPointer, b.getI8Type(), source,
      ArrayRef<LLVM::GEPArg>{toI64(arith::AddIOp::create(
          b,
          arith::MulIOp::create(b, arith::MulIOp::create(b, step, strideBytes),
                                sign),
          segmentBytes))});
  Value groupThread = arith::SubIOp::create(b, thread, place);
  SlotRows rows(b, buffer, op.getSlot(), groupThread);
  int64_t stepBytes = buffer.threads * buffer.rowBytes();
  Value target = rows.row(b, 0);
  target = LLVM::GEPOp::create(
      b, target.getType(), b.getI8Type(), target,
      ArrayRef<LLVM::GEPArg>{toI64(arith::AddIOp::create(
          b, arith::MulIOp::create(b, step, indexConst(b, stepBytes)),
          segmentBytes))});
  for (int64_t k = 0; k * copy.stepsPerCopy < op.getTileSteps(); ++k) {
    int64_t ahead = k * copy.stepsPerCopy;
    Value from = LLVM::GEPOp::create(
        b, globalPointer, b.getI8Type(), source,
        ArrayRef<LLVM::GEPArg>{toI64(arith::MulIOp::create(
            b, strideBytes, indexConst(b, op.getReverse() ? -ahead : ahead)))});
    Value to = LLVM::GEPOp::create(
        b, target.getType(), b.getI8Type(), target,
        ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(ahead * stepBytes)});
    NVVM::CpAsyncOp::create(b, to, from, 16, NVVM::LoadCacheModifierKind::CG,
                            Value());
  }
}

/// A warp barrier (every lane of the warp executes the staging ops).
void syncWarp(ImplicitLocOpBuilder &b) {
  NVVM::SyncWarpOp::create(b, arith::ConstantIntOp::create(b, -1, 32));
}

LogicalResult lowerStageTile(StageTileOp op, StagingBuffers &buffers) {
  Type element = op.getSource().getType().getElementType();
  FailureOr<StagingBuffer> buffer =
      buffers.get(op, op.getBuffer(), op.getStages(), op.getTileSteps(),
                  op.getTileChannels(), element);
  if (failed(buffer))
    return failure();
  ImplicitLocOpBuilder b(op.getLoc(), op);
  Value thread = threadInBlock(b);
  SlotRows slot(b, *buffer, op.getSlot(), thread);
  int64_t rowBytes = buffer->rowBytes();
  auto perLane = [&](ImplicitLocOpBuilder &b) {
    if (rowBytes != 4 && rowBytes != 8 && rowBytes != 16)
      return storeReadRows(b, op, slot);
    ifElse(
        b, rowsCopyable(b, op, rowBytes),
        [&](ImplicitLocOpBuilder &copyable) {
          ifElse(
              copyable, isInsideSequence(copyable, op),
              [&](ImplicitLocOpBuilder &full) {
                copyRows(full, op, slot, rowBytes, /*masked=*/false);
              },
              [&](ImplicitLocOpBuilder &partial) {
                copyRows(partial, op, slot, rowBytes, /*masked=*/true);
              });
        },
        [&](ImplicitLocOpBuilder &other) { storeReadRows(other, op, slot); });
  };
  std::optional<GroupCopy> group = groupCopyShape(op, rowBytes);
  if (!group) {
    perLane(b);
    op.erase();
    return success();
  }
  // The group's lanes write each other's rows: none may still be reading
  // the slot (it was read by the iteration before).
  syncWarp(b);
  Value place = placeInGroup(b, op);
  Value strideBytes = timeStrideBytes(b, op);
  ifElse(
      b, groupCopyable(b, op, place, strideBytes),
      [&](ImplicitLocOpBuilder &together) {
        copyGroupRuns(together, op, *buffer, place, thread, strideBytes,
                      *group);
      },
      perLane);
  op.erase();
  return success();
}

/// The rows of a slot in the stored type, rows past the sequence end
/// replaced by `padding` when `padded` (the tile reaches past it).
Value loadSlot(ImplicitLocOpBuilder &b, ReadStagedOp op, const SlotRows &slot,
               VectorType rowType, bool padded) {
  int64_t steps = op.getTileSteps();
  Type element = rowType.getElementType();
  Value padding = vector::BroadcastOp::create(
      b, rowType,
      arith::ConstantOp::create(
          b, b.getFloatAttr(element, op.getPadding().convertToDouble())));
  auto tileType = VectorType::get({steps, rowType.getNumElements()}, element);
  Value tile = arith::ConstantOp::create(
      b, DenseElementsAttr::get(tileType, b.getFloatAttr(element, 0.0)));
  for (int64_t row = 0; row < steps; ++row) {
    Value values =
        LLVM::LoadOp::create(b, rowType, slot.row(b, row), slot.alignment());
    if (padded)
      values = arith::SelectOp::create(
          b, rowInside(b, op.getPosition(), op.getLength(), row), values,
          padding);
    tile = vector::InsertOp::create(b, values, tile, row);
  }
  return tile;
}

LogicalResult lowerReadStaged(ReadStagedOp op, StagingBuffers &buffers) {
  FailureOr<StagingBuffer> buffer =
      buffers.get(op, op.getBuffer(), op.getStages(), op.getTileSteps(),
                  op.getTileChannels(), op.getStored());
  if (failed(buffer))
    return failure();
  ImplicitLocOpBuilder b(op.getLoc(), op);
  SlotRows slot(b, *buffer, op.getSlot(), threadInBlock(b));
  // Only a tile reaching past the sequence end pays for the padding.
  Value inside = isInsideSequence(b, op);
  auto path = [&](bool padded) {
    return [&, padded](OpBuilder &nested, Location loc) {
      ImplicitLocOpBuilder inner(loc, nested);
      scf::YieldOp::create(inner,
                           loadSlot(inner, op, slot, buffer->rowType, padded));
    };
  };
  Value tile =
      scf::IfOp::create(b, inside, path(false), path(true)).getResult(0);
  VectorType result = op.getResult().getType();
  if (!op.getStored().isF32())
    tile = arith::ExtFOp::create(
        b, cast<VectorType>(tile.getType()).clone(b.getF32Type()), tile);
  if (tile.getType() != result)
    tile = vector::ShapeCastOp::create(b, result, tile);
  op.getResult().replaceAllUsesWith(tile);
  op.erase();
  return success();
}

/// cp.async groups exist only on GPUs.
LogicalResult onGpu(Operation *op) {
  if (op->getParentOfType<gpu::GPUFuncOp>())
    return success();
  return op->emitOpError() << "waits on a GPU's cp.async groups and has no "
                              "host lowering (swr-tile-blocks stages=0 on "
                              "the host)";
}

} // namespace

LogicalResult swr::lowerStagedTiles(Operation *func) {
  SmallVector<Operation *> ops;
  func->walk([&](Operation *op) {
    if (isa<StageTileOp, StageCommitOp, StageWaitOp, ReadStagedOp>(op))
      ops.push_back(op);
  });
  StagingBuffers buffers;
  for (Operation *op : ops) {
    LogicalResult lowered =
        llvm::TypeSwitch<Operation *, LogicalResult>(op)
            .Case([&](StageTileOp op) { return lowerStageTile(op, buffers); })
            .Case([&](ReadStagedOp op) { return lowerReadStaged(op, buffers); })
            .Case([](StageCommitOp op) -> LogicalResult {
              if (failed(onGpu(op)))
                return failure();
              ImplicitLocOpBuilder b(op.getLoc(), op);
              NVVM::CpAsyncCommitGroupOp::create(b);
              op.erase();
              return success();
            })
            .Case([](StageWaitOp op) -> LogicalResult {
              if (failed(onGpu(op)))
                return failure();
              ImplicitLocOpBuilder b(op.getLoc(), op);
              NVVM::CpAsyncWaitGroupOp::create(
                  b, static_cast<int32_t>(op.getPending()));
              // Lanes staging together read each other's copies.
              syncWarp(b);
              op.erase();
              return success();
            });
    if (failed(lowered))
      return failure();
  }
  return success();
}
