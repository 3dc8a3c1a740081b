#!/usr/bin/env bash
# One short session on a CUDA machine (shared/docs/GPU.md), everything in one command:
#   1. the HF transformers + PEFT peer (experiments/benchmarks/hf_peft_peer.py) runs on the idle
#      GPU while the CPU builds core and the CLI against the Python torch's CUDA LibTorch;
#   2. the fused kernels' own test, then `graphlora logits` on CUDA (fp32 and bf16) against the
#      golden fixtures;
#   3. `graphlora bench train/score` (tallrec = the peer's plain LoRA on q/v), with the fused
#      kernels and without (GRAPHLORA_FUSED_KERNELS=0, ours-unfused.jsonl), and `bench overhead`
#      (GraphLoRA / LoRA-only) on the same GPU, then the ratio tables.
#
# usage (repository root, on the GPU machine):  scripts/gpu-session.sh OUTDIR
# Needs .gpu/ beside the sources, made on the Debian machine by scripts/prepare-gpu-carry.sh.
# Environment: SHAPES (default "llama-1.1b llama-7b"), BATCH (32), SEQ_LEN (256), STEPS (10),
# WARMUP (3), JOBS (build parallelism, default nproc), KERNEL_BENCH_DTYPES ("bfloat16 float32": the
# dtypes of `bench kernels`; empty: none), EXTRAS (1: also a masked-attention step and
# the GEMM table), OVERHEAD_VARIANTS (collm, identity, lightgcn, full-graph, inject-0: bench
# overhead variants on llama-1.1b, written to variants.jsonl), TRAIN_METHODS (short trainer runs; default graphlora collm lightgcn; empty: none), UNFUSED
# (1: also bench train/score with the fused kernels off; default 1), RESUME_CHECK (1: a
# SIGTERM-interrupted trainer run resumed on CUDA against an uninterrupted one; default 1),
# CUDA_GRAPHS (1: bench score/train --cuda-graph on stories260K and llama-1.1b, graphs.txt; default 1),
# CLIPPED (1: graphlora training on llama-1.1b with and without --max-grad-norm; default 1),
# TRAINER_GRAPHS (1: the trainer with train.cuda_graphs and eval.cuda_graphs off and on,
# stories260K and a random llama-1.1b, trainer-graphs.txt; default 1), DATA_PARALLEL (1: two ranks
# on this GPU against one process, data-parallel.txt; default 1), BUDGET_S (560: the device
# tool stops a command at 600 s, so an optional part that would end past this many seconds from
# the start is skipped, with a line saying so, and the summaries at the end are still written).
set -u
out=${1:?usage: gpu-session.sh OUTDIR}
mkdir -p "$out"
SHAPES=${SHAPES:-"llama-1.1b llama-7b"}
B=${BATCH:-32} T=${SEQ_LEN:-256} STEPS=${STEPS:-10} WARMUP=${WARMUP:-3} JOBS=${JOBS:-$(nproc)}
start=$(date +%s)
stamp() { echo "## +$(($(date +%s) - start))s $*"; }
BUDGET_S=${BUDGET_S:-560}
# within SECONDS WHAT: whether WHAT, expected to take up to SECONDS, still ends inside the budget.
within() {
    local elapsed=$(($(date +%s) - start))
    (( elapsed + $1 <= BUDGET_S )) && return 0
    echo "## +${elapsed}s skipped $2: it needs up to $1 s and the budget is $BUDGET_S s (BUDGET_S)"
    return 1
}

stamp "start $(date -u +%Y-%m-%dT%H:%MZ)"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
grep -m1 'model name' /proc/cpuinfo
python3 -c 'import torch, transformers, peft; print("torch", torch.__version__, "cuda", torch.version.cuda, "transformers", transformers.__version__, "peft", peft.__version__)'
# shellcheck disable=SC1091
source .gpu/unpack-debs.sh .gpu/debs

(
    for shape in $SHAPES; do
        PYTHONUNBUFFERED=1 python3 experiments/benchmarks/hf_peft_peer.py --shape "$shape" --batch "$B" \
            --seq-len "$T" --steps "$STEPS" --warmup "$WARMUP" || echo "{\"peer_failed\": \"$shape\"}"
    done
) >"$out/peer.jsonl" 2>"$out/peer.err" &
peer=$!

