"""Which backend runs a kernel: the one of the arrays' device, or the one
`$SWR_BACKEND` forces ("host": the CPU JIT even for CUDA arrays, copied to
the host and back, e.g. to compare the backends; "cuda": the GPU even for
CPU torch tensors; "auto" or unset: the arrays' own)."""

from __future__ import annotations

import os
from typing import Optional

from .errors import ArgumentError

BACKENDS = ("auto", "host", "cuda")


def forced() -> Optional[str]:
    """"host" or "cuda" when $SWR_BACKEND forces one, else None."""
    value = os.environ.get("SWR_BACKEND", "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in BACKENDS:
        raise ArgumentError(f"SWR_BACKEND: expected one of {BACKENDS}, got "
                            f"{value!r}")
    return value


def writes(role: str, backward: bool) -> bool:
    """Whether a kernel writes the operand of `role`."""
    if backward:
        return role.startswith("grad_") and role not in ("grad_output",
                                                         "grad_final")
    return role in ("output", "final", "state")
