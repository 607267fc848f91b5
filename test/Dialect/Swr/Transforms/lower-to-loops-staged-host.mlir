// RUN: swr-opt %s --pass-pipeline='builtin.module(func.func(swr-lower-to-loops))' --split-input-file --verify-diagnostics

// The host has no shared memory to stage through.
func.func @host(%x: memref<?x?x?x?xbf16>, %pos: index, %len: index) {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{'swr.stage_tile' op stages tiles in a GPU's shared memory and has no host lowering (swr-tile-blocks stages=0 on the host)}}
  swr.stage_tile %x[%c0, %c0, %c0, %c0] at %pos length %len time 1 channel 3
      into 0 slot %c0 of 2 steps 2 channels 2 : memref<?x?x?x?xbf16>
  return
}

// -----

func.func @host_wait() {
  // expected-error @+1 {{'swr.stage_wait' op waits on a GPU's cp.async groups and has no host lowering}}
  swr.stage_wait pending 1
  return
}
