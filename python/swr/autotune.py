"""Choosing a kernel's tiles per GPU thread, or its cluster size, by
timing it.

How many 16-step tiles a thread owns (`time_chunk`) trades warm-up work and
registers against parallelism, and the best value depends on the kernel
(measured on the H200: 2 for the bare bands<2> scan in bhdl, 8 for the
fused Phalanx mixing in bthd) and on the problem size. `choose` times each
candidate once per (kernel, device, size class) and keeps the choice in the
kernel cache next to the compiled kernels, so later calls and processes
reuse it.

How many CTAs of a thread-block cluster share a full window's sequence
(`time_ctas`) depends on how many sequences there are: few leave SMs idle
unless clusters spread each over several CTAs (H200, B1 C64 T65536 f32:
6.6% of a copy on one CTA, 31.5% on 8), many fill the GPU anyway and pay
for the clusters' lock-step barrier (B8 C1536 T16384 bf16: 76.0% on one,
59.3% on 2). `choose_clusters` times the cluster sizes once per (kernel,
device, size class, sequence-count class).

How a full window's CTA shares a sequence — the warps that take turns along
it (`time_warps`) and the steps each warp's tile spans (`full_block`) —
trades bytes in flight per warp against warps per SM and registers (H200,
[B,T,C] bf16 T4096, a channel per lane: 59.5% of copy with 8 warps of 16
steps, 58.5% with 4 of 32, 39.8% with 4 of 16). `choose_full_tiling` times
pairs of them once per (kernel, device, size class, sequence-count class);
0 in a pair is the compiler's choice, always among the candidates.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, Optional

from . import cache
from .spec import ScanSpec

CANDIDATES = (1, 2, 4, 8, 16)
CLUSTER_CANDIDATES = (1, 2, 4, 8)
WARP_CANDIDATES = (0, 2, 4, 8)
BLOCK_CANDIDATES = (0, 16, 32)


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
    return _fastest(entry_key, "time_chunk", candidates, time_ms)


def choose_clusters(spec: ScanSpec, device: str, elements: int,
                    sequences: int, build: str,
                    time_ms: Callable[[int], float],
                    candidates: tuple[int, ...] = CLUSTER_CANDIDATES) -> int:
    """The fastest cluster size (`time_ctas`) of `candidates` for the full
    window `spec` on `device`, for `elements` input elements in `sequences`
    sequences (batch x channels): from the cache, else by calling
    `time_ms(time_ctas)` for each and recording the result."""
    entry_key = cache.key(kind="autotune-clusters", spec=spec.mlir(),
                          device=device, size_class=size_class(elements),
                          sequence_class=size_class(sequences), build=build,
                          candidates=list(candidates))
    return _fastest(entry_key, "time_ctas", candidates, time_ms)


def choose_full_tiling(spec: ScanSpec, device: str, elements: int,
                       sequences: int, build: str,
                       time_ms: Callable[[tuple[int, int]], float],
                       candidates: tuple[tuple[int, int], ...],
                       kernel_of: Optional[Callable[[tuple[int, int]],
                                                    Hashable]] = None
                       ) -> tuple[int, int]:
    """The fastest (time_warps, full_block) pair of `candidates` for the
    full window `spec` on `device`, keyed like choose_clusters: from the
    cache, else by calling `time_ms(pair)` for each (a pair that does not
    compile may time as infinity) and recording the result. Pairs with the
    same `kernel_of` (the compiled kernel: 0, the compiler's choice, is
    often also one of the numbers) are timed once, the first of them
    winning a tie."""
    entry_key = cache.key(kind="autotune-full-tiling", spec=spec.mlir(),
                          device=device, size_class=size_class(elements),
                          sequence_class=size_class(sequences), build=build,
                          candidates=[list(pair) for pair in candidates])
    warps, block = _fastest(entry_key, "tiling", candidates, time_ms,
                            kernel_of)
    return int(warps), int(block)


def full_tiling_candidates(time_warps: int | str, full_block: int | str
                           ) -> tuple[tuple[int, int], ...]:
    """The (time_warps, full_block) pairs to time: every candidate of an
    option given as "auto", the given value of the other."""
    warps = WARP_CANDIDATES if time_warps == "auto" else (time_warps,)
    blocks = BLOCK_CANDIDATES if full_block == "auto" else (full_block,)
    return tuple((w, b) for w in warps for b in blocks)


def _fastest(entry_key: str, name: str, candidates: tuple,
             time_ms: Callable,
             kernel_of: Optional[Callable[[Any], Hashable]] = None) -> Any:
    """The recorded choice under `entry_key`, else the candidate with the
    smallest time_ms (timed once per distinct `kernel_of`), recorded with
    every time as `name` (a tuple candidate as a list)."""
    entry = cache.load(entry_key)
    if entry is not None:
        value = entry[name]
        return tuple(value) if isinstance(value, list) else int(value)
    times: dict[Any, float] = {}
    by_kernel: dict[Hashable, float] = {}
    for value in candidates:
        kernel = kernel_of(value) if kernel_of else value
        if kernel not in by_kernel:
            by_kernel[kernel] = float(time_ms(value))
        times[value] = by_kernel[kernel]
    best = min(times, key=times.__getitem__)
    cache.store(entry_key, {name: list(best) if isinstance(best, tuple)
                            else best,
                            "ms": {str(v): t for v, t in times.items()}})
    return best
