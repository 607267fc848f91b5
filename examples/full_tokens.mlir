// A full linear recurrence over token-major [B, T, H, D] bf16 (the layout
// the Linears of a model read and write), one decay per channel, from an
// initial state and to a final one. On GPUs 4 warps of a CTA share each
// sequence; each lane takes 2 adjacent channels and each warp 32 steps per
// iteration, the warps' carries meeting in shared memory.
func.func @full_tokens(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                       %h0: memref<?x?x?xf32>, %y: memref<?x?x?x?xbf16>,
                       %hT: memref<?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      init(%h0 : memref<?x?x?xf32>) output(%y : memref<?x?x?x?xbf16>)
      final(%hT : memref<?x?x?xf32>)
  return
}
