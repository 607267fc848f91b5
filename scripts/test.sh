#!/usr/bin/env bash
# Sets up, builds and runs every test: lit + FileCheck, GoogleTest, pytest.
# Exits non-zero when any test fails or when no test ran.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SWR_BUILD_DIR:-$root/build}"

bash "$root/scripts/setup.sh"
cd "$build_dir"
ctest --output-on-failure --no-tests=error -j "${SWR_JOBS:-2}"
