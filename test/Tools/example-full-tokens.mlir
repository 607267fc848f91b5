// The token-major full-window example of the tutorial compiles to PTX that
// ptxas accepts, with its 2-channel, 32-step tiles (64 vector loads of a
// whole tile) by default and 32 with --full-block=16; the CPU path checks
// it against float64 around tiles.
// RUN: swr-compile %swr_src_root/examples/full_tokens.mlir -o %t.ptx
// RUN: FileCheck %s < %t.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// RUN: swr-compile %swr_src_root/examples/full_tokens.mlir --full-block=16 -o %t.16.ptx
// RUN: FileCheck %s --check-prefix=SHORT < %t.16.ptx
// RUN: swr-run %swr_src_root/examples/full_tokens.mlir --shape 2x40x3x5 --lengths 1,17,40 --decays near1,spread,near0 | FileCheck %s --check-prefix=CPU
// CHECK: .visible .entry full_tokens(
// CHECK-COUNT-64: ld.global.v2.b16
// SHORT-COUNT-32: ld.global.v2.b16
// SHORT-NOT: ld.global.v2.b16
// CPU: swr-run: ok
