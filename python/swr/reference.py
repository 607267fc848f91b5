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
    kind, size = _parse(window)
    y = np.zeros_like(x)
    for t in range(x.shape[-1]):
        if kind == "full":
            start, with_h0 = 0, True
        elif kind == "bands":
            index = t // tile
            start = max(0, tile * (index - size + 1))
            with_h0 = index <= size - 2
        elif kind == "exact":
            start, with_h0 = max(0, t - size + 1), t - size + 1 <= -1
        else:
            raise ValueError(f"window: expected full, bands<k> or exact<W>, "
                             f"got {window!r}")
        h = np.zeros(x.shape[:-1])
        for s in range(start, t + 1):
            h = a[..., s] * h + x[..., s]
        if with_h0 and h0 is not None:
            h = h + np.prod(a[..., : t + 1], axis=-1) * np.asarray(
                h0, dtype=np.float64)
        y[..., t] = h
    return y


def _parse(window: str) -> tuple[str, int]:
    if window == "full":
        return "full", 0
    kind, _, rest = window.partition("<")
    return kind, int(rest.rstrip(">").split(",")[0])
