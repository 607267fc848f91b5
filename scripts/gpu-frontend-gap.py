#!/usr/bin/env python3
"""Where the [B,C,T] bf16 forward's time goes when swr.torch.scan launches
it (GPU machine, static libswr).

Session 22 timed the same kernel at 95.9% of a copy by `swr-run --bench`
(single launches between CUDA events, operands rotated through copies larger
than L2, decays spread over (0, 1)) and at 87.8-91.3% through
bench/full_scan.py (10 back-to-back calls on the same tensors, decays in
[0.9, 1)). This times the frontend's launch each of those ways, and the
kernel alone by torch.profiler (CUPTI), so the difference can be put on the
launch path, on the timing method or on the data.

    SWR_LIBRARY=.../libswr.so python3 scripts/gpu-frontend-gap.py
"""

from __future__ import annotations

import pathlib
import statistics
import sys
from typing import Callable

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))
sys.path.insert(0, str(root / "bench"))

import torch  # noqa: E402

import swr.torch as st  # noqa: E402
from phalanx_mix import copy_gbps, time_ms  # noqa: E402

B, C, T = 8, 1536, 16384
COPIES = 4  # operand sets rotated through: 4 x 0.8 GB, far beyond L2


def percent(ms: float, nbytes: int, copy: float) -> str:
    return f"{ms:.4f} ms, {100 * nbytes / ms / 1e6 / copy:.1f}% of copy"


def single_launch_ms(run: Callable[[int], object], repeat: int = 25) -> float:
    """Median of single launches between CUDA events, each on the next
    operand set (swr-run's method)."""
    for i in range(3):
        run(i % COPIES)
    times = []
    for i in range(repeat):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        run(i % COPIES)
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def profiled_kernel_ms(run: Callable[[], object], calls: int = 10) -> float:
    """The mean duration of the scan kernel itself over `calls` launches."""
    from torch.profiler import ProfilerActivity, profile
    run()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(calls):
            run()
        torch.cuda.synchronize()
    kernels = [e for e in prof.events()
               if e.device_type.name == "CUDA" and "kernel" in e.name]
    if not kernels:
        return float("nan")
    return sum(e.device_time for e in kernels) / len(kernels) / 1e3


def time_each_way(low: float, nbytes: int, copy: float) -> None:
    """Prints the four timings with decays uniform in [low, 1)."""
    dtype = torch.bfloat16
    sets = [((low + (1 - low) * torch.rand(B, C, T, device="cuda"))
             .to(dtype), torch.randn(B, C, T, device="cuda").to(dtype))
            for _ in range(COPIES)]
    a, x = sets[0]

    def scan_first() -> torch.Tensor:
        return st.scan(a, x, window="full", layout="bct")

    print("  10 back-to-back calls, same tensors:",
          percent(time_ms(scan_first, calls=10), nbytes, copy))
    print("  single calls, same tensors:",
          percent(time_ms(scan_first), nbytes, copy))
    print("  single calls, operands rotated:",
          percent(single_launch_ms(
              lambda i: st.scan(*sets[i], window="full", layout="bct")),
                  nbytes, copy))
    print("  kernel alone (torch.profiler):",
          percent(profiled_kernel_ms(scan_first), nbytes, copy))


def main() -> None:
    nbytes = 3 * B * C * T * 2
    copy = copy_gbps(nbytes)
    print(f"{torch.cuda.get_device_name()}, copy {copy:.0f} GB/s")
    torch.manual_seed(T)
    for low, label in ((0.9, "[0.9, 1) (bench/full_scan.py)"),
                       (0.0, "(0, 1) (swr-run spread)")):
        print(f"decays {label}:")
        time_each_way(low, nbytes, copy)
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
