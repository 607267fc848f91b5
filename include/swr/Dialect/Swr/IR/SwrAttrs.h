//===- SwrAttrs.h - swr attributes and enums --------------------*- C++ -*-===//

#ifndef SWR_DIALECT_SWR_IR_SWRATTRS_H
#define SWR_DIALECT_SWR_IR_SWRATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "swr/Dialect/Swr/IR/SwrEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "swr/Dialect/Swr/IR/SwrAttrs.h.inc"

#endif // SWR_DIALECT_SWR_IR_SWRATTRS_H
