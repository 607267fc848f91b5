//===- Pipelines.h - swr pass pipelines -------------------------*- C++ -*-===//

#ifndef SWR_PIPELINES_PIPELINES_H
#define SWR_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
namespace swr {

/// Options of the host pipeline (a subset of swr-tile-blocks').
struct HostPipelineOptions : public PassPipelineOptions<HostPipelineOptions> {
  Option<int64_t> block{*this, "block", llvm::cl::desc("Time steps per tile"),
                        llvm::cl::init(16)};
  Option<int64_t> channelTile{
      *this, "channel-tile",
      llvm::cl::desc("Channels solved together when they share a decay"),
      llvm::cl::init(16)};
  Option<std::string> method{
      *this, "method",
      llvm::cl::desc("running_product or log_space transfer operators"),
      llvm::cl::init("running_product")};
};

/// swr.scan → B2P form → scf/vector/memref → LLVM dialect, for the CPU JIT.
void buildHostPipeline(OpPassManager &pm, const HostPipelineOptions &options);

/// Registers `swr-host-pipeline`.
void registerPipelines();

} // namespace swr
} // namespace mlir

#endif // SWR_PIPELINES_PIPELINES_H
