#!/usr/bin/env python3
"""Sweep of the fused Phalanx mixing's compile options and forms on one GPU
(what bench/phalanx_mix.py's fused row is made of): tiles per thread, the
layout, and the gates' math replaced by arithmetic, each timed like
phalanx_mix.py against a copy of the same bytes.

    /usr/bin/python3 bench/fused_variants.py --precompile   # build machine
    python3 bench/fused_variants.py [--out sweep.md]         # GPU machine
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "bench"))

import torch  # noqa: E402

import swr  # noqa: E402
from phalanx_mix import B, DTYPE, D, H, T, copy_gbps, time_ms  # noqa: E402


def gates(za, zb, v, c):
    y = swr.scan(swr.sigmoid(za), swr.sigmoid(zb) * v, window="bands<2>")
    return y * c + v


def plain(za, zb):
    return swr.scan(za, zb, window="bands<2>")


def gated_input(za, zb, v):
    return swr.scan(za, zb * v, window="bands<2>")


def linear_gates(za, zb, v, c):
    y = swr.scan(za * 0.25 + 0.5, (zb * 0.25 + 0.5) * v, window="bands<2>")
    return y * c + v


def variants() -> dict:
    bthd = [(B, T, H), (B, T, H, D), (B, T, H, D), (B, T, H, D)]
    bhdl = [(B, H, T), (B, H, D, T), (B, H, D, T), (B, H, D, T)]
    found = {"bthd plain scan through swr.jit, 2 tiles/thread": (
        swr.jit(plain, layout="bthd", time_chunk=2), bthd[:2]),
        "bthd x = zb * v (3 inputs), 2 tiles/thread": (
        swr.jit(gated_input, layout="bthd", time_chunk=2), bthd[:3])}
    for chunk in (2, 8):
        found[f"bthd sigmoid gates, {chunk} tiles/thread"] = (
            swr.jit(gates, layout="bthd", time_chunk=chunk), bthd)
    found["bthd linear gates, 2 tiles/thread"] = (
        swr.jit(linear_gates, layout="bthd", time_chunk=2), bthd)
    for chunk in (1, 2):
        found[f"bhdl sigmoid gates, {chunk} tiles/thread"] = (
            swr.jit(gates, layout="bhdl", time_chunk=chunk), bhdl)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--precompile", action="store_true")
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    if args.precompile:
        os.environ.setdefault("SWR_CACHE_DIR", str(root / "gpu-cache"))
        for function, shapes in variants().values():
            function.precompile(*[torch.empty(s, dtype=DTYPE, device="meta")
                                  for s in shapes])
        return
    rows = []
    nbytes = 0
    with torch.no_grad():
        for name, (function, shapes) in variants().items():
            ops = [torch.randn(s, device="cuda").to(DTYPE) for s in shapes]
            out = torch.empty_like(ops[1])
            nbytes = sum(t.numel() for t in ops + [out]) * 2
            ms = time_ms(lambda: function(*ops, out=out))
            # Back to back: the kernel's time once Python keeps ahead.
            burst_ms = time_ms(lambda: function(*ops, out=out), repeat=5,
                               calls=20)
            rows.append((name, ms, burst_ms, nbytes))
            del ops, out
    copy = copy_gbps(nbytes)
    lines = [f"copy {copy:.0f} GB/s (same run)", "",
             "| variant | ms (one launch) | ms (20 back to back) | GB/s | "
             "% of copy |", "|---|---|---|---|---|"]
    for name, ms, burst_ms, size in rows:
        gbps = size / (burst_ms * 1e6)
        lines.append(f"| {name} | {ms:.3f} | {burst_ms:.3f} | {gbps:.0f} | "
                     f"{100 * gbps / copy:.1f}% |")
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
