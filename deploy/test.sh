#!/usr/bin/env bash
# Builds everything and runs the whole test suite through ctest, on a fresh Debian 12 machine.
# Usage: deploy/test.sh [BUILD_DIR]   (default: build)
# Environment: LOTCHAIN_SANITIZE=1 for an ASan+UBSan build; CTEST_ARGS for extra ctest flags.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
bash deploy/install-deps.sh
sanitize=OFF
[ "${LOTCHAIN_SANITIZE:-0}" = "1" ] && sanitize=ON
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOTCHAIN_SANITIZE="$sanitize"
cmake --build "$build_dir" -j "$(nproc)"
cd "$build_dir"
# shellcheck disable=SC2086
ctest --output-on-failure -j "$(nproc)" ${CTEST_ARGS:-}
