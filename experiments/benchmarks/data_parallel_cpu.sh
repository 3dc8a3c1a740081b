#!/usr/bin/env bash
# Training step time of one ML-1M GraphLoRA config (real stories260K backbone, 2 micro-batches of
# 4 rows a step) three ways on this machine, alternating for ROUNDS rounds: one process with two
# intra-op threads, two data-parallel ranks with one thread each (`run --nproc 2`), and one
# process with one thread. Prints each run's median step time (docs/scaling.md).
#
#   experiments/benchmarks/data_parallel_cpu.sh [WORKDIR]
#
# Environment: GRAPHLORA (default build/bin/graphlora), ROUNDS (3), STEPS (60). Needs ../shared.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
GRAPHLORA="${GRAPHLORA:-$root/build/bin/graphlora}"
ROUNDS="${ROUNDS:-3}"
STEPS="${STEPS:-60}"
work="$(realpath -m "${1:-$(mktemp -d)}")"
mkdir -p "$work"
config="$root/experiments/ml1m/base.json"
set_args=(--set "train.max_steps=$STEPS" --set train.batch_size=4 --set train.grad_accum=2 --set train.eval_every=100000
          --set eval.max_rows=64 --set train.max_train_rows=2000)
median() { grep -E "step_seconds_median" | sed 's/.*= //'; }
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round $(date -u +%H:%M:%SZ), 1-min load $(cut -d' ' -f1 /proc/loadavg)"
  echo "  1 process, 2 threads:    $("$GRAPHLORA" run "$config" "${set_args[@]}" --db "$work/one-t2.sqlite" --threads 2 2>&1 | median) s"
  echo "  2 ranks, 1 thread each:  $("$GRAPHLORA" run "$config" "${set_args[@]}" --db "$work/two.sqlite" --nproc 2 2>&1 | median) s"
  echo "  1 process, 1 thread:     $("$GRAPHLORA" run "$config" "${set_args[@]}" --db "$work/one-t1.sqlite" --threads 1 2>&1 | median) s"
done
