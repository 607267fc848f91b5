// RUN: swr-opt %s | swr-opt | FileCheck %s
// RUN: swr-opt %s --mlir-print-op-generic | swr-opt | FileCheck %s

// Every op of the dialect and every form of its attributes round-trips.

// CHECK-LABEL: func.func @scan_bands_bhdl_per_head
func.func @scan_bands_bhdl_per_head(%a: memref<?x?x?xbf16>, %x: memref<?x?x16x?xbf16>,
                                    %y: memref<?x?x16x?xbf16>) {
  // CHECK: swr.scan bands<2> layout bhdl sharing per_head decay(%{{.*}} : memref<?x?x?xbf16>) input(%{{.*}} : memref<?x?x16x?xbf16>) output(%{{.*}} : memref<?x?x16x?xbf16>)
  swr.scan bands<2> layout bhdl sharing per_head
      decay(%a : memref<?x?x?xbf16>) input(%x : memref<?x?x16x?xbf16>)
      output(%y : memref<?x?x16x?xbf16>)
  return
}

// CHECK-LABEL: func.func @scan_full_bct_reverse_states
func.func @scan_full_bct_reverse_states(%a: memref<2x64x100xf32>, %x: memref<2x64x100xf16>,
                                        %h0: memref<2x64xf32>, %y: memref<2x64x100xf32>,
                                        %hT: memref<2x64xf32>) {
  // CHECK: swr.scan full layout bct sharing per_channel reverse decay(%{{.*}} : memref<2x64x100xf32>) input(%{{.*}} : memref<2x64x100xf16>) init(%{{.*}} : memref<2x64xf32>) output(%{{.*}} : memref<2x64x100xf32>) final(%{{.*}} : memref<2x64xf32>)
  swr.scan full layout bct sharing per_channel reverse
      decay(%a : memref<2x64x100xf32>) input(%x : memref<2x64x100xf16>)
      init(%h0 : memref<2x64xf32>)
      output(%y : memref<2x64x100xf32>) final(%hT : memref<2x64xf32>)
  return
}

// CHECK-LABEL: func.func @scan_grad_full_reverse
func.func @scan_grad_full_reverse(%a: memref<2x64x100xf32>, %x: memref<2x64x100xf16>, %h0: memref<2x64xf32>, %y: memref<2x64x100xf32>, %dy: memref<2x64x100xf32>, %dhT: memref<2x64xf32>, %dx: memref<2x64x100xf16>, %da: memref<2x64x100xf32>, %dh0: memref<2x64xf32>) {
  // CHECK: swr.scan_grad full layout bct sharing per_channel reverse decay(%{{.*}} : memref<2x64x100xf32>) input(%{{.*}} : memref<2x64x100xf16>) init(%{{.*}} : memref<2x64xf32>) output(%{{.*}} : memref<2x64x100xf32>) grad_output(%{{.*}} : memref<2x64x100xf32>) grad_final(%{{.*}} : memref<2x64xf32>) grad_input(%{{.*}} : memref<2x64x100xf16>) grad_decay(%{{.*}} : memref<2x64x100xf32>) grad_init(%{{.*}} : memref<2x64xf32>)
  swr.scan_grad full layout bct sharing per_channel reverse
      decay(%a : memref<2x64x100xf32>) input(%x : memref<2x64x100xf16>)
      init(%h0 : memref<2x64xf32>) output(%y : memref<2x64x100xf32>)
      grad_output(%dy : memref<2x64x100xf32>) grad_final(%dhT : memref<2x64xf32>)
      grad_input(%dx : memref<2x64x100xf16>) grad_decay(%da : memref<2x64x100xf32>)
      grad_init(%dh0 : memref<2x64xf32>)
  return
}

