// swr-compile of full windows: each warp deals a channel's tiles to its
// lanes (carries by shuffles), and over [B,C,T] f32 four warps share a
// channel (carries through shared memory), so a launch sizes the grid in
// work items of 128 threads; ptxas accepts the PTX.
// RUN: swr-compile %s -o %t.ptx --launch %t.json
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: FileCheck %s --check-prefix=LOADS < %t.ptx
// RUN: FileCheck %s --check-prefix=STORES < %t.ptx
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}
// RUN: swr-compile %s --function full_tokens -o %t.bthd.ptx --launch %t.bthd.json
// RUN: FileCheck %s --check-prefix=BTHD < %t.bthd.ptx
// RUN: FileCheck %s --check-prefix=BTHDJSON < %t.bthd.json
// RUN: FileCheck %s --check-prefix=WIDEN < %t.bthd.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.bthd.ptx -o %t.bthd.cubin %}
// RUN: swr-compile %s --function full_tokens --full-block=16 -o %t.bthd16.ptx
// RUN: FileCheck %s --check-prefix=BTHD16 < %t.bthd16.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.bthd16.ptx -o %t.bthd16.cubin %}
// RUN: swr-compile %s --function full_tokens --l2-prefetch=2 -o %t.bthdl2.ptx
// RUN: FileCheck %s --check-prefix=BTHDL2 < %t.bthdl2.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.bthdl2.ptx -o %t.bthdl2.cubin %}
// RUN: swr-compile %s --function full_tokens --grid-carries=1 -o %t.bthdgrid.ptx --launch %t.bthdgrid.json
// RUN: FileCheck %s --check-prefix=BTHDGRID < %t.bthdgrid.ptx
// RUN: FileCheck %s --check-prefix=BTHDGRIDJSON < %t.bthdgrid.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.bthdgrid.ptx -o %t.bthdgrid.cubin %}
// RUN: swr-compile %s --function full_tokens --stages=3 -o %t.staged.ptx --launch %t.staged.json
// RUN: FileCheck %s --check-prefix=STAGED < %t.staged.ptx
// RUN: FileCheck %s --check-prefix=STAGEDJSON < %t.staged.json
// RUN: FileCheck %s --check-prefix=NOSTAGE < %t.bthd.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.staged.ptx -o %t.staged.cubin %}
// RUN: swr-compile %s --grid-carries=1 -o %t.grid.ptx --launch %t.grid.json
// RUN: FileCheck %s --check-prefix=GRIDJSON < %t.grid.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.grid.ptx -o %t.grid.cubin %}
// RUN: swr-compile %s --function full_tokens --time-warps=1 -o %t.bthd1.ptx
// RUN: FileCheck %s --check-prefix=BTHD1 < %t.bthd1.ptx
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.bthd1.ptx -o %t.bthd1.cubin %}
// RUN: swr-compile %s --time-warps=4 -o %t.cta.ptx --launch %t.cta.json
// RUN: FileCheck %s --check-prefix=CTA < %t.cta.ptx
// RUN: FileCheck %s --check-prefix=CTAJSON < %t.cta.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.cta.ptx -o %t.cta.cubin %}
// RUN: swr-compile %s --time-warps=8 --function full_tokens -o %t.cta8.ptx --launch %t.cta8.json
// RUN: FileCheck %s --check-prefix=CTA8 < %t.cta8.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.cta8.ptx -o %t.cta8.cubin %}
// RUN: swr-compile %s --function full_tokens --time-ctas=2 -o %t.cluster.ptx --launch %t.cluster.json
// RUN: FileCheck %s --check-prefix=CLUSTER < %t.cluster.ptx
// RUN: FileCheck %s --check-prefix=CLUSTERJSON < %t.cluster.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.cluster.ptx -o %t.cluster.cubin %}
// RUN: swr-compile %s --time-ctas=4 --time-warps=1 -o %t.cluster4.ptx --launch %t.cluster4.json
// RUN: FileCheck %s --check-prefix=CLUSTER4 < %t.cluster4.ptx
// RUN: FileCheck %s --check-prefix=CLUSTER4JSON < %t.cluster4.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.cluster4.ptx -o %t.cluster4.cubin %}
// RUN: swr-compile %s --time-lanes=1 -o %t.serial.ptx --launch %t.serial.json
// RUN: FileCheck %s --check-prefix=SERIAL < %t.serial.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.serial.ptx -o %t.serial.cubin %}

