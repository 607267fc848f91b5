"""swr.torch on CPU tensors: forward and the compiler-derived backward
against float64 autograd through a naive torch reference, btp's contract,
and argument errors. Skipped where torch is not installed."""

from __future__ import annotations

import math
import pathlib
import sys

import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import swr  # noqa: E402
import swr.torch as st  # noqa: E402


def reference_scan(a, x, window: str, h0=None, reverse: bool = False):
    """float64 [B, H, D, L] scan, differentiable by torch autograd: each
    output runs the recurrence from the start of its window."""
    if a.dim() == 3:
        a = a.unsqueeze(2).expand_as(x)
    if reverse:
        a, x = a.flip(-1), x.flip(-1)
    length = x.shape[-1]
    k = math.inf if window == "full" else int(window[6:-1])
    zeros = torch.zeros(x.shape[:-1], dtype=x.dtype)
    outputs = []
    for tau in range(math.ceil(length / 16)):
        start, end = 16 * tau, min(length, 16 * tau + 16)
        first = -1 if k == math.inf else tau - k + 1
        state = (h0 if h0 is not None else zeros) if first <= -1 else zeros
        for p in range(max(first, 0) * 16, end):
            state = a[..., p] * state + x[..., p]
            if p >= start:
                outputs.append(state)
    y = torch.stack(outputs, -1)
    return y.flip(-1) if reverse else y


def relative_error(got, want) -> float:
    return float((got.double() - want).norm() / want.norm())


@pytest.mark.parametrize("window", ["full", "bands<1>", "bands<2>",
                                    "bands<3>"])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("with_h0", [False, True])
def test_forward_and_backward_match_float64(window, reverse, with_h0) -> None:
    generator = torch.Generator().manual_seed(0)
    shape = (2, 3, 16, 53)  # L = 53: not a multiple of 16
    a = torch.rand(shape[:2] + shape[3:], generator=generator) * 0.5 + 0.5
    x = torch.randn(shape, generator=generator)
    h0 = torch.randn(shape[:3], generator=generator) if with_h0 else None
    dy = torch.randn(shape, generator=generator)
    params = [t.clone().requires_grad_() for t in (a, x)]
    h0_param = h0.clone().requires_grad_() if with_h0 else None
    y = st.scan(params[0], params[1], window=window, reverse=reverse,
                h0=h0_param)
    (y * dy).sum().backward()

    wants = [t.double().requires_grad_() for t in (a, x)]
    h0_want = h0.double().requires_grad_() if with_h0 else None
    y_want = reference_scan(wants[0], wants[1], window, h0_want, reverse)
    (y_want * dy.double()).sum().backward()

    assert relative_error(y.detach(), y_want.detach()) < 1e-5
    assert relative_error(params[0].grad, wants[0].grad) < 1e-5  # da
    assert relative_error(params[1].grad, wants[1].grad) < 1e-5  # dx
    if with_h0 and h0_want.grad is None:  # bands<1> never sees h0
        assert h0_param.grad.abs().max() == 0
    elif with_h0:
        assert relative_error(h0_param.grad, h0_want.grad) < 1e-5


def test_final_state_gradient_flows() -> None:
    generator = torch.Generator().manual_seed(1)
    a = (torch.rand(1, 2, 40, generator=generator) * 0.5 + 0.5
         ).requires_grad_()
    x = torch.randn(1, 2, 16, 40, generator=generator).requires_grad_()
    y, final = st.scan(a, x, window="bands<2>", return_final=True)
    assert torch.allclose(final, y[..., -1])
    final.sum().backward()
    # Only the last output depends on the final state's gradient.
    assert x.grad[..., :8].abs().max() == 0  # beyond bands<2> of step 39
    assert x.grad[..., -1].abs().min() > 0


def test_btp_contract_bf16() -> None:
    """spear's btp: coeff [B, H, L], x [B, H, 16, L] bf16 -> float32 out;
    here L need not be a multiple of 16."""
    generator = torch.Generator().manual_seed(2)
    coeff = torch.sigmoid(torch.randn(2, 4, 37, generator=generator)
                          ).to(torch.bfloat16).requires_grad_()
    x = torch.randn(2, 4, 16, 37, generator=generator
                    ).to(torch.bfloat16).requires_grad_()
    y = st.btp(coeff, x, k=2)
    assert y.dtype == torch.float32 and y.shape == x.shape
    want = reference_scan(coeff.detach().double(), x.detach().double(),
                          "bands<2>")
    assert relative_error(y.detach(), want) < 1e-5  # f32 out, exact inputs
    y.sum().backward()
    assert coeff.grad.dtype == torch.bfloat16
    assert x.grad.dtype == torch.bfloat16
    assert torch.isfinite(coeff.grad.float()).all()


