"""Gradients through fused regions: the compiler-derived backward of swr.jit
kernels (swr-derive-backward differentiates the prologue and epilogue) on
the host backend, against torch autograd through the same function in
float64 (swr.jit's eager path on float64 tensors runs the float64 reference
scan), and a finite-difference check of one direction against the float64
numpy reference. Every window with a backward, layout and decay sharing,
both directions, with and without h0, lengths 1, 17 and 40."""

from __future__ import annotations

import functools
import itertools
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import swr  # noqa: E402

torch = pytest.importorskip("torch")

from test_fused_matrix import LAYOUTS, SHAPES  # noqa: E402

WINDOWS = ["full", "bands<1>", "bands<2>", "bands<5>", "exact<7>", "exact<40>"]


def gated(window, reverse):
    """Prologue and epilogue, both reading extra operands."""
    def function(za, zb, v, c, *h0):
        a = swr.sigmoid(za)
        x = swr.tanh(zb) * v
        y = swr.scan(a, x, window=window, reverse=reverse,
                     h0=h0[0] if h0 else None)
        return y * c + v * 0.5
    return function


def prologue_only(window, reverse):
    """softplus (maximum, abs, log1p, exp) and a division in the prologue;
    the output is the state."""
    def function(za, zb, v, c, *h0):
        a = 1.0 / (1.0 + swr.softplus(-za))
        x = swr.softplus(zb) * v - c / (1.0 + swr.exp(c))
        return swr.scan(a, x, window=window, reverse=reverse,
                        h0=h0[0] if h0 else None)
    return function


def epilogue_only(window, reverse):
    """Raw decays and inputs; a nonlinear epilogue of the state."""
    def function(a, x, v, c, *h0):
        y = swr.scan(a, x, window=window, reverse=reverse,
                     h0=h0[0] if h0 else None)
        return swr.tanh(y) * c + swr.maximum(v, y) - swr.log1p(c * c)
    return function


FUNCTIONS = {"gated": gated, "prologue": prologue_only,
             "epilogue": epilogue_only}


@functools.lru_cache(maxsize=None)
def jitted(kind: str, window: str, layout: str, reverse: bool):
    return swr.jit(FUNCTIONS[kind](window, reverse), layout=layout)


