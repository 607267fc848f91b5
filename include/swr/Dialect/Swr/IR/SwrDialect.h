//===- SwrDialect.h - swr dialect -------------------------------*- C++ -*-===//

#ifndef SWR_DIALECT_SWR_IR_SWRDIALECT_H
#define SWR_DIALECT_SWR_IR_SWRDIALECT_H

#include "mlir/IR/Dialect.h"

#include "swr/Dialect/Swr/IR/SwrOpsDialect.h.inc"

#endif // SWR_DIALECT_SWR_IR_SWRDIALECT_H