generator=(-G "Unix Makefiles") keep_going=(-k)
if command -v ninja >/dev/null; then generator=(-G Ninja) keep_going=(-k 0); fi
stamp configure
if ! cmake -S . -B build-gpu "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$GPU_PREFIX" \
    -DGRAPHLORA_BUILD_UI=OFF -DGRAPHLORA_CUDA=ON >"$out/build.log" 2>&1; then
    tail -40 "$out/build.log"
fi
grep -E "LibTorch|C\+\+" "$out/build.log" | head -3
stamp build
cmake --build build-gpu -j "$JOBS" --target graphlora test_fused_kernels -- "${keep_going[@]}" >>"$out/build.log" 2>&1
build_rc=$?
[[ -x build-gpu/bin/graphlora ]] && build_rc=0
stamp "build rc=$build_rc"
if [[ $build_rc -ne 0 ]]; then
    grep -E -B2 -A6 "error" "$out/build.log" | head -120
fi
wait "$peer"
stamp "peer done"
cat "$out/peer.jsonl" | cut -c1-300
tail -5 "$out/peer.err"
[[ $build_rc -eq 0 ]] || exit 1

G=build-gpu/bin/graphlora
F=.gpu/fixtures
stamp "fused kernel test"
timeout 60 build-gpu/bin/test_fused_kernels | tee "$out/kernels.txt" || echo "fused kernel test failed (rc=$?)"
for dtype in ${KERNEL_BENCH_DTYPES-bfloat16 float32}; do
    timeout 90 $G bench kernels --model llama-7b --batch "$B" --seq-len "$T" --dtype $dtype --out "$out/kernels.jsonl" || echo "bench kernels $dtype failed"
done
tmp=$(mktemp -d)
stamp "fixtures on CUDA"
pairs32=() pairs16=()
for dtype in float32 bfloat16; do
    $G logits --model $F/llama_dev/model --device cuda --dtype $dtype --input $F/llama_dev/io.safetensors \
        --output "$tmp/plain-$dtype.safetensors"
    $G logits --model $F/llama_dev/model --device cuda --dtype $dtype --adapter $F/llama_dev/lora \
        --input $F/llama_dev/io.safetensors --output "$tmp/lora-$dtype.safetensors"
    $G logits --model $F/llama_dev/model --device cuda --dtype $dtype --adapter $F/llama_dev/lora \
        --inject $F/llama_dev/graphlora_io.safetensors --input $F/llama_dev/io.safetensors \
        --output "$tmp/graphlora-$dtype.safetensors"
    $G logits --model .gpu/stories260K/stories260K.bin --device cuda --dtype $dtype \
        --input $F/stories260K_logits.safetensors --output "$tmp/stories-$dtype.safetensors"
done
for dtype in float32 bfloat16; do
    list=("$tmp/plain-$dtype.safetensors" $F/llama_dev/io.safetensors
          "$tmp/lora-$dtype.safetensors" $F/llama_dev/lora_io.safetensors
          "$tmp/graphlora-$dtype.safetensors" $F/llama_dev/graphlora_io.safetensors
          "$tmp/stories-$dtype.safetensors" $F/stories260K_logits.safetensors)
    if [[ $dtype == float32 ]]; then pairs32=("${list[@]}"); else pairs16=("${list[@]}"); fi
done
python3 experiments/benchmarks/fixture_check.py 1e-4 "${pairs32[@]}" | tee "$out/fixtures.txt"
python3 experiments/benchmarks/fixture_check.py 5e-2 "${pairs16[@]}" | tee -a "$out/fixtures.txt"

stamp "benchmarks"
# The profiled steps (device time by kernel) only where the kernel table is read: bench overhead.
timed=(--device cuda --dtype bfloat16 --seq-len "$T" --steps "$STEPS" --warmup "$WARMUP" --json --out "$out/ours.jsonl")
common=("${timed[@]}" --kernel-profile-steps 0)
unfused=(--device cuda --dtype bfloat16 --seq-len "$T" --steps "$STEPS" --warmup "$WARMUP" --kernel-profile-steps 0 --json --out "$out/ours-unfused.jsonl")
for shape in $SHAPES; do
    for mode in train score; do
        if [[ "${UNFUSED:-1}" == 1 ]] && within 60 "bench $mode $shape with the fused kernels off"; then
            GRAPHLORA_FUSED_KERNELS=0 timeout 150 $G bench $mode --model "$shape" --method tallrec --batch "$B" \
                "${unfused[@]}" >/dev/null || echo "bench $mode $shape (unfused) failed"
        fi
        timeout 150 $G bench $mode --model "$shape" --method tallrec --batch "$B" "${common[@]}" >/dev/null ||
            echo "bench $mode $shape failed"
        stamp "$mode $shape"
    done
