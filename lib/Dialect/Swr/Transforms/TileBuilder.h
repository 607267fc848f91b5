//===- TileBuilder.h - building blocks of swr-tile-blocks -------*- C++ -*-===//
//
// Reads, writes, operators and loops shared by the tiling of swr.scan and of
// its backward swr.scan_grad: both walk the same tile grid over the same
// (sequence, head, channel block) iteration space.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_LIB_DIALECT_SWR_TRANSFORMS_TILEBUILDER_H
#define SWR_LIB_DIALECT_SWR_TRANSFORMS_TILEBUILDER_H

#include "swr/Dialect/Swr/IR/SwrLayout.h"
#include "swr/Dialect/Swr/IR/SwrOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

namespace mlir::swr::tiling {

/// Loop indices of the current (sequence, head, channel block).
struct TileCoords {
  Value batch;    // batch index into input/output/decay
  Value head;     // head (bhdl, bthd) or channel (bct) index
  Value channel;  // first channel of the block; null without a channel axis
  Value base;     // time index where the sequence starts
  Value length;   // steps in the sequence
  Value state;    // index into dimension 0 of init/final
  Value chunk;    // first time step of this chunk; null when not chunked
  Value timeLane; // this lane's place among the time lanes; null without
  Value slot;     // grid carries: this work item's workspace slot
  Value slots;    // grid carries: the number of slots (work items)
};

/// How one scan (or its backward) is tiled.
struct ScanTiling {
  WindowAttr window;
  const LayoutAxes &axes;
  bool perHeadSharing;
  bool reverse;
  int64_t steps;    // time steps per tile
  int64_t channels; // channels per tile
  TransferMethod method;
  int64_t chunkTiles; // tiles per time chunk; 0: one chunk per sequence
  // Channel blocks are walked inside an iteration rather than spread over
  // the parallel loop (one iteration owns all channels of a head).
  bool channelBlocksInside = false;
  // Channel blocks are the parallel loop's last dimension (swr.channel_sum
  // groups them onto adjacent lanes).
  bool channelFastest = false;
  // Full and bands<k> windows on GPUs: the tiles of a sequence are dealt to
  // `timeLanes` lanes of a warp in turn (carries by shuffles); the
  // 32 / timeLanes lanes between two time lanes take adjacent channel
  // blocks. 1: one thread walks all the tiles.
  int64_t timeLanes = 1;
  // Full windows on GPUs: `timeWarps` warps of a CTA share a sequence, each
  // iteration dealing timeLanes tiles to each of them in turn (carries
  // between the warps through shared memory). 1: one warp.
  int64_t timeWarps = 1;
  // Full windows on GPUs: `timeCtas` CTAs of a thread-block cluster share a
  // sequence, each with timeWarps warps (carries between the CTAs through
  // distributed shared memory). 1: one CTA.
  int64_t timeCtas = 1;
  // Tiles dealt to lanes: read the operands of the next iteration's tile
  // before solving this one (software pipelining by one iteration).
  bool prefetch = false;
  // Tiles dealt to lanes or warps: each iteration prefetches into L2 the
  // operands of the tile this many iterations ahead (0: none).
  int64_t l2Prefetch = 0;
  // Tiles dealt to lanes or warps on GPUs: the operands of the tile
  // `stages` - 1 iterations ahead are copied asynchronously into shared
  // memory (swr.stage_tile, a ring of `stages` slots per operand) and each
  // iteration reads its own from there (swr.read_staged). 0: off.
  int64_t stages = 0;
  // Full windows on lanes or warps: after the carry exchange the tile's
  // operands are read again and the recurrence rerun from the carry, so
  // only the terminals live across the exchange (not the local solution
  // and the decay products: two f32 per element).
  bool reread = false;
  // Lanes over channels: some work items' lanes may lie past the channel
  // axis (a static head narrower than, or not a multiple of, the lanes'
  // channels); their tiles are marked `overhang`, so those lanes skip them
  // whole instead of taking the masked path beside the vector path.
  bool channelOverhang = false;
  // Full windows on GPUs: every iteration of a sequence's tile loop is its
  // own work item (a time chunk), carries between them through this
  // zeroed global workspace (swr.carry_exchange level grid). Null: off.
  Value workspace;

