#!/usr/bin/env python3
"""Benchmark: the Phalanx mixing (gates + SWR, from the projections to Y) on
one GPU, side by side with its unfused form, the bare scan, FlexAttention's
sliding-window core, and a device-to-device copy measured in the same run.

    # build machine: compile the kernels into gpu-cache/ (meta tensors)
    /usr/bin/python3 bench/phalanx_mix.py --precompile
    # GPU machine (runtime-only libswr, carry gpu-cache):
    SWR_LIBRARY=build-gpu/lib/libswr-runtime.so SWR_CACHE_DIR=gpu-cache \\
        python3 bench/phalanx_mix.py [--out results.md]

Shape: B8 T8192 D2048 (H128 heads of 16), bf16, bands<2>; FlexAttention:
16 heads of 128, window 512 (ANCHORS.md). GB/s counts the bytes that must
move (each operand read once, the output written once); "% of copy"
divides by a copy of the same byte count. CUDA events, 5 warm-ups, median
of 25 samples of 10 back-to-back calls (per call); every operand set is
far larger than the 60 MB L2.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
from typing import Optional

root = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root / "python"))

import torch  # noqa: E402

import swr  # noqa: E402
import swr.torch as st  # noqa: E402
from swr import autotune  # noqa: E402

B, T, H, D = 8, 8192, 128, 16
WINDOW = "bands<2>"
DTYPE = torch.bfloat16


def shapes() -> dict:
    return {"za": (B, T, H), "zb": (B, T, H, D), "v": (B, T, H, D),
            "c": (B, T, H, D)}


def precompile() -> None:
    os.environ.setdefault("SWR_CACHE_DIR", str(root / "gpu-cache"))
    meta = {n: torch.empty(s, dtype=DTYPE, device="meta")
            for n, s in shapes().items()}
    operands = meta["za"], meta["zb"], meta["v"], meta["c"]
    mixing = st.mixing(2)
    mixing.precompile(*operands)
    swr.jit(mixing.fn, layout="bthd", time_chunk="auto",
            channel_tile=mixing.compile_options["channel_tile"]
            ).precompile(*operands)
    st.precompile(meta["za"], meta["zb"], window=WINDOW, layout="bthd",
                  backward=False)
    print("precompiled into", os.environ["SWR_CACHE_DIR"])


# How time_ms times: "events" (launches between CUDA events) or "graph" (the
# launches captured once into a CUDA graph and its replays timed, so no
# host work of any implementation's launch path is counted; bench scripts'
# --timing).
TIMING = "events"
GRAPH_CALLS = 10  # launches per captured graph, at least


def time_ms(run, warmup: int = 5, repeat: int = 25, calls: int = 1,
            timing: Optional[str] = None) -> float:
    """Median over `repeat` samples of `calls` back-to-back runs between
    two CUDA events, per run (with calls > 1 the host queues ahead, so
    Python's launch cost hides behind the kernels); with `timing` (default
    TIMING) "graph", of one replay of a CUDA graph holding max(calls,
    GRAPH_CALLS) runs."""
    for _ in range(warmup):
        run()
    if (timing or TIMING) == "graph":
        count = max(calls, GRAPH_CALLS)
        replay = _captured(run, count)
        if replay is not None:
            return _median_ms(replay, repeat, count)
    return _median_ms(lambda: [run() for _ in range(calls)], repeat, calls)


def _median_ms(launch, repeat: int, runs: int) -> float:
    """Median over `repeat` samples of launch() between two CUDA events,
    divided by the `runs` it holds."""
    times = []
    for _ in range(repeat):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        launch()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / runs)
    return statistics.median(times)


def _captured(run, count: int):
    """The replay of a CUDA graph holding `count` runs (warmed on a side
    stream first, as torch.cuda.graphs asks), or None where capture fails
    (then the caller times launches; the failure goes to stderr)."""
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    try:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            run()
        torch.cuda.current_stream().wait_stream(side)
        with torch.cuda.graph(graph):
            for _ in range(count):
                run()
    except Exception as failure:  # a launch path that cannot be captured
        print(f"time_ms: CUDA graph capture failed ({type(failure).__name__}:"
              f" {failure}); timing launches instead", file=sys.stderr)
        torch.cuda.synchronize()
        return None
    torch.cuda.synchronize()
    return graph.replay


def copy_gbps(nbytes: int) -> float:
    """A device-to-device copy moving `nbytes` (reads + writes)."""
    half = nbytes // 2
    src = torch.empty(half, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    src.fill_(1)
    # Always between events: captured into a CUDA graph, the copy becomes a
    # memcpy node that the driver may give a copy engine instead of the SMs
    # (2.8 TB/s against 4.2 on the H200 at 1.2 GB, session 24), and a
    # memcpy's launch costs the host next to nothing anyway. Beside graph
    # replays, GRAPH_CALLS copies back to back, so that neither side pays
    # the ramp of a lone launch (at 0.3 GB a lone copy ran at 3.7 TB/s).
    calls = GRAPH_CALLS if TIMING == "graph" else 1
    ms = time_ms(lambda: dst.copy_(src), calls=calls, timing="events")
    return nbytes / (ms * 1e6)


def report(lines: list[str], out: Optional[pathlib.Path]) -> None:
    """Prints a result table and writes it to `out` when given."""
    text = "\n".join(lines)
    print(text)
    if out:
        out.write_text(text + "\n")


def flex_attention_core():
    """FlexAttention sliding window (W=512, causal), q, k, v -> o, 16 heads
    of 128 at B8 T8192: its runner and bytes, or None when unavailable."""
    try:
        from torch.nn.attention.flex_attention import (create_block_mask,
                                                       flex_attention)
    except ImportError:
        return None
    heads, dim, window = 16, 128, 512

    def sliding(b, h, q, k):
        return (q >= k) & (q - k < window)
    mask = create_block_mask(sliding, None, None, T, T, device="cuda")
    compiled = torch.compile(flex_attention)
    q, k, v = (torch.randn(B, heads, T, dim, dtype=DTYPE, device="cuda")
               for _ in range(3))
    return (lambda: compiled(q, k, v, block_mask=mask),
            4 * B * heads * T * dim * 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--precompile", action="store_true")
    parser.add_argument("--out", type=pathlib.Path)
    parser.add_argument("--no-flex", action="store_true")
    parser.add_argument("--time-lanes", default="4",
                        help="lane counts to time the fused mixing on "
                        "(its tiles dealt to the lanes of a warp)")
    parser.add_argument("--channel-tiles", default="1,4",
                        help="channels per thread to time the fused mixing "
                        "with (one vector access per step of a tile)")
    parser.add_argument("--time-chunks", default="2",
                        help="tiles per thread to time each channel tile "
                        "with")
    args = parser.parse_args()
    if args.precompile:
        return precompile()
    torch.manual_seed(0)
    ops = {n: torch.randn(s, device="cuda").to(DTYPE)
           for n, s in shapes().items()}
    za, zb, v, c = ops["za"], ops["zb"], ops["v"], ops["c"]
    out = torch.empty_like(zb)
    mixing = st.mixing(2)
    item = 2
    mix_bytes = (za.numel() + 3 * zb.numel() + out.numel()) * item
    scan_bytes = (za.numel() + 2 * zb.numel()) * item

    def unfused():
        y = st.scan(torch.sigmoid(za), torch.sigmoid(zb) * v, window=WINDOW,
                    layout="bthd")
        return y * c + v

    channels = mixing.compile_options["channel_tile"]
    tuned = swr.jit(mixing.fn, layout="bthd", time_chunk="auto",
                    channel_tile=channels)
    lanes = [int(p) for p in args.time_lanes.split(",") if p]
    channel_tiles = [int(p) for p in args.channel_tiles.split(",") if p]
    chunks = [int(p) for p in args.time_chunks.split(",") if p]
    rows = []

    def mixing_row(name: str, kernel) -> None:
        out.fill_(float("nan"))
        kernel(za, zb, v, c, out=out)
        error = float((out.float() - want).abs().max() / want.abs().max())
        rows.append((name, time_ms(lambda: kernel(za, zb, v, c, out=out),
                                   calls=10),
                     mix_bytes, f"{error:.1e} vs f32 eager"))
    with torch.no_grad():
        want = mixing.eager(za.float(), zb.float(), v.float(), c.float())
        mixing_row(f"SWR fused mixing (gates + bands<2> + epilogue, "
                   f"{channels} channels x {mixing.time_chunk} tiles/thread)",
                   mixing)
        for count in lanes:
            mixing_row(f"SWR fused mixing, {count} time lanes",
                       swr.jit(mixing.fn, layout="bthd", time_lanes=count))
        for count in channel_tiles:
            for chunk in chunks:
                mixing_row(f"SWR fused mixing, {count} channels per thread, "
                           f"{chunk} tiles per thread",
                           swr.jit(mixing.fn, layout="bthd", channel_tile=count,
                                   time_chunk=chunk))
        tuned(za, zb, v, c, out=out)  # times 1, 2, 4, 8, 16 tiles once
        chunk = autotune.choose(tuned.spec(za, zb, v, c),
                                torch.cuda.get_device_name(), zb.numel(),
                                swr.compiler._cache_build_id(),
                                time_ms=lambda c: float("nan"))
        rows.append((f"SWR fused mixing, autotuned ({channels} channels x "
                     f"{chunk} tiles/thread)",
                     time_ms(lambda: tuned(za, zb, v, c, out=out), calls=10),
                     mix_bytes, ""))
        rows.append(("unfused: torch gates + SWR scan + torch epilogue",
                     time_ms(unfused, calls=10), mix_bytes, ""))
        a = torch.sigmoid(za)
        x = torch.sigmoid(zb) * v
        rows.append(("SWR scan alone (bthd bands<2>, a, x -> y)",
                     time_ms(lambda: st.scan(a, x, window=WINDOW,
                                             layout="bthd"), calls=10),
                     scan_bytes, ""))
        flex = None if args.no_flex else flex_attention_core()
        if flex is not None:
            rows.append(("FlexAttention SWA core (W=512, 16x128)",
                         time_ms(flex[0], calls=10), flex[1], ""))
    copy = copy_gbps(mix_bytes)
    device = torch.cuda.get_device_name()
    lines = [f"Device: {device}; torch {torch.__version__}; copy "
             f"{copy:.0f} GB/s (same run)", "",
             "| kernel | ms | GB/s | % of copy | error |",
             "|---|---|---|---|---|"]
    for name, ms, nbytes, note in rows:
        gbps = nbytes / (ms * 1e6)
        lines.append(f"| {name} | {ms:.3f} | {gbps:.0f} | "
                     f"{100 * gbps / copy:.1f}% | {note} |")
    report(lines, args.out)


if __name__ == "__main__":
    main()
