"""The compiler-derived backward (swr-run --grad) of every window with a
backward x direction x h0/final x decay sharing x layout x dtype, run on the
CPU and checked against a float64 reverse-mode reference: dx, da (summed
over the channels sharing a decay) and dh0, each within the bounds of the
forward (bf16/f16 within 1.5 x the rounding floor of exact float64; f32
within 1e-5 of float64 on the values the kernel saw).
"""

from __future__ import annotations

import itertools

import pytest

from spec_builder import ScanCase
from test_host_matrix import LAYOUT_SHARING, assert_within_bounds, run_case

GRAD_WINDOWS = ["full", "bands<1>", "bands<2>", "bands<5>", "bands<3, 8>",
                "exact<1>", "exact<7>", "exact<40>"]

GRAD_MATRIX = [
    ScanCase(window=w, layout=layout, sharing=sharing, reverse=rev,
             init=h0, final=h0, dtype_in=dt, dtype_out=dt)
    for w, (layout, sharing), rev, h0, dt in itertools.product(
        GRAD_WINDOWS, LAYOUT_SHARING, [False, True], [False, True],
        ["f32", "bf16", "f16"])
]


def assert_gradients_checked(records: list[dict], case: ScanCase) -> None:
    assert_within_bounds(records, case.dtype_out)
    # Every record names the gradient closest to its bound.
    assert {r["quantity"] for r in records} <= {"dx", "da", "dh0", "fd"}, \
        records


@pytest.mark.parametrize("case", GRAD_MATRIX, ids=lambda c: c.name())
def test_grad_matrix(bin_dir, tmp_path, case: ScanCase) -> None:
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       case.shape(1, batch=2, heads=2, channels=16),
                       "--lengths", "1,15,16,17,1000",
                       "--decays", "near1,spread,near0")
    assert_gradients_checked(records, case)


@pytest.mark.parametrize("window", GRAD_WINDOWS)
@pytest.mark.parametrize("layout,sharing", LAYOUT_SHARING)
def test_grad_packed_sequences(bin_dir, tmp_path, window, layout,
                               sharing) -> None:
    """Packed lengths 1, 17, 0 and 300 with 40 channels per head: gradients
    never cross a sequence start, and a per-head decay gradient sums three
    channel blocks (16 + 16 + 8)."""
    case = ScanCase(window=window, layout=layout, sharing=sharing,
                    init=True, final=True, packed=True)
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       case.shape(1, batch=1, heads=2, channels=40),
                       "--seq-lens", "1,17,0,300", "--decays", "near1,spread")
    assert_gradients_checked(records, case)


@pytest.mark.parametrize("window", GRAD_WINDOWS)
@pytest.mark.parametrize("reverse", [False, True])
def test_grad_fma_strategy(bin_dir, tmp_path, window, reverse) -> None:
    """The GPU's strategy: the adjoint local solve as the reverse
    recurrence."""
    case = ScanCase(window=window, reverse=reverse, init=True, final=True,
                    dtype_in="bf16", dtype_out="bf16")
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       case.shape(1, batch=2, heads=2, channels=16),
                       "--lengths", "1,17,1000", "--decays", "near1,spread",
                       "--strategy", "fma")
    assert_gradients_checked(records, case)


def test_grad_mixed_precision(bin_dir, tmp_path) -> None:
    """bf16 forward operands with an f32 output and a bf16 h0: each gradient
    takes its primal's type (dx, da bf16 from an f32 dy; dh0 bf16)."""
    case = ScanCase(window="bands<2>", dtype_in="bf16", dtype_out="f32",
                    init=True, dtype_state="bf16")
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       case.shape(1), "--lengths", "17,1000")
    assert_within_bounds(records, "bf16")


def test_grad_many_heads(bin_dir, tmp_path) -> None:
    """Batch x head counts past 65,535."""
    case = ScanCase(window="bands<2>", layout="bct", sharing="per_channel")
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       "1x70000x17")
    assert_within_bounds(records, "f32")


@pytest.mark.parametrize("window", ["bands<1>", "bands<2>", "bands<5>",
                                    "bands<3, 8>"])
@pytest.mark.parametrize("layout,sharing", LAYOUT_SHARING)
@pytest.mark.parametrize("chunk", [1, 3])
def test_grad_time_chunks(bin_dir, tmp_path, window, layout, sharing,
                          chunk) -> None:
    """The backward of bands<k> split into independent time chunks (what GPU
    threads run): each chunk first walks the k-1 tiles after it to warm up
    the adjoint carriers; only the chunk holding tile 0 writes dh0."""
    case = ScanCase(window=window, layout=layout, sharing=sharing,
                    init=True, final=True, dtype_in="bf16", dtype_out="bf16")
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       case.shape(1, batch=2, heads=2, channels=16),
                       "--lengths", "1,17,100,1000", "--decays",
                       "near1,spread", "--strategy", "fma", "--time-chunk",
                       str(chunk))
    assert_gradients_checked(records, case)


@pytest.mark.parametrize("layout", ["bthd", "bhdl"])
@pytest.mark.parametrize("dtype", ["f32", "bf16", "f16"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("head_dim", [16, 40])
def test_grad_static_heads(bin_dir, tmp_path, layout, dtype, reverse,
                           head_dim) -> None:
    """The backward of a per-head full window with a static D runs as a
    scan in mirrored time, one thread per head on the CPU (on GPUs a head's
    channels spread over lanes): da sums dh[t] y[t-1] over the head; the
    final state's gradient enters as the mirrored scan's initial state."""
    case = ScanCase(window="full", layout=layout, sharing="per_head",
                    reverse=reverse, init=True, final=True, dtype_in=dtype,
                    dtype_out=dtype, head_dim=head_dim)
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       case.shape(1, batch=2, heads=3, channels=head_dim),
                       "--lengths", "1,15,16,17,1000",
                       "--decays", "near1,spread,near0")
    assert_gradients_checked(records, case)


@pytest.mark.parametrize("layout", ["bthd", "bhdl"])
def test_grad_static_heads_packed(bin_dir, tmp_path, layout) -> None:
    """The same with packed sequences (lengths 1, 17, 0, 300): the mirrored
    scan of each starts from its own end and never crosses a start."""
    case = ScanCase(window="full", layout=layout, sharing="per_head",
                    init=True, final=True, packed=True, head_dim=40)
    records = run_case(bin_dir, tmp_path, case, "--grad", "--shape",
                       case.shape(1, batch=1, heads=2, channels=40),
                       "--seq-lens", "1,17,0,300", "--decays", "near1,spread")
    assert_gradients_checked(records, case)