// CHECK-LABEL: func.func @scan_grad_bands_packed
func.func @scan_grad_bands_packed(%a: memref<1x?x4xbf16>, %x: memref<1x?x4x16xbf16>, %cu: memref<?xi64>, %dy: memref<1x?x4x16xbf16>, %dx: memref<1x?x4x16xbf16>, %da: memref<1x?x4xf32>) {
  // CHECK: swr.scan_grad bands<3, 8> layout bthd sharing per_head decay(%{{.*}} : memref<1x?x4xbf16>) input(%{{.*}} : memref<1x?x4x16xbf16>) seq_offsets(%{{.*}} : memref<?xi64>) grad_output(%{{.*}} : memref<1x?x4x16xbf16>) grad_input(%{{.*}} : memref<1x?x4x16xbf16>) grad_decay(%{{.*}} : memref<1x?x4xf32>)
  swr.scan_grad bands<3, 8> layout bthd sharing per_head
      decay(%a : memref<1x?x4xbf16>) input(%x : memref<1x?x4x16xbf16>)
      seq_offsets(%cu : memref<?xi64>) grad_output(%dy : memref<1x?x4x16xbf16>)
      grad_input(%dx : memref<1x?x4x16xbf16>) grad_decay(%da : memref<1x?x4xf32>)
  return
}

// CHECK-LABEL: func.func @scan_exact_bthd
func.func @scan_exact_bthd(%a: memref<?x?x?xf16>, %x: memref<?x?x?x?xf16>,
                           %y: memref<?x?x?x?xbf16>) {
  // CHECK: swr.scan exact<512> layout bthd sharing per_head
  swr.scan exact<512> layout bthd sharing per_head
      decay(%a : memref<?x?x?xf16>) input(%x : memref<?x?x?x?xf16>)
      output(%y : memref<?x?x?x?xbf16>)
  return
}

// CHECK-LABEL: func.func @scan_bands_tile_per_channel
func.func @scan_bands_tile_per_channel(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                                       %y: memref<?x?x?x?xf32>) {
  // CHECK: swr.scan bands<4, 32> layout bthd sharing per_channel
  swr.scan bands<4, 32> layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}

// CHECK-LABEL: func.func @scan_packed
func.func @scan_packed(%a: memref<1x?x?xbf16>, %x: memref<1x?x16x?xbf16>,
                       %cu: memref<4xi32>, %h0: memref<3x?x16xf32>,
                       %y: memref<1x?x16x?xbf16>, %hT: memref<3x?x16xf32>) {
  // CHECK: swr.scan bands<1> layout bhdl sharing per_head decay(%{{.*}} : memref<1x?x?xbf16>) input(%{{.*}} : memref<1x?x16x?xbf16>) init(%{{.*}} : memref<3x?x16xf32>) seq_offsets(%{{.*}} : memref<4xi32>) output(%{{.*}} : memref<1x?x16x?xbf16>) final(%{{.*}} : memref<3x?x16xf32>)
  swr.scan bands<1> layout bhdl sharing per_head
      decay(%a : memref<1x?x?xbf16>) input(%x : memref<1x?x16x?xbf16>)
      init(%h0 : memref<3x?x16xf32>) seq_offsets(%cu : memref<4xi32>)
      output(%y : memref<1x?x16x?xbf16>) final(%hT : memref<3x?x16xf32>)
  return
}