done
# bench overhead with its kernel tables (the profiler's first use in this process: should it fail
# badly, the run is repeated without them, so the ratios are not lost).
for shape in $SHAPES; do
    timeout 200 $G bench overhead --model "$shape" --batch "$B" "${timed[@]}" --kernel-profile-steps 3 >/dev/null ||
        { echo "bench overhead $shape with kernel profile failed; again without"
          timeout 200 $G bench overhead --model "$shape" --batch "$B" "${common[@]}" >/dev/null || echo "bench overhead $shape failed"; }
    stamp "overhead $shape"
done
# What the graph path launches on CUDA: launches it adds per phase (computing leaf operators,
# bench/op_counter.h), the largest additions by name, and where its time goes, phase by phase
# (each phase end synchronised, so the phases cannot overlap as they do in the timed steps).
# JSON from before the launch counter: operators, leaving out views.
summarise_overhead() { python3 experiments/benchmarks/gpu_summaries.py overhead "$@"; }
summarise_overhead "$out/ours.jsonl" | tee "$out/graph_path_ops.txt" || echo "graph path operator summary failed"
# Where the graph path's cost goes: against CoLLM (MF trained as well, so only the graph path
# differs), a weight-free encoder (LightGCN) or none (identity) instead of NGCF, full-graph
# propagation instead of the host-built 1-hop subgraph, injection at the bottom layer.
variant_common=(--device cuda --dtype bfloat16 --seq-len "$T" --steps "$STEPS" --warmup "$WARMUP" --json --out "$out/variants.jsonl")
for variant in ${OVERHEAD_VARIANTS:-}; do
    within 90 "overhead variant $variant" || continue
    case $variant in
        collm) flags=(--baseline collm) ;;
        identity) flags=(--gnn identity) ;;
        full-graph) flags=(--full-graph) ;;
        lightgcn) flags=(--gnn lightgcn) ;;
        inject-0) flags=(--inject-layer 0) ;;
        *) flags=() ;;
    esac
    timeout 120 $G bench overhead --model llama-1.1b --batch "$B" "${flags[@]}" "${variant_common[@]}" >/dev/null || echo "overhead variant $variant failed"
    stamp "overhead llama-1.1b $variant"
done
[[ -s "$out/variants.jsonl" ]] && summarise_overhead "$out/variants.jsonl" "variant " | tee -a "$out/graph_path_ops.txt"
# What CUDA graphs buy: the scoring forward, then the whole training step, captured once and
# replayed, interleaved with eager steps (bench score/train --cuda-graph; the JSON's cuda_graph
# says whether capture worked, the speed-up and how far replayed results are from eager ones).
# Small models are launch-bound; 1.1B is not.
if [[ "${CUDA_GRAPHS:-1}" == 1 ]] && within 150 "the CUDA graph benches"; then
    graph_common=(--device cuda --dtype bfloat16 --steps "$STEPS" --warmup "$WARMUP" --cuda-graph --json --out "$out/graphs.jsonl")
    timeout 90 $G bench score --model stories260K --method tallrec --batch 8 --seq-len 430 "${graph_common[@]}" >/dev/null ||
        echo "cuda graph stories260K failed"
    timeout 90 $G bench score --model stories260K --method graphlora --full-graph --batch 8 --seq-len 430 "${graph_common[@]}" >/dev/null ||
        echo "cuda graph stories260K graphlora failed"
    timeout 120 $G bench score --model llama-1.1b --method tallrec --batch "$B" --seq-len "$T" "${graph_common[@]}" >/dev/null ||
        echo "cuda graph llama-1.1b failed"
    # The whole training step (forward, backward, capturable Adam); without dropout, so that the
    # parameters after a replayed step can be compared with those after an eager one.
    timeout 90 $G bench train --model stories260K --method lora-only --batch 8 --seq-len 430 --lora-dropout 0 "${graph_common[@]}" >/dev/null ||
        echo "cuda graph stories260K train failed"
    timeout 120 $G bench train --model llama-1.1b --method tallrec --batch "$B" --seq-len "$T" "${graph_common[@]}" >/dev/null ||
        echo "cuda graph llama-1.1b train failed"
    python3 experiments/benchmarks/gpu_summaries.py graphs "$out/graphs.jsonl" | tee "$out/graphs.txt"
    stamp "cuda graphs"
