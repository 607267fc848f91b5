"""Spec -> PTX compile times of the shipped kernels (issue #8: <= 300 ms
cold, a cache hit <= 1 ms), on the CPU, no GPU needed.

Each kernel is compiled in a fresh Python process with an empty kernel
cache, after libswr is loaded (its first call, timed apart: a once per
process cost): cold is the MLIR context, the passes and LLVM's NVPTX. Then
it is hit in memory and, after forgetting the in-process entries, on disk.
Times are the median (cold) or best (hits) of --repeats processes. Prints
a Markdown table.

    /usr/bin/python3 bench/compile_times.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "python"

# name -> (ScanSpec keyword arguments, compile_ptx keyword arguments)
KERNELS: dict[str, tuple[dict, dict]] = {
    "full [B,C,T] f32": (dict(window="full", layout="bct",
                              sharing="per_channel", init=True, final=True),
                         {}),
    "full [B,C,T] bf16": (dict(window="full", layout="bct",
                               sharing="per_channel", init=True, final=True,
                               dtype_in="bf16", dtype_out="bf16"), {}),
    "full [B,T,C] f32": (dict(window="full", layout="bthd",
                              sharing="per_channel", init=True, final=True),
                         {}),
    "full [B,T,C] bf16": (dict(window="full", layout="bthd",
                               sharing="per_channel", init=True, final=True,
                               dtype_in="bf16", dtype_out="bf16"), {}),
    "full [B,T,C] bf16, static rows": (
        dict(window="full", layout="bthd", sharing="per_channel", init=True,
             final=True, dtype_in="bf16", dtype_out="bf16", head_dim=1536,
             heads=1), {}),
    "full [B,C,T] f32, backward": (
        dict(window="full", layout="bct", sharing="per_channel", init=True,
             final=True), dict(backward=True)),
    "full [B,C,T] bf16, backward": (
        dict(window="full", layout="bct", sharing="per_channel", init=True,
             final=True, dtype_in="bf16", dtype_out="bf16"),
        dict(backward=True)),
    "full [B,T,C] bf16, static rows, backward": (
        dict(window="full", layout="bthd", sharing="per_channel", init=True,
             final=True, dtype_in="bf16", dtype_out="bf16", head_dim=1536,
             heads=1), dict(backward=True)),
    "full [B,T,H,D] bf16 per head, static rows": (
        dict(window="full", layout="bthd", sharing="per_head",
             dtype_in="bf16", dtype_out="bf16", head_dim=64, heads=24), {}),
    "full [B,T,H,D] bf16 per head, static rows, backward": (
        dict(window="full", layout="bthd", sharing="per_head",
             dtype_in="bf16", dtype_out="bf16", head_dim=64, heads=24),
        dict(backward=True)),
    "full [B,T,H,D] bf16 per head": (
        dict(window="full", layout="bthd", sharing="per_head",
             dtype_in="bf16", dtype_out="bf16"), {}),
    "bands<2> Phalanx bf16": (dict(window="bands<2>", layout="bhdl",
                                   sharing="per_head", head_dim=16,
                                   dtype_in="bf16", dtype_out="bf16"), {}),
    "bands<2> Phalanx bf16, backward": (
        dict(window="bands<2>", layout="bhdl", sharing="per_head",
             head_dim=16, dtype_in="bf16", dtype_out="bf16"),
        dict(backward=True)),
}

# Runs in the child: one kernel, cold then hits; prints JSON.
CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
import swr
from swr import cache
spec_args, compile_args = json.loads(sys.argv[2]), json.loads(sys.argv[3])
spec = swr.ScanSpec(**spec_args)
start = time.perf_counter()
swr.build_id()  # loads libswr
load = time.perf_counter() - start
start = time.perf_counter()
kernel = swr.compile_ptx(spec, **compile_args)
cold = time.perf_counter() - start
def hit():
    start = time.perf_counter()
    swr.compile_ptx(spec, **compile_args)
    return time.perf_counter() - start
memory = min(hit() for _ in range(5))
disk = []
for _ in range(5):
    cache.clear_memory()
    disk.append(hit())
print(json.dumps({"load": load, "cold": cold, "memory": memory, "disk": min(disk),
                  "ptx_lines": kernel.ptx.count("\n")}))
"""


def measure(spec_args: dict, compile_args: dict) -> dict:
    with tempfile.TemporaryDirectory() as cache_dir:
        env = dict(os.environ, SWR_CACHE_DIR=cache_dir)
        env.pop("SWR_ALWAYS_COMPILE", None)
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(PACKAGE),
             json.dumps(spec_args), json.dumps(compile_args)],
            env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("| kernel | cold ms (median of %d) | min | hit in memory ms | "
          "hit on disk ms | PTX lines | loading libswr ms |" % args.repeats)
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, (spec_args, compile_args) in KERNELS.items():
        runs = [measure(spec_args, compile_args)
                for _ in range(args.repeats)]
        cold = [1e3 * r["cold"] for r in runs]
        print(f"| {name} | {statistics.median(cold):.0f} | {min(cold):.0f} "
              f"| {1e3 * min(r['memory'] for r in runs):.3f} "
              f"| {1e3 * min(r['disk'] for r in runs):.3f} "
              f"| {runs[0]['ptx_lines']} "
              f"| {statistics.median(1e3 * r['load'] for r in runs):.0f} |",
              flush=True)


if __name__ == "__main__":
    main()
