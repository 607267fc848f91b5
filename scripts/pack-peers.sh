#!/usr/bin/env bash
# Packs the peers' sources for the GPU machine into peers.tar.xz (ignored by
# git, never committed): peers/ holds what ../shared/ANCHORS.md lists, taken
# from their public repositories with the search tool's fetch and
# `git archive` (accelerated_scan/, fla/, spear/{spear,csrc}, cutlass/include).
# Carry peers.tar.xz with build-static/swr-static.tar.xz; scripts/gpu-static.sh
# unpacks it (sections bench_scan, bench_layer).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
[[ -d peers ]] || { echo "pack-peers: no peers/ here (ANCHORS.md)" >&2; exit 1; }
XZ_OPT=-6T2 tar -cJf peers.tar.xz --exclude=__pycache__ peers
ls -l peers.tar.xz