// --time-ctas=2 over bthd: clusters of two 4-warp CTAs share a sequence
// (.reqnctapercluster). A cluster barrier before the tile loop; in it each
// CTA's warp 0 stores the CTA's pair (2 terminals, 2 decays per lane) into
// the shared memory of both CTAs (mapa, st.shared::cluster), then a
// cluster barrier (arrive.release / wait.acquire by default) and local
// reads of both CTAs' pairs.
// CLUSTER: .visible .entry full_tokens(
// CLUSTER: .explicitcluster
// CLUSTER: .reqnctapercluster 2, 1, 1
// CLUSTER: barrier.cluster.arrive.aligned;
// CLUSTER-NEXT: barrier.cluster.wait.aligned;
// CLUSTER: mov.u32 {{.*}}, %cluster_ctarank;
// CLUSTER-COUNT-8: mapa.shared::cluster.u64
// CLUSTER: barrier.cluster.arrive.aligned;
// CLUSTER-NEXT: barrier.cluster.wait.aligned;
// CLUSTER: ld.shared.v4.b32
// The launch: 128-thread blocks in clusters of 2, one work item (256
// threads) per cluster.
// CLUSTERJSON: "block": [
// CLUSTERJSON-NEXT: 128,
// CLUSTERJSON: "cluster": [
// CLUSTERJSON-NEXT: 2,
// CLUSTERJSON-NEXT: 1,
// CLUSTERJSON-NEXT: 1
// CLUSTERJSON: "blocks_per_item": 2,
// CLUSTERJSON-NEXT: "items_per_block": 1,
// --time-ctas=4 over bct: 4 one-warp CTAs of 32 time lanes each.
// CLUSTER4: .reqnctapercluster 4, 1, 1
// CLUSTER4-COUNT-8: st.shared::cluster.b32
// CLUSTER4JSON: "block": [
// CLUSTER4JSON-NEXT: 32,
// CLUSTER4JSON: "cluster": [
// CLUSTER4JSON-NEXT: 4,
// CLUSTER4JSON: "blocks_per_item": 4,

// 32 time lanes: log2(32) = 5 shuffles up per scanned value (the decay
// product and the terminal), one more each for the exclusive shift, and
// the iteration's total from lane 31.
// PTX: .visible .entry full_scan(
// PTX: mov.u32 {{.*}}, %laneid;
// PTX-COUNT-12: shfl.sync.up.b32
// PTX-COUNT-2: shfl.sync.idx.b32

// f32 tiles of 4 steps on 32 time lanes: a whole tile of decays and one of
// inputs in one 16-byte load each, the output in one 16-byte store; no
// stack frame (partial tiles gather their loads in registers).
// LOADS-NOT: .local
// LOADS-COUNT-2: ld.global.v4.b32
// STORES: st.global.v4.b32
// LOADS-NOT: .local

// time-warps=4: four warps share a channel; each warp's last lane
// publishes its pair in shared memory (double-buffered: one barrier of the
// item's 128 threads per iteration), and every lane reads the four pairs.
// CTA: .shared .align 16 .b8 {{.*}}[64];
// CTA-COUNT-12: shfl.sync.up.b32
// CTA: st.shared.v2.b32
// CTA: bar.sync {{.*}}, 128;
// CTA-COUNT-2: ld.shared.v4.b32
// CTAJSON: "block": [
// CTAJSON-NEXT: 128,
// CTAJSON: "items_per_block": 1,
// A work item of 8 warps raises the block to 256 threads.
// CTA8: "block": [
// CTA8-NEXT: 256,
// CTA8: "items_per_block": 1,

// f32 over time: 4 warps share a channel by default (one work item of 128
// threads per block).
// JSON: "block": [
// JSON-NEXT: 128,
// JSON: "entry": "full_scan",
// JSON: "items_per_block": 1,

