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

#endif // SWR_DIALECT_SWR_IR_SWROPS_H
