// RUN: swr-opt %s --split-input-file --verify-diagnostics

func.func @input_rank(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %y: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan' op input: expected rank 4 ([B, H, D, L]), got rank 3 ('memref<?x?x?xf32>')}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x?xf32>) output(%y : memref<?x?x?xf32>)
  return
}

// -----

func.func @output_rank(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x?xf32>) {
  // expected-error @below {{output: expected rank 4 ([B, H, D, L]), got rank 3}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x?xf32>)
  return
}

// -----

func.func @output_shape(%a: memref<?x?x?xf32>, %x: memref<?x?x16x128xf32>, %y: memref<?x?x16x100xf32>) {
  // expected-error @below {{output: dimension 3 (L) is 100 but input has 128}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x128xf32>) output(%y : memref<?x?x16x100xf32>)
  return
}

// -----

func.func @per_head_without_heads(%a: memref<?x?xf32>, %x: memref<?x?x?xf32>, %y: memref<?x?x?xf32>) {
  // expected-error @below {{decay: layout bct has no head axis; per_head decays need layout bhdl or bthd (use per_channel)}}
  swr.scan full layout bct sharing per_head decay(%a : memref<?x?xf32>)
      input(%x : memref<?x?x?xf32>) output(%y : memref<?x?x?xf32>)
  return
}

// -----

