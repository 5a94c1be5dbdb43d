#!/usr/bin/env bash
# Configures (when needed) and builds lotchain targets into a build tree; used by demo.sh and
# localnet.sh. A tree configured from another checkout (LOTCHAIN_BUILD_DIR pointing elsewhere)
# is built as it is, without re-running CMake on this checkout: CMake refuses to mix two source
# trees in one cache, and the caller asked for that build.
# Usage: deploy/build.sh BUILD_DIR [TARGET...]   (default targets: lotchaind lotchain)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
build="$1"
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lotchaind lotchain)
cache="$build/CMakeCache.txt"
source_of_cache=""
if [ -f "$cache" ]; then
  source_of_cache=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$cache")
fi
if [ -n "$source_of_cache" ] && [ "$(cd "$source_of_cache" 2>/dev/null && pwd)" != "$repo" ]; then
  echo "build: $build was configured from $source_of_cache, not $repo; building it as it is"
else
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
