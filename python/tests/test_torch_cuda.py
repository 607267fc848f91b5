"""swr.torch on CUDA tensors (the H200 through scripts/gpu-python.sh): the
compiled forward and derived backward launched by the Phalanx runtime on
PyTorch's current stream, checked against float64 on the CPU; the Phalanx
layer; the Python cost of a cached launch. Skipped without a CUDA device."""

from __future__ import annotations

import pathlib
import sys
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("no CUDA device", allow_module_level=True)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import swr.torch as st  # noqa: E402
from cuda_cases import jit_cases, jit_operands, operands  # noqa: E402
from swr import reference  # noqa: E402
from test_torch import (assert_trains_like_float64,  # noqa: E402
                        phalanx_float64, reference_scan, relative_error)


def to_bhdl(t, layout: str):
    """[B, H, D, L]-shaped views of a bthd / bct operand for the naive
    reference (decays [B, T, H] -> [B, H, L])."""
    if t is None or layout == "bhdl":
        return t
    if layout == "bct":
        return t.unsqueeze(1)
    return t.permute(0, 2, 3, 1) if t.dim() == 4 else t.permute(0, 2, 1)


def from_bhdl(t, layout: str):
    if layout == "bhdl":
        return t
    if layout == "bct":
        return t.squeeze(1)
    return t.permute(0, 3, 1, 2)


def h0_bhdl(h0, layout):
    if h0 is None or layout != "bct":
        return h0
    return h0.unsqueeze(1)


@pytest.mark.parametrize("name", ["btp-bf16", "full-bct-f32-h0-rev",
                                  "bands3-bthd-f32-h0"])
def test_forward_and_backward_on_cuda(name: str) -> None:
    generator = torch.Generator().manual_seed(5)
    a, x, h0, kwargs = operands(name, "cpu", generator)
    layout = kwargs["layout"]
    params = [t.cuda().requires_grad_() for t in (a, x)]
    h0_param = h0.cuda().requires_grad_() if h0 is not None else None
    y = st.scan(params[0], params[1], h0=h0_param, **kwargs)
    dy = torch.randn(y.shape, generator=generator)
    (y * dy.cuda()).sum().backward()
    torch.cuda.synchronize()

    wants = [t.double().requires_grad_() for t in (a, x)]
    h0_want = h0.double().requires_grad_() if h0 is not None else None
    y_want = from_bhdl(reference_scan(
        to_bhdl(wants[0], layout), to_bhdl(wants[1], layout),
        kwargs["window"], h0_bhdl(h0_want, layout), kwargs["reverse"]),
        layout)
    (y_want * dy.double()).sum().backward()
    # The inputs were rounded before both runs; bf16 gradients round once.
    bound = 1e-5 if params[1].dtype == torch.float32 else 8e-3
    assert relative_error(y.detach().cpu(), y_want.detach()) < 1e-5
    assert relative_error(params[0].grad.cpu(), wants[0].grad) < bound
    assert relative_error(params[1].grad.cpu(), wants[1].grad) < bound
    if h0 is not None:
        assert relative_error(h0_param.grad.cpu(), h0_want.grad) < 1e-5


def test_long_sequence_forward_matches_float64() -> None:
    """L = 8193 (not a multiple of 16), bf16 in and out, with h0."""
    generator = torch.Generator().manual_seed(6)
    a, x, h0, kwargs = operands("bands2-bhdl-bf16-long", "cpu", generator)
    y = st.scan(a.cuda(), x.cuda(), h0=h0.cuda(), **kwargs).cpu()
    want = reference.scan(a.double().unsqueeze(2).expand(x.shape).numpy(),
                          x.double().numpy(), window="bands<2>",
                          h0=h0.double().numpy())
    floor = relative_error(torch.from_numpy(want).to(torch.bfloat16),
                           torch.from_numpy(want))
    assert relative_error(y, torch.from_numpy(want)) <= 1.5 * floor


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32])
@pytest.mark.parametrize("shape", [(2, 3001, 3, 15), (2, 3001, 3, 94),
                                   (1, 3001, 2, 95), (3, 1001, 2, 4095)])
