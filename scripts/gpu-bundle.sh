#!/usr/bin/env bash
# Builds the bundle the GPU machine runs (it has no MLIR): every kernel of
# the correctness matrix compiled here to PTX + launch description, plus the
# arguments swr-gpu-run checks it with. Writes gpu-bundle/ (git-ignored).
#
#   bash scripts/gpu-bundle.sh            # then: device run of scripts/gpu-check.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SWR_BUILD_DIR:-$root/build}"
out="$root/gpu-bundle"
grep -qx '/gpu-bundle/' "$root/.git/info/exclude" 2>/dev/null ||
  echo '/gpu-bundle/' >>"$root/.git/info/exclude"
rm -rf "$out" && mkdir -p "$out"

/usr/bin/python3 - "$out" <<'PY'
import itertools
import pathlib
import sys

sys.path.insert(0, "python/tests")
from spec_builder import ScanCase

out = pathlib.Path(sys.argv[1])
windows = ["full", "bands<2>", "bands<5>", "exact<40>"]
layouts = [("bhdl", "per_head"), ("bhdl", "per_channel"), ("bthd", "per_head"),
           ("bthd", "per_channel"), ("bct", "per_channel")]
# Lengths: 1, 17, 8193 and 131072 (not multiples of 16 except the last).
lengths = "1,17,8193,131072"
for window, (layout, sharing), rev, h0, dt in itertools.product(
        windows, layouts, [False, True], [False, True], ["f32", "bf16", "f16"]):
    case = ScanCase(window=window, layout=layout, sharing=sharing, reverse=rev,
                    init=h0, final=h0, dtype_in=dt, dtype_out=dt)
    name = case.name()
    (out / f"{name}.mlir").write_text(case.mlir())
    args = f"--shape {case.shape(1, batch=2, heads=2, channels=16)} " \
           f"--lengths {lengths} --decays near1,spread"
    (out / f"{name}.args").write_text(args + "\n")
for window in windows:
    case = ScanCase(window=window, layout="bhdl", init=True, final=True,
                    packed=True)
    name = case.name()
    (out / f"{name}.mlir").write_text(case.mlir())
    (out / f"{name}.args").write_text(
        "--shape 1x2x16x1 --seq-lens 1,17,300 --decays near1,spread\n")
# The compiler-derived backward of every window that has one; compiled with
# --grad (the "-grad" suffix says so).
for window, (layout, sharing), rev, h0, dt in itertools.product(
        ["full", "bands<2>", "bands<5>"], layouts, [False, True],
        [False, True], ["f32", "bf16"]):
    # A static D lets a per-head decay gradient sum over lanes.
    case = ScanCase(window=window, layout=layout, sharing=sharing, reverse=rev,
                    init=h0, final=h0, dtype_in=dt, dtype_out=dt,
                    head_dim=None if layout == "bct" else 16)
    name = case.name() + "-grad"
    (out / f"{name}.mlir").write_text(case.mlir())
    args = f"--shape {case.shape(1, batch=2, heads=2, channels=16)} " \
           f"--lengths {lengths} --decays near1,spread,near0"
    (out / f"{name}.args").write_text(args + "\n")
for window in ["full", "bands<2>"]:
    case = ScanCase(window=window, layout="bhdl", init=True, final=True,
                    packed=True)
    name = case.name() + "-grad"
    (out / f"{name}.mlir").write_text(case.mlir())
    (out / f"{name}.args").write_text(
        "--shape 1x2x16x1 --seq-lens 1,17,0,300 --decays near1,spread\n")
# One tensor past 2^31 bytes (64-bit offsets end to end): f32 [1, 65536,
# 8193], 2.1 GB per operand.
case = ScanCase(window="bands<2>", layout="bct", sharing="per_channel")
(out / "huge-2gib.mlir").write_text(case.mlir())
(out / "huge-2gib.args").write_text(
    "--shape 1x65536x8193 --lengths 8193 --decays spread\n")
# Batch x heads past 65,535 once.
case = ScanCase(window="bands<2>", layout="bct", sharing="per_channel")
(out / "many-heads.mlir").write_text(case.mlir())
(out / "many-heads.args").write_text("--shape 1x70000x17 --lengths 17,100\n")
PY

for spec in "$out"/*.mlir; do
  grad=()
  [[ $spec == *-grad.mlir ]] && grad=(--grad)
  "$build_dir/bin/swr-compile" "$spec" "${grad[@]}" -o "${spec%.mlir}.ptx" \
    --launch "${spec%.mlir}.json"
done
rm "$out"/*.mlir
echo "gpu-bundle: $(ls "$out"/*.ptx | wc -l) kernels, $(du -sh "$out" | cut -f1)"
