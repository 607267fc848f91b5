//===- SwrOps.h - swr operations --------------------------------*- C++ -*-===//

#ifndef SWR_DIALECT_SWR_IR_SWROPS_H
#define SWR_DIALECT_SWR_IR_SWROPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "swr/Dialect/Swr/IR/SwrAttrs.h"
#include "swr/Dialect/Swr/IR/SwrDialect.h"

namespace mlir::swr {

/// The staging buffers of swr.stage_tile and swr.read_staged: a thread's
/// slots in its CTA's shared memory, filled asynchronously.
struct StagingResource : public SideEffects::Resource::Base<StagingResource> {
  StringRef getName() final { return "swr.staging"; }
};

} // namespace mlir::swr

#define GET_OP_CLASSES
#include "swr/Dialect/Swr/IR/SwrOps.h.inc"

#include "llvm/Support/Error.h"

namespace mlir::swr {

/// The role of each argument of a kernel function whose entry block is
/// `entry` and whose body holds `scan` (an swr.scan or swr.scan_grad):
/// "decay", "input", "operand0".."operand15" (fused operands), "init",
/// "seq_offsets", "output", "final", or for a backward "grad_output",
/// "grad_final", "grad_input", "grad_decay", "grad_init". Fails when an
/// argument is not an operand of the op or an operand of the op is not an
/// argument.
llvm::Expected<llvm::SmallVector<llvm::StringRef>>
getKernelArgumentRoles(Operation *scan, Block &entry);

/// On the scf.parallel of a tiled scan whose work items span the CTAs of a
/// thread-block cluster (swr-tile-blocks time-ctas): their number, an
/// integer. swr-distribute then makes each CTA the work item's lanes
/// divided by it, in clusters of that many.
inline constexpr llvm::StringLiteral kClusterCtasAttrName = "swr.cluster_ctas";

/// On a gpu.func: the bytes of dynamic shared memory its launch must
/// provide (the staging rings of swr.stage_tile), an integer.
inline constexpr llvm::StringLiteral kDynamicSharedMemoryAttrName =
    "swr.dynamic_shared_memory";

} // namespace mlir::swr

#endif // SWR_DIALECT_SWR_IR_SWROPS_H
