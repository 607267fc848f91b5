#!/usr/bin/env python3
"""Launches one variant of bench/fused_variants.py a few times at the
Phalanx shape, for a profiler on the GPU machine:

    ncu -k regex:gates --launch-skip 2 --launch-count 1 \\
        python3 bench/profile_one.py "bthd sigmoid gates, 2 tiles/thread"
"""

from __future__ import annotations

import pathlib
import sys

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "bench"))

import torch  # noqa: E402

from fused_variants import DTYPE, variants  # noqa: E402

function, shapes = variants()[sys.argv[1]]
ops = [torch.randn(s, device="cuda").to(DTYPE) for s in shapes]
out = torch.empty_like(ops[1])
with torch.no_grad():
    for _ in range(4):
        function(*ops, out=out)
torch.cuda.synchronize()
print("ran", sys.argv[1])
