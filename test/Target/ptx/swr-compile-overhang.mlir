// swr-compile --overhang=1 of a [B,T,H,D] bf16 full window with heads of 48
// channels (32 lanes x 2 channels per work item: lanes 24..31 past the
// head; the tile accesses skipped whole there, lit:
// tile-blocks-overhang.mlir, lower-to-loops-overhang.mlir) goes through
// the whole GPU pipeline, and ptxas accepts the PTX.
// RUN: swr-compile %s --overhang=1 -o %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// CHECK: .entry full_heads_of_48
// CHECK: ld.global{{.*}}.b32
// CHECK: st.global{{.*}}.b32
func.func @full_heads_of_48(%a: memref<?x?x32x48xbf16>,
                            %x: memref<?x?x32x48xbf16>,
                            %y: memref<?x?x32x48xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x32x48xbf16>) input(%x : memref<?x?x32x48xbf16>)
      output(%y : memref<?x?x32x48xbf16>)
  return
}