  /// Whether several threads share a sequence's tiles (the parallel loop
  /// then gets a last dimension of 32 * timeWarps * timeCtas lanes).
  bool sharesSequence() const {
    return timeLanes > 1 || timeWarps > 1 || timeCtas > 1;
  }
  /// Warps that share a sequence: those of a CTA, or of a cluster.
  int64_t sequenceWarps() const { return timeWarps * timeCtas; }
  /// Tiles solved by one iteration of the tile loop.
  int64_t tilesPerIteration() const { return timeLanes * sequenceWarps(); }
  /// Whether iterations are spread over work items (grid carries).
  bool gridCarries() const { return bool(workspace); }
  /// Time steps per chunk of the parallel loop; 0: no chunks.
  int64_t chunkSteps() const {
    return (gridCarries() ? tilesPerIteration() : chunkTiles) * steps;
  }
  /// Channel blocks on the lanes of a warp beside each time lane.
  int64_t laneChannels() const { return sharesSequence() ? 32 / timeLanes : 1; }
  /// Channels of one work item: the parallel loop's channel step.
  int64_t itemChannels() const { return channels * laneChannels(); }
  /// Whether all 32 lanes of a warp solve tiles of one head's channels at
  /// one time tile, so they share its transfer operator.
  bool warpSharesOperator() const {
    return perHeadSharing && laneChannels() == 32;
  }

  bool hasChannelAxis() const { return axes.channel >= 0; }
  bool perHead() const { return perHeadSharing; }
  /// Per-channel decays over a block of several channels: the decays of a
  /// tile are steps x channels, like its inputs.
  bool perChannelBlock() const { return !perHeadSharing && channels > 1; }
};

Value indexConst(ImplicitLocOpBuilder &b, int64_t value);

/// vector<steps x channels x f32>, the type of a tile of inputs.
VectorType tileType(ImplicitLocOpBuilder &b, const ScanTiling &tiling);
/// The decays of a tile: vector<steps x f32> (one per head, or per channel
/// of a block of one), or for perChannelBlock vector<steps x channels>.
VectorType decayTileType(ImplicitLocOpBuilder &b, const ScanTiling &tiling);
/// vector<channels x f32>, one value per channel of the block.
VectorType rowType(ImplicitLocOpBuilder &b, const ScanTiling &tiling);

/// Reads the decays of the tile at `position` from `decay` as
/// decayTileType. Padding past the sequence is 1.
Value readDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value decay, Value position);
/// Writes vector<steps x f32> to a decay-shaped memref.
void writeDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value dest, Value position,
                 Value values);

/// Reads an input-shaped memref as vector<steps x channels x f32>,
/// padding with 0 past the sequence and the channel axis.
Value readInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value source, Value position);
/// Hints that the tile of decays / of an input-shaped memref at `position`
/// will be read soon (swr.prefetch_tile: an L2 prefetch on GPUs).
void prefetchDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                    const TileCoords &coords, Value decay, Value position);
void prefetchInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                    const TileCoords &coords, Value source, Value position);

/// Staging (ScanTiling::stages): starts copying the decays / an
/// input-shaped memref's tile at `position` into slot `slot` of staging
/// buffer `buffer` (swr.stage_tile).
void stageDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value decay, Value position,
                 Value slot, int64_t buffer);
void stageInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                 const TileCoords &coords, Value source, Value position,
                 Value slot, int64_t buffer);
/// Reads a staged tile back as readDecays / readInputs would have read it
/// from memory (swr.read_staged; padding past the sequence 1 / 0).
Value readStagedDecays(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       const TileCoords &coords, Value decay, Value position,
                       Value slot, int64_t buffer);
Value readStagedInputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                       const TileCoords &coords, Value source, Value position,
                       Value slot, int64_t buffer);
/// Bytes of one row (a time step of the channels a thread reads) of the
/// decays' and of the inputs' tiles: what one cp.async would copy.
int64_t decayRowBytes(const ScanTiling &tiling, Value decay);
int64_t inputRowBytes(const ScanTiling &tiling, Value input);

/// Writes a tile to an input-shaped memref.
void writeOutputs(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                  const TileCoords &coords, Value dest, Value position,
                  Value tile);

/// Reads / writes a state-shaped memref (init, final and their gradients)
/// for the channel block, as vector<channels x f32>.
Value readState(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                const TileCoords &coords, Value source);
void writeState(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                const TileCoords &coords, Value dest, Value state);

/// Builds the transfer operator (and injection) of a tile's decays.
TransferOperatorOp buildTransferOperator(ImplicitLocOpBuilder &b,
                                         const ScanTiling &tiling, Value decays,
                                         std::optional<int64_t> band);

/// v = L u, or L^T u with `transpose`; `warpShared` marks a solve whose
/// operator is the same on all lanes of a warp (swr.local_solve warp_shared).
Value localSolve(ImplicitLocOpBuilder &b, Value transfer, Value tile,
                 bool transpose = false, bool warpShared = false);

/// The tiles a time chunk owns are [chunkFirstTile, chunkEndTile), or
/// every tile when `coords` has no chunk (chunkFirstTile is then null). A
/// bands<k> chunk also solves k-1 neighbouring tiles (before it forwards,
/// after it backwards) that only warm up the carriers and are not written.
Value chunkFirstTile(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                     const TileCoords &coords);
Value chunkEndTile(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                   Value first, Value tiles);

