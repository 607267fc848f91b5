//===- SwrAttrs.cpp - swr attributes --------------------------------------===//

#include "swr/Dialect/Swr/IR/SwrAttrs.h"
#include "swr/Dialect/Swr/IR/SwrDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::swr;

#include "swr/Dialect/Swr/IR/SwrEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "swr/Dialect/Swr/IR/SwrAttrs.cpp.inc"

void SwrDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "swr/Dialect/Swr/IR/SwrAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// WindowAttr
//===----------------------------------------------------------------------===//

// Syntax: (`full` | `bands` `<` k (`,` tile)? `>` | `exact` `<` W `>`).
WindowAttr WindowAttr::parseBody(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef keyword;
  if (parser.parseKeyword(&keyword))
    return {};
  std::optional<WindowKind> kind = symbolizeWindowKind(keyword);
  if (!kind) {
    parser.emitError(loc) << "expected window kind 'full', 'bands' or "
                             "'exact', got '"
                          << keyword << "'";
    return {};
  }
  int64_t size = 0;
  int64_t tile = kDefaultTile;
  if (*kind != WindowKind::full) {
    if (parser.parseLess() || parser.parseInteger(size))
      return {};
    if (*kind == WindowKind::bands && succeeded(parser.parseOptionalComma()) &&
        parser.parseInteger(tile))
      return {};
    if (parser.parseGreater())
      return {};
  }
  return parser.getChecked<WindowAttr>(loc, parser.getContext(), *kind, size,
                                       tile);
}

void WindowAttr::printBody(AsmPrinter &printer) const {
  printer << stringifyWindowKind(getKind());
  switch (getKind()) {
  case WindowKind::full:
    break;
  case WindowKind::bands:
    printer << '<' << getSize();
    if (getTile() != kDefaultTile)
      printer << ", " << getTile();
    printer << '>';
    break;
  case WindowKind::exact:
    printer << '<' << getSize() << '>';
    break;
  }
}

// Syntax: `<` body `>`.
Attribute WindowAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  WindowAttr window = parseBody(parser);
  if (!window || parser.parseGreater())
    return {};
  return window;
}

void WindowAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printBody(printer);
  printer << '>';
}

LogicalResult WindowAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 WindowKind kind, int64_t size, int64_t tile) {
  if (tile < 1)
    return emitError() << "window tile must be >= 1, got " << tile;
  switch (kind) {
  case WindowKind::full:
    if (size != 0)
      return emitError() << "full window takes no size, got " << size;
    return success();
  case WindowKind::bands:
    if (size < 1)
      return emitError() << "bands<k> needs k >= 1, got k = " << size;
    return success();
  case WindowKind::exact:
    if (size < 1)
      return emitError() << "exact<W> needs W >= 1, got W = " << size;
    return success();
  }
  return success();
}

bool WindowAttr::coversLength(int64_t length) const {
  switch (getKind()) {
  case WindowKind::full:
    return true;
  case WindowKind::bands: {
    int64_t tiles = (length + getTile() - 1) / getTile();
    return getSize() >= tiles;
  }
  case WindowKind::exact:
    return getSize() >= length;
  }
  return false;
}