fi
if [[ "${EXTRAS:-1}" == 1 ]] && within 120 "the masked step and the GEMM table"; then
# The cost of a padded batch (masked attention instead of the fused causal kernel).
timeout 150 $G bench train --model llama-7b --method tallrec --batch "$B" --mask "${common[@]}" >/dev/null || echo "masked train failed"
timeout 60 $G bench sgemm --device cuda --dtype bfloat16 --shape llama-7b --rows $((B * T)) --json --out "$out/ours.jsonl" >/dev/null ||
    echo "bench sgemm failed"
fi
stamp "trainer on CUDA"
# Short end-to-end runs through the trainer, evaluator and store on the GPU (stories260K, ML-1M).
for method in ${TRAIN_METHODS-graphlora collm lightgcn}; do
    within 60 "the trainer run $method" || continue
    timeout 100 $G run experiments/ml1m/base.json --db "$tmp/runs.sqlite" --set method.name=$method \
        --set data.dir="$PWD/.gpu/ml1m-collm" --set model.checkpoint="$PWD/.gpu/stories260K/stories260K.bin" \
        --set model.device=cuda --set train.max_steps=40 --set train.eval_every=20 --set eval.max_rows=400 \
        >"$tmp/run-$method.log" 2>&1 || echo "run $method failed"
    grep -E -m3 "error|Error" "$tmp/run-$method.log"
    tail -9 "$tmp/run-$method.log"
done

if [[ "${TRAINER_GRAPHS:-1}" == 1 ]]; then
    # The trainer itself (1-hop GraphLoRA on ML-1M) eager and through CUDA graphs (train.cuda_graphs
    # and eval.cuda_graphs): median step seconds, scored tokens per second (inference_units_per_s),
    # and AUCs that should agree within run-to-run noise. The [note] lines say how many graphs were
    # captured, or why they were turned off.
    stamp "the trainer through CUDA graphs"
    for model in stories260K llama-1.1b; do
        within 120 "the trainer through CUDA graphs on $model" || continue
        if [[ $model == stories260K ]]; then
            margs=(--set model.checkpoint="$PWD/.gpu/stories260K/stories260K.bin" --set train.max_steps=100)
        else
            margs=(--set model.checkpoint=null --set model.shape=llama-1.1b --set model.dtype=bfloat16 --set train.max_steps=20)
        fi
        for graphs in false true; do
            timeout 150 $G run experiments/ml1m/base.json --db "$out/trainer-graphs.sqlite" --set name="$model graphs=$graphs" \
                --set data.dir="$PWD/.gpu/ml1m-collm" "${margs[@]}" --set model.device=cuda --set train.eval_every=100000 \
                --set eval.max_rows=2000 --set eval.batch_size=32 --set train.cuda_graphs=$graphs --set eval.cuda_graphs=$graphs \
                >"$tmp/graphs-$model-$graphs.log" 2>&1 || echo "trainer $model graphs=$graphs failed"
            grep -E "\[note\] (training|scoring)|rror" "$tmp/graphs-$model-$graphs.log" | head -4
        done
    done
    $G results --db "$out/trainer-graphs.sqlite" --format csv |
        grep -E "^run_id|,all,(auc|step_seconds_median|inference_seconds|inference_units_per_s)," | tee "$out/trainer-graphs.txt"
fi

# The cost of gradient clipping (train.max_grad_norm), which reads nothing back to the host:
# against the unclipped graphlora step of the trainer runs' shape (gpu_ratios.py lists both).
if [[ "${CLIPPED:-1}" == 1 ]] && within 90 "the clipped training step"; then
    timeout 120 $G bench train --model llama-1.1b --method graphlora --batch "$B" "${common[@]}" >/dev/null ||
        echo "graphlora train failed"
    timeout 120 $G bench train --model llama-1.1b --method graphlora --batch "$B" --max-grad-norm 1 "${common[@]}" >/dev/null ||
        echo "clipped train failed"
    stamp "clipping"
