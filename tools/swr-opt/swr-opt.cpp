//===- swr-opt.cpp - swr optimizer driver ---------------------------------===//
//
// Like mlir-opt, with the swr dialect and passes plus the upstream dialects
// and passes our pipelines use.
//
//===----------------------------------------------------------------------===//

#include "swr/InitAllDialects.h"
#include "swr/InitAllPasses.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::swr::registerAllDialects(registry);
  mlir::swr::registerAllPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "swr optimizer driver\n", registry));
}
