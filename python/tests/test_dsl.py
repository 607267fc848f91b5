"""swr.jit: functions traced into one swr.scan with fused prologue and
epilogue, run on the host backend against the float64 numpy composition of
the same function, their PTX assembled by ptxas, and the errors."""

from __future__ import annotations

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


@swr.jit(layout="bthd")
def phalanx_mix(za, zb, v, c):
    a = swr.sigmoid(za)
    x = swr.sigmoid(zb) * v
    y = swr.scan(a, x, window="bands<2>")
    return y * c + v


@swr.jit(layout="bct")
def mamba_reverse(dt, v, h0):
    a = swr.exp(-swr.softplus(dt))
    x = (1.0 - a) * v
    return swr.scan(a, x, window="full", reverse=True, h0=h0)


@swr.jit(layout="bhdl", output_dtype="f32")
def exact_epilogue(a, x):
    y = swr.scan(a, x, window="exact<20>")
    return swr.tanh(y) * 2.0 + swr.cast(x, "bf16")


@swr.jit(layout="bhdl")
def plain(a, x):
    return swr.scan(a, x, window="bands<3>")


@swr.jit(layout="bthd")
def prologue_only(za, x):
    return swr.scan(swr.sigmoid(za), x * 0.5 - 1.0, window="full")


def relative_error(got, want) -> float:
    got = np.asarray(got, dtype=np.float64)
    return float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-30))


def phalanx_operands(rng, batch, length, heads, dtype=np.float32,
                     decay_scale=1.0, decay_shift=0.0):
    za = (rng.normal(size=(batch, length, heads)) * decay_scale
          + decay_shift).astype(dtype)
    zb, v, c = (rng.normal(size=(batch, length, heads, 16)).astype(dtype)
                for _ in range(3))
    return za, zb, v, c


@pytest.mark.parametrize("length", [1, 15, 16, 17, 100, 1000])
@pytest.mark.parametrize("decays", ["spread", "near1", "near0"])
def test_phalanx_gates_fused_match_float64(length: int, decays: str) -> None:
    rng = np.random.default_rng(length)
    shift = {"spread": 0.0, "near1": 9.0, "near0": -9.0}[decays]
    operands = phalanx_operands(rng, 2, length, 3, decay_shift=shift)
    out = phalanx_mix(*operands)
    assert out.dtype == np.float32 and out.shape == operands[1].shape
    assert relative_error(out, phalanx_mix.reference(*operands)) < 2e-6


def test_per_channel_reverse_full_with_h0() -> None:
    rng = np.random.default_rng(1)
    dt, v = (rng.normal(size=(2, 5, 50)).astype(np.float32) for _ in range(2))
    h0 = rng.normal(size=(2, 5)).astype(np.float32)
    spec = mamba_reverse.spec(dt, v, h0)
    assert spec.sharing == "per_channel" and spec.reverse and spec.init
    got = mamba_reverse(dt, v, h0)
    assert relative_error(got, mamba_reverse.reference(dt, v, h0)) < 2e-6


def test_epilogue_only_exact_window_f16_to_f32() -> None:
    rng = np.random.default_rng(2)
    a = rng.uniform(0.5, 1.0, size=(2, 3, 33)).astype(np.float16)
    x = rng.normal(size=(2, 3, 4, 33)).astype(np.float16)
    spec = exact_epilogue.spec(a, x)
    assert spec.prologue == "" and spec.epilogue and spec.dtype_out == "f32"
    got = exact_epilogue(a, x)
    assert got.dtype == np.float32
    assert relative_error(got, exact_epilogue.reference(a, x)) < 2e-6


def test_no_regions_is_the_plain_scan() -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 1.0, size=(1, 2, 40)).astype(np.float32)
    x = rng.normal(size=(1, 2, 16, 40)).astype(np.float32)
    spec = plain.spec(a, x)
    assert not spec.fused and spec.extra_inputs == 0
    assert spec.mlir() == swr.ScanSpec(window="bands<3>", function="plain",
                                       head_dim=16).mlir()
    assert relative_error(plain(a, x), plain.reference(a, x)) < 2e-6


