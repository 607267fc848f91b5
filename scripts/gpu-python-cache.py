#!/usr/bin/env python3
"""Compiles the kernels of the CUDA tests of swr.torch into gpu-cache/
(git-ignored), for the GPU machine, which has only libswr-runtime and reads
them from there (SWR_CACHE_DIR).

    /usr/bin/python3 scripts/gpu-python-cache.py   # then carry gpu-cache
"""

from __future__ import annotations

import os
import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[1]
os.environ["SWR_CACHE_DIR"] = str(root / "gpu-cache")
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "python" / "tests"))

import swr.torch as st  # noqa: E402
from cuda_cases import CASES, jit_cases, jit_operands, operands  # noqa: E402

exclude = root / ".git" / "info" / "exclude"
if "/gpu-cache/" not in exclude.read_text().split():
    with exclude.open("a") as file:
        file.write("/gpu-cache/\n")
for name in CASES:
    a, x, h0, kwargs = operands(name, "meta")
    spec = st.precompile(a, x, h0=h0, **kwargs)
    print(f"{name}: {spec.window} {spec.layout} {spec.sharing} "
          f"{spec.dtype_in}->{spec.dtype_out}")
for name, (function, shapes, dtype) in jit_cases().items():
    spec = function.precompile(*jit_operands(shapes, dtype, "meta"))
    print(f"{name}: fused {spec.window} {spec.layout} {spec.sharing} "
          f"{spec.dtype_in}->{spec.dtype_out}")
import subprocess  # noqa: E402
subprocess.run([sys.executable, str(root / "bench" / "phalanx_mix.py"),
                "--precompile"], check=True)
print("gpu-cache:", len(list((root / "gpu-cache").rglob("*.json"))),
      "kernels")
