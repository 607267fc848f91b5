#!/usr/bin/env python3
"""Benchmark: the full first-order scan h[t] = a[t] h[t-1] + x[t] with one
decay per element, SWR beside the peers and a device-to-device copy measured
in the same run, on one GPU.

    # GPU machine (static libswr compiles there; peers/ carried):
    SWR_LIBRARY=.../libswr.so python3 bench/full_scan.py [--out table.md]

Shapes (ANCHORS.md): B8 C1536, T in {4K, 16K, 64K}, f32 and bf16, in
[B, C, T] (SWR layout bct; accelerated-scan's Triton kernel) and [B, T, C]
(SWR layout bthd with one head of C channels; flash-linear-attention's
chunk_hgrn, which computes h = exp(g) h + x, the same recurrence with
a = exp(g)). GB/s counts the bytes that must move (a and x read once, y
written once); "% of copy" divides by a copy of as many bytes. CUDA events,
5 warm-ups, median of 25 samples of 10 back-to-back calls (--timing graph:
of replays of a CUDA graph of 10 calls, so no launch path's host cost
counts; session 23 measured ~50 us of it per swr.torch.scan call, 4-5% of
a T16384 kernel back-to-back; the copy is then timed as 10 copies back to
back between events, since a captured copy may run on a copy engine).
Error: max |y -
ref| / max |ref| over batch 0, channels 0..63, against a float64 scan of
the same (rounded) inputs; decays uniform in [0.9, 1).

Forward + backward rows ("fwd+bwd", unless --no-backward): the scan with a
and x requiring gradients, then backward of a random dy (same dtype), each
call from the forward to both gradients; bytes: the forward's three arrays
and the backward's five (a, y, dy read; da, dx written). Error: the larger
of da's and dx's against float64 (da[t] = g[t] h[t-1], dx = g, g[t] =
dy[t] + a[t+1] g[t+1]); fla's gradient is for g = log a (dg = da a).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Callable, Optional

import numpy as np

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "peers"))
sys.path.insert(0, str(root / "bench"))

import torch  # noqa: E402

import phalanx_mix  # noqa: E402
import swr.torch as st  # noqa: E402
from phalanx_mix import copy_gbps, time_ms  # noqa: E402

B, C = 8, 1536
CHECKED = 64  # channels of batch 0 checked against float64


def reference(a: torch.Tensor, x: torch.Tensor) -> np.ndarray:
    """float64 scan of [C, T] slices (channels x time)."""
    a64 = a.double().cpu().numpy()
    x64 = x.double().cpu().numpy()
    h = np.zeros(a64.shape[0])
    out = np.empty_like(x64)
    for t in range(a64.shape[1]):
        h = a64[:, t] * h + x64[:, t]
        out[:, t] = h
    return out


def reference_grads(a: torch.Tensor, dy: torch.Tensor, h: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """float64 (da, dx) of [C, T] slices given the forward's states h."""
    a64 = a.double().cpu().numpy()
    dy64 = dy.double().cpu().numpy()
    da, dx = np.empty_like(h), np.empty_like(h)
    g = np.zeros(h.shape[0])
    for t in range(h.shape[1] - 1, -1, -1):
        g = dy64[:, t] + (a64[:, t + 1] * g if t + 1 < h.shape[1] else 0.0)
        dx[:, t] = g
        da[:, t] = g * h[:, t - 1] if t > 0 else 0.0
    return da, dx


def relative_error(y: torch.Tensor, ref: np.ndarray) -> float:
    diff = np.abs(y.double().cpu().numpy() - ref).max()
    return float(diff / max(np.abs(ref).max(), 1e-30))


def peers_bct() -> dict[str, Callable]:
    runners: dict[str, Callable] = {}
    try:
        from accelerated_scan.scalar import scan as triton_scan
        runners["accelerated-scan Triton"] = triton_scan
    except Exception as error:  # peer unavailable: say so in the table
        print(f"accelerated-scan Triton unavailable: {error}")
    return runners


