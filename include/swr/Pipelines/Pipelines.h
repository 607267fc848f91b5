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
  Option<std::string> strategy{
      *this, "strategy",
      llvm::cl::desc("Local solves: matrix (outer products) or fma "
                     "(the recurrence, one FMA per element)"),
      llvm::cl::init("matrix")};
  Option<int64_t> reread{
      *this, "reread",
      llvm::cl::desc("Full windows: read a tile's operands again after the "
                     "carry exchange and rerun the recurrence from the carry "
                     "(0: off; 1: on)"),
      llvm::cl::init(0)};
  Option<int64_t> timeChunk{
      *this, "time-chunk",
      llvm::cl::desc("bands<k>: independent time chunks of this many tiles "
                     "(0: none)"),
      llvm::cl::init(0)};
};

/// Options of the NVIDIA pipeline.
struct GpuPipelineOptions : public PassPipelineOptions<GpuPipelineOptions> {
  Option<std::string> chip{*this, "chip", llvm::cl::desc("Target SM"),
                           llvm::cl::init("sm_90a")};
  Option<std::string> features{*this, "features",
                               llvm::cl::desc("PTX features"),
                               llvm::cl::init("+ptx80")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per CTA"),
                            llvm::cl::init(128)};
  Option<int64_t> minBlocksPerSM{
      *this, "min-blocks-per-sm",
      llvm::cl::desc("CTAs that must fit on an SM at once: ptxas bounds the "
                     "registers per thread to match (0: no bound)"),
      llvm::cl::init(0)};
  Option<int64_t> block{*this, "block", llvm::cl::desc("Time steps per tile"),
                        llvm::cl::init(16)};
  Option<int64_t> channelTile{
      *this, "channel-tile",
      llvm::cl::desc("Channels of a head one thread solves together when "
                     "they share a decay, each step of a tile one vector "
                     "access over a contiguous channel axis (-1: up to 8 "
                     "for bands<k> windows in time chunks over bthd with a "
                     "static head dimension, 2 for 2-byte full windows "
                     "shared by warps over bthd, else 1; a per-head full "
                     "window's backward over bthd with a static D: that or "
                     "D / 32 if more, a head on one warp's lanes)"),
      llvm::cl::init(-1)};
  Option<std::string> strategy{
      *this, "strategy",
      llvm::cl::desc("Local solves: fma (the recurrence, one FMA per "
                     "element), mma (mma.sync on tensor cores for the "
                     "solves a warp shares: per-head full windows over "
                     "token-major layouts; the others as fma), wmma (the "
                     "same with wmma m16n16k16) or matrix (outer "
                     "products)"),
      llvm::cl::init("fma")};
  // Measured on the H200 at B8 H128 D16 L8192 bf16 (docs/benchmarks.md):
  // forward 2 tiles per thread 76% of copy (16: 37%); backward 16 tiles
  // 37% (2: 31%, 1: 22%). Forwards on time lanes (the default for bands
  // without a final state: 91.5%) take no chunks.
  Option<int64_t> timeChunk{
      *this, "time-chunk",
      llvm::cl::desc("bands<k>: independent time chunks of this many tiles "
                     "(0: none)"),
      llvm::cl::init(2)};
  Option<int64_t> gradTimeChunk{
      *this, "grad-time-chunk",
      llvm::cl::desc("The same for backward kernels (swr.scan_grad)"),
      llvm::cl::init(16)};
  Option<int64_t> timeLanes{
      *this, "time-lanes",
      llvm::cl::desc("Full and bands<k> scans: lanes of a warp that share a "
                     "sequence's tiles, carries by shuffles (-1: 32 when "
                     "time is innermost, else 4; 1: a thread per sequence; "
                     "above 1 bands over any axis take lanes too)"),
      llvm::cl::init(-1)};
  Option<int64_t> timeWarps{
      *this, "time-warps",
      llvm::cl::desc("Full windows: warps of a CTA that share a sequence's "
                     "tiles, carries through shared memory (1: one warp; "
                     "-1: 4 over token-major layouts when time-lanes is -1, "
                     "else 1; block-size is raised to 32 x time-warps if "
                     "smaller)"),
      llvm::cl::init(-1)};
  // Off by default: measured slower than the warps walking the whole
  // sequence at every shape of docs/benchmarks.md (B8 C1536 [B,T,C] f32
  // 59-67% of copy against 95%, bf16 29-31% against 38-40%).
  Option<int64_t> gridCarries{
      *this, "grid-carries",
      llvm::cl::desc("Full windows on lanes or warps: one work item per "
                     "iteration of a sequence's tiles, carries between them "
                     "through a zeroed global workspace by a decoupled "
                     "look-back (0: off; 1: on, not with packed batches)"),
      llvm::cl::init(0)};
  Option<int64_t> prefetch{
      *this, "prefetch",
      llvm::cl::desc("Tiles dealt to lanes or warps: read the next "
                     "iteration's tile before solving this one (0: off; 1: "
                     "on; -1: for full windows with per-channel decays of "
                     "2-byte elements, or of f32 over time-innermost "
                     "layouts)"),
      llvm::cl::init(-1)};
  Option<int64_t> fullBlock{
      *this, "full-block",
      llvm::cl::desc("Full windows: time steps per tile (-1: 4 for f32 on "
                     "time lanes over a time-innermost axis, 32 for a "
                     "prefetched 2-byte forward there, 32 (per-channel "
                     "decays) or 64 (per-head) for 2-byte elements shared "
                     "by warps over bthd, else `block`)"),
      llvm::cl::init(-1)};
  Option<int64_t> timeCtas{
      *this, "time-ctas",
      llvm::cl::desc("Full windows: CTAs of a thread-block cluster that share "
                     "a sequence's tiles, each of time-warps warps, carries "
                     "through distributed shared memory (1: one CTA; each "
                     "CTA is then 32 x its warps threads, whatever "
                     "block-size says)"),
      llvm::cl::init(1)};
  Option<int64_t> l2Prefetch{
      *this, "l2-prefetch",
      llvm::cl::desc("Tiles dealt to lanes or warps: prefetch into L2 the "
                     "operands of the tile this many iterations ahead (0: "
                     "off; -1: 1 for 2-byte elements with per-channel "
                     "decays shared by warps over bthd, else 0)"),
      llvm::cl::init(-1)};
  Option<int64_t> reread{
      *this, "reread",
      llvm::cl::desc("Full windows on lanes or warps: read a tile's operands "
                     "again after the carry exchange (from the prefetched "
                     "tile's registers where it is prefetched) and rerun the "
                     "recurrence from the carry (0: off; 1: on; -1: on for "
                     "prefetched 2-byte elements with per-channel decays "
                     "shared by warps over bthd)"),
      llvm::cl::init(-1)};
  Option<int64_t> overhang{
      *this, "overhang",
      llvm::cl::desc("Lanes over channels: lanes past a static channel axis "
                     "that is not a multiple of their channels skip their "
                     "tiles whole (0: off; 1: on)"),
      llvm::cl::init(0)};
  Option<int64_t> stages{
      *this, "stages",
      llvm::cl::desc("Full windows on lanes or warps with per-channel decays "
                     "and rows of 4, 8 or 16 bytes: stage the operands' "
                     "tiles through a ring of this many slots in shared "
                     "memory, copied by cp.async stages - 1 iterations "
                     "ahead, instead of prefetching them into registers "
                     "(0: off; >= 2: on where possible; -1: the compiler's "
                     "choice: off, staging measured no faster on the H200)"),
      llvm::cl::init(-1)};
};

/// swr.scan → B2P form with one channel per thread → gpu.module with the
/// block-level ops lowered (stops before NVVM so the launch metadata on the
/// gpu.func can still be read).
void buildGpuKernelPipeline(OpPassManager &pm,
                            const GpuPipelineOptions &options);

/// The gpu.module of buildGpuKernelPipeline → NVVM → PTX in a gpu.binary.
void buildGpuSerializationPipeline(OpPassManager &pm,
                                   const GpuPipelineOptions &options);

/// swr.scan → B2P form → scf/vector/memref → LLVM dialect, for the CPU JIT.
void buildHostPipeline(OpPassManager &pm, const HostPipelineOptions &options);

/// Registers `swr-host-pipeline` and `swr-gpu-pipeline`.
void registerPipelines();

} // namespace swr
} // namespace mlir

#endif // SWR_PIPELINES_PIPELINES_H