def test_token_major_full_window_matches_float64(dtype, shape) -> None:
    """A full window over [B, T, H, D] with per-channel decays (the
    compiler's default kernel: warps share each sequence, lanes take
    adjacent channels; in bf16 with D > 32, fewer 64-channel CTAs than SMs:
    32-channel ones on 2 time lanes; 384 64-channel CTAs on an H200's 132
    SMs: 16-step tiles): T = 3001 / 1001 and D = 15 / 94 / 95 / 4095 are
    multiples of no tile or channel block, decays spread over (0, 1), with
    h0."""
    generator = torch.Generator().manual_seed(7)
    a = torch.rand(shape, generator=generator).to(dtype)
    x = torch.randn(shape, generator=generator).to(dtype)
    h0 = torch.randn((shape[0],) + shape[2:], generator=generator)
    y = st.scan(a.cuda(), x.cuda(), h0=h0.cuda(), window="full",
                layout="bthd").cpu()
    want = reference.scan_torch(a.double().permute(0, 2, 3, 1),
                                x.double().permute(0, 2, 3, 1),
                                h0=h0.double()).permute(0, 3, 1, 2)
    floor = relative_error(want.to(dtype), want)
    assert relative_error(y, want) <= max(1.5 * floor, 1e-6)


def test_cluster_size_chosen_by_timing(tmp_path, monkeypatch) -> None:
    """swr.jit(time_ctas="auto"): a full window over few long sequences is
    timed at 1, 2, 4 and 8 CTAs per cluster on its first call, the choice
    and the times kept in the kernel cache (a second call reuses them);
    the result matches float64."""
    import json

    import swr
    from swr import cache
    monkeypatch.setenv("SWR_CACHE_DIR", str(tmp_path))
    cache.clear_memory()
    scan = swr.jit(lambda a, x: swr.scan(a, x), layout="bct",
                   time_ctas="auto")
    generator = torch.Generator().manual_seed(5)
    shape = (1, 8, 20001)
    a = torch.rand(shape, generator=generator)
    x = torch.randn(shape, generator=generator)
    want = reference.scan_torch(a.double().unsqueeze(1),
                                x.double().unsqueeze(1)).squeeze(1)
    for _ in range(2):
        y = scan(a.cuda(), x.cuda()).cpu()
        assert relative_error(y, want) <= 1e-6
    choices = [entry for entry in (json.loads(p.read_text())
                                   for p in tmp_path.rglob("*.json"))
               if "time_ctas" in entry]
    assert len(choices) == 1, choices
    assert set(choices[0]["ms"]) == {"1", "2", "4", "8"}
    print(f"cluster size for 1 x 8 x 20001 f32: {choices[0]['time_ctas']} "
          f"(ms by size: {choices[0]['ms']})")


def test_full_tiling_chosen_by_timing(tmp_path, monkeypatch) -> None:
    """swr.jit(time_warps="auto", full_block="auto"): a [B,T,C] bf16 full
    window is timed over the (warps, steps) pairs on its first call, the
    choice and every pair's time kept in the kernel cache (a second call
    reuses them); the result is at bf16's rounding floor against float64
    whatever pair won."""
    import json

    import swr
    from swr import autotune, cache
    monkeypatch.setenv("SWR_CACHE_DIR", str(tmp_path))
    cache.clear_memory()
    scan = swr.jit(lambda a, x: swr.scan(a, x), layout="bthd",
                   time_warps="auto", full_block="auto")
    generator = torch.Generator().manual_seed(6)
    shape = (2, 3000, 1, 96)
    a = torch.rand(shape, generator=generator).bfloat16()
    x = torch.randn(shape, generator=generator).bfloat16()
    want = reference.scan_torch(a.double().permute(0, 2, 3, 1),
                                x.double().permute(0, 2, 3, 1)
                                ).permute(0, 3, 1, 2)
    floor = relative_error(want.bfloat16(), want)
    for _ in range(2):
        y = scan(a.cuda(), x.cuda()).cpu()
        assert relative_error(y, want) <= 1.5 * floor
    choices = [entry for entry in (json.loads(p.read_text())
                                   for p in tmp_path.rglob("*.json"))
               if "tiling" in entry]
    assert len(choices) == 1, choices
    assert len(choices[0]["ms"]) == len(autotune.full_tiling_candidates(
        "auto", "auto"))
    print(f"full tiling for 2 x 3000 x 1 x 96 bf16: {choices[0]['tiling']} "
          f"(ms by pair: {choices[0]['ms']})")


