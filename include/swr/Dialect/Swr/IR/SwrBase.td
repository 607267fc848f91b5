//===- SwrBase.td - swr dialect definition -----------------*- tablegen -*-===//
//
// The `swr` dialect: linear recurrences h[t] = a[t] * h[t-1] + x[t], their
// windows (full, Sliding Window Recurrences, exact W-token windows) and the
// block-level ops of the Block Two-Pass decomposition.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_DIALECT_SWR_IR_SWRBASE_TD
#define SWR_DIALECT_SWR_IR_SWRBASE_TD

include "mlir/IR/OpBase.td"

def Swr_Dialect : Dialect {
  let name = "swr";
  let cppNamespace = "::mlir::swr";
  let summary = "Linear recurrences and their Block Two-Pass decomposition";
  let description = [{
    The `swr` dialect describes first-order linear recurrences

        h[t] = a[t] * h[t-1] + x[t],     h[-1] = h0 (default 0)

    applied independently to every channel of a batch of sequences, and the
    block-level form that the Block Two-Pass (B2P) algorithm turns them into:
    16-step tiles solved locally through their transfer operator plus rank-1
    carries between tiles.

    `swr.scan` is the user-facing op. Its `window` selects the operator:
    `full` (the exact recurrence), `bands<k>` (a Sliding Window Recurrence
    keeping the first k block-diagonals of 16x16 tiles of the transfer
    operator) or `exact<W>` (every output sees exactly the last W inputs).
    The ops produced by `swr-tile-blocks` (`swr.transfer_operator`,
    `swr.local_solve`, `swr.carry`, `swr.carry_exchange`) act on vectors of
    one tile and are lowered by the host and GPU pipelines.
  }];
  let useDefaultAttributePrinterParser = 1;
  let extraClassDeclaration = [{
    /// Registers the attributes; defined next to their storage classes.
    void registerAttributes();
  }];
}

class Swr_Op<string mnemonic, list<Trait> traits = []>
    : Op<Swr_Dialect, mnemonic, traits>;

#endif // SWR_DIALECT_SWR_IR_SWRBASE_TD
