"""Every window mode x direction x h0 x decay sharing x layout x dtype, run
on the CPU through the B2P decomposition and checked against float64.

Bounds (checked by swr-run itself and again here): bf16/f16 outputs within
1.5 x the rounding floor of exact float64; f32 outputs within 1e-5 of float64
on the inputs the kernel saw.
"""

from __future__ import annotations

import itertools
import json
import pathlib
import subprocess

import pytest

from spec_builder import ScanCase

LENGTHS = "1,15,16,17,1000,8193"
WINDOWS = ["full", "bands<2>", "bands<5>", "exact<40>"]
LAYOUT_SHARING = [
    ("bhdl", "per_head"),
    ("bhdl", "per_channel"),
    ("bthd", "per_head"),
    ("bthd", "per_channel"),
    ("bct", "per_channel"),
]
DTYPES = ["f32", "bf16", "f16"]


def run_case(bin_dir: pathlib.Path, tmp_path: pathlib.Path, case: ScanCase,
             *args: str) -> list[dict]:
    spec = tmp_path / f"{case.name()}.mlir"
    spec.write_text(case.mlir())
    result = subprocess.run(
        [str(bin_dir / "swr-run"), str(spec), "--json", *args],
        capture_output=True, text=True, timeout=600)
    assert result.returncode in (0, 1), result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("swr-run: ok"), "\n".join(lines)
    assert result.returncode == 0
    return [json.loads(line) for line in lines[:-1]]


def assert_within_bounds(records: list[dict], dtype_out: str) -> None:
    assert records, "swr-run ran nothing"
    for record in records:
        assert record["unwritten"] == 0, record
        if dtype_out == "f32":
            assert record["rel_err_seen_inputs"] <= 1e-5, record
        else:
            assert record["rel_err"] <= 1.5 * record["floor"], record


MATRIX = [
    ScanCase(window=w, layout=layout, sharing=sharing, reverse=rev,
             init=h0, final=h0, dtype_in=dt, dtype_out=dt)
    for w, (layout, sharing), rev, h0, dt in itertools.product(
        WINDOWS, LAYOUT_SHARING, [False, True], [False, True], DTYPES)
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.name())
def test_matrix(bin_dir, tmp_path, case: ScanCase) -> None:
    records = run_case(bin_dir, tmp_path, case, "--shape",
                       case.shape(1, batch=2, heads=2, channels=16),
                       "--lengths", LENGTHS, "--decays", "near1,spread")
    assert_within_bounds(records, case.dtype_out)


@pytest.mark.parametrize("window", WINDOWS + ["bands<1>", "exact<1>",
                                               "exact<7>", "bands<3, 8>"])
@pytest.mark.parametrize("layout,sharing", LAYOUT_SHARING)
def test_packed_sequences(bin_dir, tmp_path, window, layout, sharing) -> None:
    """Lengths 1, 17 and 300 packed into one batch: every sequence restarts
    the recurrence and no window reaches across a sequence start."""
    case = ScanCase(window=window, layout=layout, sharing=sharing,
                    init=True, final=True, packed=True)
    records = run_case(bin_dir, tmp_path, case, "--shape",
                       case.shape(1, batch=1, heads=2, channels=16),
                       "--seq-lens", "1,17,300", "--decays", "near1,spread")
    assert_within_bounds(records, "f32")


@pytest.mark.parametrize("window", ["bands<1>", "bands<3, 8>", "exact<1>",
                                    "exact<7>", "exact<16>", "exact<33>"])
@pytest.mark.parametrize("reverse", [False, True])
def test_more_windows(bin_dir, tmp_path, window, reverse) -> None:
    case = ScanCase(window=window, reverse=reverse, init=True, final=True,
                    dtype_in="bf16", dtype_out="bf16")
    records = run_case(bin_dir, tmp_path, case, "--shape",
                       case.shape(1, batch=1, heads=2, channels=16),
                       "--lengths", "1,7,8,9,33,300",
                       "--decays", "near1,spread,near0")
    assert_within_bounds(records, "bf16")


def test_mixed_precision(bin_dir, tmp_path) -> None:
    """bf16 in (and bf16 h0), f32 out: f32 accumulation must show through."""
    case = ScanCase(window="bands<2>", dtype_in="bf16", dtype_out="f32",
                    init=True, dtype_state="bf16")
    records = run_case(bin_dir, tmp_path, case, "--shape",
                       case.shape(1), "--lengths", "17,1000")
    for record in records:
        assert record["rel_err_seen_inputs"] <= 1e-5, record


@pytest.mark.parametrize("layout,shape", [("bct", "1x70000x17"),
                                          ("bhdl", "1x70000x1x17")])
def test_many_heads(bin_dir, tmp_path, layout, shape) -> None:
    """Batch x head counts past 65,535 (a CUDA grid's y/z limit)."""
    case = ScanCase(window="bands<2>", layout=layout, sharing="per_channel")
    records = run_case(bin_dir, tmp_path, case, "--shape", shape)
    assert_within_bounds(records, "f32")


def test_log_space_transfer_operators(bin_dir, tmp_path) -> None:
    case = ScanCase(window="full", init=True)
    records = run_case(bin_dir, tmp_path, case, "--shape", case.shape(1000),
                       "--method", "log_space", "--decays", "near1,spread")
    assert_within_bounds(records, "f32")


@pytest.mark.parametrize("window", WINDOWS + ["bands<1>", "exact<7>"])
@pytest.mark.parametrize("layout,sharing", LAYOUT_SHARING)
@pytest.mark.parametrize("reverse", [False, True])
def test_fma_strategy(bin_dir, tmp_path, window, layout, sharing,
                      reverse) -> None:
    """The strategy the GPU kernels use: local solves as the recurrence."""
    case = ScanCase(window=window, layout=layout, sharing=sharing,
                    reverse=reverse, init=True, final=True,
                    dtype_in="bf16", dtype_out="bf16")
    records = run_case(bin_dir, tmp_path, case, "--shape",
                       case.shape(1, batch=2, heads=2, channels=16),
                       "--lengths", "1,17,1000", "--decays", "near1,spread",
                       "--strategy", "fma")
    assert_within_bounds(records, "bf16")


@pytest.mark.parametrize("window", ["bands<1>", "bands<2>", "bands<5>",
                                    "bands<3, 8>"])
@pytest.mark.parametrize("layout,sharing", LAYOUT_SHARING)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("chunk", [1, 3])
def test_time_chunks(bin_dir, tmp_path, window, layout, sharing, reverse,
                     chunk) -> None:
    """bands<k> split into independent time chunks (what GPU threads run):
    each chunk re-solves the k-1 tiles before it; h0 reaches only chunks
    whose warm-up starts at tile 0."""
    case = ScanCase(window=window, layout=layout, sharing=sharing,
                    reverse=reverse, init=True, dtype_in="bf16",
                    dtype_out="bf16")
    records = run_case(bin_dir, tmp_path, case, "--shape",
                       case.shape(1, batch=2, heads=2, channels=16),
                       "--lengths", "1,17,100,1000", "--decays",
                       "near1,spread", "--strategy", "fma", "--time-chunk",
                       str(chunk))
    assert_within_bounds(records, "bf16")
