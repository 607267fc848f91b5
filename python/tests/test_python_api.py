"""The Python package over libswr: specs, compiling to PTX, host kernels on
numpy arrays against the numpy float64 reference, and clear errors."""

from __future__ import annotations

import pathlib
import re
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import swr  # noqa: E402
from swr import reference  # noqa: E402


def test_build_id() -> None:
    assert swr.build_id().startswith("swr ")


def test_compile_ptx_returns_ptx_and_launch_description() -> None:
    kernel = swr.compile_ptx(swr.ScanSpec(window="bands<2>", dtype_in="bf16",
                                          dtype_out="bf16"))
    assert ".target sm_90a" in kernel.ptx
    assert kernel.launch["format"] == "swr-launch-v1"
    assert kernel.launch["scan"]["window"] == "bands"
    assert [p["name"] for p in kernel.launch["params"]] == [
        "decay", "input", "output"]


def test_compile_errors_carry_diagnostics() -> None:
    # A per-head decay of rank 2: the verifier names the operand and the
    # location.
    bad = swr.ScanSpec().mlir().replace("memref<?x?x?xf32>",
                                        "memref<?x?xf32>")
    with pytest.raises(swr.CompileError,
                       match=r"spec.:2:3.*decay: expected rank 3") as error:
        swr.compile_ptx(bad)
    # ... and a one-line command that reproduces it.
    command = str(error.value).splitlines()[-1]
    assert command.startswith("reproduce: swr-opt ")
    assert command.endswith(" --swr-gpu-pipeline")
    saved = command.split()[2]
    assert pathlib.Path(saved).read_text() == bad


@pytest.mark.parametrize("window", ["full", "bands<2>", "exact<20>"])
@pytest.mark.parametrize("strategy", ["matrix", "fma"])
def test_host_kernel_matches_reference(window: str, strategy: str) -> None:
    rng = np.random.default_rng(0)
    spec = swr.ScanSpec(window=window, sharing="per_channel", init=True)
    kernel = swr.HostKernel(spec, strategy=strategy)
    shape = (2, 3, 4, 53)
    a = rng.uniform(0.8, 1.0, shape).astype(np.float32)
    x = rng.standard_normal(shape).astype(np.float32)
    h0 = rng.standard_normal(shape[:-1]).astype(np.float32)
    y = np.full(shape, np.nan, dtype=np.float32)
    kernel(a, x, y, h0)
    want = reference.scan(a, x, window=window, h0=h0)
    err = np.linalg.norm(y - want) / np.linalg.norm(want)
    assert err < 1e-5, err


def test_host_kernel_argument_errors() -> None:
    kernel = swr.HostKernel(swr.ScanSpec(sharing="per_channel"))
    a = np.ones((1, 1, 1, 4), np.float32)
    with pytest.raises(swr.ArgumentError, match="expected 3"):
        kernel(a, a)
    with pytest.raises(swr.ArgumentError,
                       match="input: expected dtype f32, got float64"):
        kernel(a, a.astype(np.float64), a.copy())
    strided = np.ones((1, 1, 4, 2), np.float32)[..., 0]
    with pytest.raises(swr.ArgumentError,
                       match="input: expected a row-major contiguous"):
        kernel(np.ones((1, 1, 4), np.float32)[None], strided[None],
               np.ones((1, 1, 1, 4), np.float32))


def test_spec_errors_name_the_argument() -> None:
    with pytest.raises(swr.ArgumentError, match="layout: expected one of"):
        swr.ScanSpec(layout="btc")
    with pytest.raises(swr.ArgumentError, match="no head axis"):
        swr.ScanSpec(layout="bct", sharing="per_head")
    # bf16 host kernels run on torch tensors; numpy arrays cannot be bf16.
    kernel = swr.HostKernel(swr.ScanSpec(dtype_in="bf16"))
    a = np.ones((1, 1, 1, 4), np.float32)
    with pytest.raises(swr.ArgumentError,
                       match="decay: numpy has no bfloat16"):
        kernel(a[0], a, a)


