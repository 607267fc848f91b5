"""Fused kernels across the matrix: every window kind, layout and decay
sharing, both directions, with and without h0, f32 and f16, lengths that
are and are not multiples of 16: an swr.jit function with a prologue
(sigmoid decay, tanh-gated input) and an epilogue reading two more operands
runs on the host backend against its own float64 composition, and its PTX
(every combination, f32 and bf16), with the PTX of its compiler-derived
backward for every window that has one, is assembled by ptxas for sm_90a.
(test_fused_grad.py checks those gradients' values.)"""

from __future__ import annotations

import functools
import itertools
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import swr  # noqa: E402

PTXAS = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas"
    if os.path.exists("/usr/local/cuda/bin/ptxas") else None)

WINDOWS = ["full", "bands<2>", "bands<5>", "exact<7>", "exact<40>"]
LAYOUTS = [("bhdl", "per_head"), ("bthd", "per_head"),
           ("bhdl", "per_channel"), ("bthd", "per_channel"),
           ("bct", "per_channel")]
SHAPES = {"bhdl": (2, 3, 5, None), "bthd": (2, None, 3, 5),
          "bct": (2, 7, None)}


@functools.lru_cache(maxsize=None)
def fused(window: str, layout: str, reverse: bool, with_h0: bool):
    def gated(za, zb, v, c, *h0):
        a = swr.sigmoid(za)
        x = swr.tanh(zb) * v
        y = swr.scan(a, x, window=window, reverse=reverse,
                     h0=h0[0] if h0 else None)
        return y * c + v * 0.5
    return swr.jit(gated, layout=layout)


def operands(layout: str, sharing: str, length: int, dtype, with_h0: bool,
             seed: int):
    rng = np.random.default_rng(seed)
    shape = tuple(length if d is None else d for d in SHAPES[layout])
    if sharing == "per_head":
        decay = (shape[:2] + shape[3:] if layout == "bhdl" else shape[:3])
    else:
        decay = shape
    arrays = [rng.normal(size=decay) + 2.0]  # decays mostly in (0.5, 1)
    arrays += [rng.normal(size=shape) for _ in range(3)]
    if with_h0:
        state = {"bhdl": shape[:3], "bthd": (shape[0],) + shape[2:],
                 "bct": shape[:2]}[layout]
        arrays.append(rng.normal(size=state))
    return [a.astype(dtype) for a in arrays]


CASES = list(itertools.product(WINDOWS, LAYOUTS, [False, True],
                               [False, True]))


@pytest.mark.parametrize("window,layout_sharing,reverse,with_h0", CASES)
def test_fused_host_matrix(window, layout_sharing, reverse, with_h0) -> None:
    layout, sharing = layout_sharing
    function = fused(window, layout, reverse, with_h0)
    for length, dtype in ((1, np.float32), (17, np.float16),
                          (100, np.float32)):
        args = operands(layout, sharing, length, dtype, with_h0,
                        seed=length)
        spec = function.spec(*args)
        assert spec.sharing == sharing and spec.fused
        out = np.full(args[1].shape, np.nan, dtype=dtype)
        function(*args, out=out)
        want = function.reference(*args)
        error = float(np.abs(out.astype(np.float64) - want).max()
                      / np.abs(want).max())
        floor = 2.0 ** -24 if dtype == np.float32 else 2.0 ** -11
        assert not np.isnan(out).any(), "unwritten outputs"
        assert error < 4 * floor + 2e-6, (window, layout, sharing, reverse,
                                           with_h0, length, error)


@pytest.mark.skipif(PTXAS is None, reason="ptxas not installed")
def test_fused_ptx_matrix(tmp_path) -> None:
    torch = pytest.importorskip("torch")
    for (window, (layout, sharing), reverse, with_h0), dtype in \
            itertools.product(CASES, [torch.float32, torch.bfloat16]):
        function = fused(window, layout, reverse, with_h0)
        meta = [torch.empty(a.shape, dtype=dtype, device="meta") for a in
                operands(layout, sharing, 3, np.float32, with_h0, 0)]
        kernels = [function.ir(*meta, stage="ptx"),
                   swr.compile_ptx(function.spec(*meta).training(),
                                   backward=True).ptx]
        for direction, ptx in zip(("forward", "backward"), kernels):
            assert "__nv_" not in ptx
            path = tmp_path / "k.ptx"
            path.write_text(ptx)
            result = subprocess.run([PTXAS, "-arch=sm_90a", str(path), "-o",
                                     str(tmp_path / "k.cubin")],
                                    capture_output=True, text=True)
            assert result.returncode == 0, (direction, window, layout,
                                            sharing, reverse, with_h0, dtype,
                                            result.stderr)
