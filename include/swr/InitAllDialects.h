//===- InitAllDialects.h - dialects used by swr -----------------*- C++ -*-===//

#ifndef SWR_INITALLDIALECTS_H
#define SWR_INITALLDIALECTS_H

namespace mlir {
class DialectRegistry;
namespace swr {

/// Registers the swr dialect and the upstream dialects its pipelines parse
/// or produce, with their interface implementations.
void registerAllDialects(DialectRegistry &registry);

} // namespace swr
} // namespace mlir

#endif // SWR_INITALLDIALECTS_H
