#!/usr/bin/env bash
# The main job: set up and build, then compile the example spec.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SWR_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
spec="${1:-$root/examples/phalanx_bands2.mlir}"
echo "== $spec: verified and canonicalized by swr-opt"
"$build_dir/bin/swr-opt" "$spec" --canonicalize
