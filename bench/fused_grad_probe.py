#!/usr/bin/env python3
"""Probe: where does the fused Phalanx backward's time go? Times, at B8
T8192 H128 D16 bf16 (bthd), the compiler-derived fused backward of the
Phalanx mixing (gates + bands<2> + epilogue) for a few backward time
chunks and register caps (a `.maxnreg` directive added to its PTX: what an
`nvvm.maxnreg` kernel attribute would emit), next to the bare bands<2>
backward of the same shape (no regions) and a device-to-device copy of the
bytes the fused backward must move. Experiments to decide on compiler
options, not a product path.

    python3 bench/fused_grad_probe.py           # time every variant
    python3 bench/fused_grad_probe.py --once    # launch each once (ncu)
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "bench"))

import torch  # noqa: E402

import swr  # noqa: E402
import swr.torch as st  # noqa: E402
from phalanx_mix import time_ms  # noqa: E402
from swr.compiler import PtxKernel  # noqa: E402
from swr.cuda import CudaKernel  # noqa: E402
from swr.dsl import (_allocate_gradients, _buffer,  # noqa: E402
                     _primal_roles)

B, T, H, D = 8, 8192, 128, 16


def fused_case(gen: torch.Generator) -> tuple:
    """(training spec, tensors by role) of the fused Phalanx backward."""
    za = torch.randn(B, T, H, device="cuda", generator=gen).bfloat16()
    zb, v, c, state, dout = (torch.randn(B, T, H, D, device="cuda",
                                         generator=gen).bfloat16()
                             for _ in range(5))
    binding = st.mixing(2).bind(za, zb, v, c)
    spec = binding.spec.training()
    by_role = _primal_roles(binding, (za, zb, v, c))
    by_role.update(state=state, grad_output=dout)
    return spec, by_role


def bare_case(gen: torch.Generator) -> tuple:
    """(spec, tensors by role) of the bare bands<2> backward."""
    spec = swr.ScanSpec(window="bands<2>", layout="bthd", sharing="per_head",
                        dtype_in="bf16", dtype_out="bf16", head_dim=D)
    a = torch.rand(B, T, H, device="cuda", generator=gen).bfloat16()
    x, dy = (torch.randn(B, T, H, D, device="cuda",
                         generator=gen).bfloat16() for _ in range(2))
    return spec, {"decay": a, "input": x, "grad_output": dy}


def kernel_of(spec, by_role: dict, cap: int | None = None,
              **options) -> tuple:
    _allocate_gradients(spec, by_role, torch.empty_like)
    compiled = swr.compile_ptx(spec, backward=True, **options)
    ptx = compiled.ptx if cap is None else re.sub(
        r"(\.maxntid [^\n]*\n)", rf"\1.maxnreg {cap}\n", compiled.ptx)
    kernel = CudaKernel(PtxKernel(ptx, compiled.launch))
    buffers = [_buffer(by_role[r], spec.dtype_of(r)) for r in kernel.params]
    return kernel, buffers


def moved_bytes(by_role: dict) -> int:
    return sum(t.numel() * t.element_size() for t in by_role.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--once", action="store_true")
    args = parser.parse_args()
    gen = torch.Generator(device="cuda").manual_seed(0)
    stream = torch.cuda.current_stream().cuda_stream
    fused_spec, fused_roles = fused_case(gen)
    bare_spec, bare_roles = bare_case(gen)
    variants = {f"fused chunk {chunk}": (fused_spec, fused_roles, None,
                                         {"grad_time_chunk": chunk})
                for chunk in (4, 8, 16, 32)}
    variants.update({f"fused maxnreg {cap}": (fused_spec, fused_roles, cap,
                                              {}) for cap in (200, 168)})
    variants["bare bands<2>"] = (bare_spec, bare_roles, None, {})
    fused_bytes = None
    for name, (spec, by_role, cap, options) in variants.items():
        kernel, buffers = kernel_of(spec, by_role, cap, **options)
        fused_bytes = fused_bytes or moved_bytes(by_role)
        if args.once:
            kernel.launch(buffers, stream)
            torch.cuda.synchronize()
            print(f"{name}: launched once", flush=True)
            continue
        ms = time_ms(lambda: kernel.launch(buffers, stream))
        gbps = moved_bytes(by_role) / ms / 1e6
        print(f"{name}: {ms:.3f} ms, {gbps:.0f} GB/s", flush=True)
    if not args.once:
        # A copy that reads and writes as many bytes in all.
        src = torch.empty(fused_bytes // 4, dtype=torch.bfloat16,
                          device="cuda")
        dst = torch.empty_like(src)
        ms = time_ms(lambda: dst.copy_(src))
        print(f"copy moving the fused bytes ({fused_bytes / 1e9:.2f} GB): "
              f"{ms:.3f} ms, {fused_bytes / ms / 1e6:.0f} GB/s", flush=True)


if __name__ == "__main__":
    main()
