// swr-compile --strategy=mma (and wmma): the local solves of per-head full windows over
// [B, T, H, D], whose warps hold one head's channels at one time tile, run
// on tensor cores (mma.sync m16n8k16, bf16 operands, f32 accumulation);
// per-channel decays keep the recurrence on CUDA cores. ptxas accepts the
// PTX.
// RUN: swr-compile %s --function full_heads --strategy=mma -o %t.ptx --launch %t.json
// RUN: FileCheck %s --check-prefix=BF16 < %t.ptx
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// RUN: swr-compile %s --function full_heads_f32 --strategy=mma -o %t.f32.ptx
// RUN: FileCheck %s --check-prefix=F32 < %t.f32.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.f32.ptx -o %t.f32.cubin %}
// RUN: swr-compile %s --function full_heads --strategy=mma --time-ctas=2 -o %t.cluster.ptx
// RUN: FileCheck %s --check-prefix=CLUSTER < %t.cluster.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.cluster.ptx -o %t.cluster.cubin %}
// RUN: swr-compile %s --function full_heads --strategy=wmma -o %t.wmma.ptx
// RUN: FileCheck %s --check-prefix=WMMA < %t.wmma.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.wmma.ptx -o %t.wmma.cubin %}
// RUN: swr-compile %s --function full_heads_f32 --strategy=wmma -o %t.wmmaf32.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.wmmaf32.ptx -o %t.wmmaf32.cubin %}
// RUN: swr-compile %s --function full_channels --strategy=mma -o %t.channels.ptx
// RUN: FileCheck %s --check-prefix=CHANNELS < %t.channels.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.channels.ptx -o %t.channels.cubin %}

// bf16: 64-step tiles of 2 channels per lane are four 16-step blocks of 8
// groups of 8 channels; inputs read from bf16 are exact, so two mma per
// group and block (the operator's high and low bf16 parts): 64. B
// fragments come by ldmatrix (transposed) from the warp's staging buffer,
// 4 per block.
// BF16: .visible .entry full_heads(
// BF16: bar.warp.sync -1;
// BF16: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// BF16: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// BF16-COUNT-63: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// BF16-NOT: mma.sync

// JSON: "strategy": "mma"

// wmma (bf16 through LLVM's intrinsics): per 16-step block the operator's
// two parts as A fragments, then per 16-channel group (4) the B fragments,
// two wmma.mma and the store of D: 32 wmma.mma in all.
// WMMA: .visible .entry full_heads(
// WMMA: wmma.load.a.sync.aligned.row.m16n16k16.shared.bf16
// WMMA: wmma.load.b.sync.aligned.row.m16n16k16.shared.bf16
// WMMA-COUNT-2: wmma.mma.sync.aligned.row.row.m16n16k16.f32.bf16.bf16.f32
// WMMA: wmma.store.d.sync.aligned.row.m16n16k16.shared.f32
// WMMA-COUNT-30: wmma.mma.sync.aligned.row.row.m16n16k16.f32.bf16.bf16.f32
// WMMA-NOT: wmma.mma

// f32: 16-step tiles of one channel per lane (4 groups), inputs split too:
// three mma per group.
// F32: .visible .entry full_heads_f32(
// F32-COUNT-12: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// F32-NOT: mma.sync

// Shared by the CTAs of a cluster: the same tensor-core solve per warp.
// CLUSTER: .reqnctapercluster 2, 1, 1
// CLUSTER-COUNT-64: mma.sync.aligned.m16n8k16
// CLUSTER-NOT: mma.sync

// CHANNELS: .visible .entry full_channels(
// CHANNELS-NOT: mma.sync
// CHANNELS: fma.rn.f32
// CHANNELS-NOT: mma.sync

func.func @full_heads(%a: memref<?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                      %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}

func.func @full_heads_f32(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                          %y: memref<?x?x?x?xf32>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}

func.func @full_channels(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                         %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}
