#!/usr/bin/env python3
"""Runs every fused (swr.jit) kernel of the CUDA tests once at its test
shape, forward and, through the compiler-derived fused backward, backward,
for compute-sanitizer on the GPU machine:

    compute-sanitizer --tool memcheck python3 scripts/gpu-fused-sanitize.py
        [case names: all without]
"""

from __future__ import annotations

import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "python" / "tests"))

import torch  # noqa: E402

from cuda_cases import jit_cases, jit_operands  # noqa: E402

for name, (function, shapes, dtype) in jit_cases().items():
    if sys.argv[1:] and name not in sys.argv[1:]:
        continue
    args = jit_operands(shapes, dtype, "cuda")
    out = function(*args)
    torch.cuda.synchronize()
    print(f"{name}: ran, output {list(out.shape)} {out.dtype}")
    leaves = [a.clone().requires_grad_() for a in args]
    grads = torch.autograd.grad(function(*leaves), leaves,
                                torch.ones_like(out))
    torch.cuda.synchronize()
    print(f"{name}: backward ran, {len(grads)} gradients")
