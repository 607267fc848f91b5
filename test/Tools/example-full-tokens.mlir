// The token-major full-window example of the tutorial compiles to PTX that
// ptxas accepts, with its 2-channel, 32-step tiles (64 4-byte loads of a
// whole tile, prefetched: the first tile's before the loop and the next
// one's in it, beside the 2 of the f32 initial state) by default and 32
// with --full-block=16; the CPU path checks it against float64 around
// tiles.
// RUN: swr-compile %swr_src_root/examples/full_tokens.mlir -o %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// RUN: swr-compile %swr_src_root/examples/full_tokens.mlir --full-block=16 -o %t.16.ptx
// RUN: FileCheck %s --check-prefix=SHORT < %t.16.ptx
// RUN: swr-run %swr_src_root/examples/full_tokens.mlir --shape 2x40x3x5 --lengths 1,17,40 --decays near1,spread,near0 | FileCheck %s --check-prefix=CPU
// CHECK: .visible .entry full_tokens(
// CHECK-COUNT-130: ld.global.b32
// CHECK-NOT: ld.global.b32
// SHORT-COUNT-66: ld.global.b32
// SHORT-NOT: ld.global.b32
// CPU: swr-run: ok