func.func @per_head_decay_rank(%a: memref<?x?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{decay: expected rank 3 ([B, H, L]), got rank 4 ('memref<?x?x?x?xf32>')}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @per_head_decay_broadcast(%a: memref<2x8x64xf32>, %x: memref<2x4x16x64xf32>, %y: memref<2x4x16x64xf32>) {
  // expected-error @below {{decay: dimension 1 (H) is 8 but input has 4}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<2x8x64xf32>)
      input(%x : memref<2x4x16x64xf32>) output(%y : memref<2x4x16x64xf32>)
  return
}

// -----

func.func @per_head_decay_bthd(%a: memref<2x64x3xf32>, %x: memref<2x64x4x16xf32>, %y: memref<2x64x4x16xf32>) {
  // expected-error @below {{decay: dimension 2 (H) is 3 but input has 4}}
  swr.scan full layout bthd sharing per_head decay(%a : memref<2x64x3xf32>)
      input(%x : memref<2x64x4x16xf32>) output(%y : memref<2x64x4x16xf32>)
  return
}

// -----

func.func @per_channel_decay_rank(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{decay: expected rank 4 ([B, H, D, L]), got rank 3}}
  swr.scan full layout bhdl sharing per_channel decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @per_channel_decay_shape(%a: memref<2x64x99xf32>, %x: memref<2x64x100xf32>, %y: memref<2x64x100xf32>) {
  // expected-error @below {{decay: dimension 2 (T) is 99 but input has 100}}
  swr.scan full layout bct sharing per_channel decay(%a : memref<2x64x99xf32>)
      input(%x : memref<2x64x100xf32>) output(%y : memref<2x64x100xf32>)
  return
}

// -----

func.func @packed_batch(%a: memref<2x?x?xf32>, %x: memref<2x?x16x?xf32>, %cu: memref<?xi32>, %y: memref<2x?x16x?xf32>) {
  // expected-error @below {{input: a packed batch (seq_offsets) needs batch size 1, got 2}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<2x?x?xf32>)
      input(%x : memref<2x?x16x?xf32>) seq_offsets(%cu : memref<?xi32>)
      output(%y : memref<2x?x16x?xf32>)
  return
}

// -----

func.func @packed_state(%a: memref<1x?x?xf32>, %x: memref<1x?x16x?xf32>, %cu: memref<4xi64>, %h0: memref<2x?x16xf32>, %y: memref<1x?x16x?xf32>) {
  // expected-error @below {{init: dimension 0 (sequences) is 2 but seq_offsets holds 3 sequences (4 offsets)}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<1x?x?xf32>)
      input(%x : memref<1x?x16x?xf32>) init(%h0 : memref<2x?x16xf32>)
      seq_offsets(%cu : memref<4xi64>) output(%y : memref<1x?x16x?xf32>)
  return
}

// -----

func.func @init_rank(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %h0: memref<?x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{init: expected rank 3 ([B, H, D]), got rank 2}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) init(%h0 : memref<?x?xf32>)
      output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @init_shape(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %h0: memref<?x?x8xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{init: dimension 2 (D) is 8 but input has 16}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) init(%h0 : memref<?x?x8xf32>)
      output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @final_shape(%a: memref<?x?x?xf32>, %x: memref<3x?x16x?xf32>, %y: memref<3x?x16x?xf32>, %hT: memref<2x?x16xf32>) {
  // expected-error @below {{final: dimension 0 (B) is 2 but input has 3}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<3x?x16x?xf32>) output(%y : memref<3x?x16x?xf32>)
      final(%hT : memref<2x?x16xf32>)
  return
}

// -----

func.func @input_dtype(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xi32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{operand #1 must be memref of 32-bit float or bfloat16 type or 16-bit float values, but got 'memref<?x?x16x?xi32>'}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xi32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @decay_dtype(%a: memref<?x?x?xf64>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{operand #0 must be memref of 32-bit float or bfloat16 type or 16-bit float values, but got 'memref<?x?x?xf64>'}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf64>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @offsets_dtype(%a: memref<1x?x?xf32>, %x: memref<1x?x16x?xf32>, %cu: memref<?xf32>, %y: memref<1x?x16x?xf32>) {
  // expected-error @below {{operand #2 must be 1D memref of 32-bit signless integer or 64-bit signless integer values, but got 'memref<?xf32>'}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<1x?x?xf32>)
      input(%x : memref<1x?x16x?xf32>) seq_offsets(%cu : memref<?xf32>)
      output(%y : memref<1x?x16x?xf32>)
  return
}

// -----

func.func @bands_zero(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{bands<k> needs k >= 1, got k = 0}}
  swr.scan bands<0> layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @exact_zero(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{exact<W> needs W >= 1, got W = 0}}
  swr.scan exact<0> layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @tile_zero(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{window tile must be >= 1, got 0}}
  swr.scan bands<2, 0> layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @unknown_window(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{expected window kind 'full', 'bands' or 'exact', got 'sliding'}}
  swr.scan sliding<2> layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @transfer_operator_shape(%a: vector<16xf32>) {
  // expected-error @below {{'swr.transfer_operator' op transfer: expected 'vector<16x16xf32>' for 'vector<16xf32>' decays, got 'vector<8x8xf32>'}}
  %L, %g = swr.transfer_operator %a method running_product
      : vector<16xf32> -> vector<8x8xf32>, vector<16xf32>
  return
}

// -----

func.func @transfer_injection_shape(%a: vector<16xf32>) {
  // expected-error @below {{injection: expected 'vector<16xf32>' like the decays, got 'vector<8xf32>'}}
  %L, %g = swr.transfer_operator %a method log_space
      : vector<16xf32> -> vector<16x16xf32>, vector<8xf32>
  return
}

// -----

func.func @local_solve_square(%L: vector<16x8xf32>, %u: vector<8x4xf32>) {
  // expected-error @below {{'swr.local_solve' op transfer: expected square matrices, got 'vector<16x8xf32>'}}
  %v = swr.local_solve %L, %u : vector<16x8xf32>, vector<8x4xf32>
  return
}

// -----

func.func @transfer_channel_operators(%a: vector<16x2xf32>) {
  // expected-error @below {{'swr.transfer_operator' op transfer: expected 'vector<2x16x16xf32>' for 'vector<16x2xf32>' decays, got 'vector<16x16xf32>'}}
  %L, %g = swr.transfer_operator %a method running_product
      : vector<16x2xf32> -> vector<16x16xf32>, vector<16x2xf32>
  return
}

// -----

func.func @transfer_channel_band(%a: vector<16x2xf32>) {
  // expected-error @below {{'swr.transfer_operator' op band: expected one decay per step (banded operators of exact windows), got 'vector<16x2xf32>'}}
  %L, %g = swr.transfer_operator %a method running_product band 4
      : vector<16x2xf32> -> vector<2x16x16xf32>, vector<16x2xf32>
  return
}

// -----

func.func @local_solve_channels(%L: vector<2x16x16xf32>, %u: vector<16x4xf32>) {
  // expected-error @below {{'swr.local_solve' op tile: expected 2 channels (one per operator), got 4}}
  %v = swr.local_solve %L, %u : vector<2x16x16xf32>, vector<16x4xf32>
  return
}

// -----

func.func @local_solve_warp_shared_channels(%L: vector<2x16x16xf32>, %u: vector<16x2xf32>) {
  // expected-error @below {{'swr.local_solve' op warp_shared: expected one operator shared by the tile's channels, got 'vector<2x16x16xf32>'}}
  %v = swr.local_solve warp_shared %L, %u : vector<2x16x16xf32>, vector<16x2xf32>
  return
}

// -----

func.func @carry_channel_injection(%v: vector<16x4xf32>, %g: vector<16x2xf32>, %s: vector<4xf32>) {
  // expected-error @below {{'swr.carry' op injection: expected 'vector<16x4xf32>' (one per time step and channel), got 'vector<16x2xf32>'}}
  %y = swr.carry %v, %g, %s : vector<16x4xf32>, vector<16x2xf32>, vector<4xf32>
  return
}

// -----

func.func @carry_exchange_decays(%c: vector<2xf32>, %t: vector<4xf32>) {
  // expected-error @below {{'swr.carry_exchange' op decay: expected f32 or 'vector<4xf32>' (one per channel) like the terminal values, got 'vector<2xf32>'}}
  %s = "swr.carry_exchange"(%c, %t) <{level = 0 : i32, operandSegmentSizes = array<i32: 1, 1, 0, 0, 0, 0, 0>, window = #swr.window<full>}> : (vector<2xf32>, vector<4xf32>) -> vector<4xf32>
  return
}

// -----

func.func @local_solve_rows(%L: vector<16x16xf32>, %u: vector<8x4xf32>) {
  // expected-error @below {{tile: expected 16 time steps (rows) to match the operator, got 8}}
  %v = swr.local_solve %L, %u : vector<16x16xf32>, vector<8x4xf32>
  return
}

// -----

func.func @carry_injection(%v: vector<16x4xf32>, %g: vector<8xf32>, %s: vector<4xf32>) {
  // expected-error @below {{'swr.carry' op injection: expected 16 values (one per time step), got 8}}
  %y = swr.carry %v, %g, %s : vector<16x4xf32>, vector<8xf32>, vector<4xf32>
  return
}

// -----

func.func @carry_channels(%v: vector<16x4xf32>, %g: vector<16xf32>, %s: vector<8xf32>) {
  // expected-error @below {{carry_in: expected 4 values (one per channel), got 8}}
  %y = swr.carry %v, %g, %s : vector<16x4xf32>, vector<16xf32>, vector<8xf32>
  return
}

// -----

func.func @carry_exchange_exact(%c: f32, %t: vector<4xf32>) {
  // expected-error @below {{'swr.carry_exchange' op window: exact<W> windows have no carrier recurrence; expected full or bands<k>}}
  %s = swr.carry_exchange %c, %t window exact<64> level serial : vector<4xf32>
  return
}

// -----

func.func @carry_exchange_init(%c: f32, %t: vector<4xf32>, %h: vector<8xf32>) {
  // expected-error @below {{init: expected 'vector<4xf32>' like the terminal values, got 'vector<8xf32>'}}
  %s = swr.carry_exchange %c, %t init(%h : vector<8xf32>) window full level serial : vector<4xf32>
  return
}

// -----

func.func @carry_exchange_warp_lanes(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{lanes, stride: expected both at levels warp, cta, cluster and grid and neither at other levels}}
  %s = swr.carry_exchange %c, %t window full level warp : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_serial_lanes(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{lanes, stride: expected both at levels warp, cta, cluster and grid and neither at other levels}}
  %s = swr.carry_exchange %c, %t window full level serial lanes 32 stride 1 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_warp_warps(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{warps: expected at levels cta, cluster and grid and only there}}
  %s = swr.carry_exchange %c, %t window full level warp lanes 32 stride 1 warps 4 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cluster_without_ctas(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{ctas: expected at level cluster and only there}}
  %s = swr.carry_exchange %c, %t window full level cluster lanes 1 stride 32 warps 4 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cta_ctas(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{ctas: expected at level cluster and only there}}
  %s = swr.carry_exchange %c, %t window full level cta lanes 1 stride 32 warps 4 ctas 2 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cluster_one_cta(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{ctas: expected 2 to 16 CTAs of a cluster, got 1}}
  %s = swr.carry_exchange %c, %t window full level cluster lanes 1 stride 32 warps 4 ctas 1 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cluster_too_many_ctas(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{ctas: expected 2 to 16 CTAs of a cluster, got 17}}
  %s = swr.carry_exchange %c, %t window full level cluster lanes 1 stride 32 warps 4 ctas 17 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cluster_bands(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{level cluster: expected a full window, got #swr.window<bands<2>>}}
  %s = swr.carry_exchange %c, %t window bands<2> level cluster lanes 1 stride 32 warps 4 ctas 2 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_grid_without_workspace(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{across: expected a workspace, slot, slot count and chunk at level grid and only there}}
  %s = swr.carry_exchange %c, %t window full level grid lanes 1 stride 32 warps 4 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cta_across(%c: f32, %t: vector<1xf32>, %ws: memref<?xi32>, %i: index) {
  // expected-error @below {{across: expected a workspace, slot, slot count and chunk at level grid and only there}}
  %s = swr.carry_exchange %c, %t window full level cta lanes 1 stride 32 warps 4 across(%ws[%i of %i] chunk %i : memref<?xi32>) : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_grid_bands(%c: f32, %t: vector<1xf32>, %ws: memref<?xi32>, %i: index) {
  // expected-error @below {{level grid: expected a full window, got #swr.window<bands<2>>}}
  %s = swr.carry_exchange %c, %t window bands<2> level grid lanes 1 stride 32 warps 4 across(%ws[%i of %i] chunk %i : memref<?xi32>) : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_grid_warps(%c: f32, %t: vector<1xf32>, %ws: memref<?xi32>, %i: index) {
  // expected-error @below {{warps: expected 1 to 32 warps of a CTA, got 33}}
  %s = swr.carry_exchange %c, %t window full level grid lanes 1 stride 32 warps 33 across(%ws[%i of %i] chunk %i : memref<?xi32>) : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_grid_workspace_type(%c: f32, %t: vector<1xf32>, %ws: memref<?xf32>, %i: index) {
  // expected-error @below {{operand #2 must be}}
  %s = swr.carry_exchange %c, %t window full level grid lanes 1 stride 32 warps 4 across(%ws[%i of %i] chunk %i : memref<?xf32>) : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cta_bands(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{level cta: expected a full window, got #swr.window<bands<2>>}}
  %s = swr.carry_exchange %c, %t window bands<2> level cta lanes 32 stride 1 warps 4 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_cta_one_warp(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{warps: expected 2 to 32 warps of a CTA, got 1}}
  %s = swr.carry_exchange %c, %t window full level cta lanes 32 stride 1 warps 1 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_warp_bands(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{level warp: #swr.window<bands<4>> reaches back 3 tiles, more than the 2 time lanes of an iteration}}
  %s = swr.carry_exchange %c, %t window bands<4> level warp lanes 2 stride 16 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_warp_width(%c: f32, %t: vector<1xf32>) {
  // expected-error @below {{lanes, stride: expected powers of 2 whose product is at most 32 (the lanes of a warp), got 8 and 8}}
  %s = swr.carry_exchange %c, %t window full level warp lanes 8 stride 8 : vector<1xf32>
  return
}

// -----

func.func @carry_exchange_level(%c: f32, %t: vector<4xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'level' [serial, warp, cta, cluster, grid]}}
  %s = swr.carry_exchange %c, %t window full level block : vector<4xf32>
  return
}

// -----

func.func @unknown_layout(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %y: memref<?x?x?xf32>) {
  // expected-error @+1 {{expected string or keyword containing one of the following enum values for attribute 'layout' [bhdl, bct, bthd]}}
  swr.scan full layout btc sharing per_channel decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x?xf32>) output(%y : memref<?x?x?xf32>)
  return
}

// -----

func.func @window_exchange_window(%c: f32, %r: vector<16x4xf32>) {
  // expected-error @below {{'swr.window_exchange' op window: expected exact<W>, got #swr.window<full> (use swr.carry_exchange)}}
  %x = swr.window_exchange %c, %r window full level serial : vector<16x4xf32>
  return
}

// -----

func.func @window_exchange_init(%c: f32, %r: vector<16x4xf32>, %h: vector<8xf32>) {
  // expected-error @below {{init: expected 4 values (one per channel), got 8}}
  %x = swr.window_exchange %c, %r init(%h : vector<8xf32>) window exact<7> level serial : vector<16x4xf32>
  return
}

// -----

func.func @carry_per_row(%v: vector<16x4xf32>, %g: vector<16xf32>, %s: vector<8x4xf32>) {
  // expected-error @below {{carry_in: expected 'vector<16x4xf32>' (one carry per output), got 'vector<8x4xf32>'}}
  %y = swr.carry %v, %g, %s : vector<16x4xf32>, vector<16xf32>, vector<8x4xf32>
  return
}

// -----

func.func @transfer_band(%a: vector<16xf32>) {
  // expected-error @below {{attribute 'band' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 1}}
  %L, %g = swr.transfer_operator %a method running_product band 0
      : vector<16xf32> -> vector<16x16xf32>, vector<16xf32>
  return
}

// -----

func.func @read_tile_indices(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.read_tile' op indices: expected 2 (one per dimension of 'memref<?x?xf32>'), got 1}}
  %u = swr.read_tile %x[%c0] at %p length %p time 1 pad 0.0 : memref<?x?xf32> -> vector<16xf32>
  return
}

// -----

func.func @read_tile_time_axis(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{time: axis 2 is outside rank 2}}
  %u = swr.read_tile %x[%c0, %c0] at %p length %p time 2 pad 0.0 : memref<?x?xf32> -> vector<16xf32>
  return
}

// -----

func.func @read_tile_overhang_without_channels(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.read_tile' op overhang: only a tile with a channel axis can start past it}}
  %u = swr.read_tile %x[%c0, %c0] at %p length %p time 1 overhang pad 0.0 : memref<?x?xf32> -> vector<16xf32>
  return
}

// -----

func.func @write_tile_overhang_without_channels(%y: memref<?x?xf32>, %v: vector<16xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.write_tile' op overhang: only a tile with a channel axis can start past it}}
  swr.write_tile %v, %y[%c0, %c0] at %p length %p time 1 overhang : vector<16xf32>, memref<?x?xf32>
  return
}

// -----

func.func @read_tile_channel_axis(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{channel: axis 1 is also the time axis}}
  %u = swr.read_tile %x[%c0, %c0] at %p length %p time 1 channel 1 pad 0.0 : memref<?x?xf32> -> vector<16x4xf32>
  return
}

// -----

func.func @read_tile_channel_range(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{channel: axis 5 is outside rank 2}}
  %u = swr.read_tile %x[%c0, %c0] at %p length %p time 1 channel 5 pad 0.0 : memref<?x?xf32> -> vector<16x4xf32>
  return
}

// -----

func.func @write_tile_rank(%y: memref<?x?xf32>, %v: vector<16x4xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.write_tile' op value: expected a rank-1 vector (time), got 'vector<16x4xf32>'}}
  swr.write_tile %v, %y[%c0, %c0] at %p length %p time 1 : vector<16x4xf32>, memref<?x?xf32>
  return
}

// -----

func.func @grad_full_needs_output(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op output: a full window's decay gradient reads the forward output y (h[t-1]); expected it}}
  swr.scan_grad full layout bct sharing per_channel decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x?xf32>) grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
  return
}

// -----

func.func @grad_bands_takes_no_output(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %y: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op output: #swr.window<bands<2>> windows recompute the forward state; expected no output}}
  swr.scan_grad bands<2> layout bct sharing per_channel decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x?xf32>) output(%y : memref<?x?x?xf32>)
      grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
  return
}

// -----

func.func @grad_decay_shape(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %dy: memref<?x?x16x?xf32>, %dx: memref<?x?x16x?xf32>, %da: memref<?x?x16x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op grad_decay: expected rank 3 ([B, H, L]), got rank 4}}
  swr.scan_grad bands<2> layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) grad_output(%dy : memref<?x?x16x?xf32>)
      grad_input(%dx : memref<?x?x16x?xf32>) grad_decay(%da : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @grad_input_dim(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %dy: memref<?x?x16x?xf32>, %dx: memref<?x?x8x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op grad_input: dimension 2 (D) is 8 but input has 16}}
  swr.scan_grad bands<2> layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) grad_output(%dy : memref<?x?x16x?xf32>)
      grad_input(%dx : memref<?x?x8x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
  return
}

// -----

func.func @grad_init_shape(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>, %dh0: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op grad_init: expected rank 2 ([B, C]), got rank 3}}
  swr.scan_grad bands<2> layout bct sharing per_channel decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x?xf32>) grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
      grad_init(%dh0 : memref<?x?x?xf32>)
  return
}