// CHECK-LABEL: func.func @block_ops
func.func @block_ops(%a: vector<16xf32>, %u: vector<16x8xf32>, %c: f32,
                     %t: vector<8xf32>, %ws: memref<?xi32>, %slot: index,
                     %slots: index, %chunk: index) -> vector<16x8xf32> {
  // CHECK: %[[L:.*]], %[[G:.*]] = swr.transfer_operator %{{.*}} method log_space : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
  %L, %g = swr.transfer_operator %a method log_space
      : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
  // CHECK: swr.transfer_operator %{{.*}} method running_product
  %L2, %g2 = swr.transfer_operator %a method running_product
      : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
  // CHECK: %[[V:.*]] = swr.local_solve %[[L]], %{{.*}} : vector<16x16xf32>, vector<16x8xf32>
  %v = swr.local_solve %L, %u : vector<16x16xf32>, vector<16x8xf32>
  // CHECK: swr.channel_sum %{{.*}} group 16 : vector<16xf32>
  %sum = swr.channel_sum %g group 16 : vector<16xf32>
  // CHECK: swr.local_solve transpose %[[L]], %{{.*}} : vector<16x16xf32>, vector<16x8xf32>
  %w = swr.local_solve transpose %L, %u : vector<16x16xf32>, vector<16x8xf32>
  // CHECK: swr.local_solve warp_shared %[[L]], %{{.*}} : vector<16x16xf32>, vector<16x8xf32>
  %shared = swr.local_solve warp_shared %L, %u : vector<16x16xf32>, vector<16x8xf32>
  // CHECK: %[[S:.*]] = swr.carry_exchange %{{.*}}, %{{.*}} window full level warp lanes 8 stride 4 : vector<8xf32>
  %s = swr.carry_exchange %c, %t window full level warp lanes 8 stride 4 : vector<8xf32>
  // CHECK: swr.carry_exchange %{{.*}}, %{{.*}} init(%{{.*}} : vector<8xf32>) window full level grid lanes 1 stride 32 warps 4 across(%{{.*}}[%{{.*}} of %{{.*}}] chunk %{{.*}} : memref<?xi32>) : vector<8xf32>
  %s2 = swr.carry_exchange %c, %t init(%t : vector<8xf32>) window full level grid
      lanes 1 stride 32 warps 4 across(%ws[%slot of %slots] chunk %chunk
      : memref<?xi32>) : vector<8xf32>
  // CHECK: swr.carry_exchange {{.*}} level serial
  %s3 = swr.carry_exchange %c, %t window full level serial : vector<8xf32>
  // CHECK: swr.carry_exchange {{.*}} level cta lanes 32 stride 1 warps 4
  %s4 = swr.carry_exchange %c, %t window full level cta lanes 32 stride 1
      warps 4 : vector<8xf32>
  // CHECK: swr.carry_exchange {{.*}} level cluster lanes 1 stride 32 warps 4 ctas 2 : vector<8xf32>
  %s5 = swr.carry_exchange %c, %t window full level cluster lanes 1 stride 32
      warps 4 ctas 2 : vector<8xf32>
  // CHECK: swr.carry %[[V]], %[[G]], %[[S]] : vector<16x8xf32>, vector<16xf32>, vector<8xf32>
  %y = swr.carry %v, %g, %s : vector<16x8xf32>, vector<16xf32>, vector<8xf32>
  return %y : vector<16x8xf32>
}

// Per-channel decays over a block of channels: one operator and injection
// per channel, one total decay per channel in the exchange.
// CHECK-LABEL: func.func @channel_block_ops
func.func @channel_block_ops(%a: vector<16x2xf32>, %u: vector<16x2xf32>)
    -> vector<16x2xf32> {
  // CHECK: %[[L:.*]], %[[G:.*]] = swr.transfer_operator %{{.*}} method running_product : vector<16x2xf32> -> vector<2x16x16xf32>, vector<16x2xf32>
  %L, %g = swr.transfer_operator %a method running_product
      : vector<16x2xf32> -> vector<2x16x16xf32>, vector<16x2xf32>
  // CHECK: %[[V:.*]] = swr.local_solve %[[L]], %{{.*}} : vector<2x16x16xf32>, vector<16x2xf32>
  %v = swr.local_solve %L, %u : vector<2x16x16xf32>, vector<16x2xf32>
  %c = vector.extract %g[15] : vector<2xf32> from vector<16x2xf32>
  %t = vector.extract %v[15] : vector<2xf32> from vector<16x2xf32>
  // CHECK: %[[S:.*]] = swr.carry_exchange %{{.*}}, %{{.*}} window full level cta lanes 1 stride 32 warps 4 : vector<2xf32> per_channel
  %s = swr.carry_exchange %c, %t window full level cta lanes 1 stride 32
      warps 4 : vector<2xf32> per_channel
  // CHECK: swr.carry %[[V]], %[[G]], %[[S]] : vector<16x2xf32>, vector<16x2xf32>, vector<2xf32>
  %y = swr.carry %v, %g, %s : vector<16x2xf32>, vector<16x2xf32>, vector<2xf32>
  return %y : vector<16x2xf32>
}

