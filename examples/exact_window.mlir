// An exact sliding window: y[t] sums the last 64 tokens' inputs, each
// decayed to t, with h0 seen as the token before the sequence while it is
// inside the window. One decay per head, [B, H, 16, L] bf16 in and out, f32
// initial and final states. `swr-run --grad` derives and checks its
// backward.
func.func @exact_window(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                        %h0: memref<?x?x16xf32>, %y: memref<?x?x16x?xbf16>,
                        %hT: memref<?x?x16xf32>) {
  swr.scan exact<64> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      init(%h0 : memref<?x?x16xf32>) output(%y : memref<?x?x16x?xbf16>)
      final(%hT : memref<?x?x16xf32>)
  return
}