def test_launch_descriptors_pack_like_the_c_struct() -> None:
    """CudaKernel.launch packs swr_memref descriptors in one pass (no GPU
    needed to check the layout) and reuses them for repeated operands."""
    from swr import cuda
    buffers = (swr.Buffer(0x7000, (8, 8192, 128, 16), (2 ** 24, 2048, 16, 1),
                          "bf16"),
               swr.Buffer(0x9000, (5,), (1,), "i32"))
    packed = cuda._descriptors(buffers)
    assert [m.data for m in packed] == [0x7000, 0x9000]
    assert [m.rank for m in packed] == [4, 1]
    assert list(packed[0].sizes)[:4] == [8, 8192, 128, 16]
    assert list(packed[0].strides)[:4] == [2 ** 24, 2048, 16, 1]
    assert list(packed[1].sizes) == [5] + [0] * 7
    assert packed[0].offset == 0
    assert cuda._descriptors(buffers) is packed


def test_full_window_options_reach_the_compiler() -> None:
    """time_warps, full_block, grid_carries and time_ctas shape a full
    window's GPU kernel (warps per CTA in the launch's block, the tile in
    the PTX, the grid carries' workspace and the cluster in the launch
    description), are part of the cache key, and are checked by name."""
    spec = swr.ScanSpec(window="full", layout="bthd", sharing="per_channel",
                        dtype_in="bf16", dtype_out="bf16")
    default = swr.compile_ptx(spec)
    assert default.launch["block"] == [128, 1, 1]
    assert "workspace" not in default.launch
    eight = swr.compile_ptx(spec, time_warps=8, full_block=16)
    assert eight.launch["block"] == [256, 1, 1]
    assert eight.ptx != default.ptx
    grid = swr.compile_ptx(spec, grid_carries=True)
    assert grid.launch["workspace"]["words_per_item"] > 0
    assert "ld.acquire.gpu" in grid.ptx
    cluster = swr.compile_ptx(spec, time_ctas=2)
    assert cluster.launch["cluster"] == [2, 1, 1]
    assert cluster.launch["block"] == [128, 1, 1]
    assert cluster.launch["grid"]["blocks_per_item"] == 2
    assert "mapa.shared::cluster" in cluster.ptx
    assert ".reqnctapercluster 2, 1, 1" in cluster.ptx
    for name, bad in (("time_warps", 33), ("time_warps", -1),
                      ("full_block", -4), ("full_block", 1000),
                      ("full_block", "32"), ("time_ctas", 17),
                      ("time_ctas", -1)):
        with pytest.raises(swr.ArgumentError,
                           match=f"{name}: expected 0 .* got {bad!r}"):
            swr.compile_ptx(spec, **{name: bad})
    with pytest.raises(swr.ArgumentError,
                       match="grid_carries: expected a bool, got 1"):
        swr.compile_ptx(spec, grid_carries=1)
    with pytest.raises(swr.ArgumentError,
                       match="time_ctas: expected 0 or 1 with grid_carries"):
        swr.compile_ptx(spec, grid_carries=True, time_ctas=2)


def test_mma_strategy_runs_on_tensor_cores() -> None:
    """strategy="mma" (and "wmma"): a per-head full window over [B, T, H, D] solves its
    tiles with mma.sync (the launch says so and the kernel differs from
    fma's); per-channel decays keep the recurrence; a bad name is an
    ArgumentError naming the argument."""
    heads = swr.ScanSpec(window="full", layout="bthd", sharing="per_head",
                         dtype_in="bf16", dtype_out="bf16")
    mma = swr.compile_ptx(heads, strategy="mma")
    assert mma.launch["strategy"] == "mma"
    assert "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32" in mma.ptx
    assert "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16" in mma.ptx
    assert "mma.sync" not in swr.compile_ptx(heads).ptx
    wmma = swr.compile_ptx(heads, strategy="wmma")
    assert wmma.launch["strategy"] == "wmma"
    assert "wmma.mma.sync.aligned.row.row.m16n16k16.f32.bf16.bf16.f32" \
        in wmma.ptx
    channels = swr.ScanSpec(window="full", layout="bthd",
                            sharing="per_channel", dtype_in="bf16",
                            dtype_out="bf16")
    assert "mma.sync" not in swr.compile_ptx(channels, strategy="mma").ptx
    with pytest.raises(swr.ArgumentError,
                       match="strategy: expected one of .*'mma'.*, got "
                             "'wmma2'"):
        swr.compile_ptx(heads, strategy="wmma2")


