#!/usr/bin/env python3
"""Checks and times the compiler-derived backward of fused swr.jit kernels
on a CUDA device (or, with --device cpu, on the host backend as a dry run).

Correctness: fused functions (prologue + epilogue, prologue only, epilogue
only) x windows x layouts x directions x h0 x f32/bf16 x lengths 1, 17,
8193 x decays near 1, spread and near 0. The forward's output and saved
state and every gradient buffer are poisoned with NaN before the kernels
run; the gradients are compared with torch autograd through the same
function in float64 (swr.jit's eager path runs the float64 reference scan)
on the same (rounded) inputs: relative error = max |got - want| / max
|want|, next to the output type's rounding floor.

Timing (--bench): the Phalanx mixing (gates + bands<2> + epilogue) at
B8 T8192 H128 D16 bf16 in bthd: the training forward (output + state), the
fused backward, their sum, and the unfused torch composition's forward +
backward, with CUDA events (bench/phalanx_mix.py's time_ms: median of 25
after warm-up); GB/s on the bytes the fused kernels must move and % of a
device-to-device copy of as many bytes measured in the same run.

    python3 scripts/gpu-fused-grad.py [--bench] [--out results.md]
"""

from __future__ import annotations

import argparse
import itertools
import math
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "bench"))

import torch  # noqa: E402

import swr  # noqa: E402
from phalanx_mix import time_ms  # noqa: E402
from swr.dsl import (_allocate_gradients, _argument_gradients,  # noqa: E402
                     _primal_roles)


def gated(window: str, reverse: bool):
    def function(za, zb, v, c, *h0):
        a = swr.sigmoid(za)
        x = swr.sigmoid(zb) * v
        y = swr.scan(a, x, window=window, reverse=reverse,
                     h0=h0[0] if h0 else None)
        return y * c + v
    return function


def prologue_only(window: str, reverse: bool):
    def function(za, zb, v, c, *h0):
        a = swr.sigmoid(za)
        x = swr.tanh(zb) * v + c
        return swr.scan(a, x, window=window, reverse=reverse,
                        h0=h0[0] if h0 else None)
    return function


def epilogue_only(window: str, reverse: bool):
    def function(za, zb, v, c, *h0):
        y = swr.scan(za, zb, window=window, reverse=reverse,
                     h0=h0[0] if h0 else None)
        return swr.tanh(y) * c + v
    return function


FUNCTIONS = {"gated": gated, "prologue": prologue_only,
             "epilogue": epilogue_only}
LAYOUTS = [("bthd", "per_head"), ("bhdl", "per_head"),
           ("bthd", "per_channel"), ("bct", "per_channel")]
FLOOR = {"f32": 2.0 ** -24, "bf16": 2.0 ** -8}
TORCH = {"f32": torch.float32, "bf16": torch.bfloat16}


def shape_of(layout: str, length: int) -> tuple[int, ...]:
    return {"bthd": (2, length, 3, 16), "bhdl": (2, 3, 16, length),
            "bct": (2, 24, length)}[layout]


def decay_shape(layout: str, sharing: str, shape: tuple) -> tuple:
    if sharing == "per_channel":
        return shape
    return shape[:2] + shape[3:] if layout == "bhdl" else shape[:3]


def decays(kind: str, regime: str, shape: tuple, gen) -> torch.Tensor:
    """Logits for sigmoid gates, raw decays for the epilogue-only kind."""
    if kind == "epilogue":
        low, high = {"near1": (0.999, 1.0), "spread": (0.0, 1.0),
                     "near0": (0.0, 0.01)}[regime]
        return low + (high - low) * torch.rand(shape, generator=gen,
                                               dtype=torch.float64)
    centre, scale = {"near1": (7.0, 0.5), "spread": (0.0, 3.0),
                     "near0": (-7.0, 0.5)}[regime]
    return centre + scale * torch.randn(shape, generator=gen,
                                        dtype=torch.float64)


def rel(got: torch.Tensor, want: torch.Tensor) -> float:
    got, want = got.double(), want.double()
    if torch.isnan(got).any():
        return math.inf
    return float((got - want).abs().max()
                 / want.abs().max().clamp_min(1e-300))