// -----

func.func @channel_sum_group(%v: vector<16xf32>) -> vector<16xf32> {
  // expected-error @below {{'swr.channel_sum' op group: expected a power of 2 of at most 32 (the lanes of a warp), got 12}}
  %s = swr.channel_sum %v group 12 : vector<16xf32>
  return %s : vector<16xf32>
}

// -----

func.func @prologue_arguments(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{'swr.scan' op prologue: expected 2 block arguments (decay, input), got 1}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
      prologue {
      ^bb0(%s: f32):
        swr.yield %s, %s : f32, f32
      }
  return
}

// -----

func.func @epilogue_argument_type(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{'swr.scan' op epilogue: block argument #1 must be f32, got 'f16'}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
      epilogue {
      ^bb0(%s: f32, %t: f16, %u: f32):
        swr.yield %s : f32
      }
  return
}

// -----

func.func @prologue_yield_count(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
      prologue {
      ^bb0(%s: f32, %t: f32):
        // expected-error @below {{'swr.yield' op expected 2 values (a, x) from the prologue, got 1}}
        swr.yield %s : f32
      }
  return
}

// -----

func.func @prologue_side_effect(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
      prologue {
      ^bb0(%s: f32, %t: f32):
        // expected-error @below {{'memref.alloca' op is not allowed in the prologue of swr.scan: expected element-wise ops without side effects (arith, math)}}
        %m = memref.alloca() : memref<f32>
        swr.yield %s, %t : f32, f32
      }
  return
}

// -----

func.func @prologue_vector(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
      prologue {
      ^bb0(%s: f32, %t: f32):
        // expected-error @below {{'arith.constant' op in the prologue of swr.scan: expected scalars, got 'vector<4xf32>'}}
        %c = arith.constant dense<1.0> : vector<4xf32>
        swr.yield %s, %t : f32, f32
      }
  return
}

// -----

func.func @per_head_decay_from_input(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{'swr.scan' op prologue: with per_head decays, a must depend on the decay argument only (it is shared by the head's channels)}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) output(%y : memref<?x?x16x?xf32>)
      prologue {
      ^bb0(%s: f32, %t: f32):
        %d = arith.mulf %s, %t : f32
        swr.yield %d, %t : f32, f32
      }
  return
}

// -----

func.func @operand_shape(%a: memref<?x?x?xf32>, %x: memref<?x?x16x?xf32>, %v: memref<?x?x8x?xf32>, %y: memref<?x?x16x?xf32>) {
  // expected-error @below {{'swr.scan' op operand #0: dimension 2 (D) is 8 but input has 16}}
  swr.scan full layout bhdl sharing per_head decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x16x?xf32>) operands(%v : memref<?x?x8x?xf32>)
      output(%y : memref<?x?x16x?xf32>)
  return
}

// -----

func.func @state_without_epilogue(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %y: memref<?x?x?xf32>, %s: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan' op state: without an epilogue the output is the state; expected no state}}
  swr.scan full layout bct sharing per_channel decay(%a : memref<?x?x?xf32>)
      input(%x : memref<?x?x?xf32>) output(%y : memref<?x?x?xf32>)
      state(%s : memref<?x?x?xf32>)
  return
}

// -----

func.func @grad_operands_count(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %v: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op grad_operands: expected one per operand (1), got 0}}
  swr.scan_grad bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      operands(%v : memref<?x?x?xf32>) grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
  return
}