/// The iterations of a sequence's tile loop over `tiles` tiles: one per
/// tile, or with time lanes one per group of tilesPerIteration tiles.
Value tileIterations(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                     const TileCoords &coords, Value tiles);

/// The first step of the tile that `iteration` solves (`steps` per tile):
/// tile `iteration`, or with time lanes tile iteration x tilesPerIteration
/// + the thread's time lane.
Value iterationPosition(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                        const TileCoords &coords, Value steps, Value iteration);

/// Whether this thread is the sequence's last time lane (the one whose
/// last tile ends it: the tiles past the end carry the state through their
/// padding), or null without time lanes.
Value lastTimeLane(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                   const TileCoords &coords);

/// Emits `body` under scf.if `condition`, or directly without one.
void emitIf(ImplicitLocOpBuilder &b, Value condition,
            llvm::function_ref<void(ImplicitLocOpBuilder &)> body);

/// Where a grid-level carry exchange publishes and looks back: the
/// workspace, this work item's slot and its chunk of the sequence.
struct GridPlacement {
  Value workspace, slot, slots, chunk;
};

/// A serial carrier recurrence over the enclosing tile loop, or with
/// `timeLanes` > 1 one over the tiles dealt to the time lanes of a warp;
/// with `timeWarps` > 1 over those of that many warps of a CTA; with
/// `timeCtas` > 1 over those of that many CTAs of a cluster; with a
/// `grid` placement over the chunks of the sequence (work items).
Value carryExchange(ImplicitLocOpBuilder &b, Value decay, Value terminal,
                    Value init, WindowAttr window, int64_t timeLanes = 1,
                    int64_t timeWarps = 1, int64_t timeCtas = 1,
                    const GridPlacement &grid = {});

/// One parallel loop over (batch or packed sequence, head, channel block[,
/// time chunk]) sized from the dimensions of `input` (and `offsets`), and
/// with time lanes a last dimension of the 32 lanes of a warp (time lane
/// lane / laneChannels, channel block lane % laneChannels of a group of
/// laneChannels blocks); `body` emits the work of one iteration at its
/// coordinates.
void emitScanLoops(
    ImplicitLocOpBuilder &b, const ScanTiling &tiling, Value input,
    Value offsets,
    llvm::function_ref<void(ImplicitLocOpBuilder &, const TileCoords &)> body);

/// The values a tile loads for a fused prologue or epilogue (swr.scan's
/// regions): the decays (vector<steps>), the inputs and each extra operand
/// (vector<steps x channels>); null where the region does not use one.
struct LoadedTile {
  Value decays;
  Value inputs;
  SmallVector<Value> extras;
};

/// The memrefs a fused region's loaded arguments come from.
struct ScanOperandValues {
  Value decay, input;
  ValueRange extras;
};

/// Reads the operands of one tile: all of decay and input without `region`,
/// else those the region's block uses (its arguments after `leading`
/// values, such as the epilogue's y).
LoadedTile loadTile(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                    const TileCoords &coords, Value position,
                    const ScanOperandValues &operands, Region *region,
                    unsigned leading);

/// The scan's (a, x) for one tile: the loaded decays and inputs without a
/// `prologue`, else what it computes from them (then padded again past the
/// sequence: a = 1, x = 0).
std::pair<Value, Value> applyPrologue(ImplicitLocOpBuilder &b, Region &prologue,
                                      const ScanTiling &tiling,
                                      const TileCoords &coords, Value position,
                                      const LoadedTile &loaded);

/// Applies `region`'s scalar ops to a whole tile and returns the vector of
/// its yielded value `result`: shaped like `shape`, the arguments from
/// `leading` (the epilogue's y) then `loaded`, decays broadcast over the
/// channels. Ops that need an argument not available at that shape (a
/// per-channel value for a per-head decay) are not cloned; the verifier
/// keeps them off the yielded value's path.
Value applyFusedRegion(ImplicitLocOpBuilder &b, Region &region,
                       const LoadedTile &loaded, ArrayRef<Value> leading,
                       VectorType shape, unsigned result);
/// The same for every yielded value at once.
SmallVector<Value> applyFusedRegionAll(ImplicitLocOpBuilder &b, Region &region,
                                       const LoadedTile &loaded,
                                       ArrayRef<Value> leading,
                                       VectorType shape);

/// Steps past the sequence (a tile row at or beyond `length`) as a
/// vector<steps x i1> that is true on the rows inside it.
Value rowsInSequence(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                     const TileCoords &coords, Value position);