def test_per_channel_bct_layout() -> None:
    generator = torch.Generator().manual_seed(3)
    a = (torch.rand(2, 5, 33, generator=generator) * 0.5 + 0.5
         ).requires_grad_()
    x = torch.randn(2, 5, 33, generator=generator).requires_grad_()
    y = st.scan(a, x, layout="bct")
    y.sum().backward()
    want = reference_scan(a.detach().double().unsqueeze(1),
                          x.detach().double().unsqueeze(1), "full")
    assert relative_error(y.detach(), want.squeeze(1)) < 1e-5
    assert a.grad.shape == a.shape


@pytest.mark.parametrize("window,layout,shape,final,expected", [
    # A warp per channel sequence where the batch fills the GPU...
    ("bands<2>", "bhdl", (8, 128, 16, 64), False, {}),
    ("bands<2>", "bct", (2, 1024, 64), False, {}),
    # ...time chunks where it has few (B1 H16 D16 at T = 524288: 256).
    ("bands<2>", "bhdl", (1, 16, 16, 64), False, {"time_lanes": 1}),
    ("bands<2>", "bct", (2, 1023, 64), False, {"time_lanes": 1}),
    # Not for final states, token-major layouts or full windows.
    ("bands<2>", "bhdl", (1, 16, 16, 64), True, {}),
    ("bands<2>", "bthd", (1, 64, 16, 16), False, {}),
    ("full", "bhdl", (1, 16, 16, 64), False, {}),
])
def test_forward_tiling_follows_the_batch(window, layout, shape, final,
                                          expected) -> None:
    """The forward's launch options: time chunks for bands<k> over a
    time-innermost layout with fewer than 2048 channel sequences."""
    x = torch.empty(shape, device="meta")
    a = torch.empty(shape[:2] + shape[3:] if layout == "bhdl" else shape,
                    device="meta")
    spec = st._spec_for(a, x, None, window, layout, False, final, None)
    assert st._forward_options(spec, x) == expected


HALF_WORD_LANES = {"time_lanes": 2, "time_warps": 4, "full_block": 16}
SHORT_TILES = {"full_block": 16}


@pytest.mark.parametrize("shape,dtype,per_head,sms,expected", [
    # [B,T,H,D] bf16: 96 64-channel CTAs on 132 SMs -> 32-channel CTAs...
    ((4, 64, 1, 1536), torch.bfloat16, False, 132, HALF_WORD_LANES),
    ((1, 64, 3, 96), torch.float16, False, 132, HALF_WORD_LANES),
    # ...not where they fill the SMs, for heads of at most 32 channels
    # (no more CTAs), per-head decays or f32.
    ((8, 64, 1, 1536), torch.bfloat16, False, 132, {}),
    ((4, 64, 1, 1536), torch.bfloat16, False, 96, {}),
    ((2, 64, 128, 16), torch.bfloat16, False, 1024, {}),
    ((4, 64, 1, 1536), torch.bfloat16, True, 132, {}),
    ((4, 64, 1, 1536), torch.float32, False, 132, {}),
    # 16-step tiles (3 CTAs per SM) where they fill the last wave better:
    # 384 CTAs fill 97% of 396 slots against 73% of 2 waves of 264...
    ((16, 64, 1, 1536), torch.bfloat16, False, 132, SHORT_TILES),
    ((1, 64, 24, 1024), torch.bfloat16, False, 132, SHORT_TILES),
    # ...not at 264 (one full wave of 264 slots) or 528 (two) CTAs, nor at
    # 192 (73% of 264 against 48% of 396).
    ((11, 64, 1, 1536), torch.bfloat16, False, 132, {}),
    ((22, 64, 1, 1536), torch.bfloat16, False, 132, {}),
    ((8, 64, 1, 1536), torch.bfloat16, False, 132, {}),
    ((16, 64, 1, 1536), torch.float32, False, 132, {}),
])
def test_forward_fills_the_sms(shape, dtype, per_head, sms,
                               expected) -> None:
    """A 2-byte [B,T,H,D] full window with per-channel decays takes
    32-channel CTAs when its 64-channel ones would be fewer than the SMs,
    and 16-step tiles when their 3 CTAs per SM fill the last wave better
    than the default's 2."""
    x = torch.empty(shape, dtype=dtype, device="meta")
    a = torch.empty(shape[:3] if per_head else shape, dtype=dtype,
                    device="meta")
    spec = st._spec_for(a, x, None, "full", "bthd", False, False, None)
    assert st._forward_options(spec, x, sms) == expected


