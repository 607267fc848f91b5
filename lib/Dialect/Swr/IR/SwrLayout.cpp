//===- SwrLayout.cpp - axes of the swr.scan layouts -----------------------===//

#include "swr/Dialect/Swr/IR/SwrLayout.h"

#include "llvm/Support/ErrorHandling.h"

namespace mlir::swr {

const LayoutAxes &getLayoutAxes(Layout layout) {
  static const LayoutAxes bhdl{
      4,           0,          1, 2, 3, {0, 1, 3}, {0, 1, 2}, "[B, H, D, L]",
      "[B, H, L]", "[B, H, D]"};
  static const LayoutAxes bct{3,  0,      1,           -1, 2,
                              {}, {0, 1}, "[B, C, T]", "", "[B, C]"};
  static const LayoutAxes bthd{
      4,           0,          2, 3, 1, {0, 1, 2}, {0, 2, 3}, "[B, T, H, D]",
      "[B, T, H]", "[B, H, D]"};
  switch (layout) {
  case Layout::bhdl:
    return bhdl;
  case Layout::bct:
    return bct;
  case Layout::bthd:
    return bthd;
  }
  llvm_unreachable("unknown layout");
}

llvm::StringRef getAxisName(Layout layout, int64_t axis) {
  static const char *const bhdl[] = {"B", "H", "D", "L"};
  static const char *const bct[] = {"B", "C", "T"};
  static const char *const bthd[] = {"B", "T", "H", "D"};
  switch (layout) {
  case Layout::bhdl:
    return bhdl[axis];
  case Layout::bct:
    return bct[axis];
  case Layout::bthd:
    return bthd[axis];
  }
  llvm_unreachable("unknown layout");
}

} // namespace mlir::swr
