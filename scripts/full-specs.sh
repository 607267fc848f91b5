# Sourced by scripts/gpu-static.sh and scripts/gpu-full-sweep.sh:
# full_specs DIR writes the full-window scan specs they check and time
# (examples/full_scan.mlir in [B,C,T], its [B,T,H,D] twin, bf16 and reverse
# variants) into DIR.
full_specs() {
  local dir="$1"
  cp "$root/examples/full_scan.mlir" "$dir/bct-f32.mlir"
  sed 's/xf32>/xbf16>/g' "$root/examples/full_scan.mlir" >"$dir/bct-bf16.mlir"
  sed 's/sharing per_channel/sharing per_channel reverse/' "$dir/bct-f32.mlir" \
    >"$dir/bct-reverse-f32.mlir"
  cat >"$dir/bthd-f32.mlir" <<'SPEC'
func.func @full_tokens(%a: memref<?x?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                       %h0: memref<?x?x?xf32>, %y: memref<?x?x?x?xf32>,
                       %hT: memref<?x?x?xf32>) {
  swr.scan full layout bthd sharing per_channel
      decay(%a : memref<?x?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      init(%h0 : memref<?x?x?xf32>) output(%y : memref<?x?x?x?xf32>)
      final(%hT : memref<?x?x?xf32>)
  return
}
SPEC
  sed 's/xf32>/xbf16>/g' "$dir/bthd-f32.mlir" >"$dir/bthd-bf16.mlir"
  # [B, H, D, L] (time innermost, like [B, C, T]) with a decay per channel.
  sed 's/@full_tokens/@full_heads_time/; s/layout bthd/layout bhdl/' \
    "$dir/bthd-f32.mlir" >"$dir/bhdl-f32.mlir"
  # Per-head decays over [B, T, H, D] (a thread may take several channels of
  # a head: --channel-tile).
  cat >"$dir/bthd-head-f32.mlir" <<'SPEC'
func.func @full_heads(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>,
                      %y: memref<?x?x?x?xf32>) {
  swr.scan full layout bthd sharing per_head
      decay(%a : memref<?x?x?xf32>) input(%x : memref<?x?x?x?xf32>)
      output(%y : memref<?x?x?x?xf32>)
  return
}
SPEC
  sed 's/xf32>/xbf16>/g' "$dir/bthd-head-f32.mlir" >"$dir/bthd-head-bf16.mlir"
  # [B, T, C] with C = 1536 static (ScanSpec(heads=1, head_dim=1536)): a
  # token's stride is a constant, so the per-step addresses are immediate
  # offsets; they run only at 1 x 1536.
  local spec
  for spec in bthd-f32 bthd-bf16; do
    sed 's/memref<?x?x?x?x\(b\?f\)/memref<?x?x1x1536x\1/g;
         s/memref<?x?x?x\(b\?f\)/memref<?x1x1536x\1/g' \
      "$dir/$spec.mlir" >"$dir/$spec-static.mlir"
    # The same channels as 32 static heads of 48: the lanes of a work item
    # (64 bf16 or 32 f32 channels) reach past a head (swr-compile
    # --overhang); they run only at 32 x 48.
    sed 's/x1x1536x/x32x48x/g' "$dir/$spec-static.mlir" >"$dir/$spec-h48.mlir"
  done
}

