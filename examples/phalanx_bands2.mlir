// The Phalanx recurrence: a Sliding Window Recurrence with two bands of
// 16x16 tiles, one decay per head, [B, H, 16, L] bf16 in and out. Shapes are
// runtime values: one compile serves every batch, head count and length.
func.func @phalanx_swr(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                       %y: memref<?x?x16x?xbf16>) {
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}
