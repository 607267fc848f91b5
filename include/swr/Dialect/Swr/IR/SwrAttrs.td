//===- SwrAttrs.td - swr attributes and enums --------------*- tablegen -*-===//

#ifndef SWR_DIALECT_SWR_IR_SWRATTRS_TD
#define SWR_DIALECT_SWR_IR_SWRATTRS_TD

include "swr/Dialect/Swr/IR/SwrBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Swr_Layout : I32EnumAttr<"Layout", "memory layout of a scan's tensors", [
    I32EnumAttrCase<"bhdl", 0>,   // [B, H, D, L]: time contiguous (Phalanx / B2P)
    I32EnumAttrCase<"bct", 1>,    // [B, C, T]: one channel axis, time contiguous
    I32EnumAttrCase<"bthd", 2>    // [B, T, H, D]: token-major
  ]> {
  let cppNamespace = "::mlir::swr";
}

def Swr_DecaySharing : I32EnumAttr<"DecaySharing",
    "which channels share one decay", [
    I32EnumAttrCase<"per_head", 0>,     // a: one value per (batch, head, time)
    I32EnumAttrCase<"per_channel", 1>   // a: the shape of x
  ]> {
  let cppNamespace = "::mlir::swr";
}

def Swr_WindowKind : I32EnumAttr<"WindowKind", "kind of a scan window", [
    I32EnumAttrCase<"full", 0>,
    I32EnumAttrCase<"bands", 1>,
    I32EnumAttrCase<"exact", 2>
  ]> {
  let cppNamespace = "::mlir::swr";
}

def Swr_CarryLevel : I32EnumAttr<"CarryLevel",
    "level of the memory hierarchy a carry crosses", [
    I32EnumAttrCase<"serial", 0>,   // one thread walks the tiles in order
    I32EnumAttrCase<"warp", 1>,     // lanes of a warp: registers / shuffles
    I32EnumAttrCase<"cta", 2>,      // warps of a CTA: shared memory
    I32EnumAttrCase<"cluster", 3>,  // CTAs of a cluster: distributed shared memory
    I32EnumAttrCase<"grid", 4>      // clusters of a grid: global memory
  ]> {
  let cppNamespace = "::mlir::swr";
}

def Swr_TransferMethod : I32EnumAttr<"TransferMethod",
    "how the decay products of a transfer operator are formed", [
    I32EnumAttrCase<"running_product", 0>,
    I32EnumAttrCase<"log_space", 1>
  ]> {
  let cppNamespace = "::mlir::swr";
}

//===----------------------------------------------------------------------===//
// Window
//===----------------------------------------------------------------------===//

def Swr_WindowAttr : AttrDef<Swr_Dialect, "Window"> {
  let mnemonic = "window";
  let summary = "which entries of the transfer operator a scan keeps";
  let description = [{
    - `full`: the exact recurrence.
    - `bands<k>`: a Sliding Window Recurrence. The transfer operator is cut
      into `tile` x `tile` blocks (16 by default) and the first k
      block-diagonals are kept: output i of a tile sees `tile*(k-1)+i+1`
      tokens. `bands<1>` makes the tiles independent. Written
      `bands<k, tile>` when the tile is not 16.
    - `exact<W>`: every output sees exactly the last W inputs.

    ```mlir
    #swr.window<full>
    #swr.window<bands<2>>
    #swr.window<bands<4, 32>>
    #swr.window<exact<512>>
    ```
  }];
  let parameters = (ins "WindowKind":$kind, "int64_t":$size, "int64_t":$tile);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let builders = [
    AttrBuilder<(ins "WindowKind":$kind, "int64_t":$size), [{
      return $_get($_ctxt, kind, size, kDefaultTile);
    }]>
  ];
  let extraClassDeclaration = [{
    static constexpr int64_t kDefaultTile = 16;
    static WindowAttr getFull(::mlir::MLIRContext *ctx) {
      return get(ctx, WindowKind::full, 0);
    }
    static WindowAttr getBands(::mlir::MLIRContext *ctx, int64_t k,
                               int64_t tile = kDefaultTile) {
      return get(ctx, WindowKind::bands, k, tile);
    }
    static WindowAttr getExact(::mlir::MLIRContext *ctx, int64_t w) {
      return get(ctx, WindowKind::exact, w);
    }
    bool isFull() const { return getKind() == WindowKind::full; }
    bool isBands() const { return getKind() == WindowKind::bands; }
    bool isExact() const { return getKind() == WindowKind::exact; }
    /// Whether this window keeps every entry of the transfer operator of a
    /// sequence of `length` steps, i.e. behaves as `full` at that length.
    bool coversLength(int64_t length) const;
    /// The window without the `#swr.window<...>` wrapper: `full`,
    /// `bands<k>`, `bands<k, tile>`, `exact<W>`. Ops print it this way.
    static WindowAttr parseBody(::mlir::AsmParser &parser);
    void printBody(::mlir::AsmPrinter &printer) const;
  }];
}

#endif // SWR_DIALECT_SWR_IR_SWRATTRS_TD
