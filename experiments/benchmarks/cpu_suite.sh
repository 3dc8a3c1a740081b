#!/usr/bin/env bash
# The CPU benchmark suite recorded in docs/benchmarks.md, in one go, with the eager PyTorch
# baseline run before and after the workbench's own runs (so a change of machine load shows).
#
#   experiments/benchmarks/cpu_suite.sh [OUT.jsonl]
#
# Environment: GRAPHLORA (default build/bin/graphlora), THREADS (space-separated thread counts
# for the train/score runs, default "1 2"), STEPS (default 5, as the baseline), WARMUP (2).
# Needs Debian's python3-torch for the baseline (apt-get install -y python3-torch).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
GRAPHLORA="${GRAPHLORA:-$root/build/bin/graphlora}"
THREADS="${THREADS:-1 2}"
STEPS="${STEPS:-5}"
WARMUP="${WARMUP:-2}"
OUT="$(realpath -m "${1:-benchmarks-cpu-$(date +%Y%m%d-%H%M%S).jsonl}")"
baseline="$root/../shared/bench/eager_tiny_llama.py"

say() { echo "## $* (load $(cut -d' ' -f1-3 /proc/loadavg))"; }
bench() { "$GRAPHLORA" bench "$@" --out "$OUT" | grep -vE '^\{'; }

say "$(date -u +%Y-%m-%dT%H:%MZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), nproc $(nproc)"
say "eager PyTorch baseline (before)"
/usr/bin/python3 "$baseline"

for t in $THREADS; do
    for shape in stories260K tiny; do
        for method in tallrec lora-only graphlora; do
            for mode in train score; do
                say "$mode $method $shape threads $t"
                bench "$mode" --model "$shape" --method "$method" --batch 8 --seq-len 430 \
                    --warmup "$WARMUP" --steps "$STEPS" --threads "$t"
            done
        done
    done
done

say "eager PyTorch baseline (after)"
/usr/bin/python3 "$baseline"

for shape in stories260K tiny; do
    say "overhead $shape threads 1"
    bench overhead --model "$shape" --batch 8 --seq-len 430 --warmup "$WARMUP" --steps 8 --threads 1
done
say "sgemm"
bench sgemm --rows 3440
say "gnn"
bench gnn
say "data"
(cd "$(mktemp -d)" && "$GRAPHLORA" bench data --out "$OUT" | grep -vE '^\{')
echo "# JSON lines appended to $OUT"
