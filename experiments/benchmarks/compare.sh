#!/usr/bin/env bash
# Runs the workbench's benchmarks and a Python peer in the same session and prints the ratios
# (workbench tokens/s ÷ peer tokens/s; > 1 means the workbench is faster).
#
#   compare.sh gpu [SHAPE...]   graphlora bench train/score vs hf_peft_peer.py on a CUDA GPU
#                               (default shapes: llama-7b llama-1.1b; B=32, T=256, bf16)
#   compare.sh cpu              graphlora bench train/score on stories260K vs the eager PyTorch
#                               baseline ../shared/bench/eager_tiny_llama.py (B=8, T=430, fp32;
#                               needs Debian's python3-torch, run by /usr/bin/python3): ROUNDS
#                               alternating rounds (default 1) at THREADS threads (default nproc)
#                               for each of METHODS (space-separated; default $METHOD)
#
# Environment: GRAPHLORA (the CLI; default build/bin/graphlora), PYTHON (the peer's interpreter),
# METHOD (the workbench method, default tallrec = plain LoRA on q/v, the peer's own setup;
# lora-only or graphlora to include the ID slots / the graph path), STEPS, WARMUP, BATCH and SEQ_LEN
# (gpu mode; cpu mode keeps the baseline's 8 x 430),
# OUT (a JSON-lines file every result is appended to; default benchmarks-<date>.jsonl).
# On a GPU machine, scripts/gpu-session.sh does the same with the build and fixture checks around it
# (its figures are in docs/benchmarks.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mode="${1:-}"
[[ "$mode" == gpu || "$mode" == cpu ]] || { sed -n '2,19p' "$0"; exit 2; }
shift || true

GRAPHLORA="${GRAPHLORA:-$root/build/bin/graphlora}"
METHOD="${METHOD:-tallrec}"
OUT="${OUT:-benchmarks-$(date +%Y%m%d-%H%M%S).jsonl}"
[[ -x "$GRAPHLORA" ]] || { echo "compare.sh: $GRAPHLORA not built (set GRAPHLORA=...)" >&2; exit 1; }

# tokens/s of the last JSON line of $1 whose "benchmark" is $2
tokens_per_s() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
rate = None
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        j = json.loads(line)
        if j.get("benchmark") == sys.argv[2]:
            rate = j["tokens_per_s"]
print(rate if rate is not None else "nan")
EOF
}

ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print(f'{a / b:.3f}' if b > 0 else 'n/a')" "$1" "$2"; }

echo "# $(date -u +%Y-%m-%dT%H:%MZ)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)  nproc $(nproc)  load $(cut -d' ' -f1-3 /proc/loadavg)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ "$mode" == gpu ]]; then
    PYTHON="${PYTHON:-python3}"
    BATCH="${BATCH:-32}" SEQ_LEN="${SEQ_LEN:-256}" STEPS="${STEPS:-10}" WARMUP="${WARMUP:-3}"
    shapes=("$@")
    [[ ${#shapes[@]} -gt 0 ]] || shapes=(llama-7b llama-1.1b)
    printf '%-12s %-6s %14s %14s %8s\n' shape mode "workbench t/s" "hf+peft t/s" ratio
    for shape in "${shapes[@]}"; do
        common=(--model "$shape" --device cuda --dtype bfloat16 --batch "$BATCH" --seq-len "$SEQ_LEN"
                --steps "$STEPS" --warmup "$WARMUP" --json --out "$OUT")
        "$GRAPHLORA" bench train --method "$METHOD" "${common[@]}" > "$tmp/ours.jsonl"
        "$GRAPHLORA" bench score --method "$METHOD" "${common[@]}" >> "$tmp/ours.jsonl"
        "$PYTHON" "$here/hf_peft_peer.py" --shape "$shape" --batch "$BATCH" --seq-len "$SEQ_LEN" \
            --steps "$STEPS" --warmup "$WARMUP" | tee -a "$OUT" > "$tmp/peer.jsonl"
        for m in train score; do
            a="$(tokens_per_s "$tmp/ours.jsonl" "$m")"
            b="$(tokens_per_s "$tmp/peer.jsonl" "$m")"
            printf '%-12s %-6s %14.0f %14.0f %8s\n' "$shape" "$m" "$a" "$b" "$(ratio "$a" "$b")"
        done
        "$GRAPHLORA" bench overhead --model "$shape" --device cuda --dtype bfloat16 --batch "$BATCH" \
            --seq-len "$SEQ_LEN" --steps "$STEPS" --warmup "$WARMUP" --out "$OUT" | grep -E 'step \(median\)'
    done
else
    PYTHON="${PYTHON:-/usr/bin/python3}"
    BATCH=8 SEQ_LEN=430 STEPS="${STEPS:-5}" WARMUP="${WARMUP:-2}"  # the baseline's shape and step counts
    ROUNDS="${ROUNDS:-1}" THREADS="${THREADS:-$(nproc)}" METHODS="${METHODS:-$METHOD}"
    baseline="$root/../shared/bench/eager_tiny_llama.py"
    [[ -f "$baseline" ]] || { echo "compare.sh: $baseline missing" >&2; exit 1; }
    # Both sides multiply through the same OpenBLAS: the baseline gets the kernels the CLI picks
    # for itself (core/util/process.h) unless OPENBLAS_CORETYPE is set already.
    if [[ -z "${OPENBLAS_CORETYPE:-}" ]]; then
        core_type="$("$GRAPHLORA" bench sgemm --shape tiny --rows 8 --peak-size 64 --threads 1 --json |
            python3 -c 'import json, sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["machine"].get("openblas_coretype", ""))')"
        [[ -n "$core_type" ]] && export OPENBLAS_CORETYPE="$core_type"
    fi
    echo "# OpenBLAS kernels, both sides: ${OPENBLAS_CORETYPE:-chosen by OpenBLAS}"
    # Rounds alternate baseline and workbench so that a change of machine load hits both; the
    # ratios compare the medians over rounds.
    for ((round = 1; round <= ROUNDS; round++)); do
        echo "# round $round, load $(cut -d' ' -f1-3 /proc/loadavg)"
        "$PYTHON" "$baseline" | tee -a "$tmp/eager.txt"
        for method in $METHODS; do
            common=(--model stories260K --method "$method" --batch "$BATCH" --seq-len "$SEQ_LEN" --steps "$STEPS"
                    --warmup "$WARMUP" --threads "$THREADS" --json --out "$OUT")
            "$GRAPHLORA" bench train "${common[@]}" >> "$tmp/ours-$method.jsonl"
            "$GRAPHLORA" bench score "${common[@]}" >> "$tmp/ours-$method.jsonl"
        done
    done
    specs=()
    for method in $METHODS; do specs+=("$method=$tmp/ours-$method.jsonl"); done
    python3 "$here/cpu_ratios.py" "$tmp/eager.txt" "$THREADS" "${specs[@]}"
fi
echo "# results appended to $OUT"
