//===- SwrOps.td - swr operations --------------------------*- tablegen -*-===//

#ifndef SWR_DIALECT_SWR_IR_SWROPS_TD
#define SWR_DIALECT_SWR_IR_SWROPS_TD

include "swr/Dialect/Swr/IR/SwrBase.td"
include "swr/Dialect/Swr/IR/SwrAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Swr_FloatMemRef : MemRefOf<[F32, BF16, F16]>;
def Swr_F32Vector : VectorOfAnyRankOf<[F32]>;

// The staging buffers of swr.stage_tile / swr.read_staged (a thread's slots
// in a CTA's shared memory): their ops are ordered by their effects on it.
def Swr_StagingResource : Resource<"::mlir::swr::StagingResource">;

//===----------------------------------------------------------------------===//
// swr.scan
//===----------------------------------------------------------------------===//

def Swr_ScanOp : Swr_Op<"scan", [AttrSizedOperandSegments,
                                  RecursiveMemoryEffects, IsolatedFromAbove]> {
  let summary = "linear recurrence h[t] = a[t] * h[t-1] + x[t] over a window";
  let description = [{
    Runs the recurrence independently on every channel of `input` and writes
    `output` (destination style: the op reads its `ins` memrefs and writes
    its `outs` memrefs; shapes are runtime values, so one program serves all
    lengths). Accumulation is f32 whatever the element types.

    - `window`: `full`, `bands<k>` or `exact<W>` (see `#swr.window`).
    - `layout`: `bhdl` ([B, H, D, L], time contiguous), `bct` ([B, C, T]) or
      `bthd` ([B, T, H, D], token-major). The layout names the axes; strides
      come from the memref types, so no copy is ever made.
    - `sharing`: `per_head` (decay [B, H, L] for `bhdl`, [B, T, H] for
      `bthd`) or `per_channel` (decay shaped like the input). `bct` has no
      head axis and takes `per_channel` only.
    - `reverse`: time runs from the last step to the first.
    - `init(h0)`: initial state, [B, H, D] ([B, C] for `bct`); default 0.
    - `final(hT)`: the state after the last step, same shape as `init`.
    - `seq_offsets(cu)`: variable-length packed batches (B must be 1):
      `cu[i]..cu[i+1]` is sequence i; the recurrence restarts at every
      sequence start and windows never reach across sequences. `init` and
      `final` are then indexed by sequence instead of batch.

    Element types: decays, inputs and outputs are f32, bf16 or f16.

    ```mlir
    swr.scan bands<2> layout bhdl sharing per_head
        decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
        output(%y : memref<?x?x16x?xbf16>)
    ```

    Fused element-wise work (applied while a tile is in registers, so a
    layer reads its inputs and writes its output once):

    - `operands(...)`: up to 16 more input-shaped memrefs.
    - `prologue`: computes the scan's `(a, x)` from the loaded values. Its
      block takes `(decay, input, operands...)` as f32 scalars and yields
      `a, x : f32, f32`. With `per_head` decays, `a` may depend on the
      decay argument only (it is shared by the head's channels).
    - `epilogue`: computes the stored output from the state `y`. Its block
      takes `(y, decay, input, operands...)` and yields one f32.

    Their ops must be element-wise and free of side effects (`arith`,
    `math`): they are applied to whole tiles. Steps past the sequence are
    still padded with `a = 1, x = 0` after the prologue. Without a
    prologue, `decay` and `input` are `a` and `x`; without an epilogue,
    the output is `y`. The final state is always the state `y`.
    `state(s)` also stores the state `y` next to the epilogue's output: what
    the backward of a scan with an epilogue reads (swr-derive-backward).

    ```mlir
    // Phalanx: a = sigmoid(za), x = sigmoid(zb) * v, out = y * c + v.
    swr.scan bands<2> layout bthd sharing per_head
        decay(%za : memref<?x?x?xbf16>) input(%zb : memref<?x?x?x16xbf16>)
        operands(%v, %c : memref<?x?x?x16xbf16>, memref<?x?x?x16xbf16>)
        output(%out : memref<?x?x?x16xbf16>)
        prologue {
        ^bb0(%za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
          ...
          swr.yield %a, %x : f32, f32
        } epilogue {
        ^bb0(%y: f32, %za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
          %yc = arith.mulf %y, %c_s : f32
          %out = arith.addf %yc, %v_s : f32
          swr.yield %out : f32
        }
    ```
  }];

  let arguments = (ins
    Arg<Swr_FloatMemRef, "decays a[t]", [MemRead]>:$decay,
    Arg<Swr_FloatMemRef, "inputs x[t]", [MemRead]>:$input,
    Arg<Variadic<Swr_FloatMemRef>, "more input-shaped operands of the "
        "prologue and epilogue", [MemRead]>:$extra_inputs,
    Arg<Optional<Swr_FloatMemRef>, "initial state", [MemRead]>:$init,
    Arg<Optional<MemRefRankOf<[I32, I64], [1]>>, "sequence offsets",
        [MemRead]>:$seq_offsets,
    Arg<Swr_FloatMemRef, "outputs y[t]", [MemWrite]>:$output,
    Arg<Optional<Swr_FloatMemRef>, "final state", [MemWrite]>:$final_state,
    Arg<Optional<Swr_FloatMemRef>, "the state y before the epilogue",
        [MemWrite]>:$state,
    Swr_WindowAttr:$window,
    Swr_Layout:$layout,
    Swr_DecaySharing:$sharing,
    UnitAttr:$reverse
  );
  let regions = (region MaxSizedRegion<1>:$prologue,
                        MaxSizedRegion<1>:$epilogue);

  let assemblyFormat = [{
    custom<Window>($window) `layout` $layout `sharing` $sharing (`reverse` $reverse^)?
    `decay` `(` $decay `:` type($decay) `)`
    `input` `(` $input `:` type($input) `)`
    (`operands` `(` $extra_inputs^ `:` type($extra_inputs) `)`)?
    (`init` `(` $init^ `:` type($init) `)`)?
    (`seq_offsets` `(` $seq_offsets^ `:` type($seq_offsets) `)`)?
    `output` `(` $output `:` type($output) `)`
    (`final` `(` $final_state^ `:` type($final_state) `)`)?
    (`state` `(` $state^ `:` type($state) `)`)?
    (`prologue` $prologue^)? (`epilogue` $epilogue^)?
    attr-dict
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;

  let extraClassDeclaration = [{
    /// At most this many `operands`.
    static constexpr int64_t kMaxOperands = 16;
    /// Whether a prologue or epilogue is fused into the scan.
    bool hasFusedRegions() {
      return !getPrologue().empty() || !getEpilogue().empty();
    }
    /// Rank of the input for this op's layout (4 for bhdl/bthd, 3 for bct).
    int64_t getInputRank();
    /// Position of the time axis in the input for this op's layout.
    int64_t getTimeAxis();
    /// Static length of the time axis, or ShapedType::kDynamic.
    int64_t getStaticLength();
  }];
}

//===----------------------------------------------------------------------===//
// swr.scan_grad
//===----------------------------------------------------------------------===//

def Swr_ScanGradOp : Swr_Op<"scan_grad", [AttrSizedOperandSegments,
                                          RecursiveMemoryEffects,
                                          IsolatedFromAbove]> {
  let summary = "adjoint of swr.scan: gradients of the inputs, decays and h0";
  let description = [{
    The backward of the `swr.scan` with the same window, layout, sharing,
    direction and forward operands (`decay`, `input`, `init`,
    `seq_offsets`). Given the gradient `grad_output` of the scan's output
    (and `grad_final` of its final state, which is the output at the last
    step) it writes

    - `grad_input` (shaped like `input`): `dx = T_k^T dy`, the scan run
      backwards in time on the forward's tile grid with the operator
      transposed;
    - `grad_decay` (shaped like `decay`): `da[t] = sum over kept (i, j) with
      i >= t > j of dy[i] T[i][t] T[t-1][j] x[j]`, summed over the channels
      that share the decay; no division by `a`, so decays near 0 are safe;
    - `grad_init` (shaped like `init`; optional): the gradient of `h0`.

    `full` windows read the forward output `y` (`output`) for the states
    `h[t-1]` (`da[t] = dh[t] h[t-1]`); `bands<k>` windows recompute the
    k - 1 tiles before each tile instead and take no `output`, and so do
    `exact<W>` windows, whose tiles read the tiles within W steps on both
    sides (no carry between tiles). Accumulation is f32 whatever the
    element types.

    The backward of a fused scan (swr-derive-backward writes its regions)
    also takes the forward's `operands(...)`, writes their gradients
    `grad_operands(...)`, and reads the state `y` as `output` (the forward's
    `state(...)`) whenever it has a `cotangent`:

    - `prologue`: the forward's, `(decay, input, operands...) -> (a, x)`;
    - `cotangent`: `(dout, y, decay, input, operands...) -> dy`, the
      gradient of the state from that of the epilogue's output;
    - `pullback`: `(dx, da, dout, y, decay, input, operands...) ->
      (d decay, d input, d operands...)`, the chain rule through both
      regions from the gradients of `x` and `a` (per channel; a per-head
      decay gradient is summed over the head afterwards).

    ```mlir
    swr.scan_grad bands<2> layout bhdl sharing per_head
        decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
        grad_output(%dy : memref<?x?x16x?xbf16>)
        grad_input(%dx : memref<?x?x16x?xbf16>)
        grad_decay(%da : memref<?x?x?xf32>)
    ```
  }];

  let arguments = (ins
    Arg<Swr_FloatMemRef, "decays a[t]", [MemRead]>:$decay,
    Arg<Swr_FloatMemRef, "inputs x[t]", [MemRead]>:$input,
    Arg<Variadic<Swr_FloatMemRef>, "the forward's operands(...)",
        [MemRead]>:$extra_inputs,
    Arg<Optional<Swr_FloatMemRef>, "initial state", [MemRead]>:$init,
    Arg<Optional<MemRefRankOf<[I32, I64], [1]>>, "sequence offsets",
        [MemRead]>:$seq_offsets,
    Arg<Optional<Swr_FloatMemRef>, "forward states y[t] (full windows, "
        "fused epilogues)", [MemRead]>:$output,
    Arg<Swr_FloatMemRef, "gradient of the outputs", [MemRead]>:$grad_output,
    Arg<Optional<Swr_FloatMemRef>, "gradient of the final state",
        [MemRead]>:$grad_final,
    Arg<Swr_FloatMemRef, "gradient of the inputs", [MemWrite]>:$grad_input,
    Arg<Swr_FloatMemRef, "gradient of the decays", [MemWrite]>:$grad_decay,
    Arg<Variadic<Swr_FloatMemRef>, "gradients of the operands",
        [MemWrite]>:$grad_extra_inputs,
    Arg<Optional<Swr_FloatMemRef>, "gradient of the initial state",
        [MemWrite]>:$grad_init,
    Swr_WindowAttr:$window,
    Swr_Layout:$layout,
    Swr_DecaySharing:$sharing,
    UnitAttr:$reverse
  );
  let regions = (region MaxSizedRegion<1>:$prologue,
                        MaxSizedRegion<1>:$cotangent,
                        MaxSizedRegion<1>:$pullback);

  let assemblyFormat = [{
    custom<Window>($window) `layout` $layout `sharing` $sharing (`reverse` $reverse^)?
    `decay` `(` $decay `:` type($decay) `)`
    `input` `(` $input `:` type($input) `)`
    (`operands` `(` $extra_inputs^ `:` type($extra_inputs) `)`)?
    (`init` `(` $init^ `:` type($init) `)`)?
    (`seq_offsets` `(` $seq_offsets^ `:` type($seq_offsets) `)`)?
    (`output` `(` $output^ `:` type($output) `)`)?
    `grad_output` `(` $grad_output `:` type($grad_output) `)`
    (`grad_final` `(` $grad_final^ `:` type($grad_final) `)`)?
    `grad_input` `(` $grad_input `:` type($grad_input) `)`
    `grad_decay` `(` $grad_decay `:` type($grad_decay) `)`
    (`grad_operands` `(` $grad_extra_inputs^ `:` type($grad_extra_inputs) `)`)?
    (`grad_init` `(` $grad_init^ `:` type($grad_init) `)`)?
    (`prologue` $prologue^)? (`cotangent` $cotangent^)?
    (`pullback` $pullback^)?
    attr-dict
  }];

  let hasVerifier = 1;
  let hasRegionVerifier = 1;

  let extraClassDeclaration = [{
    /// Whether the backward chains through fused regions of its forward.
    bool hasFusedRegions() { return !getPullback().empty(); }
  }];
}

//===----------------------------------------------------------------------===//
// Block-level ops produced by swr-tile-blocks
//===----------------------------------------------------------------------===//

def Swr_TransferOperatorOp : Swr_Op<"transfer_operator", [Pure]> {
  let summary = "the local transfer operator and injection of one tile";
  let description = [{
    From the `n` decays `a` of one tile builds the lower-triangular local
    transfer operator `L[i][j] = a[i] * ... * a[j+1]` (i > j), `L[i][i] = 1`,
    and the injection `g[i] = a[0] * ... * a[i]` (the weight of the carry
    entering the tile in output i; `g[n-1]` is the tile's total decay).
    `method` chooses running products or differences of log-space prefix
    sums. With `band W`, entries with i - j >= W are zero: the operator of
    an exact W-token window restricted to the tile.

    Per-channel decays of a block of `m` channels (`vector<n x m>`, column
    c the decays of channel c) give one operator per channel,
    `vector<m x n x n>`, and the injection `vector<n x m>`.

    ```mlir
    %L, %g = swr.transfer_operator %a method running_product
        : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
    %Lc, %gc = swr.transfer_operator %ac method running_product
        : vector<16x2xf32> -> vector<2x16x16xf32>, vector<16x2xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1, 2], [F32]>:$decays,
                   DefaultValuedAttr<Swr_TransferMethod,
                     "TransferMethod::running_product">:$method,
                   OptionalAttr<ConfinedAttr<I64Attr, [IntMinValue<1>]>>:$band);
  let results = (outs VectorOfRankAndType<[2, 3], [F32]>:$transfer,
                 VectorOfRankAndType<[1, 2], [F32]>:$injection);
  let assemblyFormat = [{
    $decays `method` $method (`band` $band^)? attr-dict `:` type($decays)
    `->` type($transfer)
    `,` type($injection)
  }];
  let hasVerifier = 1;
}

def Swr_LocalSolveOp : Swr_Op<"local_solve", [Pure,
    AllTypesMatch<["tile", "result"]>]> {
  let summary = "zero-initial-state solve of one tile: v = L u";
  let description = [{
    Multiplies the tile's transfer operator `L` (n x n) by the tile's inputs
    `u` (n time steps x m channels): the recurrence on the tile with a zero
    initial state, for all channels at once (a tensor-core GEMM on GPUs).
    With `transpose` it multiplies by `L^T` instead: the adjoint solve of
    the tile, the recurrence run backwards, `w[j] = u[j] + a[j+1] w[j+1]`.
    With one operator per channel (`vector<m x n x n>`, per-channel
    decays) column c of the tile is multiplied by operator c.

    `warp_shared` says how the solve is spread over a GPU: every one of the
    32 lanes of a warp reaches it with the same operator (tiles of one head's
    channels side by side on a warp's lanes, at one time tile), so the warp
    can solve its lanes' tiles together as one matrix product on tensor
    cores (swr-lower-local-solve strategy=mma). Only for one shared operator.

    ```mlir
    %v = swr.local_solve %L, %u : vector<16x16xf32>, vector<16x8xf32>
    %w = swr.local_solve %Lc, %uc : vector<2x16x16xf32>, vector<16x2xf32>
    %s = swr.local_solve warp_shared %L, %u : vector<64x64xf32>, vector<64x2xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[2, 3], [F32]>:$transfer,
                   VectorOfRankAndType<[2], [F32]>:$tile,
                   UnitAttr:$transpose, UnitAttr:$warp_shared);
  let results = (outs VectorOfRankAndType<[2], [F32]>:$result);
  let assemblyFormat = [{
    (`transpose` $transpose^)? (`warp_shared` $warp_shared^)? $transfer `,`
    $tile attr-dict `:` type($transfer) `,` type($tile)
  }];
  let hasVerifier = 1;
}

def Swr_CarryOp : Swr_Op<"carry", [Pure, AllTypesMatch<["local", "result"]>]> {
  let summary = "rank-1 carry update y = v + g (x) s";
  let description = [{
    Adds the carry `s` (one value per channel) entering a tile, weighted by
    the tile's injection `g` (one value per time step), to the tile's local
    solution `v` (time x channels): `y[i][c] = v[i][c] + g[i] * s[c]`. For
    exact windows the carry differs per output (`s` is time x channels):
    `y[i][c] = v[i][c] + g[i] * s[i][c]`. Per-channel decays give one
    injection per channel (`g` is time x channels):
    `y[i][c] = v[i][c] + g[i][c] * s[c]`.

    ```mlir
    %y = swr.carry %v, %g, %s : vector<16x8xf32>, vector<16xf32>, vector<8xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[2], [F32]>:$local,
                   VectorOfRankAndType<[1, 2], [F32]>:$injection,
                   VectorOfRankAndType<[1, 2], [F32]>:$carry_in);
  let results = (outs VectorOfRankAndType<[2], [F32]>:$result);
  let assemblyFormat = [{
    $local `,` $injection `,` $carry_in attr-dict `:` type($local) `,`
    type($injection) `,` type($carry_in)
  }];
  let hasVerifier = 1;
}

def Swr_CarryExchangeOp : Swr_Op<"carry_exchange", [
    AttrSizedOperandSegments, AllTypesMatch<["terminal", "carry_in"]>]> {
  let summary = "carrier recurrence between the tiles of a loop";
  let description = [{
    A collective over the tiles visited by the innermost enclosing loop, in
    loop order. Every tile gives its total decay `c` and its local terminal
    values `terminal` (the last row of its local solution, one per channel);
    the op returns the carry entering this tile,

        s_in[tau] = sum_{j=1..K} (c[tau-1] * ... * c[tau-j+1]) * terminal[tau-j]

    with K = tau for `full` windows and K = min(tau, k-1) for `bands<k>`.
    `c` is one f32 shared by the channels, or (per-channel decays) a vector
    like `terminal`, one total decay per channel.
    `init` acts as the terminal value of a virtual tile before the first.
    `level` says which level of the memory hierarchy the carries cross:
    `serial` carries them in registers of one thread (the host lowering),
    `warp`, `cta`, `cluster` and `grid` through shuffles, shared memory,
    distributed shared memory and global memory.

    At level `warp` (full and bands<k> windows) the loop's tiles are dealt to
    `lanes` lanes of a warp in turn: iteration g of the loop solves tile
    g * lanes + t on the lane whose time lane is t = (lane id / `stride`)
    mod `lanes`; the lanes between them (stride > 1) take other channels.
    For `full` the carries of one iteration's tiles are a prefix scan over
    the time lanes (shuffles), joined to the carry leaving the previous
    iteration's last tile (loop-carried); for `bands<k>` (k - 1 <= lanes)
    each tile reads the k - 1 tiles before it from the time lanes before
    it, wrapping to the previous iteration's pairs (loop-carried). Either
    way each warp makes one pass over memory.

    At level `cta` (full windows) `warps` warps of a CTA share the sequence:
    iteration g solves tile (g * warps + w) * lanes + t on time lane t of
    warp w. Each warp scans its lanes as at level `warp`; the last time
    lane of every warp publishes the warp's pair in shared memory (two
    buffers, alternating by iteration, so one barrier per iteration
    separates every write from the reads of the same buffer), and each
    lane joins the pairs of the warps before its own to the loop-carried
    carry; the carry leaving the iteration joins all of them.

    At level `cluster` (full windows) `ctas` CTAs of a thread-block cluster
    (2 to 16), each of `warps` warps, share the sequence: iteration g solves
    tile ((g * ctas + r) * warps + w) * lanes + t on time lane t of warp w
    of the CTA of rank r. The warps of each CTA join their pairs as at level
    cta; one lane per channel lane of each CTA then stores the CTA's pair
    into the shared memory of every CTA of the cluster (distributed shared
    memory: `mapa`, two buffers alternating by iteration) and a cluster
    barrier (release/acquire) separates those stores from the reads; each
    lane joins the pairs of the CTAs before its own, then of the warps
    before its own, to the loop-carried carry. A cluster barrier before the
    loop makes sure every CTA of the cluster runs before any stores into
    it.

    At level `grid` (full windows) the sequence is split over work items:
    the enclosing loop makes one iteration, chunk `chunk` of the sequence,
    and its `warps` warps (1 to 32) join their pairs as at level cta. The
    carry entering the chunk comes through `workspace`, a zeroed buffer of
    32-bit words, by a decoupled look-back: one lane per channel publishes
    the chunk's pair (c, t) in slot `slot` with a release flag (chunk 0
    publishes its inclusive carry, `init` or 0, at once), walks back over
    slots `slot` - 1, `slot` - 2, ... (chunks 1, 2, ... before it), joining
    their pairs until one has published its inclusive carry, publishes its
    own and hands the carry to its warps through shared memory. After a
    header of 32 words come the flags of the `slots` slots (`stride` words
    each, one per channel lane), then their values (`stride` * (2 * channels
    + decays) words each): only the header and the flags need zeroing
    (`kWorkspaceHeaderWords`, `getWorkspaceFlagWordsPerSlot`,
    `getWorkspaceWordsPerSlot`). A work item waits only for chunks
    dispatched before it (`swr-distribute` numbers work items by an atomic
    ticket), so the look-back always ends.

    ```mlir
    %s = swr.carry_exchange %c, %last window bands<2>
        level serial : vector<8xf32>
    %t = swr.carry_exchange %c, %last window full level warp lanes 8
        stride 4 : vector<1xf32>
    %u = swr.carry_exchange %c, %last window full level cta lanes 32
        stride 1 warps 4 : vector<1xf32>
    %v = swr.carry_exchange %cs, %last2 window full level serial
        : vector<2xf32> per_channel
    %x = swr.carry_exchange %c, %last window full level cluster lanes 1
        stride 32 warps 4 ctas 2 : vector<1xf32>
    %w = swr.carry_exchange %c, %last window full level grid lanes 1
        stride 32 warps 4 across(%ws[%slot of %n] chunk %g : memref<?xi32>)
        : vector<1xf32>
    ```
  }];
  let arguments = (ins AnyTypeOf<[F32, VectorOfRankAndType<[1], [F32]>]>:$decay,
                   VectorOfRankAndType<[1], [F32]>:$terminal,
                   Optional<VectorOfRankAndType<[1], [F32]>>:$init,
                   Optional<MemRefRankOf<[I32], [1]>>:$workspace,
                   Optional<Index>:$slot, Optional<Index>:$slots,
                   Optional<Index>:$chunk,
                   Swr_WindowAttr:$window, Swr_CarryLevel:$level,
                   OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$lanes,
                   OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$stride,
                   OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$warps,
                   OptionalAttr<ConfinedAttr<I64Attr, [IntPositive]>>:$ctas);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$carry_in);
  let assemblyFormat = [{
    $decay `,` $terminal (`init` `(` $init^ `:` type($init) `)`)? `window` custom<Window>($window) `level` $level
    (`lanes` $lanes^)? (`stride` $stride^)? (`warps` $warps^)? (`ctas` $ctas^)?
    (`across` `(` $workspace^ `[` $slot `of` $slots `]` `chunk` $chunk `:`
      type($workspace) `)`)? attr-dict
    `:` type($terminal) custom<ExchangeDecay>(type($decay), ref(type($terminal)))
  }];
  let extraClassDeclaration = [{
    /// Words before the first slot of a grid-level workspace (the work-item
    /// ticket of swr-distribute and padding to 128 bytes).
    static constexpr int64_t kWorkspaceHeaderWords = 32;
    /// CTAs of a cluster at level cluster: 16 is the most sm_90 allows
    /// (beyond the portable 8 with the non-portable opt-in the runtime
    /// sets).
    static constexpr int64_t kMaxClusterCtas = 16;
    /// Decays of the exchange: 1 (shared by the channels) or one per
    /// channel.
    int64_t getDecayCount();
    /// Words of one work item's slot at level grid: per channel lane a flag,
    /// the terminals, the decays and the inclusive carries.
    int64_t getWorkspaceWordsPerSlot();
    /// Of those, the flags (one per channel lane), which must start zeroed.
    int64_t getWorkspaceFlagWordsPerSlot() { return getStride().value_or(1); }
  }];
  let hasVerifier = 1;
}

def Swr_ExtractionOperatorOp : Swr_Op<"extraction_operator", [Pure,
    AllTypesMatch<["transfer", "result"]>]> {
  let summary = "suffix-sum operator of a tile's terminal row";
  let description = [{
    From a tile's transfer operator `L` builds `S[j][j'] = L[n-1][j']` for
    j' >= j and 0 below: `S u` gives, for every j, the part of the tile's
    terminal value contributed by inputs j.. n-1 (what an exact window that
    starts at input j of this tile sees of it).

    ```mlir
    %S = swr.extraction_operator %L : vector<16x16xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[2], [F32]>:$transfer);
  let results = (outs VectorOfRankAndType<[2], [F32]>:$result);
  let assemblyFormat = "$transfer attr-dict `:` type($transfer)";
}

def Swr_WindowExchangeOp : Swr_Op<"window_exchange", [
    AllTypesMatch<["suffix_sums", "carry_in"]>]> {
  let summary = "per-output carries of an exact window between tiles";
  let description = [{
    A collective over the tiles of the innermost enclosing loop, in loop
    order, for `exact<W>` windows. Every tile gives its total decay `c` and
    the suffix sums `R` of its inputs' contributions to its terminal value
    (`R[j] = sum_{j' >= j} L[n-1][j'] u[j']`, so `R[0]` is the terminal).
    Returns, per output i of this tile, the contribution of earlier tiles
    that lies inside the window of output i, up to the injection factor:

        X[i] = sum over earlier tiles sigma of c[tau-1]...c[sigma+1] * R_sigma[j0]

    with j0 = max(0, start of the window of output i - start of sigma)
    (tiles starting at or after the window start contribute R[0], the one
    holding the window start a suffix, earlier ones nothing). `init` is the
    terminal value of a virtual tile before the first, holding one token at
    time -1.

    ```mlir
    %X = swr.window_exchange %c, %R window exact<512> level serial
        : vector<16x16xf32>
    ```
  }];
  let arguments = (ins F32:$decay,
                   VectorOfRankAndType<[2], [F32]>:$suffix_sums,
                   Optional<VectorOfRankAndType<[1], [F32]>>:$init,
                   Swr_WindowAttr:$window, Swr_CarryLevel:$level);
  let results = (outs VectorOfRankAndType<[2], [F32]>:$carry_in);
  let assemblyFormat = [{
    $decay `,` $suffix_sums (`init` `(` $init^ `:` type($init) `)`)?
    `window` custom<Window>($window) `level` $level attr-dict `:`
    type($suffix_sums)
  }];
  let hasVerifier = 1;
}

def Swr_YieldOp : Swr_Op<"yield", [Pure, Terminator,
                                   ParentOneOf<["ScanOp", "ScanGradOp"]>]> {
  let summary = "ends a fused region of swr.scan or swr.scan_grad";
  let description = [{
    Yields `a, x` from a `prologue` and the stored output from an
    `epilogue` of `swr.scan`; `dy` from a `cotangent` and the gradients of
    the loaded operands from a `pullback` of `swr.scan_grad`.

    ```mlir
    swr.yield %a, %x : f32, f32
    ```
  }];
  let arguments = (ins Variadic<F32>:$values);
  let assemblyFormat = "$values attr-dict `:` type($values)";
}

def Swr_ChannelSumOp : Swr_Op<"channel_sum", [
    AllTypesMatch<["value", "result"]>]> {
  let summary = "sum over the channel blocks of one head, across work items";
  let description = [{
    A collective over the iterations of the enclosing `scf.parallel` that
    differ only in their channel block: the `group` iterations of one head,
    whose channel dimension must be the parallel loop's last (fastest
    varying) with exactly `group` iterations. Every iteration gets the sum
    of their `value`s. `swr-distribute` maps such a group onto `group`
    adjacent lanes of a warp and sums with butterfly shuffles; there is no
    host lowering (host tiling walks a head's channel blocks in one
    iteration instead).

    ```mlir
    %total = swr.channel_sum %partial group 16 : vector<16xf32>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1], [F32]>:$value,
                   ConfinedAttr<I64Attr, [IntPositive]>:$group);
  let results = (outs VectorOfRankAndType<[1], [F32]>:$result);
  let assemblyFormat = "$value `group` $group attr-dict `:` type($value)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tile memory access
//===----------------------------------------------------------------------===//

class Swr_TileAccessOp<string mnemonic, list<Trait> traits = []>
    : Swr_Op<mnemonic, traits> {
  code tileAccessDescription = [{
    The tile covers `n` logical time steps starting at `position` and, when
    `channel` is given, `m` channels starting at the index of the channel
    axis. Logical step p of a sequence of `length` steps is stored at
    `base + p` on the time axis (`base + length - 1 - p` with `reverse`),
    where `base` is the time index in `indices` (the start of a packed
    sequence, 0 otherwise). Elements past the sequence end or the channel
    axis are not accessed. With `overhang` (set where the lanes of a work
    item may reach past the channel axis: a head narrower than the lanes'
    channels), a tile whose first channel lies past the axis is skipped
    whole on GPUs (a read yields padding) instead of taking the masked
    path beside the other lanes' vector path.
  }];
  let extraClassDeclaration = [{
    /// Time steps (n) and channels (m, 1 without a channel axis) of the tile.
    int64_t getTileSteps();
    int64_t getTileChannels();
  }];
  let hasVerifier = 1;
}

def Swr_ReadTileOp : Swr_TileAccessOp<"read_tile"> {
  let summary = "reads one tile of a scan operand as f32";
  let description = [{
    Reads `n` time steps x `m` channels of `source` into a vector
    (`vector<n x m x f32>`, or `vector<n x f32>` without a channel axis),
    converting the elements to f32. Elements outside the sequence or the
    channel axis read as `padding` (1 for decays and 0 for inputs keep a
    partial last tile exact: its state carries through the padding).
  }] # tileAccessDescription # [{

    ```mlir
    %u = swr.read_tile %x[%b, %h, %c0, %base] at %pos length %len
        time 3 channel 2 pad 0.0 : memref<?x?x16x?xbf16> -> vector<16x16xf32>
    ```
  }];
  let arguments = (ins Arg<Swr_FloatMemRef, "", [MemRead]>:$source,
                   Variadic<Index>:$indices, Index:$position, Index:$length,
                   I64Attr:$time_axis, OptionalAttr<I64Attr>:$channel_axis,
                   UnitAttr:$reverse, F32Attr:$padding, UnitAttr:$overhang);
  let results = (outs VectorOfRankAndType<[1, 2], [F32]>:$result);
  let assemblyFormat = [{
    $source `[` $indices `]` `at` $position `length` $length
    `time` $time_axis (`channel` $channel_axis^)? (`overhang` $overhang^)?
    (`reverse` $reverse^)? `pad` $padding attr-dict `:` type($source) `->`
    type($result)
  }];
}

def Swr_WriteTileOp : Swr_TileAccessOp<"write_tile"> {
  let summary = "writes one tile of a scan result";
  let description = [{
    Writes the elements of `value` that lie inside the sequence and the
    channel axis to `dest`, rounding f32 to the destination element type
    (round to nearest even).
  }] # tileAccessDescription # [{

    ```mlir
    swr.write_tile %y, %out[%b, %h, %c0, %base] at %pos length %len
        time 3 channel 2 : vector<16x16xf32>, memref<?x?x16x?xbf16>
    ```
  }];
  let arguments = (ins VectorOfRankAndType<[1, 2], [F32]>:$value,
                   Arg<Swr_FloatMemRef, "", [MemWrite]>:$dest,
                   Variadic<Index>:$indices, Index:$position, Index:$length,
                   I64Attr:$time_axis, OptionalAttr<I64Attr>:$channel_axis,
                   UnitAttr:$reverse, UnitAttr:$overhang);
  let assemblyFormat = [{
    $value `,` $dest `[` $indices `]` `at` $position `length` $length
    `time` $time_axis (`channel` $channel_axis^)? (`overhang` $overhang^)?
    (`reverse` $reverse^)? attr-dict `:` type($value) `,` type($dest)
  }];
}

def Swr_PrefetchTileOp : Swr_Op<"prefetch_tile"> {
  let summary = "hints that a tile of a scan operand will be read soon";
  let description = [{
    Says that the `steps` time steps of `source` starting at `position`
    (addressed as by `swr.read_tile`) will be read soon; values are not
    affected. `lanes` (G, dividing 32; 1 by default) says that each group
    of G consecutive lanes of a warp holds tiles of the same steps (on
    adjacent channels), as when a warp's lanes all walk channels of one
    tile. On GPUs, when the whole tile lies inside the sequence and its
    first channel inside the channel axis, the steps are dealt to the lanes
    of a group: in round r < ceil(`steps` / G), lane l brings the cache line
    of step ((l mod G) + G r) mod `steps` (at its first element of its
    channel block with `channel`) into L2 (`prefetch.global.L2`), so the
    group covers every step with one prefetch per G steps (G = 1: each
    thread prefetches each step of its tile), and a later read waits on L2
    instead of device memory without holding registers; a tile reaching
    past the sequence end, and any tile on the host, is left alone.

    ```mlir
    swr.prefetch_tile %x[%b, %c0, %h, %d] at %pos length %len
        time 1 channel 3 steps 32 lanes 32 : memref<?x?x?x?xbf16>
    ```
  }];
  let arguments = (ins Arg<Swr_FloatMemRef, "", [MemRead]>:$source,
                   Variadic<Index>:$indices, Index:$position, Index:$length,
                   I64Attr:$time_axis, OptionalAttr<I64Attr>:$channel_axis,
                   UnitAttr:$reverse,
                   ConfinedAttr<I64Attr, [IntPositive]>:$steps,
                   DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                     "1">:$lanes);
  let assemblyFormat = [{
    $source `[` $indices `]` `at` $position `length` $length
    `time` $time_axis (`channel` $channel_axis^)? (`reverse` $reverse^)?
    `steps` $steps (`lanes` $lanes^)? attr-dict `:` type($source)
  }];
  let extraClassDeclaration = [{
    /// Time steps (n) of the tile; one channel's address per step.
    int64_t getTileSteps() { return getSteps(); }
    int64_t getTileChannels() { return 1; }
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tiles staged through shared memory
//===----------------------------------------------------------------------===//

def Swr_StageTileOp : Swr_Op<"stage_tile", [
    MemoryEffects<[MemWrite<Swr_StagingResource>]>]> {
  let summary = "starts copying one tile of a scan operand into a staging slot";
  let description = [{
    Starts an asynchronous copy of the tile addressed as by `swr.read_tile`
    (`steps` time steps x `channels` channels from `position`) into slot
    `slot` (< `stages`) of this thread's part of staging buffer `buffer`:
    one buffer per `buffer` number and kernel, in the CTA's shared memory,
    laid out [stage][step][thread][channel] in the source's element type, so
    the 32 lanes of a warp reading one step of their tiles read adjacent
    rows (no bank conflicts). Rows past the sequence end read as 0 (the
    padding `swr.read_staged` applies is its own). The copy completes for
    `swr.read_staged` after the `swr.stage_commit` that follows it and an
    `swr.stage_wait` that leaves fewer groups pending than were committed
    after it; a slot must not be staged again before it has been read.

    `lanes` (G, dividing 32) says that each group of G consecutive lanes
    of a warp stages tiles of the same steps on adjacent channel blocks in
    lane order (as `swr.prefetch_tile`'s), every lane of the warp executing
    the op: a step's rows of a group are then one contiguous run in memory
    and in the buffer.

    On GPUs, when a group's runs lie inside the sequence and the channel
    axis and are aligned to 16 bytes, the group copies them together, one
    16-byte `cp.async.cg` per lane and instruction (L1 is bypassed and a
    lane's copies serve its neighbours: the lowering adds the warp barriers
    that makes this safe before each staging and after each wait); else a
    tile whose rows lie inside the channel axis and are aligned to their
    size of 4, 8 or 16 bytes becomes one `cp.async` per row; any other tile
    is read and stored to the slot before the op completes. The bytes in
    flight hold no registers. There is no host lowering.

    ```mlir
    swr.stage_tile %x[%b, %c0, %h, %d] at %pos length %len time 1 channel 3
        into 1 slot %s of 3 steps 32 channels 2 : memref<?x?x?x?xbf16>
    ```
  }];
  let arguments = (ins Arg<Swr_FloatMemRef, "", [MemRead]>:$source,
                   Variadic<Index>:$indices, Index:$position, Index:$length,
                   I64Attr:$time_axis, OptionalAttr<I64Attr>:$channel_axis,
                   UnitAttr:$reverse,
                   ConfinedAttr<I64Attr, [IntNonNegative]>:$buffer,
                   Index:$slot, ConfinedAttr<I64Attr, [IntMinValue<2>]>:$stages,
                   ConfinedAttr<I64Attr, [IntPositive]>:$steps,
                   DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                     "1">:$channels,
                   DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>,
                                     "1">:$lanes);
  let assemblyFormat = [{
    $source `[` $indices `]` `at` $position `length` $length
    `time` $time_axis (`channel` $channel_axis^)? (`reverse` $reverse^)?
    `into` $buffer `slot` $slot `of` $stages `steps` $steps
    (`channels` $channels^)? (`lanes` $lanes^)? attr-dict `:` type($source)
  }];
  let extraClassDeclaration = [{
    int64_t getTileSteps() { return getSteps(); }
    int64_t getTileChannels() { return getChannels(); }
  }];
  let hasVerifier = 1;
}

def Swr_StageCommitOp : Swr_Op<"stage_commit", [
    MemoryEffects<[MemWrite<Swr_StagingResource>]>]> {
  let summary = "closes a group of staged tiles";
  let description = [{
    Makes the `swr.stage_tile` copies this thread started since the last
    commit one group, which `swr.stage_wait` counts (`cp.async.commit_group`
    on GPUs).

    ```mlir
    swr.stage_commit
    ```
  }];
  let assemblyFormat = "attr-dict";
}

def Swr_StageWaitOp : Swr_Op<"stage_wait", [
    MemoryEffects<[MemRead<Swr_StagingResource>,
                   MemWrite<Swr_StagingResource>]>]> {
  let summary = "waits for staged tiles";
  let description = [{
    Waits until at most `pending` of this thread's committed groups of
    staged tiles are still in flight (`cp.async.wait_group` on GPUs): the
    older groups' slots can then be read.

    ```mlir
    swr.stage_wait pending 2
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$pending);
  let assemblyFormat = "`pending` $pending attr-dict";
}

def Swr_ReadStagedOp : Swr_Op<"read_staged", [
    MemoryEffects<[MemRead<Swr_StagingResource>]>]> {
  let summary = "reads a staged tile as f32";
  let description = [{
    Reads slot `slot` of this thread's part of staging buffer `buffer`
    (of `stages` slots of the `stored` element type, see `swr.stage_tile`)
    as `vector<n x m x f32>` (or `vector<n x f32>`), the tile starting at
    logical step `position` of a sequence of `length` steps: rows past its
    end read as `padding`, like `swr.read_tile`'s.

    ```mlir
    %u = swr.read_staged 1 slot %s of 3 at %pos length %len stored bf16
        pad 0.0 : vector<32x2xf32>
    ```
  }];
  let arguments = (ins ConfinedAttr<I64Attr, [IntNonNegative]>:$buffer,
                   Index:$slot, ConfinedAttr<I64Attr, [IntMinValue<2>]>:$stages,
                   Index:$position, Index:$length, TypeAttr:$stored,
                   F32Attr:$padding);
  let results = (outs VectorOfRankAndType<[1, 2], [F32]>:$result);
  let assemblyFormat = [{
    $buffer `slot` $slot `of` $stages `at` $position `length` $length
    `stored` $stored `pad` $padding attr-dict `:` type($result)
  }];
  let extraClassDeclaration = [{
    int64_t getTileSteps() { return getResult().getType().getDimSize(0); }
    int64_t getTileChannels() {
      VectorType type = getResult().getType();
      return type.getRank() == 2 ? type.getDimSize(1) : 1;
    }
  }];
  let hasVerifier = 1;
}

#endif // SWR_DIALECT_SWR_IR_SWROPS_TD
