#!/usr/bin/env bash
# Builds everything and runs the default (quick) test suite. `.ci/run` calls exactly this.
#   scripts/test.sh            quick suite (ctest -LE slow)
#   scripts/test.sh --all      include tests labelled slow
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
label_args=(-LE slow)
if [ "${1:-}" = "--all" ]; then label_args=(); fi
cd "$BUILD_DIR"
ctest "${label_args[@]}" --output-on-failure -j 2 --timeout 900