def test_c_api_checks_counts() -> None:
    """swr_compile_ptx itself rejects negative counts, naming the field
    (callers of the C API get no Python checks)."""
    from swr import compiler
    spec = swr.ScanSpec(window="full", layout="bthd", sharing="per_channel",
                        dtype_in="bf16", dtype_out="bf16")
    for name in ("full_block", "time_ctas"):
        with pytest.raises(swr.CompileError,
                           match=f"{name}: expected 0 \\(the compiler's "
                                 "choice\\) or a number of .* > 0, got -3"):
            compiler._compile_ptx_text(spec.mlir(), None, "sm_90a", "fma",
                                       2, 16, 0, 0, **{name: -3})


@pytest.mark.parametrize("window", ["full", "bands<2>"])
def test_static_heads_specialise_token_rows(window: str) -> None:
    """ScanSpec(heads=H, head_dim=D) over [B,T,H,D]: static H and D in every
    operand's type, the launch description says so, the GPU kernel's
    per-step loads are immediate offsets of one base, and the host kernel
    matches float64 (and refuses other sizes)."""
    spec = swr.ScanSpec(window=window, layout="bthd", sharing="per_channel",
                        head_dim=4, heads=3, init=True,
                        final=window == "full")
    text = spec.mlir()
    assert "%x: memref<?x?x3x4xf32>" in text
    assert "%h0: memref<?x3x4xf32>" in text
    assert spec.static_sizes("decay") == [None, None, 3, 4]
    assert spec.static_sizes("init") == [None, 3, 4]
    kernel = swr.compile_ptx(spec)
    assert kernel.launch["params"][1]["sizes"] == [None, None, 3, 4]
    # Steps 3·4 f32 = 48 bytes apart: loads at [base+48], [base+96], ...
    assert re.search(r"ld\.global\.b32\s+%r\d+, \[%rd\d+\+48\]", kernel.ptx)

    rng = np.random.default_rng(1)
    shape = (2, 53, 3, 4)
    a = rng.uniform(0.8, 1.0, shape).astype(np.float32)
    x = rng.standard_normal(shape).astype(np.float32)
    h0 = rng.standard_normal((2, 3, 4)).astype(np.float32)
    y = np.full(shape, np.nan, dtype=np.float32)
    arrays = [a, x, y, h0]
    if spec.final:
        arrays.append(np.full((2, 3, 4), np.nan, dtype=np.float32))
    host = swr.HostKernel(spec)
    host(*arrays)
    time_last = (0, 2, 3, 1)
    want = reference.scan(a.transpose(time_last), x.transpose(time_last),
                          window=window, h0=h0).transpose(0, 3, 1, 2)
    assert np.linalg.norm(y - want) / np.linalg.norm(want) < 1e-5
    if spec.final:
        np.testing.assert_allclose(arrays[4], want[:, -1], rtol=1e-5,
                                   atol=1e-6)

    other = np.ones((2, 53, 5, 4), np.float32)
    with pytest.raises(swr.ArgumentError,
                       match=r"decay: dimension 2 is 5, but the kernel was "
                             r"compiled for 3 \(shape \[2, 53, 5, 4\]\)"):
        host(other, other, other.copy(), *arrays[3:])


def test_static_heads_errors_name_the_argument() -> None:
    with pytest.raises(swr.ArgumentError,
                       match="heads: a static head count is for layout "
                             "'bthd'; expected None, got 4"):
        swr.ScanSpec(layout="bhdl", head_dim=16, heads=4)
    with pytest.raises(swr.ArgumentError,
                       match="heads: a static head count needs a static "
                             "head_dim"):
        swr.ScanSpec(layout="bthd", heads=4)
    with pytest.raises(swr.ArgumentError,
                       match="heads: expected a positive int or None, got 0"):
        swr.ScanSpec(layout="bthd", head_dim=16, heads=0)


def _host_memrefs(arrays: list[np.ndarray], offsets: list[int]):
    """swr_memref structs over `arrays`, each seen from `offset` elements
    on (the C API's view, without the Python checks)."""
    from swr import _capi
    memrefs = (_capi.Memref * len(arrays))()
    for memref, array, offset in zip(memrefs, arrays, offsets):
        shape = array.shape
        memref.data = array.ctypes.data
        memref.offset = offset
        memref.rank = len(shape) - (1 if offset else 0)
        view = shape[1:] if offset else shape
        for d, size in enumerate(view):
            memref.sizes[d] = size
            memref.strides[d] = int(np.prod(view[d + 1:], dtype=np.int64))
    return memrefs


