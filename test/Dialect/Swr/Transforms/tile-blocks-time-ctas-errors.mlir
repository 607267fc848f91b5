// RUN: swr-opt %s --split-input-file --verify-diagnostics --swr-tile-blocks="time-ctas=2"

// CTAs of a cluster share full windows only: a bands<k> or exact<W> window
// reaches back a fixed number of tiles and carries nothing further.
func.func @bands_cluster(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                         %y: memref<?x?x?xf32>) {
  // expected-error @below {{swr-tile-blocks: time-ctas=2 shares full windows among the CTAs of a cluster, got #swr.window<bands<2>>}}
  swr.scan bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}

// -----

func.func @exact_cluster(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                         %y: memref<?x?x?xf32>) {
  // expected-error @below {{swr-tile-blocks: time-ctas=2 shares full windows among the CTAs of a cluster, got #swr.window<exact<64>>}}
  swr.scan exact<64> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      output(%y : memref<?x?x?xf32>)
  return
}
