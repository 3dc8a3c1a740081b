#!/usr/bin/env bash
# The README's first command (after scripts/setup-debian.sh): builds, exports the MovieLens
# ratings of Debian's r-cran-dslabs to CSV, prepares a dated split, and runs experiments/demo.json
# (GraphLoRA). With a display it opens the workbench with the run live; headless it prints
# progress and the results table. Extra arguments go to the run, e.g.
#   scripts/run-demo.sh --set model.checkpoint=/path/to/hf-llama-dir
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
bash scripts/export-dslabs.sh data/dslabs-movielens
if [ ! -f data/dslabs-split/train.tsv ]; then
  "$BUILD_DIR"/bin/graphlora data prepare experiments/data/dslabs-movielens.json --out data/dslabs-split
fi
"$BUILD_DIR"/bin/graphlora data stats data/dslabs-split
export GRAPHLORA_DB=${GRAPHLORA_DB:-$PWD/runs.sqlite}
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$BUILD_DIR/bin/graphlora-workbench" ]; then
  exec "$BUILD_DIR"/bin/graphlora-workbench --db "$GRAPHLORA_DB" --run experiments/demo.json
fi
"$BUILD_DIR"/bin/graphlora run experiments/demo.json --db "$GRAPHLORA_DB" "$@"
"$BUILD_DIR"/bin/graphlora results --db "$GRAPHLORA_DB" --format md