def operands(kind: str, layout: str, sharing: str, length: int,
             with_h0: bool, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = tuple(length if d is None else d for d in SHAPES[layout])
    if sharing == "per_head":
        decay = shape[:2] + shape[3:] if layout == "bhdl" else shape[:3]
    else:
        decay = shape
    if kind == "epilogue":  # raw decays in (0.3, 1)
        arrays = [rng.uniform(0.3, 1.0, size=decay)]
    else:
        arrays = [rng.normal(size=decay) + 1.5]
    arrays += [rng.normal(size=shape) for _ in range(3)]
    if with_h0:
        state = {"bhdl": shape[:3], "bthd": (shape[0],) + shape[2:],
                 "bct": shape[:2]}[layout]
        arrays.append(rng.normal(size=state))
    return arrays


def float64_gradients(function, arrays: list[np.ndarray], seed: int):
    """The float64 output of `function` (its eager path, whose scan is the
    float64 reference), a random output gradient and torch autograd's
    gradients of every argument (0 for one the output never sees, such as
    h0 under bands<1>)."""
    exact = [torch.tensor(a, requires_grad=True) for a in arrays]
    want_out = function.eager(*exact)
    grad_out = torch.randn(want_out.shape, dtype=torch.float64,
                           generator=torch.Generator().manual_seed(seed))
    want = [torch.zeros_like(e) if w is None else w for e, w in zip(
        exact, torch.autograd.grad(want_out, exact, grad_out,
                                   allow_unused=True))]
    return want_out, grad_out, want


def relative_error(got, want) -> float:
    got, want = got.detach().double(), want.detach().double()
    return float((got - want).abs().max() / want.abs().max().clamp_min(1e-30))


CASES = [(kind, *rest) for kind, rest in zip(
    itertools.cycle(FUNCTIONS),
    itertools.product(WINDOWS, LAYOUTS, [False, True], [False, True]))]


@pytest.mark.parametrize("kind,window,layout_sharing,reverse,with_h0", CASES)
def test_fused_grad_host(kind, window, layout_sharing, reverse,
                         with_h0) -> None:
    layout, sharing = layout_sharing
    function = jitted(kind, window, layout, reverse)
    for length in (1, 17, 40):
        arrays = operands(kind, layout, sharing, length, with_h0, length)
        want_out, grad_out, want = float64_gradients(function, arrays, 7)
        inputs = [torch.tensor(a, dtype=torch.float32, requires_grad=True)
                  for a in arrays]
        assert function.spec(*inputs).sharing == sharing
        out = function(*inputs)
        got = torch.autograd.grad(out, inputs, grad_out.float())
        where = (kind, window, layout, sharing, reverse, with_h0, length)
        assert relative_error(out, want_out) < 2e-6, where
        for name, g, w in zip(["decay", "input", "v", "c", "h0"], got,
                              want):
            assert not torch.isnan(g).any(), (name, *where)
            assert relative_error(g, w) < 2e-5, (name, relative_error(g, w),
                                                 *where)


def test_fused_grad_finite_differences() -> None:
    """<dL/dz, u> of the compiled backward against the central difference
    of the float64 numpy reference along a random direction u."""
    function = jitted("gated", "bands<2>", "bthd", False)
    arrays = operands("gated", "bthd", "per_head", 37, True, 3)
    rng = np.random.default_rng(11)
    weight = rng.normal(size=arrays[1].shape)
    directions = [rng.normal(size=a.shape) for a in arrays]
    inputs = [torch.tensor(a, dtype=torch.float32, requires_grad=True)
              for a in arrays]
    out = function(*inputs)
    grads = torch.autograd.grad(out, inputs, torch.tensor(
        weight, dtype=torch.float32))
    analytic = sum(float((g.double().numpy() * u).sum())
                   for g, u in zip(grads, directions))
    step = 1e-6

    def loss(sign: float) -> float:
        moved = [a + sign * step * u for a, u in zip(arrays, directions)]
        return float((function.reference(*moved) * weight).sum())
    numeric = (loss(1.0) - loss(-1.0)) / (2 * step)
    assert abs(analytic - numeric) < 1e-5 * max(1.0, abs(numeric)), \
        (analytic, numeric)


def test_fused_grad_bf16_host() -> None:
    """bf16 operands: gradients (stored in bf16) within a few rounding
    floors of float64 on the same bf16 inputs."""
    function = jitted("gated", "bands<2>", "bthd", False)
    arrays = operands("gated", "bthd", "per_head", 40, False, 5)
    inputs = [torch.tensor(a, dtype=torch.bfloat16, requires_grad=True)
              for a in arrays]
    exact = [i.detach().double().requires_grad_() for i in inputs]
    want_out = function.eager(*exact)
    grad_out = torch.randn(want_out.shape, dtype=torch.float64,
                           generator=torch.Generator().manual_seed(1))
    want = torch.autograd.grad(want_out, exact, grad_out)
    out = function(*inputs)
    got = torch.autograd.grad(out, inputs, grad_out.bfloat16())
    floor = 2.0 ** -8
    for name, g, w in zip(["za", "zb", "v", "c"], got, want):
        assert g.dtype == torch.bfloat16
        assert relative_error(g, w) < 4 * floor, (name, relative_error(g, w))


def per_head_gate(z, v, h0):
    a = swr.sigmoid(z)
    return swr.scan(a, (1.0 - a) * v, window="exact<20>", h0=h0)


@pytest.mark.parametrize("layout,shapes", [
    ("bthd", [(2, 37, 3), (2, 37, 3, 16), (2, 3, 16)]),
    # L = D = 16: h0 and the per-head z have the same shape.
    ("bhdl", [(2, 3, 16), (2, 3, 16, 16), (2, 3, 16)])])
def test_per_head_value_times_channel_value(layout, shapes) -> None:
    """A per-head value (1 - a) times channel values: the kernel broadcasts
    it over the channels, and so do `reference` and `eager` (a size-1
    channel axis on per-head arguments, never on h0)."""
    function = swr.jit(per_head_gate, layout=layout)
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    got = function(*arrays)
    want = function.reference(*arrays)
    assert float(abs(got - want).max() / abs(want).max()) < 2e-6
    inputs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = function(*inputs)
    grads = torch.autograd.grad(out, inputs, torch.ones_like(out))
    exact = [i.detach().double().requires_grad_() for i in inputs]
    exact_out = function.eager(*exact)
    wants = torch.autograd.grad(exact_out, exact, torch.ones_like(exact_out))
    for g, w, a in zip(grads, wants, arrays):
        assert g.shape == a.shape
        assert relative_error(g, w) < 2e-5


def test_fused_grad_only_requested() -> None:
    """Arguments without requires_grad get None; the state is saved only
    for an epilogue."""
    function = jitted("gated", "full", "bhdl", False)
    arrays = [torch.tensor(a, dtype=torch.float32) for a in
              operands("gated", "bhdl", "per_head", 20, False, 2)]
    arrays[2].requires_grad_()
    out = function(*arrays)
    assert out.requires_grad
    (grad,) = torch.autograd.grad(out.sum(), [arrays[2]])
    assert grad.shape == arrays[2].shape and not torch.isnan(grad).any()
    spec = function.spec(*arrays)
    assert not spec.save_state and spec.training().save_state
    assert spec.training().backward_roles() == [
        "decay", "input", "operand0", "operand1", "state", "grad_output",
        "grad_input", "grad_decay", "grad_operand0", "grad_operand1"]


RULES = {
    "exp": lambda v, c: swr.exp(v * 0.5) * c,
    "log": lambda v, c: swr.log(1.0 + v * v) * c,
    "log1p": lambda v, c: swr.log1p(v * v) * c,
    "expm1": lambda v, c: swr.expm1(v) - c,
    "tanh": lambda v, c: swr.tanh(v * c),
    "abs": lambda v, c: swr.abs(v) * c,
    "sigmoid": lambda v, c: swr.sigmoid(v) / (2.0 + c * c),
    "softplus": lambda v, c: swr.softplus(v - c),
    "maximum": lambda v, c: swr.maximum(v, c),
    "minimum": lambda v, c: swr.minimum(v, c * 0.5),
    "divide": lambda v, c: v / (1.5 + swr.tanh(c)),
    "cast": lambda v, c: swr.cast(v * c, "bf16"),
}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("where", ["prologue", "epilogue"])
def test_fused_grad_rule(rule: str, where: str) -> None:
    """Each derivative rule on its own, in the prologue (through the scan)
    or the epilogue, against float64 autograd; maximum/minimum get ties
    (the gradient is split like torch's)."""
    op = RULES[rule]

    def function(za, zb, v, c):
        if where == "prologue":
            return swr.scan(swr.sigmoid(za), op(zb, c) + v,
                            window="bands<2>")
        y = swr.scan(swr.sigmoid(za), zb * v, window="bands<2>")
        return op(y, c)
    jitted_rule = swr.jit(function, layout="bthd")
    arrays = operands("gated", "bthd", "per_head", 33, False, 12)
    if rule in ("maximum", "minimum"):  # ties where the operands meet
        tie = arrays[3] if rule == "maximum" else arrays[3] * 0.5
        arrays[1][:, ::3] = tie[:, ::3]
    _, grad_out, want = float64_gradients(jitted_rule, arrays, 2)
    inputs = [torch.tensor(a, dtype=torch.float32, requires_grad=True)
              for a in arrays]
    got = torch.autograd.grad(jitted_rule(*inputs), inputs,
                              grad_out.float(), allow_unused=True)
    bound = 2.0 ** -7 if rule == "cast" else 2e-5
    for name, g, w in zip(["za", "zb", "v", "c"], got, want):
        assert g is not None and not torch.isnan(g).any(), name
        assert relative_error(g, w) < bound, (rule, where, name,
                                              relative_error(g, w))
