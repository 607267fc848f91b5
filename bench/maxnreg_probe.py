#!/usr/bin/env python3
"""Probe: does capping registers help the fused Phalanx backward? Times the
compiler-derived fused backward of the Phalanx mixing (B8 T8192 H128 D16
bf16, bthd) as compiled, and with a `.maxnreg` directive added to its PTX
(what an `nvvm.maxnreg` kernel attribute would emit), for a few caps. An
experiment to decide on a compiler option, not a product path.

    python3 bench/maxnreg_probe.py
"""

from __future__ import annotations

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
from swr.dsl import _buffer, _primal_roles  # noqa: E402


def main() -> None:
    b, t, h, d = 8, 8192, 128, 16
    gen = torch.Generator(device="cuda").manual_seed(0)
    za = torch.randn(b, t, h, device="cuda", generator=gen).bfloat16()
    zb, v, c, state, dout = (torch.randn(b, t, h, d, device="cuda",
                                         generator=gen).bfloat16()
                             for _ in range(5))
    function = st.mixing(2)
    binding = function.bind(za, zb, v, c)
    spec = binding.spec.training()
    by_role = _primal_roles(binding, (za, zb, v, c))
    by_role.update(state=state, grad_output=dout)
    for role in spec.backward_roles():
        if role.startswith("grad_") and role != "grad_output":
            by_role[role] = torch.empty_like(
                by_role[role.removeprefix("grad_")])
    compiled = swr.compile_ptx(spec, backward=True)
    stream = torch.cuda.current_stream().cuda_stream
    for cap in (None, 200, 168, 128):
        ptx = compiled.ptx if cap is None else re.sub(
            r"(\.maxntid [^\n]*\n)", rf"\1.maxnreg {cap}\n", compiled.ptx)
        kernel = CudaKernel(PtxKernel(ptx, compiled.launch))
        buffers = [_buffer(by_role[r], spec.dtype_of(r))
                   for r in kernel.params]
        ms = time_ms(lambda: kernel.launch(buffers, stream))
        print(f"maxnreg {cap or 'none'}: {ms:.3f} ms", flush=True)


if __name__ == "__main__":
    main()