def test_prologue_only_and_ir() -> None:
    rng = np.random.default_rng(4)
    za = rng.normal(size=(2, 21, 2)).astype(np.float32)
    x = rng.normal(size=(2, 21, 2, 16)).astype(np.float32)
    text = prologue_only.ir(za, x)
    assert "prologue {" in text and "epilogue" not in text
    assert "math.exp" in text and "swr.yield" in text
    assert relative_error(prologue_only(za, x),
                          prologue_only.reference(za, x)) < 2e-6


def test_trace_is_cached_per_signature() -> None:
    rng = np.random.default_rng(5)
    operands = phalanx_operands(rng, 1, 20, 2)
    first = phalanx_mix.bind(*operands)
    longer = phalanx_operands(rng, 3, 77, 5)
    assert phalanx_mix.bind(*longer) is first  # shapes are runtime values
    assert first.spec.head_dim == 16  # but D is a constant of the kernel
    assert "memref<?x?x?x16xf32>" in first.spec.mlir()


@pytest.mark.skipif(PTXAS is None, reason="ptxas not installed")
def test_fused_kernels_assemble_for_sm_90a(tmp_path) -> None:
    rng = np.random.default_rng(6)
    cases = [
        (phalanx_mix, phalanx_operands(rng, 1, 20, 2)),
        (mamba_reverse, (np.zeros((1, 2, 3), np.float32),) * 2
         + (np.zeros((1, 2), np.float32),)),
        (exact_epilogue, (np.zeros((1, 2, 3), np.float16),
                          np.zeros((1, 2, 4, 3), np.float16))),
        (prologue_only, (np.zeros((1, 3, 2), np.float32),
                         np.zeros((1, 3, 2, 16), np.float32))),
    ]
    for function, operands in cases:
        ptx = function.ir(*operands, stage="ptx")
        assert "__nv_" not in ptx and ".extern" not in ptx
        path = tmp_path / "k.ptx"
        path.write_text(ptx)
        result = subprocess.run([PTXAS, "-arch=sm_90a", str(path), "-o",
                                 str(tmp_path / "k.cubin")],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr


def test_errors_name_the_argument() -> None:
    a = np.ones((1, 2, 8), np.float32)
    x = np.ones((1, 2, 16, 8), np.float32)

    @swr.jit
    def two_scans(a, x):
        return swr.scan(a, swr.scan(a, x))
    with pytest.raises(swr.SwrError, match="holds one scan, got a second"):
        two_scans(a, x)

    @swr.jit
    def no_scan(a, x):
        return a * x
    with pytest.raises(swr.SwrError, match="called it 0 times"):
        no_scan(a, x)

    @swr.jit
    def unused(a, x, extra):
        return swr.scan(a, x)
    with pytest.raises(swr.ArgumentError, match="extra: the argument is not "
                                                "used"):
        unused(a, x, x)

    @swr.jit
    def two_decays(a, b, x):
        return swr.scan(a * b, x)
    with pytest.raises(swr.ArgumentError, match="one .* argument, got a, b"):
        two_decays(a, a, x)

    @swr.jit
    def computed_h0(a, x, h):
        return swr.scan(a, x, h0=h * 2.0)
    with pytest.raises(swr.ArgumentError, match="h0: expected an argument"):
        computed_h0(a, x, np.ones((1, 2, 16), np.float32))

    @swr.jit
    def branchy(a, x):
        if a:
            return x
        return swr.scan(a, x)
    with pytest.raises(swr.SwrError, match="no truth value"):
        branchy(a, x)

    with pytest.raises(swr.ArgumentError, match="a: expected dtype f16 like x, got f32"):
        plain(a, x.astype(np.float16))
    with pytest.raises(swr.ArgumentError,
                       match=r"a: expected shape \[1, 2, 8\] \(per-head "):
        plain(np.ones((1, 2, 9), np.float32), x)
    with pytest.raises(swr.ArgumentError, match=r"v: expected shape "):
        phalanx_mix(np.ones((1, 8, 2), np.float32),
                    np.ones((1, 8, 2, 16), np.float32),
                    np.ones((1, 8, 2, 8), np.float32),
                    np.ones((1, 8, 2, 16), np.float32))
    with pytest.raises(swr.ArgumentError, match=r"out: expected a numpy "
                                                r"array of shape \[1, 2, 16, 8\]"):
        plain(a, x, out=np.ones((1, 2, 16, 9), np.float32))
    poisoned = np.full(x.shape, np.nan, np.float32)
    assert plain(a, x, out=poisoned) is poisoned
    assert not np.isnan(poisoned).any()
    with pytest.raises(swr.ArgumentError, match="expected a numpy array"):
        plain([1.0], x)
    with pytest.raises(swr.ArgumentError, match="layout: expected one of"):
        swr.jit(lambda a, x: swr.scan(a, x), layout="tbd")
    with pytest.raises(swr.SwrError, match="inside an swr.jit function"):
        swr.scan(a, x)


torch = None
try:  # the torch adapter is optional
    import torch  # type: ignore[no-redef]
except ImportError:  # pragma: no cover
    pass


@pytest.mark.skipif(torch is None, reason="torch not installed")
def test_torch_cpu_fused_and_differentiable() -> None:
    generator = torch.Generator().manual_seed(7)
    shapes = [(2, 37, 3), (2, 37, 3, 16), (2, 37, 3, 16), (2, 37, 3, 16)]
    operands = [torch.randn(s, generator=generator) for s in shapes]
    fused = phalanx_mix(*operands)
    want = phalanx_mix.reference(*operands)
    assert isinstance(fused, torch.Tensor) and fused.dtype == torch.float32
    assert relative_error(fused.numpy(), want) < 2e-6

    # With requires_grad, the call runs the unfused composition, which
    # torch differentiates through the compiled scan and its backward.
    leaves = [t.clone().requires_grad_() for t in operands]
    out = phalanx_mix(*leaves)
    assert relative_error(out.detach().numpy(), want) < 2e-6
    weights = torch.randn(out.shape, generator=generator)
    (out * weights).sum().backward()
    doubles = [t.detach().double().requires_grad_() for t in operands]
    za, zb, v, c = doubles
    a, x = torch.sigmoid(za), torch.sigmoid(zb) * v
    y = torch_bands2_bthd(a, x)
    ((y * c + v) * weights.double()).sum().backward()
    for got, reference in zip(leaves, doubles):
        assert relative_error(got.grad.numpy(),
                              reference.grad.numpy()) < 1e-5


def torch_bands2_bthd(a, x):
    """bands<2> in float64 torch for [B, T, H, 16] with per-head decays."""
    length = x.shape[1]
    outputs = []
    for t in range(length):
        start = max(0, 16 * (t // 16 - 1))
        state = torch.zeros_like(x[:, 0])
        for s in range(start, t + 1):
            state = a[:, s].unsqueeze(-1) * state + x[:, s]
        outputs.append(state)
    return torch.stack(outputs, 1)


def test_autotune_times_each_candidate_once_and_keeps_the_choice(
        fresh_kernel_cache) -> None:
    from swr import autotune, cache
    spec = phalanx_mix.spec(*phalanx_operands(np.random.default_rng(8), 1,
                                              20, 2))
    timed = []

    def time_ms(chunk: int) -> float:
        timed.append(chunk)
        return {1: 3.0, 2: 2.0, 4: 1.5, 8: 0.9, 16: 1.1}[chunk]
    assert autotune.choose(spec, "H200", 10 ** 6, "b", time_ms) == 8
    assert timed == list(autotune.CANDIDATES)
    cache.clear_memory()  # from disk now, not timed again
    assert autotune.choose(spec, "H200", 10 ** 6 + 1, "b", time_ms) == 8
    assert len(timed) == len(autotune.CANDIDATES)
    # Another size class or device is timed afresh.
    autotune.choose(spec, "H200", 10 ** 8, "b", time_ms)
    assert len(timed) == 2 * len(autotune.CANDIDATES)
    assert autotune.size_class(1024) == 10 and autotune.size_class(1025) == 11
    with pytest.raises(swr.ArgumentError, match="time_chunk: expected an "
                                                "int >= 0 .* or 'auto'"):
        swr.jit(lambda a, x: swr.scan(a, x), time_chunk="fast")
    tuned = swr.jit(phalanx_mix.fn, layout="bthd", time_chunk="auto")
    operands = phalanx_operands(np.random.default_rng(9), 1, 40, 2)
    assert ".visible .entry phalanx_mix(" in tuned.ir(*operands, stage="ptx")
    out = tuned(*operands)  # the host backend ignores time chunks
    assert relative_error(out, tuned.reference(*operands)) < 2e-6


def test_auto_choices_are_made_once_per_process_and_class(
        monkeypatch) -> None:
    """A jit function's "auto" time chunk, cluster size and full-window
    tiling (warps per CTA, steps per warp tile) are chosen (timed or read
    from the kernel cache) on the first CUDA launch of each (spec, device,
    size class[, sequence-count class]) and then taken from memory: later
    launches neither time nor hash the spec again. The device pieces are
    stand-ins, so this runs without a GPU."""
    import swr.cuda
    from swr import dsl
    launched, chosen = [], []

    class Kernel:
        params: list[str] = []

        def launch(self, buffers, stream) -> None:
            launched.append(stream)

    def cached_kernel(spec, device, backward, time_chunk, **options):
        launched.append((time_chunk, options["time_ctas"],
                         options["time_warps"], options["full_block"]))
        return Kernel()
    monkeypatch.setattr(swr.cuda, "cached_kernel", cached_kernel)
    monkeypatch.setattr(dsl, "_device_and_stream",
                        lambda x, kind: (int(x.flat[0]), 7))
    monkeypatch.setattr(dsl, "_autotuned_chunk",
                        lambda *args: chosen.append("chunk") or 8)
    monkeypatch.setattr(dsl, "_autotuned_clusters",
                        lambda *args: chosen.append("ctas") or 4)

    def run(function, spec, x) -> None:
        function._run(spec, {"input": x}, "torch-cuda")

    bands = swr.jit(phalanx_mix.fn, layout="bthd", time_chunk="auto")
    operands = phalanx_operands(np.random.default_rng(10), 1, 40, 2)
    spec = bands.spec(*operands)
    device0 = np.zeros((1, 40, 2, 16), np.float32)
    for _ in range(3):
        run(bands, spec, device0)
    assert chosen == ["chunk"] and launched[-2:] == [(8, 0, 0, 0), 7]
    run(bands, spec, device0 + 1)  # another device
    run(bands, spec, np.zeros((1, 4000, 2, 16), np.float32))  # size class
    assert chosen == ["chunk"] * 3
    full = swr.jit(lambda a, x: swr.scan(a, x), layout="bct",
                   time_ctas="auto")
    a = np.full((1, 4, 50), 0.5, np.float32)
    full_spec = full.spec(a, a)
    for _ in range(3):
        run(full, full_spec, np.zeros((1, 4, 50), np.float32))
    assert chosen == ["chunk"] * 3 + ["ctas"]
    assert launched[-2:] == [(2, 4, 0, 0), 7]
    # The same elements in other sequences: another sequence-count class.
    run(full, full_spec, np.zeros((1, 200, 1), np.float32))
    assert chosen == ["chunk"] * 3 + ["ctas"] * 2
    # Warps and steps per tile: one pair per class; the cluster size is
    # then timed with that pair, and every launch takes both.
    timed_ctas = []
    monkeypatch.setattr(dsl, "_autotuned_full_tiling",
                        lambda *args: chosen.append("tiling") or (8, 16))

    def clusters(spec, x, kind, launch) -> int:
        launch(2)
        timed_ctas.append(launched[-2])
        return 2
    monkeypatch.setattr(dsl, "_autotuned_clusters", clusters)
    tiled = swr.jit(lambda a, x: swr.scan(a, x), layout="bct",
                    time_warps="auto", full_block="auto", time_ctas="auto")
    for _ in range(3):
        run(tiled, full_spec, np.zeros((1, 4, 50), np.float32))
    assert chosen[5:] == ["tiling"] and timed_ctas == [(2, 2, 8, 16)]
    assert launched[-2:] == [(2, 2, 8, 16), 7]
    assert tiled.full_tilings == autotune_pairs()


def autotune_pairs() -> tuple:
    from swr import autotune
    return tuple((w, b) for w in autotune.WARP_CANDIDATES
                 for b in autotune.BLOCK_CANDIDATES)


def test_full_tiling_autotune_times_each_pair_once(fresh_kernel_cache,
                                                   monkeypatch) -> None:
    """choose_full_tiling times each (time_warps, full_block) pair once per
    (kernel, device, size class, sequence-count class), skips pairs that
    time as infinity (refused by the compiler) and keeps the choice in
    the kernel cache. jit's "auto" for either option builds the pairs (the
    other option fixed), is checked by name, and host calls ignore it."""
    from swr import autotune, cache
    spec = swr.ScanSpec(window="full", layout="bthd", sharing="per_channel")
    timed = []

    def time_ms(pair: tuple) -> float:
        timed.append(pair)
        return {(4, 32): 1.0, (8, 16): 1.2}.get(pair, float("inf")
                                                 if pair[0] == 2 else 3.0)
    pairs = autotune.full_tiling_candidates("auto", "auto")
    assert pairs == autotune_pairs() and (0, 0) in pairs
    assert autotune.choose_full_tiling(spec, "H200", 2 ** 20, 8, "b",
                                       time_ms, pairs) == (4, 32)
    assert timed == list(pairs)
    cache.clear_memory()  # from disk now, as a pair, not timed again
    assert autotune.choose_full_tiling(spec, "H200", 2 ** 20, 8, "b",
                                       time_ms, pairs) == (4, 32)
    assert len(timed) == len(pairs)
    # Pairs compiling to the same kernel (0, the compiler's choice, is 4
    # warps here) are timed once; the first of them wins the tie.
    timed.clear()

    def same(pair: tuple) -> tuple:
        return (4 if pair[0] == 0 else pair[0], pair[1])

    def time_kernel(pair: tuple) -> float:
        return time_ms(same(pair))
    assert autotune.choose_full_tiling(spec, "H200", 2 ** 30, 8, "b",
                                       time_kernel, pairs, same) == (0, 32)
    assert timed == [same(p) for p in pairs if p[0] != 4]
    assert autotune.full_tiling_candidates(4, "auto") == (
        (4, 0), (4, 16), (4, 32))
    assert autotune.full_tiling_candidates("auto", 64) == tuple(
        (w, 64) for w in autotune.WARP_CANDIDATES)
    with pytest.raises(swr.ArgumentError,
                       match="time_warps: expected 0 .* got 'fast'"):
        swr.jit(lambda a, x: swr.scan(a, x), time_warps="fast")
    with pytest.raises(swr.ArgumentError,
                       match="full_block: expected 0 .* got 300"):
        swr.jit(lambda a, x: swr.scan(a, x), time_warps="auto",
                full_block=300)
    # Pairs the compiler refuses time as infinity.
    from swr import dsl

    def timer(x, kind, launch):
        def refusing(pair: tuple) -> float:
            if pair[0] == 8:
                raise swr.CompileError("refused")
            return 1.0 if pair == (2, 16) else 2.0
        return "H200", refusing
    monkeypatch.setattr(dsl, "_launch_timer", timer)
    assert dsl._autotuned_full_tiling(
        spec, np.zeros((1, 64, 1, 8), np.float32), "torch-cuda",
        lambda pair: None, pairs) == (2, 16)

    # With the PTX of each pair (the compiler's, as jit passes it): a pair
    # it refuses is timed on its own, as infinity.
    def ptx_of(pair: tuple) -> str:
        return swr.compile_ptx(spec, time_warps=pair[0],
                               full_block=pair[1]).ptx
    assert dsl._autotuned_full_tiling(
        spec, np.zeros((1, 64, 1, 8), np.float32), "torch-cuda",
        lambda pair: None, pairs, ptx_of) == (2, 16)
    tuned = swr.jit(lambda a, x: swr.scan(a, x), layout="bct",
                    time_warps="auto")
    assert tuned.full_tilings == tuple(
        (w, 0) for w in autotune.WARP_CANDIDATES)
    assert swr.jit(lambda a, x: swr.scan(a, x)).full_tilings == ()
    rng = np.random.default_rng(4)
    a = rng.uniform(0.5, 1.0, (1, 4, 50)).astype(np.float32)
    x = rng.standard_normal((1, 4, 50)).astype(np.float32)
    tuned.precompile(a, x)  # every pair the compiler takes
    assert relative_error(tuned(a, x), tuned.reference(a, x)) < 1e-6


def test_cluster_autotune_keys_by_sequence_count(
        fresh_kernel_cache) -> None:
    """choose_clusters times each cluster size once per (kernel, device,
    size class, sequence-count class): the same elements in other
    sequences are timed afresh. jit's time_ctas="auto" is checked like
    its other options, and host calls ignore it."""
    from swr import autotune, cache
    spec = swr.ScanSpec(window="full", layout="bct", sharing="per_channel")
    timed = []

    def time_ms(ctas: int) -> float:
        timed.append(ctas)
        return {1: 3.0, 2: 2.0, 4: 1.0, 8: 1.5}[ctas]
    assert autotune.choose_clusters(spec, "H200", 2 ** 20, 8, "b",
                                    time_ms) == 4
    assert timed == list(autotune.CLUSTER_CANDIDATES)
    cache.clear_memory()  # from disk now, not timed again
    assert autotune.choose_clusters(spec, "H200", 2 ** 20, 7, "b",
                                    time_ms) == 4
    assert len(timed) == len(autotune.CLUSTER_CANDIDATES)
    autotune.choose_clusters(spec, "H200", 2 ** 20, 1024, "b", time_ms)
    assert len(timed) == 2 * len(autotune.CLUSTER_CANDIDATES)
    with pytest.raises(swr.ArgumentError,
                       match="time_ctas: expected 0 or 1 with grid_carries"):
        swr.jit(lambda a, x: swr.scan(a, x), time_ctas="auto",
                grid_carries=True)
    with pytest.raises(swr.ArgumentError,
                       match="time_ctas: expected 0 .* got 'fast'"):
        swr.jit(lambda a, x: swr.scan(a, x), time_ctas="fast")
    tuned = swr.jit(lambda a, x: swr.scan(a, x), layout="bct",
                    time_ctas="auto")
    rng = np.random.default_rng(3)
    a = rng.uniform(0.5, 1.0, (1, 4, 50)).astype(np.float32)
    x = rng.standard_normal((1, 4, 50)).astype(np.float32)
    assert ".reqnctapercluster" not in tuned.ir(a, x, stage="ptx")
    assert relative_error(tuned(a, x), tuned.reference(a, x)) < 1e-6


def test_eager_on_float32_torch_takes_per_head_decays() -> None:
    """`eager` on float32 torch tensors runs the compiled scan between
    torch ops: a per-head decay reaches it as [B, T, H], not in the
    broadcastable [B, T, H, 1] form the element-wise ops use."""
    torch = pytest.importorskip("torch")
    operands = phalanx_operands(np.random.default_rng(11), 2, 37, 3)
    got = phalanx_mix.eager(*[torch.from_numpy(o) for o in operands])
    assert tuple(got.shape) == operands[1].shape
    assert relative_error(got.numpy(), phalanx_mix.reference(*operands)) \
        < 2e-6


@pytest.fixture
def fresh_kernel_cache(tmp_path, monkeypatch) -> None:
    """An empty kernel cache (on disk and in memory) for the test."""
    from swr import cache
    monkeypatch.setenv("SWR_CACHE_DIR", str(tmp_path))
    cache.clear_memory()


def test_time_lanes_reach_the_compiler(fresh_kernel_cache) -> None:
    """time_lanes deals a token-major bands window's tiles to the lanes of
    a warp (carries by shuffles; the default keeps a thread per sequence),
    is part of the kernel's cache key, and is checked by name."""
    operands = phalanx_operands(np.random.default_rng(10), 1, 40, 2)
    lanes = swr.jit(phalanx_mix.fn, layout="bthd", time_lanes=4)
    assert "shfl.sync" in lanes.ir(*operands, stage="ptx")
    assert "shfl.sync" not in phalanx_mix.ir(*operands, stage="ptx")
    out = lanes(*operands)  # the host backend has no lanes
    assert relative_error(out, lanes.reference(*operands)) < 2e-6
    for bad in (3, -1, 64, "4"):
        with pytest.raises(swr.ArgumentError,
                           match=f"time_lanes: expected 0 .* got {bad!r}"):
            swr.jit(phalanx_mix.fn, layout="bthd", time_lanes=bad)
    with pytest.raises(swr.ArgumentError, match="time_lanes: expected"):
        swr.compile_ptx(phalanx_mix.spec(*operands), time_lanes=12)


def test_channel_tile_reaches_the_compiler(fresh_kernel_cache) -> None:
    """channel_tile gives a GPU thread several channels of a head, each
    step of its tiles one vector access (16 bytes for 4 f32 channels), is
    part of the kernel's cache key, and is checked by name."""
    operands = phalanx_operands(np.random.default_rng(12), 1, 40, 2)
    tiled = swr.jit(phalanx_mix.fn, layout="bthd", channel_tile=4)
    assert "ld.global.v4.b32" in tiled.ir(*operands, stage="ptx")
    assert "ld.global.v4.b32" not in phalanx_mix.ir(*operands, stage="ptx")
    out = tiled(*operands)  # the host backend tiles channels its own way
    assert relative_error(out, tiled.reference(*operands)) < 2e-6
    for bad in (-1, 65, "4", True):
        with pytest.raises(swr.ArgumentError,
                           match=f"channel_tile: expected 0 .* got {bad!r}"):
            swr.jit(phalanx_mix.fn, layout="bthd", channel_tile=bad)
    with pytest.raises(swr.ArgumentError, match="channel_tile: expected"):
        swr.compile_ptx(phalanx_mix.spec(*operands), channel_tile=100)
    # The derived backward's channels per thread are its own (the fused
    # backward ran 2.3x slower with the forward's 4 channels on the H200).
    assert tiled.grad_channel_tile == 0
    for bad in (-1, 65, "4", True):
        with pytest.raises(swr.ArgumentError, match=f"grad_channel_tile: "
                           f"expected 0 .* got {bad!r}"):
            swr.jit(phalanx_mix.fn, layout="bthd", grad_channel_tile=bad)


def test_full_window_options_reach_the_compiler(fresh_kernel_cache) -> None:
    """time_warps, full_block, grid_carries and time_ctas shape a fused
    full window's GPU kernel (warps of a CTA in its barrier, the tile in its
    loads, the grid carries' look-back, the cluster's barrier), leave the
    host path alone, and are checked by name."""
    def gated(za, v):
        return swr.scan(swr.sigmoid(za), v, window="full")
    rng = np.random.default_rng(14)
    za = rng.standard_normal((2, 40, 3)).astype(np.float32)
    v = rng.standard_normal((2, 40, 3, 4)).astype(np.float32)
    default = swr.jit(gated, layout="bthd")
    ptx = default.ir(za, v, stage="ptx")
    assert "bar.sync \t0, 128;" in ptx and "ld.acquire" not in ptx
    eight = swr.jit(gated, layout="bthd", time_warps=8, full_block=32)
    ptx8 = eight.ir(za, v, stage="ptx")
    assert "bar.sync \t0, 256;" in ptx8
    assert ptx8.count("ld.global") > ptx.count("ld.global")
    grid = swr.jit(gated, layout="bthd", grid_carries=True)
    assert "ld.acquire.gpu" in grid.ir(za, v, stage="ptx")
    cluster = swr.jit(gated, layout="bthd", time_ctas=2)
    ptx_cluster = cluster.ir(za, v, stage="ptx")
    assert ".reqnctapercluster 2, 1, 1" in ptx_cluster
    assert "barrier.cluster.wait" in ptx_cluster
    for function in (eight, grid, cluster):
        out = function(za, v)  # the host backend walks the sequence
        assert relative_error(out, function.reference(za, v)) < 2e-6
    for name, bad in (("time_warps", 64), ("full_block", -1),
                      ("grid_carries", 1), ("time_ctas", 17)):
        with pytest.raises(swr.ArgumentError, match=f"{name}: expected"):
            swr.jit(gated, layout="bthd", **{name: bad})


def test_strided_arrays_are_made_contiguous() -> None:
    """The kernels' memrefs have the identity layout: a strided view of
    any operand is copied compact first (numpy and torch), and a strided
    out= is refused rather than written wrongly."""
    rng = np.random.default_rng(9)
    za = rng.normal(size=(2, 33, 3)).astype(np.float32)
    zb, v, c = (rng.normal(size=(2, 33, 3, 16)).astype(np.float32)
                for _ in range(3))
    want = phalanx_mix(za, zb, v, c)

    def strided(t):
        return np.ascontiguousarray(np.swapaxes(t, 1, 2)).swapaxes(1, 2)
    for i in range(4):
        args = [za, zb, v, c]
        args[i] = strided(args[i])
        assert not args[i].flags.c_contiguous
        np.testing.assert_array_equal(phalanx_mix(*args), want)
    torch = pytest.importorskip("torch")
    got = phalanx_mix(*[torch.from_numpy(strided(a)) for a in (za, zb, v, c)])
    np.testing.assert_array_equal(got.numpy(), want)
    with pytest.raises(swr.ArgumentError, match="out: expected a row-major"):
        phalanx_mix(za, zb, v, c, out=strided(np.empty_like(zb)))


class _Foreign:
    """An array of another framework: only the DLPack protocol."""

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def __dlpack__(self, stream=None):
        return self._array.__dlpack__()

    def __dlpack_device__(self):
        return self._array.__dlpack_device__()


def test_dlpack_arrays_run_on_the_host() -> None:
    """Arrays that speak only DLPack are read through their DLTensor
    (strides included) and run the host kernel; out= may be one too."""
    rng = np.random.default_rng(8)
    za = rng.normal(size=(2, 33, 3)).astype(np.float32)
    zb, v, c = (rng.normal(size=(2, 33, 3, 16)).astype(np.float32)
                for _ in range(3))
    want = phalanx_mix(za, zb, v, c)
    got = phalanx_mix(*[_Foreign(a) for a in (za, zb, v, c)])
    assert isinstance(got, np.ndarray)
    np.testing.assert_array_equal(got, want)
    strided = np.ascontiguousarray(np.swapaxes(v, 1, 2)).swapaxes(1, 2)
    with pytest.raises(swr.ArgumentError, match="v: expected a row-major"):
        phalanx_mix(*[_Foreign(a) for a in (za, zb, strided, c)])
    out = np.full(zb.shape, np.nan, dtype=np.float32)
    phalanx_mix(*[_Foreign(a) for a in (za, zb, v, c)], out=_Foreign(out))
    np.testing.assert_array_equal(out, want)
    with pytest.raises(swr.ArgumentError, match="DLPack dtype"):
        phalanx_mix(*[_Foreign(a.astype(np.float64)) for a in (za, zb, v, c)])
    with pytest.raises(swr.ArgumentError, match="all of one kind"):
        phalanx_mix(_Foreign(za), zb, v, c)


def test_swr_backend_forces_or_refuses(monkeypatch) -> None:
    """SWR_BACKEND=host is what CPU arrays use anyway; =cuda without a GPU
    (or for numpy arrays) is refused by name; a typo is named."""
    rng = np.random.default_rng(10)
    args = [rng.normal(size=(1, 20, 2)).astype(np.float32),
            *(rng.normal(size=(1, 20, 2, 16)).astype(np.float32)
              for _ in range(3))]
    want = phalanx_mix(*args)
    monkeypatch.setenv("SWR_BACKEND", "host")
    np.testing.assert_array_equal(phalanx_mix(*args), want)
    monkeypatch.setenv("SWR_BACKEND", "cuda")
    with pytest.raises(swr.ArgumentError, match="numpy arrays cannot be"):
        phalanx_mix(*args)
    monkeypatch.setenv("SWR_BACKEND", "gpu")
    with pytest.raises(swr.ArgumentError, match="SWR_BACKEND: expected one"):
        phalanx_mix(*args)
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        monkeypatch.setenv("SWR_BACKEND", "cuda")
        with pytest.raises(swr.SwrError, match="torch sees no CUDA device"):
            phalanx_mix(*[torch.from_numpy(a) for a in args])
