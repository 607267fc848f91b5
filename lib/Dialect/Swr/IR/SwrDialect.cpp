//===- SwrDialect.cpp - swr dialect ---------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrDialect.h"
#include "swr/Dialect/Swr/IR/SwrAttrs.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

using namespace mlir;
using namespace mlir::swr;

#include "swr/Dialect/Swr/IR/SwrOpsDialect.cpp.inc"

void SwrDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "swr/Dialect/Swr/IR/SwrOps.cpp.inc"
      >();
  registerAttributes();
}
