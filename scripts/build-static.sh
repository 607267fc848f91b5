#!/usr/bin/env bash
# Builds libswr (compiler + host JIT + runtime behind the C API) and the
# swr tools with LLVM/MLIR linked in statically (cmake -DSWR_STATIC_LLVM=ON),
# for machines without LLVM/MLIR such as the GPU machine: stripped, they
# depend on glibc alone and export only swr_* symbols. Prints sizes, the
# shared-library dependencies and the exported symbols, and packs
# build-static/swr-static.tar.xz (libswr.so, swr-run, swr-compile) to carry
# to the GPU machine, where scripts/gpu-static.sh runs them.
#
#   bash scripts/build-static.sh            # -> build-static/{lib,bin}
#   SWR_LIBRARY=build-static/lib/libswr.so python3 ...   # anywhere
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SWR_STATIC_BUILD_DIR:-$root/build-static}"
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DSWR_STATIC_LLVM=ON
fi
ninja -C "$build" -j "${SWR_JOBS:-2}" swr swr-compile swr-opt swr-run
for file in "$build/lib/libswr.so" "$build/bin/swr-compile" \
  "$build/bin/swr-opt" "$build/bin/swr-run"; do
  strip --strip-unneeded "$file"
  echo "$(basename "$file"): $(du -h "$file" | cut -f1) stripped, needs:" \
    $(objdump -p "$file" | awk '/NEEDED/ {print $2}')
done
echo "libswr.so exports $(nm -D --defined-only "$build/lib/libswr.so" |
  awk '{print $3}' | grep -vc '^swr_') symbols besides swr_*"
tar -C "$build" -cf - lib/libswr.so bin/swr-run bin/swr-compile |
  xz -T0 -6 >"$build/swr-static.tar.xz"
echo "swr-static.tar.xz: $(du -h "$build/swr-static.tar.xz" | cut -f1)"
