#!/usr/bin/env python3
"""Benchmark: whole mixing layers at D=2048, B8 L8192, bf16 on one GPU,
projections included: SWR's `swr.torch.Phalanx` (inference with the fused
mixing kernel; training with the unfused default and with
`fused_training=True`), spear's `Phalanx` (when its extension and source
are given), a sliding-window attention layer (fused qkv Linear,
FlexAttention W=512 over 16 heads of 128, output Linear) and the same
layer with full causal attention (SDPA), as in ../shared/ANCHORS.md.

    # GPU machine (static libswr compiling there, or a runtime-only libswr
    # with a kernel cache); --spear DIR takes spear's repository (spear/,
    # csrc/) and --cutlass DIR cutlass's include/ parent to build spear's
    # extension with torch's cpp_extension (about 75 s):
    python3 bench/phalanx_layer.py [--spear peers/spear --cutlass
        peers/cutlass] [--out results.md]

Forward is timed without gradients (inference), forward + backward with
x and the parameters requiring them (gradients cleared each call). CUDA
events, 3 warm-ups, median of 10 samples of 3 back-to-back calls. The SWR
layer's output is checked against a float64 evaluation of the same layer
(same bf16 weights) on the first 2048 tokens of batch 0, next to the error
of the same computation done in bf16 by torch (projections, gates and
epilogue rounded to bf16, the scan in float64): the floor of a bf16 layer.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time
from typing import Callable, Optional

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))

import torch  # noqa: E402

import phalanx_mix  # noqa: E402  (bench/, the script's folder)
import swr.torch as st  # noqa: E402
from swr import reference  # noqa: E402

B, T, DIM = 8, 8192, 2048
HEADS, HEAD_DIM, WINDOW = 16, 128, 512
DTYPE = torch.bfloat16
CHECK_TOKENS = 2048


def time_ms(run: Callable[[], object], calls: int = 3) -> float:
    """phalanx_mix's timer with fewer, longer samples (layers take ms)."""
    return phalanx_mix.time_ms(run, warmup=3, repeat=10, calls=calls)


class AttentionLayer(torch.nn.Module):
    """A fused qkv Linear, attention over 16 heads of 128 (FlexAttention's
    sliding window of 512 tokens, or SDPA's full causal attention) and an
    output Linear."""

    def __init__(self, sliding: bool) -> None:
        super().__init__()
        self.qkv = torch.nn.Linear(DIM, 3 * DIM, bias=False, dtype=DTYPE)
        self.out = torch.nn.Linear(DIM, DIM, bias=False, dtype=DTYPE)
        self.sliding = sliding
        if sliding:
            from torch.nn.attention.flex_attention import (create_block_mask,
                                                           flex_attention)

            def window(b, h, q, k):
                return (q >= k) & (q - k < WINDOW)
            self.mask = create_block_mask(window, None, None, T, T,
                                          device="cuda")
            self.flex = torch.compile(flex_attention)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length = x.shape[:2]
        q, k, v = (self.qkv(x).view(batch, length, 3, HEADS, HEAD_DIM)
                   .permute(2, 0, 3, 1, 4))
        if self.sliding:
            o = self.flex(q, k, v, block_mask=self.mask)
        else:
            o = torch.nn.functional.scaled_dot_product_attention(
                q, k, v, is_causal=True)
        return self.out(o.transpose(1, 2).reshape(batch, length, DIM))


def load_spear(source: pathlib.Path, cutlass: pathlib.Path):
    """spear's package, its `_btp` extension built from `source`."""
    from torch.utils import cpp_extension
    csrc = source / "csrc"
    started = time.time()
    module = cpp_extension.load(
        name="spear_btp_bench", sources=[str(csrc / "btp" / "_bindings.cu")],
        extra_include_paths=[str(csrc), str(csrc / "btp"),
                             str(cutlass / "include")],
        extra_cuda_cflags=["-gencode=arch=compute_90a,code=sm_90a", "-O3",
                           "--use_fast_math"])
    print(f"spear's extension built in {time.time() - started:.0f} s")
    sys.path.insert(0, str(source))
    sys.modules["spear._btp"] = module
    import spear
    spear._btp = module
    return spear