// -----

func.func @cotangent_without_state(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op output: the cotangent of an epilogue reads the forward state y; expected it}}
  swr.scan_grad bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
      cotangent {
      ^bb0(%g: f32, %y: f32, %a_s: f32, %x_s: f32):
        swr.yield %g : f32
      } pullback {
      ^bb0(%gx: f32, %ga: f32, %g: f32, %y: f32, %a_s: f32, %x_s: f32):
        swr.yield %ga, %gx : f32, f32
      }
  return
}

// -----

func.func @prologue_without_pullback(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op pullback: a backward through a prologue or cotangent needs a pullback region}}
  swr.scan_grad bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
      prologue {
      ^bb0(%a_s: f32, %x_s: f32):
        swr.yield %a_s, %x_s : f32, f32
      }
  return
}

// -----

func.func @pullback_results(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>) {
  swr.scan_grad bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
      pullback {
      ^bb0(%gx: f32, %ga: f32, %g: f32, %y: f32, %a_s: f32, %x_s: f32):
        // expected-error @below {{'swr.yield' op expected 2 values (d decay, input) from the pullback, got 1}}
        swr.yield %gx : f32
      }
  return
}

// -----

func.func @pullback_reads_missing_state(%a: memref<?x?x?xf32>, %x: memref<?x?x?xf32>, %dy: memref<?x?x?xf32>, %dx: memref<?x?x?xf32>, %da: memref<?x?x?xf32>) {
  // expected-error @below {{'swr.scan_grad' op the state y is used but no output (forward state) is given}}
  swr.scan_grad bands<2> layout bct sharing per_channel
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?xf32>)
      grad_output(%dy : memref<?x?x?xf32>)
      grad_input(%dx : memref<?x?x?xf32>) grad_decay(%da : memref<?x?x?xf32>)
      pullback {
      ^bb0(%gx: f32, %ga: f32, %g: f32, %y: f32, %a_s: f32, %x_s: f32):
        %p = arith.mulf %g, %y : f32
        swr.yield %ga, %p : f32, f32
      }
  return
}