/// `row` (a vector) times the scalar `factor`.
Value scaleRow(ImplicitLocOpBuilder &b, Value row, Value factor);
/// Row i of `tile` (steps x channels, or a vector<steps>) times
/// `factors[i]`.
Value scaleRows(ImplicitLocOpBuilder &b, Value tile, Value factors);
/// Rows moved one step later: result[0] = `first`, result[i] = rows[i-1].
Value shiftDown(ImplicitLocOpBuilder &b, Value rows, Value first);
/// Rows moved one step earlier: result[i] = rows[i+1], the last `last`.
Value shiftUp(ImplicitLocOpBuilder &b, Value rows, Value last);
/// h[i] = a[i+1] * ... * a[n-1] (h[n-1] = 1) of a tile's decays: the
/// last row of its transfer operator, how step i reaches the tile's end.
Value suffixProducts(ImplicitLocOpBuilder &b, Value decays);

/// How the backward of a full window deals its tiles when it runs as a
/// scan in mirrored time (FullWindowGrad.cpp; `mirrored`, else the
/// tile-by-tile walk of TileScanGrad.cpp): the time lanes and warps that
/// share a sequence, the steps of a tile (0: `block`), the adjacent
/// channels each lane solves and, for per-head decays, the adjacent lanes
/// that hold one head's channels (their decay gradients summed by
/// swr.channel_sum).
struct GradLanes {
  bool mirrored = false;
  int64_t timeLanes = 1;
  int64_t timeWarps = 1;
  int64_t steps = 0;
  int64_t channels = 1;
  int64_t headLanes = 1;
};

/// The size of the channel axis of a scan operand `input` (D over [B,T,H,D]
/// and [B,H,D,L]; ShapedType::kDynamic when not static).
inline int64_t channelAxisSize(Value input, const LayoutAxes &axes) {
  return cast<MemRefType>(input.getType()).getDimSize(axes.channel);
}

/// How a head's channels lie on adjacent lanes for a per-head backward:
/// `channels` adjacent ones per lane on `lanes` lanes.
struct HeadSplit {
  int64_t channels = 1;
  int64_t lanes = 1;
};

/// The lanes that hold a head of `headDim` channels, `channels` adjacent
/// ones each, where swr.channel_sum can add up its decay gradient (a
/// butterfly over a power-of-2 group of at most 32 lanes): headDim /
/// channels, else std::nullopt (D dynamic or not a multiple of the
/// channels, or no such group).
inline std::optional<int64_t> headLaneGroup(int64_t headDim, int64_t channels) {
  if (ShapedType::isDynamic(headDim) || channels < 1 || headDim % channels != 0)
    return std::nullopt;
  int64_t lanes = headDim / channels;
  if (lanes > 32 || !llvm::isPowerOf2_64(lanes))
    return std::nullopt;
  return lanes;
}

/// Sums a time x channels tile over its channels: vector<steps>.
Value sumOverChannels(ImplicitLocOpBuilder &b, Value tile);

/// How the channels that share a decay add up their decay gradients (the
/// backward of per-head decays: TileScanGrad.cpp, FullWindowGrad.cpp).
struct HeadReduction {
  enum Kind {
    None,        // every channel has its own decay (or a block is a head)
    InIteration, // one iteration walks the head's blocks: add into memory
    Lanes,       // the head's blocks are parallel iterations: swr.channel_sum
  } kind = None;
  int64_t group = 1;     // Lanes: iterations per head
  Value firstBlock = {}; // InIteration: whether this is the head's first
};

/// The decay gradient of a tile (steps x channels) summed over the channels
/// sharing a decay, as far as this iteration can (vector<steps>): over its
/// channels, then for Lanes over the `group` lanes of the head.
Value reduceDecayGradient(ImplicitLocOpBuilder &b, const HeadReduction &head,
                          Value gradient);

/// Writes a tile's decay gradient `sum` to `dest`: as it is (None); for a
/// head walked block by block, the first block's sum and later ones added
/// to it; for a head spread over lanes, the lane of its first block writes.
void writeDecayGradient(ImplicitLocOpBuilder &b, const ScanTiling &tiling,
                        const TileCoords &coords, Value dest,
                        const HeadReduction &head, Value position, Value sum);

/// Tiles one swr.scan_grad (see TileScanGrad.cpp) and erases it.
void tileScanGrad(ScanGradOp grad, TransferMethod method, int64_t block,
                  int64_t channelTile, int64_t timeChunk, bool laneReduction,
                  bool channelFastest, const GradLanes &lanes = {});

/// Whether the channel axis is the input's innermost (bthd).
inline bool channelsContiguous(const LayoutAxes &axes) {
  return axes.channel >= 0 && axes.channel == axes.rank - 1;
}

/// Whether time is the input's innermost axis (bhdl, bct): a warp's lanes
/// over time read consecutive tiles of one sequence.
inline bool timeInnermost(const LayoutAxes &axes) {
  return axes.time == axes.rank - 1;
}

} // namespace mlir::swr::tiling

#endif // SWR_LIB_DIALECT_SWR_TRANSFORMS_TILEBUILDER_H