@pytest.mark.parametrize("layout,shape,dtype,expected", [
    # 2-byte full windows over time: 16-step tiles up to 4096 steps...
    ("bct", (8, 1536, 4096), torch.bfloat16, {"full_block": 16}),
    ("bct", (2, 70, 17), torch.float16, {"full_block": 16}),
    ("bhdl", (2, 4, 16, 4095), torch.bfloat16, {"full_block": 16}),
    # ...the compiler's 32-step tiles above, and f32 keeps its own.
    ("bct", (8, 1536, 4097), torch.bfloat16, {}),
    ("bct", (8, 1536, 16384), torch.bfloat16, {}),
    ("bct", (8, 1536, 4096), torch.float32, {}),
])
def test_forward_tiles_follow_the_length(layout, shape, dtype,
                                         expected) -> None:
    """A 2-byte full window with per-channel decays over a time-innermost
    layout takes 16-step tiles for sequences of at most 4096 steps."""
    x = torch.empty(shape, dtype=dtype, device="meta")
    spec = st._spec_for(x, x, None, "full", layout, False, False, None)
    assert st._forward_options(spec, x) == expected


@pytest.mark.parametrize("per_head", [False, True])
def test_token_major_rows_are_static(per_head) -> None:
    """bthd kernels take the token's H x D row as constants (a static
    stride): one kernel per (H, D), each checked against float64, forward
    and backward, at two head counts."""
    generator = torch.Generator().manual_seed(9)
    for heads in (3, 5):
        x = torch.randn(2, 37, heads, 6, generator=generator
                        ).requires_grad_()
        a_shape = (2, 37, heads) if per_head else (2, 37, heads, 6)
        a = (torch.rand(a_shape, generator=generator) * 0.5 + 0.5
             ).requires_grad_()
        spec = st._spec_for(a, x, None, "full", "bthd", False, False, None)
        assert (spec.heads, spec.head_dim) == (heads, 6)
        assert f"memref<?x?x{heads}x6xf32>" in spec.mlir()
        y = st.scan(a, x, layout="bthd")
        y.square().sum().backward()
        # [B, T, H, D] -> [B, H, D, T] for the reference.
        a64 = a.detach().double().requires_grad_()
        x64 = x.detach().double().requires_grad_()
        decay = (a64.permute(0, 2, 1) if per_head
                 else a64.permute(0, 2, 3, 1))
        want = reference_scan(decay, x64.permute(0, 2, 3, 1), "full"
                              ).permute(0, 3, 1, 2)
        want.square().sum().backward()
        assert relative_error(y.detach(), want.detach()) < 1e-5
        assert relative_error(a.grad, a64.grad) < 1e-5
        assert relative_error(x.grad, x64.grad) < 1e-5


def test_errors_name_the_argument() -> None:
    x = torch.zeros(1, 2, 16, 8)
    with pytest.raises(swr.ArgumentError, match=r"a: expected shape \[1, 2, 8\]"):
        st.scan(torch.zeros(1, 3, 8), x)
    with pytest.raises(swr.ArgumentError,
                       match="a: expected dtype torch.float32 like x"):
        st.scan(torch.zeros(1, 2, 8, dtype=torch.float16), x)
    with pytest.raises(swr.ArgumentError, match="x: expected rank 4"):
        st.scan(torch.zeros(1, 2, 8), torch.zeros(1, 2, 8, 1, 1))
    with pytest.raises(swr.ArgumentError, match="x: expected dtype float32"):
        st.scan(torch.zeros(1, 2, 8, dtype=torch.float64),
                x.to(torch.float64))
    with pytest.raises(swr.ArgumentError, match=r"h0: expected shape \[1, 2, 16\]"):
        st.scan(torch.zeros(1, 2, 8), x, h0=torch.zeros(1, 2))
    with pytest.raises(swr.ArgumentError, match="k: expected an int >= 1"):
        st.btp(torch.zeros(1, 2, 8), x, k=0)


