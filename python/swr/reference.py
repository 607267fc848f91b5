"""A float64 numpy reference, independent of the B2P decomposition."""

from __future__ import annotations

import numpy as np


def scan(a: np.ndarray, x: np.ndarray, *, window: str = "full",
         h0: np.ndarray | None = None, tile: int = 16) -> np.ndarray:
    """y[t] for h[t] = a[t] h[t-1] + x[t] along the last axis, in float64.

    window: "full", "bands<k>" (tiles of `tile` steps) or "exact<W>". h0 is
    the state before step 0; it reaches output t when the window reaches
    time -1 (bands<k>: tiles 0..k-2; exact<W>: t <= W-2; full: always).
    Quadratic in the length: for tests.
    """
    a = np.asarray(a, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.zeros_like(x)
    for t in range(x.shape[-1]):
        start, with_h0 = window_start(window, t, tile)
        h = np.zeros(x.shape[:-1])
        for s in range(start, t + 1):
            h = a[..., s] * h + x[..., s]
        if with_h0 and h0 is not None:
            h = h + np.prod(a[..., : t + 1], axis=-1) * np.asarray(
                h0, dtype=np.float64)
        y[..., t] = h
    return y


def scan_torch(a, x, *, window: str = "full", h0=None, tile: int = 16):
    """`scan` on float64 torch tensors, differentiable by torch's autograd
    (the float64 gradient reference of the fused kernels' backward). Full
    windows run the recurrence step by step; windows sum their terms
    directly, y[t] = sum over lags j inside the window of
    a[t] ... a[t-j+1] x[t-j], one vectorised step per lag."""
    import torch
    length = x.shape[-1]
    if _parse(window)[0] == "full":
        h = torch.zeros_like(x[..., 0]) if h0 is None else h0
        outputs = []
        for t in range(length):
            h = a[..., t] * h + x[..., t]
            outputs.append(h)
        return torch.stack(outputs, dim=-1)
    starts = [window_start(window, t, tile) for t in range(length)]
    reach = torch.tensor([t - s for t, (s, _) in enumerate(starts)],
                         device=x.device)
    steps = torch.arange(length, device=x.device)
    products = torch.ones_like(x)  # a[t] ... a[t-j+1]
    y = torch.zeros_like(x)
    for lag in range(int(reach.max()) + 1 if length else 0):
        inside = (steps >= lag) & (reach >= lag)
        shifted_x = torch.nn.functional.pad(x[..., :length - lag], (lag, 0))
        y = y + torch.where(inside, products * shifted_x, 0.0)
        shifted_a = torch.nn.functional.pad(a[..., :length - lag], (lag, 0),
                                            value=1.0)
        products = products * shifted_a
    if h0 is not None:
        sees_h0 = torch.tensor([w for _, w in starts], device=x.device)
        prefix = torch.cumprod(a, dim=-1)
        y = y + torch.where(sees_h0, prefix * h0[..., None], 0.0)
    return y


def window_start(window: str, t: int, tile: int = 16) -> tuple[int, bool]:
    """The first input step output t sees, and whether it sees h0."""
    kind, size = _parse(window)
    if kind == "full":
        return 0, True
    if kind == "bands":
        index = t // tile
        return max(0, tile * (index - size + 1)), index <= size - 2
    if kind == "exact":
        return max(0, t - size + 1), t - size + 1 <= -1
    raise ValueError(f"window: expected full, bands<k> or exact<W>, got "
                     f"{window!r}")


def _parse(window: str) -> tuple[str, int]:
    if window == "full":
        return "full", 0
    kind, _, rest = window.partition("<")
    return kind, int(rest.rstrip(">").split(",")[0])
