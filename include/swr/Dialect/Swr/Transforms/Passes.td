//===- Passes.td - swr transformation passes ---------------*- tablegen -*-===//

#ifndef SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD
#define SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SwrDeriveBackward : Pass<"swr-derive-backward", "::mlir::ModuleOp"> {
  let summary = "Derive the backward function of every scan function";
  let description = [{
    For every function whose body is one `swr.scan` on its arguments, adds
    `@<name>_backward` right after it: an `swr.scan_grad` with the same
    window, layout, sharing and direction, taking the forward's operands
    (the forward output only for `full` windows, whose decay gradient reads
    h[t-1] from it) and the gradients of the output and, when the forward
    has one, the final state; writing the gradients of the input, the
    decays and, when the forward has one, the initial state. Each gradient
    has its primal's type. Every window has a backward.

    A scan with a fused prologue or epilogue gets a backward through them:
    it also takes the forward's `operands(...)` and writes their gradients,
    and its `prologue`, `cotangent` and `pullback` regions are the forward's
    regions differentiated in reverse mode (arith and math ops; an op
    without a derivative rule is an error at its location). With an
    epilogue it reads the forward's state `y` (role `state`): the forward
    must be compiled with `state(...)`.

    ```mlir
    func.func @scan_backward(%a, %x, %dy, %dx, %da)  // bands<k>
    func.func @scan_backward(%a, %x, %y, %dy, %dx, %da)  // full
    func.func @scan_backward(%a, %x, %v, %s, %dout, %dx, %da, %dv)  // fused
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect"];
}

def SwrTileBlocks : Pass<"swr-tile-blocks", "::mlir::func::FuncOp"> {
  let summary = "Tile swr.scan into the Block Two-Pass form";
  let description = [{
    Rewrites every `swr.scan` (and `swr.scan_grad`) into loops over
    sequences, heads and channel blocks around a loop over time tiles. Each tile is read
    (`swr.read_tile`, masked past the sequence end), solved locally through
    its transfer operator (`swr.transfer_operator`, `swr.local_solve`),
    joined to the tiles before it by the carrier recurrence
    (`swr.carry_exchange`, truncated to the window) and a rank-1 update
    (`swr.carry`), and written (`swr.write_tile`). Per-head decays share one
    transfer operator across a block of `channel-tile` channels; per-channel
    decays get one per channel. Shapes stay runtime values.

    `bands<k, tile>` windows are tiled with their own tile; `full` windows
    with `block`; with `time-lanes` (GPU kernels; full windows, and bands
    windows without a final state over a time-innermost axis or with the
    lanes named) the loop over a sequence's tiles deals
    them to the time lanes of a warp, `time-lanes`
    tiles per iteration, joined by `swr.carry_exchange level warp`, and the
    parallel loop gets a last dimension of 32 (the lanes of a warp); with
    `time-warps` W > 1 a full window's iteration deals `time-lanes` tiles
    to each of W warps of a CTA (`swr.carry_exchange level cta`: shared
    memory between the warps) and the last dimension has 32 W lanes.
    The backward (`swr.scan_grad`) of a full window with per-channel decays
    and no fused regions is a scan in mirrored time whose tiles take the
    same time lanes, warps and `full-block` as its forward's.
    With `grid-carries` each iteration of a full window is its own work
    item (a time-chunk dimension of the parallel loop) and the carries
    between them pass through a global workspace (`swr.carry_exchange
    level grid`, a decoupled look-back).
    `exact<W>` windows tile with `block` too: the tile's own
    operator is cut to the band i - j < W, and earlier tiles contribute per
    output through the suffix sums of their inputs' weights
    (`swr.extraction_operator`, `swr.window_exchange`).

    `swr.scan_grad` walks the same tile grid from the last tile to the
    first: the adjoint local solve `L^T dy` (`swr.local_solve transpose`),
    an adjoint carrier recurrence over the tiles after each tile, and the
    decay gradient from the tile's forward local solve plus, for
    `bands<k>`, the terminals of the k-1 tiles before it (recomputed), or
    for `full` the forward output just before the tile. A per-head decay
    gradient sums over the whole head, so one iteration owns all D channels
    and walks them in blocks of `channel-tile` (one block of D when D is
    static), adding each block's sum to the gradient.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"block", "block", "int64_t", /*default=*/"16",
           "Time steps per tile for full and exact windows">,
    Option<"channelTile", "channel-tile", "int64_t", /*default=*/"16",
           "Channels solved together when they share a decay (-1: for "
           "bands<k> windows in time chunks over a contiguous channel axis "
           "(bthd) with a static head dimension D, the largest power of 2 "
           "dividing D with at most 8 channels over the input and extra "
           "operand tiles; 2 for full windows of 2-byte elements shared by "
           "the warps of a CTA over bthd; else 1; for the backward of a "
           "per-head full window over bthd with a static D under "
           "lane-reduction, that or D / 32 if more, so a head lies on one "
           "warp's lanes; per-channel decays take blocks only with -1)">,
    Option<"method", "method", "std::string", /*default=*/"\"running_product\"",
           "How transfer operators form decay products: running_product "
           "or log_space">,
    Option<"timeChunk", "time-chunk", "int64_t", /*default=*/"0",
           "For bands<k> windows without a final state or packed batches: "
           "split time into independent chunks of this many tiles, each "
           "re-solving the k-1 tiles before it (0: no chunks)">,
    Option<"gradTimeChunk", "grad-time-chunk", "int64_t", /*default=*/"-1",
           "time-chunk for swr.scan_grad (bands<k>; each chunk first walks "
           "the k-1 tiles after it); -1: the same as time-chunk">,
    Option<"laneReduction", "lane-reduction", "bool", /*default=*/"false",
           "Backward with per-head decays and a static head dimension D: "
           "spread a head's channel blocks of `channel-tile` over parallel "
           "iterations (channel fastest) and sum the decay gradient with "
           "swr.channel_sum (GPU lanes; D / channel-tile must be a power "
           "of 2 of at most 32), instead of walking them in one iteration">,
    Option<"channelFastest", "channel-fastest", "bool", /*default=*/"false",
           "For layouts whose channel axis is contiguous in memory (bthd), "
           "make channel blocks the fastest-varying parallel dimension, so "
           "adjacent GPU threads read adjacent addresses (otherwise time "
           "chunks vary fastest, which suits time-contiguous layouts)">,
    Option<"timeLanes", "time-lanes", "int64_t", /*default=*/"1",
           "Full and bands<k> scans on GPUs (bands without a final state "
           "and with k-1 <= lanes, over a time-innermost axis or, when "
           "this option is above 1, any axis; they then take no "
           "time chunks): deal each "
           "sequence's tiles to this many lanes of a warp in turn (a power "
           "of 2 up to 32), which exchange carries by shuffles "
           "(swr.carry_exchange level warp); "
           "the lanes between them take adjacent channel blocks (fewer than "
           "32 needs a channel axis). -1: 32 when time is the innermost "
           "axis, else 4, each beside 8 adjacent channels (32 bytes of "
           "f32), or 1 for full windows shared by several warps "
           "(time-warps). 1: one thread walks all the tiles">,
    Option<"timeWarps", "time-warps", "int64_t", /*default=*/"1",
           "Full windows on GPUs: warps of a CTA that share a sequence's "
           "tiles (each iteration deals time-lanes tiles to each warp in "
           "turn; swr.carry_exchange level cta joins the warps through "
           "shared memory), 1 to 32; 1: one warp; -1, when time-lanes is "
           "-1 too: 4 over token-major layouts (time-lanes then takes 1: "
           "each warp's lanes take 32 adjacent channels) and 4 for f32 over "
           "a time-innermost axis without fused regions or grid carries "
           "(32 time lanes each), else 1">,
    Option<"timeCtas", "time-ctas", "int64_t", /*default=*/"1",
           "Full windows on GPUs: CTAs of a thread-block cluster that share "
           "a sequence's tiles, each with time-warps warps (each iteration "
           "deals their tiles to the CTAs in turn; swr.carry_exchange level "
           "cluster joins the CTAs through distributed shared memory), 1 "
           "to 16; 1: one CTA. Not with grid carries">,
    Option<"gridCarries", "grid-carries", "int64_t", /*default=*/"0",
           "Full windows on time lanes or warps (GPUs): split each "
           "sequence into chunks of one iteration, each its own work item, "
           "whose carries pass through a zeroed global workspace (a new "
           "last function argument) by a decoupled look-back "
           "(swr.carry_exchange level grid). 0: off; 1: on (not with "
           "packed batches)">,
    Option<"prefetch", "prefetch", "int64_t", /*default=*/"0",
           "Tiles dealt to time lanes or warps: read the operands of the "
           "next iteration's tile before solving this one, carried into "
           "the next iteration in their stored width, so their loads are "
           "in flight during the solve, the carries and the stores. 0: off; "
           "1: on; -1: for full windows with per-channel decays and no "
           "fused regions, of 2-byte elements or of 4-byte elements over a "
           "time-innermost axis">,
    Option<"fullBlock", "full-block", "int64_t", /*default=*/"0",
           "Time steps per tile for full windows: 0 as `block`; -1: 4 for "
           "f32 on time lanes over a time-innermost axis (16-byte "
           "accesses), 32 for a prefetched forward of 2-byte elements "
           "there, 32 (per-channel decays) or 64 (per-head) for 2-byte "
           "elements shared by the warps of a CTA over bthd, else "
           "`block`">,
    Option<"l2Prefetch", "l2-prefetch", "int64_t", /*default=*/"0",
           "Tiles dealt to time lanes or warps: each iteration prefetches "
           "into L2 (swr.prefetch_tile) the operands of the tile this many "
           "iterations ahead, so its reads wait on L2 rather than device "
           "memory without holding registers (0: off; -1: 1 for 2-byte "
           "elements with per-channel decays shared by the warps of a CTA "
           "over bthd, else 0)">,
    Option<"reread", "reread", "int64_t", /*default=*/"0",
           "Full windows on time lanes or warps: after the carry exchange, "
           "read the tile's operands again (a cache hit; with prefetch, "
           "from the prefetched tile's stored-width registers, the next "
           "tile's loads issued after the tile's aggregates) and run the "
           "recurrence from the carry, instead of keeping the local "
           "solution and the decay products in registers across the "
           "exchange. 0: off; 1: on; -1: on for prefetched 2-byte elements "
           "with per-channel decays shared by the warps of a CTA over "
           "bthd">,
    Option<"overhang", "overhang", "int64_t", /*default=*/"0",
           "Lanes over channels (GPUs): where a static channel axis is not "
           "a multiple of the channels a work item's lanes take (a head of "
           "48 on 32 lanes of 2), mark its tile accesses `overhang`, so "
           "lanes past the axis skip their tiles whole instead of running "
           "the masked path beside the other lanes' vector path. 0: off; "
           "1: on">,
    Option<"stages", "stages", "int64_t", /*default=*/"0",
           "Full windows on time lanes or warps (GPUs) with per-channel "
           "decays, no fused regions and rows of 4, 8 or 16 bytes: stage "
           "the operands' tiles through a ring of this many slots in shared "
           "memory, copied by cp.async stages - 1 iterations ahead "
           "(swr.stage_tile) instead of prefetching them into registers. "
           "0: off; >= 2: on where possible; -1: the compiler's choice "
           "(off: on the H200 staging ties the register prefetch at best)">
  ];
}

def SwrLowerToLoops : InterfacePass<"swr-lower-to-loops",
                                    "::mlir::FunctionOpInterface"> {
  let summary = "Lower the block-level swr ops to scf, vector, memref, math";
  let description = [{
    The host lowering of the Block Two-Pass form: tile reads and writes
    become masked scalar loops through a stack buffer, transfer operators
    running products (or log-space sums) on vectors, local solves and
    carries sums of outer products, and `serial` carry exchanges loop-carried
    state of the enclosing tile loop (the carrier recurrence truncated to
    k-1 hops for `bands<k>`). `warp` exchanges (GPU kernels, full windows)
    scan the tiles of an iteration over the time lanes with
    `nvvm.shfl.sync` and carry the iteration's total in the loop; `cta`
    exchanges join the warps' totals through shared memory; `grid`
    exchanges (one iteration per work item) then join the chunks before
    through the workspace by a decoupled look-back (acquire/release flags
    at GPU scope) and record its size on the kernel (`swr.workspace`:
    header words, words per work item).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::NVVM::NVVMDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def SwrLowerLocalSolve : InterfacePass<"swr-lower-local-solve",
                                       "::mlir::FunctionOpInterface"> {
  let summary = "Choose how local solves compute v = L u";
  let description = [{
    `strategy=fma`: a local solve of a tile's own (unbanded) transfer
    operator becomes the recurrence itself, `v[0] = u[0]`,
    `v[i] = a[i] * v[i-1] + u[i]`, one f32 FMA per element on CUDA cores
    (or CPU lanes) instead of the n x n matrix product; the operator is then
    dead and only its injection (prefix products) remains. Works for per-head
    and per-channel decays alike. Exact windows' banded operators and
    extraction operators keep the matrix form.
    `strategy=mma`: solves a warp shares (`warp_shared`: the lanes of a
    warp hold one head's channels at one time tile) run on tensor cores:
    the warp stages its tile in shared memory, loads B fragments with
    `ldmatrix.trans`, builds L's 16 x 16 diagonal blocks in registers
    (bf16, from log2 prefix sums of the decays) and runs
    `mma.sync.aligned.m16n8k16` (bf16 operands, f32 accumulation) per 8
    channels, the carry from the block before entering as the accumulator.
    Every other solve with its own decays (per-channel decays, one thread
    per sequence, time lanes) is lowered as by `fma`.
    `strategy=wmma`: the same solves with `wmma` m16n16k16 (bf16 through
    LLVM's intrinsics: NVVM's wmma ops take no bf16): the block's operator
    and the staged tile are loaded as fragments from shared memory
    (`wmma.load`), D is stored back (`wmma.store`) and the lanes add the
    carry between blocks. The others as by `fma`.
    `strategy=matrix`: leave every local solve as the matrix product (what
    tensor cores compute; lowered by swr-lower-to-loops as sums of outer
    products).
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::NVVM::NVVMDialect"];
  let options = [
    Option<"strategy", "strategy", "std::string", /*default=*/"\"fma\"",
           "fma, mma, wmma or matrix">
  ];
}

def SwrExpandMath : Pass<"swr-expand-math"> {
  let summary = "Rewrite math functions into arithmetic for GPU kernels";
  let description = [{
    Replaces the `math` functions a fused prologue or epilogue may use
    (`exp`, `expm1`, `log`, `log1p`, `log2`, `tanh`, `erf`, ...) by MLIR's
    f32 polynomial approximations (a few ulp), and `fma`, `absf`,
    `copysign`, `floor` by arithmetic (contracted multiply-add, sign-bit
    masks), so a kernel calls no libdevice function and needs no CUDA
    toolkit to build. Fails on a math op that would still need one (e.g.
    `sqrt`, `round`), naming it. With `hardware-exp`, `exp` runs on the
    special function unit instead (`ex2.approx.f32` of x log2 e, like
    CUDA's `__expf`): 2 ulp plus about |x| 6e-8 relative, one instruction.
    With `approximate-divide`, f32 divisions are marked `afn`, which NVPTX
    emits as `div.approx.f32` / `rcp.approx.f32` (2 ulp, like CUDA's
    `__fdividef`; 0 for divisors beyond 2^126) instead of the IEEE
    sequences: sigmoid gates and their derivatives divide on every element.
  }];
  let options = [
    Option<"hardwareExp", "hardware-exp", "bool", /*default=*/"false",
           "Lower f32 exp to ex2.approx.f32 (GPU kernels)">,
    Option<"approximateDivide", "approximate-divide", "bool",
           /*default=*/"false",
           "Mark f32 divisions afn (div.approx.f32 on NVPTX)">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def SwrWidenBf16AsBits : Pass<"swr-widen-bf16-as-bits"> {
  let summary = "Widen bf16 to f32 by integer shifts of the bits";
  let description = [{
    Rewrites `arith.extf` from bf16 to f32 (scalars and vectors) as what it
    is, exactly: the 16 bits moved to the top of a 32-bit word
    (`arith.bitcast` to i16, `arith.extui` to i32, `arith.shli` by 16,
    `arith.bitcast` to f32). NVPTX otherwise widens each element with
    `cvt.f32.bf16` from a 16-bit register, which ptxas keeps in half of a
    32-bit one: taking the upper element of a loaded pair then writes half
    a register (a PRMT that also reads the register's old value). Integer
    shifts of the loaded word write whole registers. Measured on the H200
    ([B,T,C] bf16 full window, B8 T16384 C1536): no change alone (82.3% of
    copy against 82.0-82.5%), part of the 85.3% configuration with the
    prefetched tile widened first (swr-tile-blocks).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

def SwrDistribute : Pass<"swr-distribute", "::mlir::ModuleOp"> {
  let summary = "Map the tiled scan onto GPU threads and outline a kernel";
  let description = [{
    Moves every function holding a tiled scan into a `gpu.module` as a
    `gpu.func ... kernel` with the same memref arguments. The scan's
    `scf.parallel` over (sequence, head, channel block) becomes one work
    item per thread: the linear thread index is delinearised into the loop
    indices and threads past the end do nothing. The tile loop inside stays
    sequential per thread, so the carries stay at level `serial` (in
    registers). Each upper bound of the parallel loop must be a dimension of
    a kernel argument; the kernel records them in `swr.work_items` (one
    [argument, dimension, step] triple per loop dimension) so a runtime can
    size the grid from the shapes: grid.x = ceil(prod ceil(dim / step) /
    (block-size / K)), where K = `swr.threads_per_item`: 1, or for a last
    loop dimension with a constant trip count (time lanes: the 32 lanes of
    a warp) that count, K adjacent threads per work item (a block smaller
    than K whole warps, at most 1024, is raised to K: one work item per
    CTA). A K above the block size and a multiple of it (CTAs of a cluster that share a
    sequence, swr-tile-blocks time-ctas) makes each work item K /
    block-size consecutive blocks: prod ceil(dim / step) * K / block-size
    blocks in clusters of that many (`nvvm.cluster_dim`, PTX
    `.reqnctapercluster`). `swr.channel_sum` (a head's channel blocks on adjacent
    lanes) becomes a butterfly of `shfl.sync.bfly` masked to the group.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"128",
           "Threads per CTA">,
    Option<"minBlocksPerSM", "min-blocks-per-sm", "int64_t",
           /*default=*/"0",
           "Ask ptxas for registers that let this many CTAs share an SM "
           "(nvvm.minctasm: .minnctapersm); 0: no bound">,
    Option<"moduleName", "module-name", "std::string",
           /*default=*/"\"swr_kernels\"", "Name of the gpu.module">
  ];
}

#endif // SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD
