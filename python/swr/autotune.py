"""Choosing a kernel's tiles per GPU thread by timing it.

How many 16-step tiles a thread owns (`time_chunk`) trades warm-up work and
registers against parallelism, and the best value depends on the kernel
(measured on the H200: 2 for the bare bands<2> scan in bhdl, 8 for the
fused Phalanx mixing in bthd) and on the problem size. `choose` times each
candidate once per (kernel, device, size class) and keeps the choice in the
kernel cache next to the compiled kernels, so later calls and processes
reuse it.
"""

from __future__ import annotations

from typing import Callable

from . import cache
from .spec import ScanSpec

CANDIDATES = (1, 2, 4, 8, 16)


def size_class(elements: int) -> int:
    """Problems within a factor of two share a choice: log2 of the input's
    element count, rounded up."""
    return max(0, (elements - 1).bit_length())


def choose(spec: ScanSpec, device: str, elements: int, build: str,
           time_ms: Callable[[int], float],
           candidates: tuple[int, ...] = CANDIDATES) -> int:
    """The fastest of `candidates` for `spec` on `device` at this size class:
    from the cache, else by calling `time_ms(time_chunk)` for each (which
    must compile, run and time the kernel with that many tiles per thread)
    and recording the result."""
    entry_key = cache.key(kind="autotune", spec=spec.mlir(), device=device,
                          size_class=size_class(elements), build=build,
                          candidates=list(candidates))
    entry = cache.load(entry_key)
    if entry is not None:
        return int(entry["time_chunk"])
    times = {chunk: float(time_ms(chunk)) for chunk in candidates}
    best = min(times, key=times.__getitem__)
    cache.store(entry_key, {"time_chunk": best,
                            "ms": {str(c): t for c, t in times.items()}})
    return best
