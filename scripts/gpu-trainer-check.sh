#!/usr/bin/env bash
# A second, shorter GPU call (after scripts/gpu-session.sh): the trainer on a random llama-1.1b
# (bf16, ML-1M, byte tokenizer), eager and through CUDA graphs, with and without dropout, losses
# step by step; what a new sequence length costs each SDPA backend (sdpa_shapes.py, PyTorch only,
# while the CLI builds; SDPA_ARGS=--masked-rows: what each does with query rows that see no key);
# and bench train at the trainer's batch shape, with and without a mask (BENCH=0: not).
# usage (repository root, on the GPU machine): scripts/gpu-trainer-check.sh OUTDIR
set -u
out=${1:?usage: gpu-trainer-check.sh OUTDIR}
mkdir -p "$out"
start=$(date +%s)
stamp() { echo "## +$(($(date +%s) - start))s $*"; }
# shellcheck disable=SC1091
source .gpu/unpack-debs.sh .gpu/debs
PYTHONUNBUFFERED=1 python3 -W ignore experiments/benchmarks/sdpa_shapes.py ${SDPA_ARGS:-} >"$out/sdpa.txt" 2>&1 &
sdpa=$!
stamp build
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$GPU_PREFIX" \
    -DGRAPHLORA_BUILD_UI=OFF -DGRAPHLORA_CUDA=ON >"$out/build.log" 2>&1 || tail -30 "$out/build.log"
cmake --build build-gpu -j "$(nproc)" --target graphlora -- -k 0 >>"$out/build.log" 2>&1
[[ -x build-gpu/bin/graphlora ]] || { grep -E -A6 "error" "$out/build.log" | head -60; exit 1; }
wait $sdpa
stamp "built"
cat "$out/sdpa.txt"
G=build-gpu/bin/graphlora
db="$out/trainer.sqlite"
base=(experiments/ml1m/base.json --db "$db" --set data.dir="$PWD/.gpu/ml1m-collm" --set model.checkpoint=null
      --set model.shape=llama-1.1b --set model.dtype=bfloat16 --set model.device=cuda --set train.max_steps=${STEPS:-30}
      --set train.eval_every=100000 --set eval.max_rows=256 --set eval.batch_size=32)
# RUNS: "name graphs dropout pad_to_multiple_of;…"
IFS=';' read -r -a specs <<<"${RUNS:-eager-d0 false 0 64;graphs-d0 true 0 64;eager-d0-unbucketed false 0 1;eager-d005 false 0.05 64;graphs-d005 true 0.05 64}"
for spec in "${specs[@]}"; do
    read -r name graphs dropout pad <<<"$spec"
    timeout 90 $G run "${base[@]}" --set name="$name" --set train.cuda_graphs=$graphs --set eval.cuda_graphs=$graphs \
        --set method.lora.dropout=$dropout --set train.pad_to_multiple_of=$pad --set eval.pad_to_multiple_of=$pad \
        >"$out/run-$name.log" 2>&1 || echo "run $name failed"
    grep -E "\[note\]|rror|nan" "$out/run-$name.log" | head -4
    stamp "$name"
done
$G results --db "$db" --no-group --decimals 5 --format csv | grep -E "^run_id|,all,(auc|step_seconds_median|inference_units_per_s)," | tee "$out/trainer.txt"
ids=$($G runs list --db "$db" --format csv 2>/dev/null | tail -n +2 | cut -d, -f1 | paste -sd, -)
$G runs series "${ids:-1,2,3,4,5,6}" --db "$db" --keys train/loss,train/tokens_per_s --out "$out/series.csv" || echo "series failed"
python3 - "$out/series.csv" <<'PY' | tee "$out/losses.txt"
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
loss = collections.defaultdict(dict); tps = collections.defaultdict(list)
for r in rows:
    if r["name"] == "loss": loss[r["run_name"]][int(r["step"])] = r["value"]
    if r["name"] == "tokens_per_s": tps[r["run_name"]].append(r["value"][:8])
names = list(loss)
print("step " + " ".join(f"{n:>20}" for n in names))
for s in sorted({s for n in names for s in loss[n]}):
    print(f"{s:4d} " + " ".join(f"{(loss[n].get(s) or '-')[:20]:>20}" for n in names))
for n in tps: print("tokens/s", n, " ".join(tps[n]))
PY
[[ "${BENCH:-1}" == 1 ]] || { stamp done; exit 0; }
stamp "bench at the trainer's shape"
for mask in "" --mask; do
    timeout 60 $G bench train --model llama-1.1b --method graphlora --batch 8 --seq-len 512 --device cuda --dtype bfloat16 \
        --steps 10 --warmup 3 $mask --json --out "$out/bench.jsonl" >/dev/null || echo "bench $mask failed"
done
echo "(first: causal, no mask; second: --mask)"
python3 -c '
import json,sys
for l in open(sys.argv[1]):
    j=json.loads(l); kp=j.get("kernel_profile",{})
    print(j["benchmark"], j["method"], j["batch"], j["seq_len"], "step ms", round(j["step_ms"]["median"],2), "busy", kp.get("busy_ms"), "idle", kp.get("idle_ms"))
    for k in (kp.get("by_name") or [])[:8]: print("   ", k)
' "$out/bench.jsonl"
stamp done
