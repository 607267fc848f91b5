"""The operands of the CUDA tests of swr.torch (test_torch_cuda.py), shared
with scripts/gpu-python-cache.py, which compiles their kernels into the
cache the GPU machine (runtime only) reads."""

from __future__ import annotations

import torch

# name: (window, layout, x shape, per-head decays, dtype, h0, reverse,
#        output dtype)
CASES = {
    "btp-bf16": ("bands<2>", "bhdl", (2, 4, 16, 100), True, torch.bfloat16,
                 False, False, torch.float32),
    "full-bct-f32-h0-rev": ("full", "bct", (2, 8, 100), False, torch.float32,
                            True, True, None),
    "bands3-bthd-f32-h0": ("bands<3>", "bthd", (2, 100, 3, 16), True,
                           torch.float32, True, False, None),
    "bands2-bhdl-bf16-long": ("bands<2>", "bhdl", (2, 2, 16, 8193), True,
                              torch.bfloat16, True, False, None),
    # The Phalanx layer of dim 64 (4 heads), float32, [B, L, H, 16].
    "phalanx-64": ("bands<2>", "bthd", (2, 37, 4, 16), True, torch.float32,
                   False, False, None),
}


def decay_shape(layout: str, shape: tuple, per_head: bool) -> tuple:
    if not per_head:
        return shape
    if layout == "bhdl":
        return shape[:2] + shape[3:]
    return shape[:3]


def state_shape(layout: str, shape: tuple) -> tuple:
    if layout == "bhdl":
        return shape[:3]
    if layout == "bthd":
        return (shape[0], shape[2], shape[3])
    return shape[:2]


def operands(name: str, device: str, generator=None):
    """(a, x, h0, keyword arguments of swr.torch.scan) for case `name`."""
    window, layout, shape, per_head, dtype, with_h0, reverse, out = \
        CASES[name]

    def make(size, kind):
        if device == "meta":
            return torch.empty(size, dtype=dtype, device="meta")
        values = (torch.rand(size, generator=generator) * 0.5 + 0.5
                  if kind == "decay" else torch.randn(size,
                                                      generator=generator))
        return values.to(dtype).to(device)
    a = make(decay_shape(layout, shape, per_head), "decay")
    x = make(shape, "input")
    h0 = None
    if with_h0:
        h0 = (torch.empty(state_shape(layout, shape), device="meta")
              if device == "meta" else
              torch.randn(state_shape(layout, shape),
                          generator=generator).to(device))
    return a, x, h0, dict(window=window, layout=layout, reverse=reverse,
                          output_dtype=out)


# Fused kernels (swr.jit) of the CUDA tests: name -> (function, shapes of
# its arguments, dtype). The function's decay-shaped argument comes first.
def _mamba_reverse():
    import swr

    def mamba_reverse(dt, v, h0):
        a = swr.exp(-swr.softplus(dt))
        return swr.scan(a, (1.0 - a) * v, window="full", reverse=True, h0=h0)
    return swr.jit(mamba_reverse, layout="bct")


def _exact_gate():
    import swr

    def exact_gate(za, zb, v):
        return swr.scan(swr.sigmoid(za), swr.sigmoid(zb) * v,
                        window="exact<40>")
    return swr.jit(exact_gate, layout="bthd")


def jit_cases() -> dict:
    import swr.torch as st
    mamba = _mamba_reverse()
    bthd = [(2, 8193, 4), (2, 8193, 4, 16), (2, 8193, 4, 16),
            (2, 8193, 4, 16)]
    short = [(2, 17, 3), (2, 17, 3, 16), (2, 17, 3, 16), (2, 17, 3, 16)]
    return {
        "mix-bthd-bf16-long": (st.mixing(2), bthd, torch.bfloat16),
        "mix-bthd-f32-k3": (st.mixing(3), short, torch.float32),
        "mix-bthd-f32-k2": (st.mixing(2), short, torch.float32),
        "mamba-bct-f32-rev-h0": (mamba, [(2, 6, 300), (2, 6, 300), (2, 6)],
                                 torch.float32),
        "exact40-bthd-f32": (_exact_gate(), [(2, 300, 3), (2, 300, 3, 16),
                                             (2, 300, 3, 16)], torch.float32),
    }


def jit_operands(shapes, dtype, device: str, shift: float = 0.0,
                 generator=None):
    """Random arguments of a fused case; the first (decay pre-activations)
    shifted by `shift` (+9: decays near 1, -9: near 0)."""
    if device == "meta":
        return [torch.empty(s, dtype=dtype, device="meta") for s in shapes]
    tensors = [torch.randn(s, generator=generator) for s in shapes]
    tensors[0] = tensors[0] + shift
    return [t.to(dtype).to(device) for t in tensors]