def kernel_rows(spear_btp: Optional[Callable]) -> list[str]:
    """The bands<2> kernels alone at B8 H128 D16 L8192 bf16 -> bf16 in
    spear's layout (coeff [B, H, L], x [B, H, 16, L]): forward, and
    forward + backward (gradients of coeff and x), SWR's `btp` beside
    spear's, each checked against float64 on batch 0."""
    heads = DIM // 16
    coeff = torch.sigmoid(3 + torch.randn(B, heads, T, device="cuda"))
    coeff = coeff.to(DTYPE)
    x = torch.randn(B, heads, 16, T, device="cuda").to(DTYPE)
    dy = torch.randn_like(x)
    nbytes = (coeff.numel() + 2 * x.numel()) * 2
    want = reference.scan_torch(coeff[0, :, None].double(), x[0].double(),
                                window="bands<2>")
    kernels = {"SWR btp": lambda c, v: st.btp(c, v, 2, output_dtype=DTYPE)}
    if spear_btp is not None:
        kernels["spear btp"] = lambda c, v: spear_btp(c, v, 2,
                                                      output_dtype=DTYPE)
    lines = ["| kernel, B8 H128 D16 L8192 bf16 | fwd ms | fwd % of copy | "
             "fwd+bwd ms | error vs float64 |", "|---|---:|---:|---:|---|"]
    copy = phalanx_mix.copy_gbps(nbytes)
    for name, kernel in kernels.items():
        try:
            lines.append(kernel_row(name, kernel, coeff, x, dy, want, nbytes,
                                    copy))
        except Exception as error:  # a peer failing leaves the others' rows
            lines.append(f"| {name} | failed: {error!r} | | | |")
    lines.append(f"\nCopy {copy:.0f} GB/s (same run); bytes: coeff and x "
                 "read, y written.")
    return lines


def kernel_row(name: str, kernel: Callable, coeff: torch.Tensor,
               x: torch.Tensor, dy: torch.Tensor, want: torch.Tensor,
               nbytes: int, copy: float) -> str:
    forward, both, error = measure_kernel(kernel, coeff, x, dy, want)
    percent = 100 * nbytes / (forward * 1e6) / copy
    return (f"| {name} | {forward:.4f} | {percent:.1f}% | {both:.4f} | "
            f"{error:.1e} |")


def measure_kernel(kernel: Callable, coeff: torch.Tensor, x: torch.Tensor,
                   dy: torch.Tensor, want: torch.Tensor
                   ) -> tuple[float, float, float]:
    """A bands kernel's forward ms, forward + backward ms (gradients of
    coeff and x) and the forward's error against `want`, float64 of the
    first heads of batch 0 (as many as `want` has)."""
    with torch.no_grad():
        got = kernel(coeff, x)[0, :want.shape[0]]
        error = relative_error(got, want)
        forward = time_ms(lambda: kernel(coeff, x), calls=10)
    c = coeff.detach().requires_grad_(True)
    v = x.detach().requires_grad_(True)

    def both() -> None:
        c.grad = v.grad = None
        kernel(c, v).backward(dy)
    return forward, time_ms(both, calls=10), error


def forward_and_backward(layer: torch.nn.Module, x: torch.Tensor,
                         grad: torch.Tensor) -> Callable[[], None]:
    def run() -> None:
        layer.zero_grad(set_to_none=True)
        x.grad = None
        layer(x).backward(grad)
    return run


