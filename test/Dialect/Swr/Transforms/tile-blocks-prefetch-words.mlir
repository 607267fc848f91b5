// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 full-block=-1 prefetch=-1 channel-tile=1 channel-fastest=1" --split-input-file | FileCheck %s
// RUN: swr-opt %s --swr-tile-blocks="time-lanes=-1 full-block=-1 prefetch=0 channel-tile=1 channel-fastest=1" --split-input-file | FileCheck %s --check-prefix=OFF

// prefetch=-1 over a time-innermost axis: an f32 full window with
// per-channel decays reads the next iteration's 4-step tile before solving
// the one it carries in (on the H200 at B8 C1536: 99.5 / 97.7 / 96.9% of
// copy at T4096 / 16384 / 65536 against 96.8 / 96.4 / 95.6% without). Its
// tiles keep 4 steps (one 16-byte access per lane and operand), not the 32
// of the prefetched 2-byte forward.

// CHECK-LABEL: func.func @full_bct_f32
// CHECK: arith.ceildivui %{{.*}}, %c4
// CHECK: %[[A0:.*]] = swr.read_tile %arg0{{.*}} -> vector<4xf32>
// CHECK: swr.read_tile %arg1{{.*}} -> vector<4xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %[[A0]], %{{.*}} = %{{.*}}) -> (vector<1xf32>, vector<4xf32>, vector<4x1xf32>)
// CHECK: swr.read_tile %arg0
// CHECK: swr.read_tile %arg1
// CHECK: swr.transfer_operator
// CHECK: swr.local_solve

// OFF-LABEL: func.func @full_bct_f32
// OFF: arith.ceildivui %{{.*}}, %c4
// OFF: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<1xf32>)
// OFF: swr.read_tile %arg0{{.*}} -> vector<4xf32>
func.func @full_bct_f32(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                        %h0: memref<?x?xf32>, %y: memref<?x?x?xf32>,
                        %hT: memref<?x?xf32>) {
  swr.scan full layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      init(%h0 : memref<?x?xf32>) output(%y : memref<?x?x?xf32>)
      final(%hT : memref<?x?xf32>)
  return
}

// -----

// Over [B, T, H, D] (channels innermost) an f32 full window is not
// prefetched by default (94.6% of copy against 95.8% without).

// CHECK-LABEL: func.func @full_bthd_f32
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (vector<1xf32>)
// CHECK: swr.read_tile %arg0
// CHECK: swr.carry_exchange
func.func @full_bthd_f32(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                         %h0: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>,
                         %hT: memref<?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      init(%h0 : memref<?x?x?xf32>) output(%y : memref<?x?x?x?xf32>)
      final(%hT : memref<?x?x?xf32>)
  return
}
