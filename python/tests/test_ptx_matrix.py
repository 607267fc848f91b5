"""Every window mode x layout x decay sharing x direction x h0 x dtype
compiles to PTX (swr-compile, NVPTX in-process) that ptxas accepts for
sm_90a, with a launch description the runtime can read."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess

import pytest

from spec_builder import ScanCase

PTXAS = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas"
    if os.path.exists("/usr/local/cuda/bin/ptxas") else None)

CASES = [
    ScanCase(window=w, layout=layout, sharing=sharing, reverse=rev, init=h0,
             final=h0, dtype_in=dt, dtype_out=dt)
    for w, (layout, sharing), rev, h0, dt in itertools.product(
        ["full", "bands<2>", "bands<5>", "exact<40>", "exact<7>"],
        [("bhdl", "per_head"), ("bhdl", "per_channel"), ("bthd", "per_head"),
         ("bthd", "per_channel"), ("bct", "per_channel")],
        [False, True], [False, True], ["f32", "bf16", "f16"])
] + [ScanCase(window="bands<2>", packed=True, init=True, final=True)]


def compile_and_assemble(bin_dir, tmp_path, case: ScanCase,
                         *flags: str) -> dict:
    """swr-compile's PTX for `case` (with `flags`), assembled by ptxas for
    sm_90a; returns the launch description."""
    spec = tmp_path / f"{case.name()}.mlir"
    spec.write_text(case.mlir())
    ptx = tmp_path / f"{case.name()}.ptx"
    launch = tmp_path / f"{case.name()}.json"
    subprocess.run([str(bin_dir / "swr-compile"), str(spec), *flags, "-o",
                    str(ptx), "--launch", str(launch)],
                   check=True, capture_output=True, text=True)
    result = subprocess.run([PTXAS, "-arch=sm_90a", str(ptx), "-o",
                             str(tmp_path / "k.cubin")],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"{case.name()}: {result.stderr}"
    return json.loads(launch.read_text())


@pytest.mark.parametrize("strategy", ["fma", "matrix", "mma", "wmma"])
def test_ptx_matrix(bin_dir, tmp_path, strategy: str) -> None:
    if PTXAS is None:
        pytest.skip("ptxas not installed")
    for case in CASES:
        description = compile_and_assemble(bin_dir, tmp_path, case,
                                           "--strategy", strategy)
        assert description["format"] == "swr-launch-v1"
        assert description["strategy"] == strategy
        assert [p["name"] for p in description["params"]][:2] == [
            "decay", "input"]
        if strategy in ("mma", "wmma"):
            # Tensor cores where the warps hold one head's channels (full
            # windows, per-head decays, token-major), fma elsewhere.
            instruction = {"mma": "mma.sync.aligned.m16n8k16",
                           "wmma": "wmma.mma.sync.aligned.row.row.m16n16k16"
                           }[strategy]
            uses_mma = instruction in (
                tmp_path / f"{case.name()}.ptx").read_text()
            assert uses_mma == (case.window == "full"
                                and case.layout == "bthd"
                                and case.sharing == "per_head"), case.name()


GRAD_CASES = [
    ScanCase(window=w, layout=layout, sharing=sharing, reverse=rev, init=h0,
             final=h0, dtype_in=dt, dtype_out=dt)
    for w, (layout, sharing), rev, h0, dt in itertools.product(
        ["full", "bands<1>", "bands<2>", "bands<5>", "exact<7>", "exact<40>"],
        [("bhdl", "per_head"), ("bhdl", "per_channel"), ("bthd", "per_head"),
         ("bthd", "per_channel"), ("bct", "per_channel")],
        [False, True], [False, True], ["f32", "bf16"])
] + [ScanCase(window="bands<2>", packed=True, init=True, final=True)] + [
    # A static D: the per-head decay gradient is summed over lanes.
    ScanCase(window=w, layout=layout, sharing="per_head", reverse=rev,
             init=True, final=True, dtype_in=dt, dtype_out=dt, head_dim=d)
    for w, layout, rev, dt, d in itertools.product(
        ["full", "bands<2>"], ["bhdl", "bthd"], [False, True],
        ["f32", "bf16"], [16, 2])
]


def test_ptx_grad_matrix(bin_dir, tmp_path) -> None:
    """The derived backward of every window that has one (swr-compile
    --grad) compiles to PTX that ptxas accepts."""
    if PTXAS is None:
        pytest.skip("ptxas not installed")
    for case in GRAD_CASES:
        description = compile_and_assemble(bin_dir, tmp_path, case, "--grad")
        assert description["scan"]["gradient"] is True
        names = [p["name"] for p in description["params"]]
        assert {"grad_output", "grad_input", "grad_decay"} <= set(names)


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
@pytest.mark.parametrize("head_dim", [16, 48, 64, 128])
def test_ptx_grad_heads_on_lanes(bin_dir, tmp_path, dtype: str,
                                 head_dim: int) -> None:
    """The backward of a per-head full window over bthd with a static D
    runs in mirrored time with a head on adjacent lanes of one warp (D / 32
    or more channels per lane): its decay gradient is summed by shuffles,
    and its CTAs are 8 warps. D = 48 (24 lanes, not a power of 2) keeps one
    thread walking the head."""
    if PTXAS is None:
        pytest.skip("ptxas not installed")
    case = ScanCase(window="full", layout="bthd", sharing="per_head",
                    init=True, final=True, dtype_in=dtype, dtype_out=dtype,
                    head_dim=head_dim, heads=4)
    description = compile_and_assemble(bin_dir, tmp_path, case, "--grad")
    ptx = (tmp_path / f"{case.name()}.ptx").read_text()
    on_lanes = head_dim != 48
    assert ("shfl.sync.bfly" in ptx) == on_lanes, case.name()
    assert (description["block"][0] == 256) == on_lanes, description