// -----

func.func @prefetch_tile_indices(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.prefetch_tile' op indices: expected 2 (one per dimension of 'memref<?x?xf32>'), got 1}}
  swr.prefetch_tile %x[%c0] at %p length %p time 1 steps 16 : memref<?x?xf32>
  return
}

// -----

func.func @prefetch_tile_axes(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.prefetch_tile' op channel: axis 1 is also the time axis}}
  swr.prefetch_tile %x[%c0, %c0] at %p length %p time 1 channel 1 steps 16 : memref<?x?xf32>
  return
}

// -----

func.func @prefetch_tile_steps(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.prefetch_tile' op attribute 'steps' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  swr.prefetch_tile %x[%c0, %c0] at %p length %p time 1 steps 0 : memref<?x?xf32>
  return
}

// -----

func.func @prefetch_tile_lanes(%x: memref<?x?xf32>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.prefetch_tile' op lanes must divide the 32 lanes of a warp, got 12}}
  swr.prefetch_tile %x[%c0, %c0] at %p length %p time 1 steps 16 lanes 12 : memref<?x?xf32>
  return
}

// -----

func.func @stage_tile_channels(%x: memref<?x?xbf16>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.stage_tile' op channels: 2 channels need a channel axis}}
  swr.stage_tile %x[%c0, %c0] at %p length %p time 1 into 0 slot %c0 of 2 steps 16 channels 2 : memref<?x?xbf16>
  return
}

// -----

func.func @stage_tile_indices(%x: memref<?x?xbf16>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.stage_tile' op indices: expected 2 (one per dimension of 'memref<?x?xbf16>'), got 1}}
  swr.stage_tile %x[%c0] at %p length %p time 1 into 0 slot %c0 of 2 steps 16 : memref<?x?xbf16>
  return
}

// -----

func.func @stage_tile_stages(%x: memref<?x?xbf16>, %p: index) {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'swr.stage_tile' op attribute 'stages' failed to satisfy constraint: 64-bit signless integer attribute whose minimum value is 2}}
  swr.stage_tile %x[%c0, %c0] at %p length %p time 1 into 0 slot %c0 of 1 steps 16 : memref<?x?xbf16>
  return
}

// -----

func.func @read_staged_stored(%p: index) {
  // expected-error @below {{'swr.read_staged' op stored: expected f32, bf16 or f16, got 'i16'}}
  %t = swr.read_staged 0 slot %p of 2 at %p length %p stored i16 pad 0.0 : vector<16xf32>
  return
}
