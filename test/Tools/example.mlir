// The example the README's main command compiles stays valid.
// RUN: swr-opt %swr_src_root/examples/phalanx_bands2.mlir | FileCheck %s
// CHECK: swr.scan bands<2> layout bhdl sharing per_head