// CHECK-LABEL: func.func @window_attributes
// CHECK-SAME: swr.windows = [#swr.window<full>, #swr.window<bands<2>>, #swr.window<bands<2, 32>>, #swr.window<exact<7>>]
func.func @window_attributes() attributes {
    swr.windows = [#swr.window<full>, #swr.window<bands<2>>,
                   #swr.window<bands<2, 32>>, #swr.window<exact<7>>]} {
  return
}

// CHECK-LABEL: func.func @exact_block_ops
func.func @exact_block_ops(%a: vector<16xf32>, %u: vector<16x4xf32>, %c: f32,
                           %h: vector<4xf32>) -> vector<16x4xf32> {
  // CHECK: swr.transfer_operator %{{.*}} method running_product band 7
  %L, %g = swr.transfer_operator %a method running_product band 7
      : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
  // CHECK: swr.extraction_operator %{{.*}} : vector<16x16xf32>
  %S = swr.extraction_operator %L : vector<16x16xf32>
  %R = swr.local_solve %S, %u : vector<16x16xf32>, vector<16x4xf32>
  // CHECK: swr.window_exchange %{{.*}}, %{{.*}} init(%{{.*}} : vector<4xf32>) window exact<7> level serial : vector<16x4xf32>
  %X = swr.window_exchange %c, %R init(%h : vector<4xf32>) window exact<7> level serial
      : vector<16x4xf32>
  // CHECK: swr.carry %{{.*}}, %{{.*}}, %{{.*}} : vector<16x4xf32>, vector<16xf32>, vector<16x4xf32>
  %y = swr.carry %u, %g, %X : vector<16x4xf32>, vector<16xf32>, vector<16x4xf32>
  return %y : vector<16x4xf32>
}

// CHECK-LABEL: func.func @tile_access
func.func @tile_access(%x: memref<?x?x16x?xbf16>, %y: memref<?x?xf16>, %i: index,
                       %p: index, %n: index) {
  // CHECK: swr.read_tile %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] at %{{.*}} length %{{.*}} time 3 channel 2 reverse pad 0.000000e+00 : memref<?x?x16x?xbf16> -> vector<16x16xf32>
  %u = swr.read_tile %x[%i, %i, %i, %i] at %p length %n time 3 channel 2 reverse pad 0.0
      : memref<?x?x16x?xbf16> -> vector<16x16xf32>
  // CHECK: swr.read_tile %{{.*}} time 1 pad 1.000000e+00 : memref<?x?xf16> -> vector<16xf32>
  %a = swr.read_tile %y[%i, %i] at %p length %n time 1 pad 1.0 : memref<?x?xf16> -> vector<16xf32>
  // CHECK: swr.write_tile %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}] at %{{.*}} length %{{.*}} time 1 : vector<16xf32>, memref<?x?xf16>
  swr.write_tile %a, %y[%i, %i] at %p length %n time 1 : vector<16xf32>, memref<?x?xf16>
  // Tiles that lanes may hold past the channel axis.
  // CHECK: swr.read_tile %{{.*}} time 3 channel 2 overhang reverse pad 0.000000e+00 : memref<?x?x16x?xbf16> -> vector<16x2xf32>
  %o = swr.read_tile %x[%i, %i, %i, %i] at %p length %n time 3 channel 2 overhang reverse pad 0.0
      : memref<?x?x16x?xbf16> -> vector<16x2xf32>
  // CHECK: swr.write_tile %{{.*}} time 3 channel 2 overhang : vector<16x2xf32>, memref<?x?x16x?xbf16>
  swr.write_tile %o, %x[%i, %i, %i, %i] at %p length %n time 3 channel 2 overhang
      : vector<16x2xf32>, memref<?x?x16x?xbf16>
  // A prefetch hint; lanes (1 by default) is printed only when set.
  // CHECK: swr.prefetch_tile %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] at %{{.*}} length %{{.*}} time 3 channel 2 steps 32 lanes 32 : memref<?x?x16x?xbf16>
  swr.prefetch_tile %x[%i, %i, %i, %i] at %p length %n time 3 channel 2 steps 32 lanes 32
      : memref<?x?x16x?xbf16>
  // CHECK: swr.prefetch_tile %{{.*}} time 1 steps 16 : memref<?x?xf16>
  swr.prefetch_tile %y[%i, %i] at %p length %n time 1 steps 16 lanes 1 : memref<?x?xf16>
  return
}

// A fused prologue and epilogue (the Phalanx gates) round-trip.
// CHECK-LABEL: func.func @fused_regions
// CHECK: swr.scan bands<2> layout bthd sharing per_head decay(%{{.*}} : memref<?x?x?xbf16>) input(%{{.*}} : memref<?x?x?x16xbf16>) operands(%{{.*}}, %{{.*}} : memref<?x?x?x16xbf16>, memref<?x?x?x16xbf16>) output(%{{.*}} : memref<?x?x?x16xbf16>) prologue {
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: math.exp
// CHECK: swr.yield %{{.*}}, %{{.*}} : f32, f32
// CHECK: } epilogue {
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK: swr.yield %{{.*}} : f32
func.func @fused_regions(%za: memref<?x?x?xbf16>, %zb: memref<?x?x?x16xbf16>,
                         %v: memref<?x?x?x16xbf16>, %c: memref<?x?x?x16xbf16>,
                         %out: memref<?x?x?x16xbf16>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%za : memref<?x?x?xbf16>) input(%zb : memref<?x?x?x16xbf16>)
      operands(%v, %c : memref<?x?x?x16xbf16>, memref<?x?x?x16xbf16>)
      output(%out : memref<?x?x?x16xbf16>)
      prologue {
      ^bb0(%za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
        %one = arith.constant 1.0 : f32
        %e = math.exp %za_s : f32
        %d = arith.addf %one, %e : f32
        %a = arith.divf %one, %d : f32
        %x = arith.mulf %zb_s, %v_s : f32
        swr.yield %a, %x : f32, f32
      } epilogue {
      ^bb0(%y: f32, %za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
        %yc = arith.mulf %y, %c_s : f32
        %o = arith.addf %yc, %v_s : f32
        swr.yield %o : f32
      }
  return
}

// The backward of a fused scan: operands, their gradients, the saved state
// and the three regions round-trip.
// CHECK-LABEL: func.func @scan_grad_fused
// CHECK: swr.scan_grad bands<2> layout bthd sharing per_head decay(%{{.*}}) input(%{{.*}}) operands(%{{.*}} : memref<?x?x?x16xbf16>) output(%{{.*}}) grad_output(%{{.*}}) grad_input(%{{.*}}) grad_decay(%{{.*}}) grad_operands(%{{.*}} : memref<?x?x?x16xbf16>) prologue {
// CHECK: } cotangent {
// CHECK: } pullback {
// CHECK: swr.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
func.func @scan_grad_fused(%za: memref<?x?x?xbf16>, %zb: memref<?x?x?x16xbf16>,
    %c: memref<?x?x?x16xbf16>, %s: memref<?x?x?x16xbf16>,
    %dout: memref<?x?x?x16xbf16>, %dzb: memref<?x?x?x16xbf16>,
    %dza: memref<?x?x?xbf16>, %dc: memref<?x?x?x16xbf16>) {
  swr.scan_grad bands<2> layout bthd sharing per_head
      decay(%za : memref<?x?x?xbf16>) input(%zb : memref<?x?x?x16xbf16>)
      operands(%c : memref<?x?x?x16xbf16>) output(%s : memref<?x?x?x16xbf16>)
      grad_output(%dout : memref<?x?x?x16xbf16>)
      grad_input(%dzb : memref<?x?x?x16xbf16>)
      grad_decay(%dza : memref<?x?x?xbf16>)
      grad_operands(%dc : memref<?x?x?x16xbf16>)
      prologue {
      ^bb0(%za_s: f32, %zb_s: f32, %c_s: f32):
        swr.yield %za_s, %zb_s : f32, f32
      } cotangent {
      ^bb0(%g: f32, %y: f32, %za_s: f32, %zb_s: f32, %c_s: f32):
        %dy = arith.mulf %g, %c_s : f32
        swr.yield %dy : f32
      } pullback {
      ^bb0(%dx: f32, %da: f32, %g: f32, %y: f32, %za_s: f32, %zb_s: f32, %c_s: f32):
        %dc_s = arith.mulf %g, %y : f32
        swr.yield %da, %dx, %dc_s : f32, f32, f32
      }
  return
}

// A forward that saves its state for that backward.
// CHECK-LABEL: func.func @scan_state
// CHECK: output(%{{.*}} : memref<?x?x?xf32>) state(%{{.*}} : memref<?x?x?xf32>) epilogue
func.func @scan_state(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>,
                      %y: memref<?x?x?xf32>, %s: memref<?x?x?xf32>) {
  swr.scan full layout bct sharing per_channel decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x?xf32>) output(%y : memref<?x?x?xf32>)
      state(%s : memref<?x?x?xf32>)
      epilogue {
      ^bb0(%y_s: f32, %a_s: f32, %x_s: f32):
        %o = arith.mulf %y_s, %x_s : f32
        swr.yield %o : f32
      }
  return
}
