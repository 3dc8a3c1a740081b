#!/usr/bin/env bash
# Regenerates docs/screenshots/: prepares MovieLens latest-small (../shared/data), trains a few
# small runs and sweeps into a throw-away store (collaborative baselines, GraphLoRA and LoRA-only
# on a random-weight `tiny` backbone, a 2-D learning-rate × dimension grid), then renders every
# workbench panel with `graphlora-workbench --screenshot`. Takes a few minutes on 2 cores.
#
#   scripts/workbench-screenshots.sh            # binaries from build/bin
#   BUILD=build-ui scripts/workbench-screenshots.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
GRAPHLORA=${GRAPHLORA:-$BUILD/bin/graphlora}
WORKBENCH=${WORKBENCH:-$BUILD/bin/graphlora-workbench}
SHARED=${GRAPHLORA_SHARED_DIR:-$ROOT/../shared}
OUT=${OUT:-$ROOT/docs/screenshots}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

cat > spec.json <<JSON
{ "interactions": { "path": "$SHARED/data/ml-latest-small/ratings.csv", "format": "delimited", "delimiter": ",",
                    "header": true, "columns": { "user": "userId", "item": "movieId", "rating": "rating", "timestamp": "timestamp" } },
  "items": { "path": "$SHARED/data/ml-latest-small/movies.csv", "format": "delimited", "delimiter": ",", "quote": "\"",
             "header": true, "columns": { "item": "movieId", "title": "title", "genres": "genres" } },
  "label": { "rating_at_least": 4 },
  "split": { "quantiles": [0.8, 0.9] },
  "valid_small": { "fraction": 0.5, "seed": 2023 } }
JSON
"$GRAPHLORA" data prepare spec.json --out "$WORK/ml-latest-small"

cat > mf.json <<JSON
{ "name": "mf", "seed": 1, "tags": ["baseline"], "data": { "dir": "$WORK/ml-latest-small" },
  "method": { "name": "mf", "mf": { "dim": 32 } },
  "train": { "max_steps": 150, "batch_size": 128, "lr": 1e-2, "warmup_steps": 5, "eval_every": 25 },
  "eval": { "splits": ["test"], "max_rows": 2000 } }
JSON
cat > lightgcn.json <<JSON
{ "name": "lightgcn", "seed": 1, "tags": ["baseline"], "data": { "dir": "$WORK/ml-latest-small" },
  "method": { "name": "lightgcn", "mf": { "dim": 32 }, "gnn": { "type": "lightgcn", "layers": 2, "dim": 32 } },
  "train": { "max_steps": 150, "batch_size": 128, "lr": 1e-2, "warmup_steps": 5, "eval_every": 25 },
  "eval": { "splits": ["test"], "max_rows": 2000 } }
JSON
cat > llm.json <<JSON
{ "name": "llm", "seed": 1, "tags": ["llm"],
  "data": { "dir": "$WORK/ml-latest-small", "max_history": 3, "max_length": 512 },
  "model": { "checkpoint": null, "shape": "tiny" },
  "method": { "name": "graphlora", "mf": { "dim": 16 }, "gnn": { "type": "lightgcn", "layers": 1, "dim": 16 } },
  "train": { "max_steps": 40, "batch_size": 4, "lr": 1e-3, "warmup_steps": 2, "eval_every": 10, "max_train_rows": 400 },
  "eval": { "splits": ["test"], "max_rows": 200, "batch_size": 16 } }
JSON
echo '{ "name": "mf-seeds", "base": "mf.json", "grid": { "seed": [1, 2, 3] } }' > s1.json
echo '{ "name": "lightgcn-seeds", "base": "lightgcn.json", "grid": { "seed": [1, 2] } }' > s2.json
echo '{ "name": "mf-lr-dim", "base": "mf.json", "set": { "train.max_steps": 100 },
        "grid": { "train.lr": [0.003, 0.01, 0.03], "method.mf.dim": [16, 64] } }' > s3.json
echo '{ "name": "llm-methods", "base": "llm.json", "grid": { "method.name": ["graphlora", "lora-only"], "seed": [1, 2] } }' > s4.json
for sweep in s1 s2 s3 s4; do "$GRAPHLORA" sweep "$sweep.json" --db runs.sqlite > "$sweep.log"; done

mkdir -p "$OUT"
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} "$WORKBENCH" --db runs.sqlite --screenshot "$OUT"