def test_phalanx_layer_on_cuda_matches_float64() -> None:
    torch.manual_seed(7)
    layer = st.Phalanx(64, length=37).cuda()
    x = torch.randn(2, 37, 64, device="cuda", requires_grad=True)
    assert_trains_like_float64(layer, x)


FLOOR = {torch.float32: 2.0 ** -24, torch.bfloat16: 2.0 ** -9,
         torch.float16: 2.0 ** -11}


@pytest.mark.parametrize("name", sorted(jit_cases()))
@pytest.mark.parametrize("decays", ["spread", "near1", "near0"])
def test_fused_kernels_match_float64(name: str, decays: str,
                                     record_property) -> None:
    """swr.jit kernels (prologue and epilogue fused, math by polynomial
    approximations) on fresh random inputs, the output poisoned with NaN
    first, against the float64 numpy composition of the same function.

    The bound is 4 roundings of the output's dtype plus 3 times the
    function's own float32 conditioning: the error of the same unfused
    composition evaluated in float32 (numpy), which is large where the
    function cancels (1 - exp(-softplus(dt)) with decays near 1: ~2e-6)
    and ~1e-7 elsewhere. Measured with the host kernels of these cases
    over 5 seeds: at most 0.56 of the bound."""
    function, shapes, dtype = jit_cases()[name]
    generator = torch.Generator().manual_seed(hash((name, decays)) % 2**31)
    shift = {"spread": 0.0, "near1": 9.0, "near0": -9.0}[decays]
    args = jit_operands(shapes, dtype, "cuda", shift, generator)
    out = torch.full(args[1].shape, float("nan"), dtype=dtype, device="cuda")
    function(*args, out=out)
    torch.cuda.synchronize()
    want = function.reference(*args)
    got = out.float().cpu().double().numpy()
    assert not (got != got).any(), "unwritten (NaN) outputs"
    scale = abs(want).max()
    error = float(abs(got - want).max() / scale)
    in_f32 = function.eager(*[a.float().cpu().numpy() for a in args])
    conditioning = float(abs(np.asarray(in_f32, np.float64) - want).max()
                         / scale)
    floor = FLOOR[dtype]
    print(f"{name} {decays}: rel_err={error:.3e} floor={floor:.3e} "
          f"float32 composition={conditioning:.3e}")
    record_property("rel_err", error)
    assert error < 4 * floor + 3 * conditioning


def test_fused_kernel_on_cupy_arrays() -> None:
    """CuPy arrays (__cuda_array_interface__) on CuPy's current stream."""
    cupy = pytest.importorskip("cupy")
    function, shapes, dtype = jit_cases()["mamba-bct-f32-rev-h0"]
    generator = torch.Generator().manual_seed(11)
    args = [cupy.asarray(t.numpy()) for t in
            jit_operands(shapes, dtype, "cpu", 0.0, generator)]
    out = function(*args)
    cupy.cuda.get_current_stream().synchronize()
    want = function.reference(*args)
    assert isinstance(out, cupy.ndarray)
    got = cupy.asnumpy(out).astype("float64")
    assert float(abs(got - want).max() / abs(want).max()) < 1e-5


def test_phalanx_inference_fused_on_cuda() -> None:
    torch.manual_seed(12)
    layer = st.Phalanx(64, length=37).cuda()
    x = torch.randn(2, 17, 64, device="cuda")
    with torch.no_grad():
        out = layer(x)
    want, _, _ = phalanx_float64(layer, x)
    assert relative_error(out.cpu(), want.detach()) < 1e-5