def poisoned_like(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return torch.full(x.shape, math.nan, dtype=dtype, device=x.device)


def run_fused(function, arrays, grad_out):
    """The forward (output + saved state) and backward kernels on buffers
    poisoned with NaN; returns the output and the gradients."""
    binding = function.bind(*arrays)
    spec = binding.spec.training()
    kind = "torch-cuda" if arrays[0].is_cuda else "torch-cpu"
    by_role = _primal_roles(binding, arrays)
    x = by_role["input"]
    out_dtype = TORCH[spec.dtype_out]
    by_role["output"] = poisoned_like(x, out_dtype)
    if spec.save_state:
        by_role["state"] = poisoned_like(x, out_dtype)
    function._run(spec, by_role, kind)
    # Without an epilogue a full window's backward reads the output as y.
    by_role["grad_output"] = grad_out.to(out_dtype).contiguous()
    _allocate_gradients(spec, by_role,
                        lambda primal: poisoned_like(primal, primal.dtype))
    function._run(spec, by_role, kind, backward=True)
    return by_role["output"], _argument_gradients(binding, by_role,
                                                  len(arrays))


WINDOWS = ["bands<2>", "full", "bands<1>", "exact<7>", "exact<40>"]


# swr.jit's tiling options for every kernel checked and timed (--channel-tile,
# --time-chunk; the compiler's choice and 2 tiles per thread without them).
JIT_OPTIONS: dict = {}


def check(device: str, lengths: list[int], quick: bool,
          windows: list[str]) -> list[dict]:
    records = []
    gen = torch.Generator().manual_seed(0)
    cases = itertools.product(FUNCTIONS, windows,
                              LAYOUTS, [False, True], [False, True],
                              ["f32", "bf16"])
    for kind, window, (layout, sharing), reverse, with_h0, dtype in cases:
        # Directions and h0 on the kind with both regions only.
        if (quick and dtype == "bf16") or (
                (quick or kind != "gated") and (reverse or with_h0)):
            continue
        # Every combination of the small axes; the long length and the
        # decay regimes on the Phalanx-like cases.
        phalanx = kind == "gated" and window == "bands<2>"
        for length in lengths:
            if length > 100 and not (phalanx or (not reverse and not with_h0
                                                 and layout == "bthd")):
                continue
            regimes = ["near1", "spread", "near0"] if phalanx or \
                length <= 17 else ["spread"]
            for regime in regimes:
                function = swr.jit(FUNCTIONS[kind](window, reverse),
                                   layout=layout, **JIT_OPTIONS)
                shape = shape_of(layout, length)
                za = decays(kind, regime, decay_shape(layout, sharing,
                                                      shape), gen)
                rest = [torch.randn(shape, generator=gen,
                                    dtype=torch.float64) for _ in range(3)]
                if kind == "epilogue":
                    rest[0] = rest[0] * 0.1
                arrays64 = [za, *rest]
                if with_h0:
                    state = {"bthd": (2, 3, 16), "bhdl": (2, 3, 16),
                             "bct": (2, 24)}[layout]
                    arrays64.append(torch.randn(state, generator=gen,
                                                dtype=torch.float64))
                # Inputs rounded to the kernel's type; h0 stays f32.
                arrays = [a.to(TORCH[dtype] if i < 4 else torch.float32)
                          .to(device) for i, a in enumerate(arrays64)]
                exact = [a.double().requires_grad_() for a in arrays]
                want_out = function.eager(*exact)
                grad_out = torch.randn(want_out.shape, generator=gen,
                                       dtype=torch.float64).to(device)
                if dtype == "bf16":
                    grad_out = grad_out.bfloat16().double()
                want = [torch.zeros_like(e) if w is None else w
                        for e, w in zip(exact, torch.autograd.grad(
                            want_out, exact, grad_out, allow_unused=True))]
                out, got = run_fused(function, arrays, grad_out)
                errors = {"out": rel(out, want_out)}
                for name, g, w in zip(["za", "zb", "v", "c", "h0"], got,
                                      want):
                    errors["d" + name] = rel(g, w)
                worst = max(errors, key=errors.get)
                bound = 4 * FLOOR[dtype] if dtype == "bf16" else 2e-5
                if kind == "epilogue" and regime == "near1" and \
                        length > 100:
                    bound *= 4  # sum of 8193 nearly undecayed terms
                record = dict(kind=kind, window=window, layout=layout,
                              sharing=sharing, reverse=reverse, h0=with_h0,
                              dtype=dtype, length=length, decays=regime,
                              worst=worst, error=errors[worst], bound=bound,
                              ok=errors[worst] <= bound)
                records.append(record)
                if not record["ok"]:
                    print("FAIL", record, errors, flush=True)
    return records


def bench() -> list[str]:
    b, t, h, d = 8, 8192, 128, 16
    function = swr.jit(gated("bands<2>", False), layout="bthd",
                       **JIT_OPTIONS)
    gen = torch.Generator(device="cuda").manual_seed(0)
    za = torch.randn(b, t, h, device="cuda", generator=gen).bfloat16()
    zb, v, c = (torch.randn(b, t, h, d, device="cuda", generator=gen)
                .bfloat16() for _ in range(3))
    leaves = [a.clone().requires_grad_() for a in (za, zb, v, c)]
    grad_out = torch.randn(b, t, h, d, device="cuda",
                           generator=gen).bfloat16()

    def fused_forward():
        return function(*leaves)
    out = fused_forward()

    def fused_backward():
        torch.autograd.grad(out, leaves, grad_out, retain_graph=True)

    def fused_both():
        torch.autograd.grad(function(*leaves), leaves, grad_out)

    def unfused_both():
        torch.autograd.grad(function.eager(*leaves), leaves, grad_out)

    def inference():
        with torch.no_grad():
            function(za, zb, v, c)

    element = 2
    big = b * t * h * d * element
    small = b * t * h * element
    fwd_bytes = 3 * big + small + 2 * big       # za zb v c -> out, state
    bwd_bytes = 5 * big + small + 3 * big + small
    results = {"inference forward": (time_ms(inference), 4 * big - big
                                     + small + big),
               "training forward (out + state)": (time_ms(fused_forward),
                                                  fwd_bytes),
               "fused backward": (time_ms(fused_backward), bwd_bytes),
               "fused forward + backward": (time_ms(fused_both),
                                            fwd_bytes + bwd_bytes),
               "unfused torch + swr scans, fwd + bwd":
                   (time_ms(unfused_both), fwd_bytes + bwd_bytes)}
    source = torch.empty(fwd_bytes + bwd_bytes, dtype=torch.uint8,
                         device="cuda")
    target = torch.empty_like(source)
    copy_ms = time_ms(lambda: target.copy_(source))
    copy_gbs = (fwd_bytes + bwd_bytes) * 2 / copy_ms / 1e6
    lines = [f"device: {torch.cuda.get_device_name()}",
             f"copy of {(fwd_bytes + bwd_bytes) / 1e9:.2f} GB: "
             f"{copy_ms:.3f} ms ({copy_gbs:.0f} GB/s read+write)",
             "| kernel | ms | GB/s | % of copy |", "|---|---:|---:|---:|"]
    for name, (ms, moved) in results.items():
        gbs = moved / ms / 1e6
        lines.append(f"| {name} | {ms:.3f} | {gbs:.0f} | "
                     f"{100 * gbs / copy_gbs:.1f}% |")
    lines.append("spear's fwd+bwd at this shape (ANCHORS.md): 5.71 ms")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--lengths", default="1,17,8193")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--windows", default=";".join(WINDOWS),
                        help="semicolon-separated windows to check")
    parser.add_argument("--bench", action="store_true")
    parser.add_argument("--out", type=pathlib.Path)
    parser.add_argument("--channel-tile", type=int, default=0,
                        help="swr.jit's channel_tile (forward kernels)")
    parser.add_argument("--time-chunk", type=int, default=2,
                        help="swr.jit's time_chunk for every kernel")
    args = parser.parse_args()
    JIT_OPTIONS.update(channel_tile=args.channel_tile,
                       time_chunk=args.time_chunk)
    lengths = [int(n) for n in args.lengths.split(",")]
    records = check(args.device, lengths, args.quick,
                    args.windows.split(";"))
    failed = [r for r in records if not r["ok"]]
    lines = [f"fused backward: {len(records) - len(failed)}/{len(records)} "
             "cases within bounds"]
    for dtype in ("f32", "bf16"):
        subset = [r for r in records if r["dtype"] == dtype]
        if subset:
            worst = max(subset, key=lambda r: r["error"] / r["bound"])
            lines.append(f"worst {dtype}: {worst['error']:.2e} "
                         f"(bound {worst['bound']:.1e}, floor "
                         f"{FLOOR[dtype]:.1e}) in {worst['worst']} of "
                         f"{worst['kind']} {worst['window']} "
                         f"{worst['layout']} {worst['sharing']} "
                         f"L={worst['length']} {worst['decays']}")
    if args.bench:
        lines += bench()
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
