//===- CommandLine.h - GPU pipeline options on a command line ---*- C++ -*-===//
//
// The GPU pipeline's options that every tool compiling kernels offers
// (swr-compile, swr-run --target=sm_*), declared once, in the manner of
// mlir::registerPassManagerCLOptions / applyPassManagerCLOptions.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_PIPELINES_COMMANDLINE_H
#define SWR_PIPELINES_COMMANDLINE_H

namespace mlir::swr {

struct GpuPipelineOptions;
struct HostPipelineOptions;

/// Registers --time-lanes, --time-warps, --grid-carries, --prefetch,
/// --channel-tile, --grad-time-chunk, --block-size and --min-blocks-per-sm
/// (GpuPipelineOptions' meanings and defaults). Call before
/// llvm::cl::ParseCommandLineOptions.
void registerGpuPipelineCLOptions();

/// Copies those of the registered options that the command line gave into
/// `options`; the others keep their values.
void applyGpuPipelineCLOptions(GpuPipelineOptions &options);

/// The same for the host pipeline, which shares --channel-tile (the tiling
/// of channel blocks is target-independent; the CPU path checks the same
/// block forms numerically).
void applyHostPipelineCLOptions(HostPipelineOptions &options);

} // namespace mlir::swr

#endif // SWR_PIPELINES_COMMANDLINE_H
