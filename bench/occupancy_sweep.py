#!/usr/bin/env python3
"""Exploration: how the fused mixing's speed depends on the registers per
thread. Takes the compiler's PTX of a few bench/fused_variants.py kernels and
asks ptxas for N CTAs of 128 threads per SM (`.minnctapersm N`, which caps
registers at 65536 / (128 N)); times each like fused_variants.py. The
product sets this through the compiler (swr-distribute), not by editing
PTX; this sweep picks the value.

    python3 bench/occupancy_sweep.py     # GPU machine, after --precompile
                                         # of fused_variants.py here
"""

from __future__ import annotations

import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "bench"))

import torch  # noqa: E402

from fused_variants import DTYPE, variants  # noqa: E402
from phalanx_mix import copy_gbps, time_ms  # noqa: E402
from swr.compiler import PtxKernel, compile_ptx  # noqa: E402
from swr.cuda import CudaKernel  # noqa: E402
from swr.dsl import _buffer  # noqa: E402

NAMES = ["bthd sigmoid gates, 2 tiles/thread",
         "bthd sigmoid gates, 8 tiles/thread",
         "bhdl sigmoid gates, 2 tiles/thread"]


def main() -> None:
    lines = ["| variant | CTAs/SM asked | ms | GB/s | % of copy |",
             "|---|---|---|---|---|"]
    nbytes = 0
    rows = []
    for name in NAMES:
        function, shapes = variants()[name]
        ops = [torch.randn(s, device="cuda").to(DTYPE) for s in shapes]
        out = torch.empty_like(ops[1])
        binding = function.bind(*ops)
        spec = binding.spec
        by_role = {"decay": ops[binding.decay], "input": ops[binding.input],
                   "output": out}
        for role, i in zip(spec.extra_roles(), binding.extras):
            by_role[role] = ops[i]
        compiled = compile_ptx(spec, time_chunk=function.time_chunk)
        nbytes = sum(t.numel() for t in ops + [out]) * 2
        stream = torch.cuda.current_stream().cuda_stream
        for blocks in (0, 4, 5, 6, 8):
            ptx = compiled.ptx
            if blocks:
                ptx = ptx.replace(".maxntid 128, 1, 1",
                                  f".maxntid 128, 1, 1\n.minnctapersm {blocks}")
            kernel = CudaKernel(PtxKernel(ptx, compiled.launch))
            buffers = [_buffer(by_role[r], spec.dtype_of(r))
                       for r in kernel.params]
            ms = time_ms(lambda: kernel.launch(buffers, stream), calls=20,
                         repeat=5)
            rows.append((name, blocks or "-", ms, nbytes))
        del ops, out
    copy = copy_gbps(nbytes)
    for name, blocks, ms, size in rows:
        gbps = size / (ms * 1e6)
        lines.append(f"| {name} | {blocks} | {ms:.3f} | {gbps:.0f} | "
                     f"{100 * gbps / copy:.1f}% |")
    print(f"copy {copy:.0f} GB/s (same run)\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
