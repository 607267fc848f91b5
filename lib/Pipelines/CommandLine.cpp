//===- CommandLine.cpp - GPU pipeline options on a command line -----------===//

#include "swr/Pipelines/CommandLine.h"
#include "swr/Pipelines/Pipelines.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ManagedStatic.h"

using namespace mlir;
namespace cl = llvm::cl;

namespace {

/// The options, each described by the pipeline option it sets (one place
/// for the help text and the default).
struct GpuPipelineCLOptions {
  swr::GpuPipelineOptions defaults;
  cl::opt<int64_t> timeLanes{"time-lanes", cl::desc(defaults.timeLanes.HelpStr),
                             cl::init(int64_t(defaults.timeLanes))};
  cl::opt<int64_t> timeWarps{"time-warps", cl::desc(defaults.timeWarps.HelpStr),
                             cl::init(int64_t(defaults.timeWarps))};
  cl::opt<int64_t> timeCtas{"time-ctas", cl::desc(defaults.timeCtas.HelpStr),
                            cl::init(int64_t(defaults.timeCtas))};
  // A flag (--prefetch, --prefetch=false); not given: the compiler's choice.
  cl::opt<bool> prefetch{"prefetch", cl::desc(defaults.prefetch.HelpStr)};
  cl::opt<int64_t> gridCarries{"grid-carries",
                               cl::desc(defaults.gridCarries.HelpStr),
                               cl::init(int64_t(defaults.gridCarries))};
  cl::opt<int64_t> fullBlock{"full-block", cl::desc(defaults.fullBlock.HelpStr),
                             cl::init(int64_t(defaults.fullBlock))};
  cl::opt<int64_t> reread{"reread", cl::desc(defaults.reread.HelpStr),
                          cl::init(int64_t(defaults.reread))};
  cl::opt<int64_t> l2Prefetch{"l2-prefetch",
                              cl::desc(defaults.l2Prefetch.HelpStr),
                              cl::init(int64_t(defaults.l2Prefetch))};
  cl::opt<int64_t> stages{"stages", cl::desc(defaults.stages.HelpStr),
                          cl::init(int64_t(defaults.stages))};
  cl::opt<int64_t> overhang{"overhang", cl::desc(defaults.overhang.HelpStr),
                            cl::init(int64_t(defaults.overhang))};
  cl::opt<int64_t> channelTile{"channel-tile",
                               cl::desc(defaults.channelTile.HelpStr),
                               cl::init(int64_t(defaults.channelTile))};
  cl::opt<int64_t> gradTimeChunk{"grad-time-chunk",
                                 cl::desc(defaults.gradTimeChunk.HelpStr),
                                 cl::init(int64_t(defaults.gradTimeChunk))};
  cl::opt<int64_t> blockSize{"block-size", cl::desc(defaults.blockSize.HelpStr),
                             cl::init(int64_t(defaults.blockSize))};
  cl::opt<int64_t> minBlocksPerSM{"min-blocks-per-sm",
                                  cl::desc(defaults.minBlocksPerSM.HelpStr),
                                  cl::init(int64_t(defaults.minBlocksPerSM))};
};

llvm::ManagedStatic<GpuPipelineCLOptions> clOptions;

template <typename T, typename Option>
void applyIfGiven(const cl::opt<T> &given, Option &option) {
  if (given.getNumOccurrences())
    option = given.getValue();
}

} // namespace

void swr::registerGpuPipelineCLOptions() { *clOptions; }

void swr::applyGpuPipelineCLOptions(GpuPipelineOptions &options) {
  if (!clOptions.isConstructed())
    return;
  applyIfGiven(clOptions->timeLanes, options.timeLanes);
  applyIfGiven(clOptions->timeWarps, options.timeWarps);
  applyIfGiven(clOptions->timeCtas, options.timeCtas);
  if (clOptions->prefetch.getNumOccurrences())
    options.prefetch = clOptions->prefetch ? 1 : 0;
  applyIfGiven(clOptions->gridCarries, options.gridCarries);
  applyIfGiven(clOptions->fullBlock, options.fullBlock);
  applyIfGiven(clOptions->reread, options.reread);
  applyIfGiven(clOptions->l2Prefetch, options.l2Prefetch);
  applyIfGiven(clOptions->stages, options.stages);
  applyIfGiven(clOptions->overhang, options.overhang);
  applyIfGiven(clOptions->channelTile, options.channelTile);
  applyIfGiven(clOptions->gradTimeChunk, options.gradTimeChunk);
  applyIfGiven(clOptions->blockSize, options.blockSize);
  applyIfGiven(clOptions->minBlocksPerSM, options.minBlocksPerSM);
}

void swr::applyHostPipelineCLOptions(HostPipelineOptions &options) {
  if (!clOptions.isConstructed())
    return;
  applyIfGiven(clOptions->channelTile, options.channelTile);
  applyIfGiven(clOptions->reread, options.reread);
}
