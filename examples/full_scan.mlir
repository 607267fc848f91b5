// A full linear recurrence h[t] = a[t] h[t-1] + x[t] with one decay per
// channel, [B, C, T] f32 in and out, from an initial state and to a final
// one (the accelerated-scan / HGRN shape). On GPUs each warp deals a
// channel's 16-step tiles to its 32 lanes, which pass carries by shuffles.
func.func @full_scan(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                     %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>,
                     %hT: memref<?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
      final(%hT : memref<?x?xf32>)
  return
}