def test_c_api_host_invoke_checks_arguments_and_reads_offsets() -> None:
    """swr_host_invoke checks its arguments as a GPU launch does (callers of
    the C API get no Python checks: it used to run on any sizes and strides,
    and read a memref's offset as 0) and honours each memref's offset."""
    from swr import _capi
    spec = swr.ScanSpec(window="full", layout="bthd", sharing="per_channel",
                        head_dim=4, heads=3)
    host = swr.HostKernel(spec)
    lib = _capi.library()
    rng = np.random.default_rng(3)
    shape = (2, 21, 3, 4)
    a = rng.uniform(0.5, 1.0, shape).astype(np.float32)
    x = rng.standard_normal(shape).astype(np.float32)

    # Each operand behind `skip` leading elements of a larger buffer, the
    # rows of one extra leading dimension: offset = skip.
    skip = int(np.prod(shape))
    stacked = [np.stack([np.full(shape, 7.0, np.float32), v]) for v in
               (a, x, np.full(shape, np.nan, np.float32))]
    memrefs = _host_memrefs(stacked, [skip] * 3)
    _capi.check(lib.swr_host_invoke(host._handle, memrefs, 3), "invoke")
    y = stacked[2][1]
    time_last = (0, 2, 3, 1)
    want = reference.scan(a.transpose(time_last),
                          x.transpose(time_last)).transpose(0, 3, 1, 2)
    assert np.linalg.norm(y - want) / np.linalg.norm(want) < 1e-5
    assert np.all(stacked[2][0] == 7.0), "wrote before the offset"

    def refused(arrays: list[np.ndarray], count: int, message: str) -> None:
        memrefs = _host_memrefs(arrays, [0] * len(arrays))
        with pytest.raises(swr.SwrError, match=message):
            _capi.check(lib.swr_host_invoke(host._handle, memrefs, count),
                        "invoke")

    y = np.zeros(shape, np.float32)
    refused([a, x], 2, r"swr_host_invoke: kernel '\w+': expected 3 "
            r"arguments \(decay, input, output\), got 2")
    other = np.ones((2, 21, 5, 4), np.float32)
    refused([a, other, y], 3, r"argument 1 \('input'\): sizes\[2\] is 5, "
            "but the kernel was compiled for 3")
    refused([a, x[0], y], 3, r"argument 1 \('input'\): rank mismatch: .* "
            "expects rank 4, got 3")
    memrefs = _host_memrefs([a, x, y], [0, 0, 0])
    memrefs[0].strides[1] = 24  # a padded token row, read as 12 before
    with pytest.raises(swr.SwrError,
                       match=r"argument 0 \('decay'\): strides\[1\] is 24, "
                             "but the kernel reads row-major contiguous "
                             r"memrefs: expected 12 for sizes \[2, 21, 3, 4\]"):
        _capi.check(lib.swr_host_invoke(host._handle, memrefs, 3), "invoke")
    memrefs = _host_memrefs([a, x, y], [0, 0, 0])
    memrefs[2].data = None
    with pytest.raises(swr.SwrError,
                       match=r"argument 2 \('output'\): null data pointer"):
        _capi.check(lib.swr_host_invoke(host._handle, memrefs, 3), "invoke")


@pytest.mark.parametrize("signature,message", [
    ("%s: f32", "argument 0 of @f is not a memref; host kernels take "
                "memrefs only"),
    ("%m: memref<1x1x1x1x1x1x1x1x1xf32>",
     r"argument 0 of @f has rank 9, above SWR_MAX_RANK \(8\)"),
])
def test_c_api_host_compile_refuses_what_invoke_cannot_pass(
        signature: str, message: str) -> None:
    """swr_host_compile refuses a function whose arguments an swr_memref
    cannot describe, naming the argument."""
    import ctypes
    from swr import _capi
    text = f"func.func @f({signature}) {{\n  return\n}}\n".encode()
    handle = ctypes.c_void_p()
    status = _capi.library().swr_host_compile(
        text, len(text), b"f", b"matrix", ctypes.byref(handle))
    with pytest.raises(swr.CompileError, match=message):
        _capi.check(status, "compiling", swr.CompileError)
