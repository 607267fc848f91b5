//===- Passes.td - swr transformation passes ---------------*- tablegen -*-===//

#ifndef SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD
#define SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SwrTileBlocks : Pass<"swr-tile-blocks", "::mlir::func::FuncOp"> {
  let summary = "Tile swr.scan into the Block Two-Pass form";
  let description = [{
    Rewrites every `swr.scan` into loops over sequences, heads and channel
    blocks around a loop over time tiles. Each tile is read
    (`swr.read_tile`, masked past the sequence end), solved locally through
    its transfer operator (`swr.transfer_operator`, `swr.local_solve`),
    joined to the tiles before it by the carrier recurrence
    (`swr.carry_exchange`, truncated to the window) and a rank-1 update
    (`swr.carry`), and written (`swr.write_tile`). Per-head decays share one
    transfer operator across a block of `channel-tile` channels; per-channel
    decays get one per channel. Shapes stay runtime values.

    `bands<k, tile>` windows are tiled with their own tile; `full` windows
    with `block`. `exact<W>` windows tile with `block` too and subtract, per
    output, the contribution of the tokens between the window start and the
    start of the covering band (`swr.window_correction`).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect"
  ];
  let options = [
    Option<"block", "block", "int64_t", /*default=*/"16",
           "Time steps per tile for full and exact windows">,
    Option<"channelTile", "channel-tile", "int64_t", /*default=*/"16",
           "Channels solved together when they share a decay">,
    Option<"method", "method", "std::string", /*default=*/"\"running_product\"",
           "How transfer operators form decay products: running_product "
           "or log_space">
  ];
}

def SwrLowerToLoops : Pass<"swr-lower-to-loops", "::mlir::func::FuncOp"> {
  let summary = "Lower the block-level swr ops to scf, vector, memref, math";
  let description = [{
    The host lowering of the Block Two-Pass form: tile reads and writes
    become masked scalar loops through a stack buffer, transfer operators
    running products (or log-space sums) on vectors, local solves and
    carries sums of outer products, and `serial` carry exchanges loop-carried
    state of the enclosing tile loop (the carrier recurrence truncated to
    k-1 hops for `bands<k>`).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // SWR_DIALECT_SWR_TRANSFORMS_PASSES_TD
