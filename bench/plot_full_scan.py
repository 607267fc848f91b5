#!/usr/bin/env python3
"""Plots % of copy against the sequence length for every kernel of a table
written by `bench/full_scan.py --out` or `bench/phalanx_lengths.py --out`
(one panel per layout and dtype):

    python3 bench/plot_full_scan.py docs/data/full-scan-2026-11-30.md \\
        docs/full-scan.png

Needs matplotlib (Debian: python3-matplotlib); the benchmark itself does not.
"""

from __future__ import annotations

import argparse
import pathlib
import re
from collections import defaultdict

SECTION = re.compile(r"^\| \*\*(\w+) T=(\d+) (\w+)\*\*")
ROW = re.compile(r"^\| ([^|*][^|]*?) \| [\d.]+ \| \d+ \| ([\d.]+)% \|")
# Panel titles and x labels by the layout a section names.
PANELS = {"bct": ("[B,C,T]", "T (B8, C1536)"),
          "bthd": ("[B,T,C]", "T (B8, C1536)"),
          "phalanx": ("Phalanx bands<2>, D16", "T (B·H·T = 8·128·8192)")}


def parse(text: str) -> dict[tuple[str, str], dict[str, list]]:
    """{(layout, dtype): {kernel: [(T, % of copy), ...]}} from the table."""
    series: dict = defaultdict(lambda: defaultdict(list))
    section = None
    for line in text.splitlines():
        heading = SECTION.match(line)
        if heading:
            layout, length, dtype = heading.groups()
            section = (layout, dtype, int(length))
            continue
        row = ROW.match(line)
        if row and section:
            layout, dtype, length = section
            series[(layout, dtype)][row.group(1)].append(
                (length, float(row.group(2))))
    if not series:
        raise SystemExit("no full_scan.py table rows found")
    return series


def plot(series: dict, title: str, out: pathlib.Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    panels = sorted(series)
    figure, axes = plt.subplots(1, len(panels),
                                figsize=(max(6, 4 * len(panels)), 3.6),
                                sharey=True, squeeze=False)
    axes = axes[0]
    for axis, key in zip(axes, panels):
        name, xlabel = PANELS.get(key[0], (key[0], "T"))
        for kernel, points in sorted(series[key].items()):
            points.sort()
            axis.plot([p[0] for p in points], [p[1] for p in points],
                      marker="o", label=kernel)
        axis.set_xscale("log", base=2)
        axis.set_title(f"{name} {key[1]}")
        axis.set_xlabel(xlabel)
        axis.axhline(100, color="grey", linewidth=0.5)
        axis.legend(fontsize=7, loc="lower left")
    axes[0].set_ylabel("% of a device-to-device copy")
    axes[0].set_ylim(0, 110)
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(out, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table", type=pathlib.Path)
    parser.add_argument("png", type=pathlib.Path)
    args = parser.parse_args()
    text = args.table.read_text()
    plot(parse(text), text.splitlines()[0], args.png)
    print("wrote", args.png)


if __name__ == "__main__":
    main()