fi
if [[ "${RESUME_CHECK:-1}" == 1 ]] && within 240 "the resume check"; then
    # A run stopped by SIGTERM part-way and resumed, against the same run uninterrupted. On CUDA the
    # generator state is checkpointed too; atomics in some backward kernels make the two close
    # rather than bit-identical.
    stamp "resume on CUDA"
    args=(experiments/ml1m/base.json --db "$tmp/resume.sqlite" --set method.name=graphlora
          --set data.dir="$PWD/.gpu/ml1m-collm" --set model.checkpoint="$PWD/.gpu/stories260K/stories260K.bin"
          --set model.device=cuda --set train.max_steps=600 --set train.eval_every=200 --set eval.max_rows=400)
    timeout 120 $G run "${args[@]}" >"$tmp/full.log" 2>&1 || echo "full run failed"
    timeout -s TERM 7 $G run "${args[@]}" >"$tmp/cut.log" 2>&1
    grep -E "interrupted" "$tmp/cut.log" | tail -1
    cut_id=$(grep -oE "resume [0-9]+" "$tmp/cut.log" | grep -oE "[0-9]+" | tail -1)
    if [[ -n "$cut_id" ]]; then
        timeout 120 $G run --resume "$cut_id" --db "$tmp/resume.sqlite" >"$tmp/resumed.log" 2>&1 || echo "resume failed"
        tail -2 "$tmp/resumed.log"
    fi
    $G results --db "$tmp/resume.sqlite" --no-group --decimals 6 | tee "$out/resume.txt"
fi
# The pip LibTorch ships no Gloo headers, so such a build has no data-parallel (docs/scaling.md).
if [[ "${DATA_PARALLEL:-1}" == 1 ]] && ! grep -q "c10d Gloo: ON" "$out/build.log"; then
    echo "## data-parallel check skipped: this build has no c10d Gloo (see build.log)"
elif [[ "${DATA_PARALLEL:-1}" == 1 ]] && within 90 "the data-parallel check"; then
    # Two ranks (c10d Gloo, tensors staged through the host) sharing this GPU against one process,
    # dropout off: the curves and scores should agree to float-summation order (docs/scaling.md).
    # A build without Gloo refuses --nproc with a message.
    stamp "data-parallel on CUDA"
    args=(experiments/ml1m/base.json --db "$out/data-parallel.sqlite" --set data.dir="$PWD/.gpu/ml1m-collm"
          --set model.checkpoint="$PWD/.gpu/stories260K/stories260K.bin" --set model.device=cuda --set method.lora.dropout=0
          --set train.batch_size=4 --set train.grad_accum=2 --set train.max_steps=40 --set train.eval_every=20 --set eval.max_rows=400)
    timeout 40 $G run "${args[@]}" --set name="one process" >"$tmp/dp-one.log" 2>&1 || echo "one-process run failed"
    timeout 40 $G run "${args[@]}" --set name="two ranks" --nproc 2 >"$tmp/dp-two.log" 2>&1 || { echo "two-rank run failed"; tail -3 "$tmp/dp-two.log"; }
    $G results --db "$out/data-parallel.sqlite" --no-group --decimals 6 | tee "$out/data-parallel.txt"
fi
stamp "done"
python3 experiments/benchmarks/gpu_ratios.py "$out/peer.jsonl" "$out/ours.jsonl" | tee "$out/ratios.txt"
if [[ -s "$out/ours-unfused.jsonl" ]]; then
    echo "## fused kernels off (GRAPHLORA_FUSED_KERNELS=0)"
    python3 experiments/benchmarks/gpu_ratios.py "$out/peer.jsonl" "$out/ours-unfused.jsonl" | tee "$out/ratios-unfused.txt"
    # Same seeds, same weights: the losses and scores should agree to bf16 rounding.
    cat "$out/ours-unfused.jsonl" "$out/ours.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    if j.get("benchmark") in ("train", "score"):
        print(j["model"], j["benchmark"], "fused" if j.get("fused_kernels") else "unfused",
              "loss", j.get("loss_first"), j.get("loss_last"), "mean|score|", j.get("mean_abs_score"),
              "ms", round(j["step_ms"]["median"], 2), "forward issued in", round(j.get("forward_host_ms", -1), 2), "ms")' |
        tee "$out/fused-vs-unfused.txt"
fi