// [B, T, H, D] by default: 4 warps share a sequence, each warp's lanes
// take 32 adjacent channels of one tile (no shuffles), the warps' pairs
// meet in shared memory, and the launch takes no workspace.
// bf16: each lane takes 2 adjacent channels (one 4-byte access per step)
// and each warp 32 steps per iteration, so a whole tile is 64 such loads
// (decays and inputs), each twice: prefetched (2-byte per-channel default),
// the first tile's before the loop and the next one's in it; --full-block=16
// halves them.
// BTHD: .visible .entry full_tokens(
// BTHD-NOT: shfl.sync
// BTHD-NOT: atom.
// BTHD-COUNT-128: ld.global.b32
// BTHD-NOT: ld.global.b32
// BTHD: st.shared
// BTHD: bar.sync {{.*}}, 128;
// BTHD-NOT: shfl.sync
// BTHD-NOT: ld.acquire
// bf16 widens to f32 as shifts of the loaded words (swr-widen-bf16-as-bits)
// for the tile's aggregates; after the carry exchange the tile is widened
// again from its stored-width registers (reread, no second load) by
// cvt.f32.bf16 (swr.widen_again: not merged with the first widening, so
// the widened tile does not live across the exchange).
// WIDEN-NOT: cvt.f32.bf16
// WIDEN: shl.b32 {{.*}}, 16;
// WIDEN-NOT: cvt.f32.bf16
// WIDEN: bar.sync
// WIDEN-NOT: ld.global
// WIDEN: cvt.f32.bf16
// BTHD16-COUNT-64: ld.global.b32
// BTHD16-NOT: ld.global.b32
// --l2-prefetch=2: each iteration prefetches into L2 the cache lines of the
// decay and input tiles two iterations ahead, their 32 steps dealt to the
// lanes: one prefetch per tile.
// BTHDL2: .visible .entry full_tokens(
// BTHDL2: mov.u32 %{{.*}}, %laneid;
// BTHDL2-COUNT-2: prefetch.L2
// BTHDL2-NOT: prefetch.L2
// BTHDJSON: "items_per_block": 1,
// BTHDJSON-NOT: "workspace"
// --stages=3: the decay and input tiles two iterations ahead are copied
// into the kernel's dynamic shared memory, one group per iteration: a
// warp's 32 lanes hold adjacent channel pairs, so each step is a 128-byte
// run that 8 lanes copy in 16-byte cp.async.cg (4 steps per instruction,
// 8 per 32-step tile), after a warp barrier; a tile that is not whole or
// aligned takes 4-byte copies per row (2 bf16). The launch asks for 3
// slots x 32 steps x 128 threads x 4 bytes x 2 operands.
// STAGED: .extern .shared .align 16 .b8 swr_staging[];
// STAGED: .visible .entry full_tokens(
// STAGED: bar.warp.sync -1;
// STAGED-COUNT-8: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16;
// STAGED: cp.async.ca.shared.global [{{.*}}], [{{.*}}], 4;
// STAGED: cp.async.commit_group;
// STAGED: cp.async.wait_group 2;
// STAGED: ld.shared.b32
// STAGEDJSON: "dynamic_shared_memory": 98304,
// NOSTAGE: "dynamic_shared_memory": 0,
// With grid carries every iteration is its own work item: the block draws
// its ticket (atom.add on the workspace's first word), warp 0 publishes
// the chunk's pair with a release store, spins on the flags before it
// with acquire loads, publishes its inclusive carry and hands it to the
// warps through shared memory. The launch asks for the workspace: 32
// header words, 128 words per work item, 32 of them (the flags) zeroed.
// BTHDGRID: .visible .entry full_tokens(
// BTHDGRID-NOT: shfl.sync
// BTHDGRID: atom.global.add.u32
// BTHDGRID: bar.sync 0;
// BTHDGRID: st.shared
// BTHDGRID: bar.sync {{.*}}, 128;
// BTHDGRID: st.release.gpu.b32
// BTHDGRID: ld.acquire.gpu.b32
// BTHDGRID: st.release.gpu.b32
// BTHDGRID: bar.sync {{.*}}, 128;
// BTHDGRID-NOT: shfl.sync
// BTHDGRIDJSON: "items_per_block": 1,
// BTHDGRIDJSON: "workspace": {
// BTHDGRIDJSON-NEXT: "header_words": 32,
// BTHDGRIDJSON-NEXT: "words_per_item": 128,
// BTHDGRIDJSON-NEXT: "zeroed_words_per_item": 32
// Named over [B, C, T]: 32 time lanes of one warp per work item of 512
// steps (4 items per 128-thread block); one flag per channel lane.
// GRIDJSON: "items_per_block": 4,
// GRIDJSON: "workspace": {
// GRIDJSON-NEXT: "header_words": 32,
// GRIDJSON-NEXT: "words_per_item": 4,
// GRIDJSON-NEXT: "zeroed_words_per_item": 1
// One warp per sequence: 4 time lanes beside 8 channels each, two scan
// steps.
// BTHD1: .visible .entry full_tokens(
// BTHD1-COUNT-6: shfl.sync.up.b32
// BTHD1-COUNT-2: shfl.sync.idx.b32

// SERIAL: "items_per_block": 128,
func.func @full_scan(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                     %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>,
                     %hT: memref<?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
      final(%hT : memref<?x?xf32>)
  return
}

func.func @full_tokens(%a: memref<?x?x?x?xbf16>, %x: memref<?x?x?x?xbf16>,
                       %y: memref<?x?x?x?xbf16>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xbf16>) input(%x : memref<?x?x?x?xbf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}