def peers_btc() -> dict[str, Callable]:
    runners: dict[str, Callable] = {}
    try:
        from fla.ops.hgrn import chunk_hgrn

        def hgrn(g: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
            return chunk_hgrn(x, g)[0]
        runners["fla chunk_hgrn"] = hgrn
    except Exception as error:
        print(f"flash-linear-attention unavailable: {error}")
    return runners


def row(name: str, ms: float, nbytes: int, copy: float,
        error: Optional[float]) -> str:
    gbps = nbytes / (ms * 1e6)
    err = "" if error is None else f"{error:.1e}"
    return (f"| {name} | {ms:.3f} | {gbps:.0f} | {100 * gbps / copy:.1f}% "
            f"| {err} |")


def peer_row(name: str, run: Callable[[], torch.Tensor],
             to_bct: Callable[[torch.Tensor], torch.Tensor], ref: np.ndarray,
             nbytes: int, copy: float) -> str:
    """Checks one peer's output (mapped to [B, C, T]) and times it; a peer
    that fails says so in its row."""
    try:
        y = to_bct(run())
        torch.cuda.synchronize()
        error = relative_error(y[0, :CHECKED].float(), ref)
        return row(name, time_ms(run, calls=10), nbytes, copy, error)
    except Exception as failure:
        return f"| {name} | failed: {type(failure).__name__} | | | |"


def train_row(name: str, scan: Callable, decay: torch.Tensor,
              x: torch.Tensor, dy: torch.Tensor,
              to_bct: Callable[[torch.Tensor], torch.Tensor],
              want: tuple[np.ndarray, np.ndarray], nbytes: int,
              copy: float) -> str:
    """Times scan(decay, x).backward(dy) from fresh leaves and checks both
    gradients (mapped to [B, C, T]) against want = (d decay, dx)."""
    try:
        decay = decay.detach().requires_grad_()
        x = x.detach().requires_grad_()

        def run() -> None:
            decay.grad, x.grad = None, None
            scan(decay, x).backward(dy)
        run()
        torch.cuda.synchronize()
        error = max(relative_error(to_bct(decay.grad)[0, :CHECKED].float(),
                                   want[0]),
                    relative_error(to_bct(x.grad)[0, :CHECKED].float(),
                                   want[1]))
        return row(f"{name}, fwd+bwd", time_ms(run, calls=10), nbytes, copy,
                   error)
    except Exception as failure:
        return f"| {name}, fwd+bwd | failed: {type(failure).__name__} | | | |"


def bench_shape(layout: str, T: int, dtype: torch.dtype,
                include_peers: bool, backward: bool = True) -> list[str]:
    torch.manual_seed(T)
    item = torch.finfo(dtype).bits // 8
    nbytes = 3 * B * C * T * item
    copy = copy_gbps(nbytes)
    lines = [f"| **{layout} T={T} {str(dtype)[6:]}** | | | copy "
             f"{copy:.0f} GB/s | |"]
    a32 = 0.9 + 0.1 * torch.rand(B, C, T, device="cuda")
    x32 = torch.randn(B, C, T, device="cuda")
    a, x = a32.to(dtype), x32.to(dtype)
    ref = reference(a[0, :CHECKED], x[0, :CHECKED])
    dy, grads = None, None
    if backward:
        dy = torch.randn(B, C, T, device="cuda").to(dtype)
        grads = reference_grads(a[0, :CHECKED], dy[0, :CHECKED], ref)
    train_bytes = nbytes // 3 * 8
    if layout == "bct":
        def swr_run():
            return st.scan(a, x, window="full", layout="bct")
        y = swr_run()
        error = relative_error(y[0, :CHECKED].float(), ref)
        lines.append(row("SWR full, bct", time_ms(swr_run, calls=10),
                         nbytes, copy, error))
        peers = peers_bct() if include_peers else {}
        for name, scan in peers.items():
            lines.append(peer_row(name, lambda: scan(a, x), lambda y: y, ref,
                                  nbytes, copy))
        if grads is not None:
            lines.append(train_row(
                "SWR full, bct",
                lambda d, u: st.scan(d, u, window="full", layout="bct"),
                a, x, dy, lambda t: t, grads, train_bytes, copy))
            for name, scan in peers.items():
                lines.append(train_row(name, scan, a, x, dy, lambda t: t,
                                       grads, train_bytes, copy))
        return lines
    # [B, T, C]: one head of C channels, per-element decays.
    at = a.transpose(1, 2).contiguous().view(B, T, 1, C)
    xt = x.transpose(1, 2).contiguous().view(B, T, 1, C)

    def swr_btc():
        return st.scan(at, xt, window="full", layout="bthd")
    y = swr_btc().view(B, T, C).transpose(1, 2)
    error = relative_error(y[0, :CHECKED].float(), ref)
    lines.append(row("SWR full, bthd [B,T,C]", time_ms(swr_btc, calls=10),
                     nbytes, copy, error))
    peers = peers_btc() if include_peers else {}
    if peers:  # their decays are g = log a, over [B, T, C]
        g = at.float().log().to(dtype).view(B, T, C)
        xs = xt.view(B, T, C)
    for name, scan in peers.items():
        lines.append(peer_row(name, lambda: scan(g, xs),
                              lambda y: y.transpose(1, 2), ref, nbytes,
                              copy))
    if grads is not None:
        dyt = dy.transpose(1, 2).contiguous()
        lines.append(train_row(
            "SWR full, bthd [B,T,C]",
            lambda d, u: st.scan(d, u, window="full", layout="bthd"),
            at, xt, dyt.view(B, T, 1, C),
            lambda t: t.reshape(B, T, C).transpose(1, 2), grads,
            train_bytes, copy))
        # The peer's decay is g = log a: its gradient is da * a.
        a_checked = a[0, :CHECKED].double().cpu().numpy()
        log_grads = (grads[0] * a_checked, grads[1])
        for name, scan in peers.items():
            lines.append(train_row(name, scan, g, xs, dyt,
                                   lambda t: t.transpose(1, 2), log_grads,
                                   train_bytes, copy))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=pathlib.Path)
    parser.add_argument("--lengths", default="4096,16384,65536")
    parser.add_argument("--layouts", default="bct,bthd")
    parser.add_argument("--dtypes", default="float32,bfloat16")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--no-backward", action="store_true",
                        help="forward rows only")
    parser.add_argument("--timing", choices=("events", "graph"),
                        default="events",
                        help="graph: every kernel's row timed as replays "
                             "of a CUDA graph of its launches, without any "
                             "launch path's host cost (the copy: 10 copies "
                             "back to back between events)")
    args = parser.parse_args()
    phalanx_mix.TIMING = args.timing
    lines = [f"{torch.cuda.get_device_name()}, torch {torch.__version__}, "
             f"timing: {args.timing}",
             "", "| kernel | ms | GB/s | % of copy | error vs float64 |",
             "|---|---:|---:|---:|---:|"]
    for layout in args.layouts.split(","):
        for dtype_name in args.dtypes.split(","):
            dtype = getattr(torch, dtype_name)
            for T in (int(t) for t in args.lengths.split(",")):
                lines += bench_shape(layout, T, dtype, not args.no_peers,
                                     not args.no_backward)
                print("\n".join(lines[-4:]), flush=True)
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n")


if __name__ == "__main__":
    main()
