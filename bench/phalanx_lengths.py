#!/usr/bin/env python3
"""Benchmark: the Phalanx bands<2> kernel (spear's layout, coeff [B, H, T],
x [B, H, 16, T], bf16 -> bf16) across sequence lengths at a constant
B·H·T = 8·128·8192 (issue #8's Phalanx shapes), SWR's `btp` beside spear's
(when its source is given), forward and forward + backward, with a copy of
the forward's bytes measured at every shape in the same run.

    # GPU machine (static libswr compiling there, or a runtime-only libswr
    # with a kernel cache); --spear / --cutlass as for phalanx_layer.py:
    python3 bench/phalanx_lengths.py [--spear peers/spear --cutlass
        peers/cutlass] [--lengths 1024,4096,...] [--out results.md]
    # here, a plot of % of copy against T from the table:
    /usr/bin/python3 bench/plot_full_scan.py results.md phalanx-lengths.png

Shapes: H = 128 heads of 16 channels and B = 8·8192 / T sequences while
T <= 65536, then B = 1 and H = 8·128·8192 / T (T = 524288: 16 heads). GB/s
counts the forward's bytes (coeff and x read, y written once); the
forward + backward column is a time only. CUDA events, phalanx_layer.py's
timer; the forward output is checked against a float64 evaluation of
batch 0 (at most 16 heads of it).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from typing import Callable, Optional

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))

import torch  # noqa: E402

import phalanx_layer  # noqa: E402  (bench/, the script's folder)
import phalanx_mix  # noqa: E402
import swr.torch as st  # noqa: E402
from swr import reference  # noqa: E402

TOKENS = 8 * 128 * 8192  # B·H·T of the Phalanx shape B8 H128 L8192
HEADS, HEAD_DIM = 128, 16
LENGTHS = (1024, 4096, 8192, 16384, 65536, 524288)
DTYPE = torch.bfloat16
CHECK_HEADS = 16


def shape(length: int) -> tuple[int, int]:
    """(B, H) with B·H·T = TOKENS: 128 heads while they fit, then B = 1."""
    if TOKENS % length:
        raise SystemExit(f"--lengths: {length} does not divide "
                         f"B·H·T = {TOKENS}")
    sequences = TOKENS // length
    heads = min(HEADS, sequences)
    return sequences // heads, heads


def forced_tiling(chunks_below: int) -> Callable:
    """SWR's btp with swr.torch's lanes-or-chunks threshold set to
    `chunks_below` channel sequences (0: always time lanes; huge: always
    time chunks), to time both tilings at every length."""
    def run(coeff: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        saved = st._BANDS_CHUNKS_BELOW
        st._BANDS_CHUNKS_BELOW = chunks_below
        try:
            return st.btp(coeff, x, 2, output_dtype=DTYPE)
        finally:
            st._BANDS_CHUNKS_BELOW = saved
    return run


def kernels(spear_btp: Optional[Callable],
            both_tilings: bool = False) -> dict[str, Callable]:
    found = {"SWR btp": lambda c, v: st.btp(c, v, 2, output_dtype=DTYPE)}
    if both_tilings:
        found["SWR btp, time lanes"] = forced_tiling(0)
        found["SWR btp, time chunks"] = forced_tiling(1 << 62)
    if spear_btp is not None:
        found["spear btp"] = lambda c, v: spear_btp(c, v, 2,
                                                    output_dtype=DTYPE)
    return found


def section(length: int, runners: dict[str, Callable]) -> list[str]:
    """The rows of one length: each kernel's forward (ms, GB/s, % of copy),
    forward + backward (ms) and error against float64."""
    batch, heads = shape(length)
    coeff = torch.sigmoid(3 + torch.randn(batch, heads, length,
                                          device="cuda")).to(DTYPE)
    x = torch.randn(batch, heads, HEAD_DIM, length, device="cuda").to(DTYPE)
    dy = torch.randn_like(x)
    nbytes = (coeff.numel() + 2 * x.numel()) * 2
    checked = min(heads, CHECK_HEADS)
    want = reference.scan_torch(coeff[0, :checked, None].double(),
                                x[0, :checked].double(), window="bands<2>")
    copy = phalanx_mix.copy_gbps(nbytes)
    lines = [f"| **phalanx T={length} bfloat16** B{batch} H{heads} D16 | | | "
             f"copy {copy:.0f} GB/s | | |"]
    for name, kernel in runners.items():
        try:
            lines.append(row(name, kernel, coeff, x, dy, want, nbytes,
                             copy))
        except Exception as error:  # a peer failing leaves the others' rows
            lines.append(f"| {name} | failed: {error!r} | | | | |")
    del want
    torch.cuda.empty_cache()
    return lines


def row(name: str, kernel: Callable, coeff: torch.Tensor, x: torch.Tensor,
        dy: torch.Tensor, want: torch.Tensor, nbytes: int,
        copy: float) -> str:
    forward, both, error = phalanx_layer.measure_kernel(kernel, coeff, x, dy,
                                                        want)
    gbps = nbytes / (forward * 1e6)
    return (f"| {name} | {forward:.4f} | {gbps:.0f} | "
            f"{100 * gbps / copy:.1f}% | {both:.4f} | {error:.1e} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spear", type=pathlib.Path)
    parser.add_argument("--cutlass", type=pathlib.Path)
    parser.add_argument("--lengths",
                        default=",".join(str(n) for n in LENGTHS))
    parser.add_argument("--out", type=pathlib.Path)
    parser.add_argument("--both-tilings", action="store_true",
                        help="also time SWR with time lanes and with time "
                        "chunks forced (swr.torch picks by the batch)")
    args = parser.parse_args()
    lengths = [int(n) for n in args.lengths.split(",") if n]
    for length in lengths:
        shape(length)  # every length checked before the first kernel runs
    torch.manual_seed(0)
    spear_btp = None
    if args.spear is not None:
        spear_btp = phalanx_layer.load_spear(
            args.spear, args.cutlass or args.spear.parent / "cutlass").btp
    runners = kernels(spear_btp, args.both_tilings)
    lines = [f"{torch.cuda.get_device_name()}, torch {torch.__version__}, "
             f"bands<2> B·H·T = {TOKENS}", "",
             "| kernel | fwd ms | GB/s | fwd % of copy | fwd+bwd ms | "
             "error vs float64 |", "|---|---:|---:|---:|---:|---:|"]
    for length in lengths:
        lines += section(length, runners)
    phalanx_mix.report(lines, args.out)


if __name__ == "__main__":
    main()
