//===- InitAllPasses.h - passes used by swr ---------------------*- C++ -*-===//

#ifndef SWR_INITALLPASSES_H
#define SWR_INITALLPASSES_H

namespace mlir::swr {

/// Registers the swr passes and pipelines and the upstream passes they use.
void registerAllPasses();

} // namespace mlir::swr

#endif // SWR_INITALLPASSES_H
