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

#define GET_OP_CLASSES
#include "swr/Dialect/Swr/IR/SwrOps.h.inc"

#include "llvm/Support/Error.h"

namespace mlir::swr {

/// The role of each argument of a kernel function whose entry block is
/// `entry` and whose body holds `scan`: "decay", "input", "init",
/// "seq_offsets", "output" or "final". Fails when an argument is not an
/// operand of the scan or an operand of the scan is not an argument.
llvm::Expected<llvm::SmallVector<llvm::StringRef>>
getKernelArgumentRoles(ScanOp scan, Block &entry);

} // namespace mlir::swr

#endif // SWR_DIALECT_SWR_IR_SWROPS_H