def phalanx_reference(layer: st.Phalanx, x: torch.Tensor,
                      dtype: torch.dtype) -> torch.Tensor:
    """The SWR layer on x [1, L, D] with its weights in `dtype` (float64:
    the reference; bf16: each torch op rounded, the scan in float64)."""
    def linear(proj: torch.nn.Linear, t: torch.Tensor) -> torch.Tensor:
        bias = None if proj.bias is None else proj.bias.to(dtype)
        return torch.nn.functional.linear(t, proj.weight.to(dtype), bias)
    t = x.to(dtype)
    length = t.shape[1]
    a = torch.sigmoid(linear(layer.a_proj, t))                  # [1, L, H]
    zb = linear(layer.b_proj, t).view(1, length, layer.heads, 16)
    post = linear(layer.c_proj, t).view(1, length, layer.heads, 16)
    value = linear(layer.v_proj, t).view(1, length, layer.heads, 16)
    gated = torch.sigmoid(zb) * value
    # [1, L, H, 16] -> [1, H, 16, L] for the reference (time last).
    y = reference.scan_torch(a.double().permute(0, 2, 1)[:, :, None, :],
                             gated.double().permute(0, 2, 3, 1),
                             window=f"bands<{layer.k}>")
    y = y.permute(0, 3, 1, 2).to(dtype)
    out = y * post + value
    return linear(layer.o_proj, out.reshape(1, length, layer.dim))


def relative_error(got: torch.Tensor, want: torch.Tensor) -> float:
    return float((got.double() - want.double()).abs().max()
                 / want.double().abs().max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spear", type=pathlib.Path)
    parser.add_argument("--cutlass", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    torch.manual_seed(0)
    x = torch.randn(B, T, DIM, dtype=DTYPE, device="cuda")
    grad = torch.randn_like(x)
    rows: list[tuple[str, float, float, str]] = []

    def measure(name: str, layer: torch.nn.Module, note: str = "") -> None:
        try:
            with torch.no_grad():
                forward = time_ms(lambda: layer(x))
            trained = x.detach().requires_grad_(True)
            both = time_ms(forward_and_backward(layer, trained, grad))
            rows.append((name, forward, both, note))
        except Exception as error:  # one layer failing leaves the others
            rows.append((name, float("nan"), float("nan"), repr(error)))
        torch.cuda.empty_cache()

    swr_layer = st.Phalanx(DIM, dtype=DTYPE).cuda()
    with torch.no_grad():
        sample = x[:1, :CHECK_TOKENS]
        want = phalanx_reference(swr_layer, sample, torch.float64)
        floor = relative_error(
            phalanx_reference(swr_layer, sample, DTYPE), want)
        inference = relative_error(swr_layer(sample), want)
    trained = sample.detach().requires_grad_(True)
    training = relative_error(swr_layer(trained).detach(), want)
    measure("SWR Phalanx (fwd: fused mixing; fwd+bwd: unfused, default)",
            swr_layer, f"fwd {inference:.1e}, training fwd {training:.1e}; "
            f"bf16 floor {floor:.1e}")
    fused = st.Phalanx(DIM, dtype=DTYPE, fused_training=True).cuda()
    fused.load_state_dict(swr_layer.state_dict())
    trained = sample.detach().requires_grad_(True)
    fused_error = relative_error(fused(trained).detach(), want)
    measure("SWR Phalanx, fused_training=True", fused,
            f"training fwd {fused_error:.1e}")
    del fused
    spear = None
    if args.spear is not None:
        spear = load_spear(args.spear,
                           args.cutlass or args.spear.parent / "cutlass")
        measure("spear Phalanx (k=2, its BTP kernel)",
                spear.Phalanx(dim=DIM, dtype=DTYPE).cuda())
    measure("sliding-window attention W=512 (FlexAttention)",
            AttentionLayer(sliding=True).cuda())
    measure("full causal attention (SDPA)",
            AttentionLayer(sliding=False).cuda())

    device = torch.cuda.get_device_name()
    lines = [f"Device: {device}; torch {torch.__version__}; B{B} L{T} "
             f"D{DIM} bf16", "",
             "| layer | fwd ms | fwd+bwd ms | error vs float64 |",
             "|---|---:|---:|---|"]
    for name, forward, both, note in rows:
        lines.append(f"| {name} | {forward:.3f} | {both:.3f} | {note} |")
    lines.append("")
    lines += kernel_rows(spear.btp if spear is not None else None)
    phalanx_mix.report(lines, args.out)


if __name__ == "__main__":
    main()