def phalanx_float64(layer, x):
    """The Phalanx layer's output in float64 over the naive scan, with the
    float64 copies of its parameters and input (for their gradients)."""
    heads, kv = layer.heads, layer.kv_heads
    params = [p.detach().cpu().double().requires_grad_()
              for p in layer.parameters()]
    a_w, a_b, b_w, b_b, c_w, c_b, v_w, o_w = params
    x64 = x.detach().cpu().double().requires_grad_()
    batch, length = x64.shape[:2]

    def per_head(t):
        t = t.view(batch, length, kv, 16)
        return t.repeat_interleave(heads // kv, dim=2)
    decay = torch.sigmoid(x64 @ a_w.T + a_b)                  # [B, L, H]
    gate = torch.sigmoid(per_head(x64 @ b_w.T + b_b))
    post = per_head(x64 @ c_w.T + c_b)
    value = (x64 @ v_w.T).view(batch, length, heads, 16)
    # [B, L, H, 16] -> [B, H, 16, L] for the naive scan, and back.
    mixed = reference_scan(decay.permute(0, 2, 1),
                           (gate * value).permute(0, 2, 3, 1),
                           f"bands<{layer.k}>")
    y = mixed.permute(0, 3, 1, 2) * post + value
    return y.reshape(batch, length, layer.dim) @ o_w.T, params, x64


def assert_trains_like_float64(layer, x) -> None:
    """The layer's output on x and, after backward of its mean square,
    every parameter's gradient and x's against the same layer in float64."""
    out = layer(x)
    assert out.shape == x.shape
    out.square().mean().backward()
    want, params64, x64 = phalanx_float64(layer, x)
    assert relative_error(out.detach().cpu(), want.detach()) < 1e-5
    want.square().mean().backward()
    for p, p64 in zip(layer.parameters(), params64):
        assert relative_error(p.grad.cpu(), p64.grad) < 1e-4
    assert relative_error(x.grad.cpu(), x64.grad) < 1e-4


def test_phalanx_layer_matches_float64_and_trains() -> None:
    """The seed's Phalanx parametrisation: output and every parameter's
    gradient against the same layer in float64 over the naive scan."""
    torch.manual_seed(4)
    layer = st.Phalanx(64, length=100, kv_heads=2)
    x = torch.randn(2, 37, 64, requires_grad=True)
    assert_trains_like_float64(layer, x)


def test_phalanx_fused_training_matches_float64(monkeypatch) -> None:
    """fused_training=True trains through the fused mixing and its
    compiler-derived fused backward (never the unfused scan): the same
    output and gradients."""
    monkeypatch.setattr(st, "scan", lambda *a, **k: pytest.fail("unfused"))
    torch.manual_seed(8)
    layer = st.Phalanx(64, length=100, kv_heads=2, fused_training=True)
    x = torch.randn(2, 37, 64, requires_grad=True)
    assert_trains_like_float64(layer, x)


def test_phalanx_inference_runs_the_fused_mixing() -> None:
    """Under no_grad the gates run fused into the scan kernel; the output
    matches the same layer in float64."""
    torch.manual_seed(5)
    layer = st.Phalanx(64, length=100, kv_heads=2, k=3)
    x = torch.randn(2, 53, 64)
    with torch.no_grad():
        out = layer(x)
    want, _, _ = phalanx_float64(layer, x)
    assert relative_error(out, want.detach()) < 1e-5
    fused = st.mixing(3)
    spec = fused.spec(torch.zeros(1, 1, 4), *[torch.zeros(1, 1, 4, 16)] * 3)
    assert spec.fused and spec.extra_inputs == 2 and spec.window == "bands<3>"


def test_phalanx_errors() -> None:
    with pytest.raises(swr.ArgumentError, match="dim: expected a multiple"):
        st.Phalanx(40)
    with pytest.raises(swr.ArgumentError, match="kv_heads: expected a divisor"):
        st.Phalanx(64, kv_heads=3)
    with pytest.raises(swr.ArgumentError, match=r"x: expected \[B, L, 64\]"):
        st.Phalanx(64)(torch.zeros(1, 5, 32))


@pytest.mark.parametrize("window", ["full", "bands<2>"])
def test_packed_sequences_match_separate_runs(window) -> None:
    """cu_seqlens: three sequences (17, 1, 40 steps) in one batch give the
    same outputs, final states and gradients as three separate scans."""
    generator = torch.Generator().manual_seed(10)
    lengths = [17, 1, 40]
    total = sum(lengths)
    a = (torch.rand(1, 2, total, generator=generator) * 0.5 + 0.5
         ).requires_grad_()
    x = torch.randn(1, 2, 16, total, generator=generator).requires_grad_()
    h0 = torch.randn(3, 2, 16, generator=generator).requires_grad_()
    cu = torch.tensor([0, 17, 18, 58], dtype=torch.int32)
    y, final = st.scan(a, x, window=window, h0=h0, return_final=True,
                       cu_seqlens=cu)
    dy = torch.randn(y.shape, generator=generator)
    dfinal = torch.randn(final.shape, generator=generator)
    ((y * dy).sum() + (final * dfinal).sum()).backward()

    loss = 0
    wants_a = a.detach().double().requires_grad_()
    wants_x = x.detach().double().requires_grad_()
    wants_h0 = h0.detach().double().requires_grad_()
    for i, (start, end) in enumerate(zip(cu[:-1].tolist(), cu[1:].tolist())):
        y_i = reference_scan(wants_a[..., start:end], wants_x[..., start:end],
                             window, wants_h0[i:i + 1])
        assert relative_error(y[..., start:end].detach(), y_i.detach()) < 1e-5
        assert relative_error(final[i].detach(), y_i[0, ..., -1].detach()) \
            < 1e-5
        loss = loss + (y_i * dy[..., start:end].double()).sum() + \
            (y_i[0, ..., -1] * dfinal[i].double()).sum()
    loss.backward()
    assert relative_error(a.grad, wants_a.grad) < 1e-5
    assert relative_error(x.grad, wants_x.grad) < 1e-5
    assert relative_error(h0.grad, wants_h0.grad) < 1e-5


def test_packed_sequence_errors() -> None:
    x = torch.zeros(2, 2, 16, 8)
    cu = torch.tensor([0, 8], dtype=torch.int32)
    with pytest.raises(swr.ArgumentError,
                       match="x: packed sequences .* expected batch size 1"):
        st.scan(torch.zeros(2, 2, 8), x, cu_seqlens=cu)
    with pytest.raises(swr.ArgumentError,
                       match="cu_seqlens: expected a 1-D int32 tensor"):
        st.scan(torch.zeros(1, 2, 8), x[:1], cu_seqlens=cu.long())
    with pytest.raises(swr.ArgumentError, match=r"h0: expected shape \[1, 2, 16\]"):
        st.scan(torch.zeros(1, 2, 8), x[:1], cu_seqlens=cu,
                h0=torch.zeros(2, 2, 16))


@pytest.mark.parametrize("window", ["full", "bands<1>", "bands<2>",
                                    "bands<3, 8>"])
@pytest.mark.parametrize("per_head", [False, True])
def test_scan_step_streams_the_scan(window, per_head) -> None:
    """Token by token, scan_step gives the outputs of the whole-sequence
    scan (the float64 reference) with k running sums of state."""
    gen = torch.Generator().manual_seed(3)
    length, shape = 53, (2, 3, 4)
    x = torch.randn(length, *shape, generator=gen, dtype=torch.float64)
    a = torch.rand(length, *(shape[:-1] if per_head else shape),
                   generator=gen, dtype=torch.float64)
    h0 = torch.randn(shape, generator=gen, dtype=torch.float64)
    full_a = a.unsqueeze(-1).expand_as(x) if per_head else a
    tile = 8 if "," in window else 16
    want = swr.reference.scan(full_a.movedim(0, -1).numpy(),
                              x.movedim(0, -1).numpy(),
                              window=window.split(",")[0].rstrip(">") + ">"
                              if "," in window else window,
                              h0=h0.numpy(), tile=tile)
    state, outputs = None, []
    for t in range(length):
        y, state = st.scan_step(a[t].float(), x[t].float(), state,
                                window=window, h0=h0.float())
        outputs.append(y)
    got = torch.stack(outputs, dim=-1).double()
    assert relative_error(got, torch.from_numpy(want)) < 1e-6
    k = 1 if window == "full" else int(window[6])
    assert state.sums.shape == (k, *shape) and state.position == length


def test_phalanx_step_matches_forward() -> None:
    """Streaming decode through the layer equals its forward pass."""
    torch.manual_seed(6)
    layer = st.Phalanx(64, length=100, kv_heads=2, k=2)
    x = torch.randn(2, 40, 64)
    with torch.no_grad():
        whole = layer(x)
        state, tokens = None, []
        for t in range(x.shape[1]):
            out, state = layer.step(x[:, t], state)
            tokens.append(out)
    assert relative_error(torch.stack(tokens, dim=1), whole) < 1e-5
    assert state.sums.shape == (2, 2, 4, 16)
    with pytest.raises(swr.ArgumentError, match="one token"):
        layer.step(x)
    with pytest.raises(swr.ArgumentError, match="decode step supports"):
        st.scan_step(torch.ones(2), torch.ones(2), window="exact<8>")