def test_cached_launch_overhead(record_property) -> None:
    """Python time of a cached launch: CudaKernel.launch alone and the whole
    st.scan forward (allocation and autograd bookkeeping included)."""
    generator = torch.Generator().manual_seed(8)
    a, x, _, kwargs = operands("btp-bf16", "cpu", generator)
    a, x = a.cuda(), x.cuda()
    st.scan(a, x, **kwargs)  # compile/load once
    spec = st._spec_for(a, x, None, kwargs["window"], kwargs["layout"],
                        kwargs["reverse"], False, kwargs["output_dtype"])
    kernel = st._cuda_kernel(spec, False, 0)
    y = torch.empty(x.shape, dtype=torch.float32, device="cuda")
    buffers = [st._buffer(t, spec.dtype_of(r)) for t, r in
               ((a, "decay"), (x, "input"), (y, "output"))]
    stream = torch.cuda.current_stream().cuda_stream
    for _ in range(100):
        kernel.launch(buffers, stream)
    torch.cuda.synchronize()
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        kernel.launch(buffers, stream)
    launch_us = (time.perf_counter() - start) / n * 1e6
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(n):
        st.scan(a, x, **kwargs)
    scan_us = (time.perf_counter() - start) / n * 1e6
    torch.cuda.synchronize()
    function, shapes, dtype = jit_cases()["mix-bthd-f32-k2"]
    args = jit_operands(shapes, dtype, "cuda")
    out = torch.empty_like(args[1])
    with torch.no_grad():
        function(*args, out=out)
        torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(n):
            function(*args, out=out)
        jit_us = (time.perf_counter() - start) / n * 1e6
    torch.cuda.synchronize()
    print(f"cached launch: {launch_us:.1f} us (CudaKernel.launch), "
          f"{scan_us:.1f} us (st.scan forward), {jit_us:.1f} us (swr.jit "
          "call, 4 operands)")
    record_property("launch_us", launch_us)
    record_property("scan_us", scan_us)
    record_property("jit_us", jit_us)
    assert launch_us < 50 and scan_us < 200


@pytest.mark.skipif(not hasattr(torch.library, "custom_op"),
                    reason="torch.library.custom_op needs torch >= 2.4")
def test_phalanx_under_torch_compile_fullgraph() -> None:
    """swr::scan and swr::scan_backward are custom ops: the whole layer
    compiles with fullgraph=True (no graph breaks), forward and backward,
    and agrees with eager mode."""
    torch.manual_seed(9)
    layer = st.Phalanx(64, length=37).cuda()
    compiled = torch.compile(layer, fullgraph=True)
    x = torch.randn(2, 37, 64, device="cuda", requires_grad=True)
    out = compiled(x)
    out.square().mean().backward()
    grads = [p.grad.clone() for p in layer.parameters()]
    x_grad = x.grad.clone()
    layer.zero_grad()
    x.grad = None
    eager = layer(x)
    eager.square().mean().backward()
    assert relative_error(out.detach().cpu(), eager.detach().cpu().double()) \
        < 1e-5
    for p, g in zip(layer.parameters(), grads):
        assert relative_error(g.cpu(), p.grad.cpu().double()) < 1e-4
    assert relative_error(x_grad.cpu(), x.grad.cpu().double()) < 1e-4


class _Foreign:
    """A CUDA array of another framework: only the DLPack protocol."""

    def __init__(self, tensor) -> None:
        self._tensor = tensor

    def __dlpack__(self, stream=None):
        return self._tensor.__dlpack__(stream=stream)

    def __dlpack_device__(self):
        return self._tensor.__dlpack_device__()


def test_dlpack_cuda_arrays_and_forced_host_backend(monkeypatch) -> None:
    """CUDA arrays seen only through DLPack run the same kernel into out=;
    SWR_BACKEND=host runs the host JIT on copies of CUDA tensors and writes
    the result back; the fused backward under SWR_BACKEND=host matches the
    CUDA one."""
    function, shapes, dtype = jit_cases()["mix-bthd-f32-k2"]
    args = jit_operands(shapes, dtype, "cuda",
                        generator=torch.Generator().manual_seed(4))
    want = function(*args)
    out = torch.full_like(want, float("nan"))
    function(*[_Foreign(a) for a in args], out=_Foreign(out))
    torch.cuda.synchronize()
    assert torch.equal(out, want)
    monkeypatch.setenv("SWR_BACKEND", "host")
    on_host = function(*args)
    assert on_host.is_cuda and relative_error(on_host, want.double()) < 1e-5
    leaves = [a.clone().requires_grad_() for a in args]
    host_grads = torch.autograd.grad(function(*leaves), leaves,
                                     torch.ones_like(want))
    monkeypatch.delenv("SWR_BACKEND")
    cuda_grads = torch.autograd.grad(function(*leaves), leaves,
                                     torch.ones_like(want))
    for h, c in zip(host_grads, cuda_grads):
        assert h.is_cuda and relative_error(h, c.double()) < 1e-5
