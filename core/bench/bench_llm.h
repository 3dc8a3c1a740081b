#pragma once
// `graphlora bench train | score | overhead`: one LLM recommender step on random inputs, timed as
// the trainer runs it (core/train/llm_recommender.cpp, trainer.cpp), with no dataset needed.
//
//   train step  scores = h_last · w_yes  (forward with hidden states at the last position only)
//               loss = BCE-with-logits(scores, labels); loss.item() (the trainer's NaN check);
//               backward; AdamW/Adam step over the trainable groups; zero grads
//   score step  the same forward under NoGradGuard in eval mode, no loss
//
// Methods (as the trainer builds them, SPEC §3, §7); every row has two anchors (user slot, item
// slot) at random distinct positions, pointing at random nodes of a random bipartite graph:
//   lora-only   slots ← φ(e_MF), MF frozen, LoRA                                  (SPEC §3.6)
//   graphlora   slots ← φ(e_MF), MF trainable; per step: 1-hop subgraph of the batch's nodes
//               (host), g = P(GNN(E_sub, Â_sub)), middle injection z ← α·z + β·g[node] in the
//               q/v adapters at the injection layer                               (SPEC §3.5)
//   collm       slots ← φ(e_MF), MF trained jointly (the trainer's default), LoRA (CoLLM-MF)
//   cora        text only; W_gen = G([e_u; e_i]) [B,H,r] replaces A in every adapter (SPEC §7),
//               MF frozen
//   tallrec     text only, plain LoRA: the shape of the eager PyTorch baseline
//               (../shared/bench/eager_tiny_llama.py)
//
// Figures: step time = median of the timed steps after warm-up (device-synchronised); tokens/s =
// B·T / step; MFU = tokens/s · FLOPs/token / peak, with FLOPs/token = 4·N_base + 6·N_trainable
// for training and 2·N_base for scoring, N_base = every frozen parameter of the backbone
// (LlamaConfig::parameterCount, embeddings included — the convention of issue 7's HF+PEFT figures)
// and N_trainable = the LoRA adapters' parameters (what runs at every token). Peak: measured
// sgemm on the CPU (best of the measurements before and after the timed steps), 989 TFLOP/s on
// CUDA, unless given.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_common.h"
#include "bench/kernel_profile.h"
#include "bench/op_counter.h"

namespace glr::bench {

struct LlmBenchOptions {
    std::string model = "tiny";     // named shape (tiny, stories260K, llama-1.1b, llama-7b),
                                    // "random:<shape>", or a checkpoint path (HF dir, llama2.c .bin)
    std::string method = "lora-only";  // lora-only | graphlora | collm | cora | tallrec
    std::string baseline = "lora-only";  // bench overhead: what GraphLoRA is compared with
    std::int64_t batch = 8;
    std::int64_t seqLen = 430;
    std::string dtype = "auto";     // frozen weights; auto = fp32 on CPU, bf16 on CUDA
    std::string device = "cpu";
    int warmup = 2;
    int steps = 10;
    std::uint64_t seed = 0;

    // LoRA (the trainer's defaults)
    int loraR = 8;
    double loraAlpha = 16;
    double loraDropout = 0.05;
    std::vector<std::string> loraTargets{"q_proj", "v_proj"};

    // Inputs. The generated rows have no padding, so by default no mask goes in, as the trainer
    // does for such a batch (fused causal attention). attentionMask: pass an all-ones [B,T] mask,
    // the cost of a padded batch (masked attention).
    bool attentionMask = false;

    // Collaborative side (defaults: the trainer's, on a graph the size of the ML-1M CoLLM split)
    std::int64_t users = 720;
    std::int64_t items = 2500;
    std::int64_t interactions = 18000;
    std::int64_t mfDim = 256;
    std::string gnnType = "ngcf";   // lightgcn | gcn | ngcf | identity
    std::int64_t gnnLayers = 3;
    std::int64_t gnnDim = 256;
    bool oneHop = true;             // 1-hop subgraph of the batch's nodes; false: full graph
    int injectLayer = -1;           // negative counts from the top
    double injectAlpha = 1.0;
    double injectBeta = 0.1;

    int phaseSteps = 5;             // more steps, with device-synchronised phase times (0: none)
    int kernelProfileSteps = 3;     // CUDA: more steps under the profiler, device time by kernel (0: none)
    double maxGradNorm = 0;         // > 0: clip the global gradient norm first (train.max_grad_norm)
    bool cudaGraph = false;         // also replay the step (score: the forward) as a captured CUDA graph

    double peakFlops = 0;           // 0: measure (CPU sgemm) or 989e12 (CUDA)
    std::int64_t peakSize = 2048;   // square size of the CPU peak measurement
};

// bench score/train --cuda-graph: the step eager and as a replayed CUDA graph, interleaved.
struct GraphReplayResult {
    std::string status;           // "replayed", or why the capture failed
    TimingStats eager, graph;     // each step, with its result read on the host (scores, or the loss)
    double speedup = 0;           // eager / graph median step time
    double maxAbsDifference = 0;  // score: replayed vs eager scores, same inputs; train: parameters
                                  // after one step from the same state (dropout draws differ)
};

struct LlmBenchResult {
    std::string mode;     // "train" or "score"
    std::string method, model, dtype, device;
    double maxGradNorm = 0;  // training steps clipped to this global norm (0: not clipped)
    std::int64_t batch = 0, seqLen = 0;
    int warmup = 0;
    TimingStats step;
    TimingStats forwardHost;            // host time to issue the forward (CUDA: before it has run)
    TimingStats stepHost;               // training: host time to issue the whole step (forward, loss,
                                        // backward, clipping, optimiser) before its loss is read
    double tokensPerSecond = 0;         // B·T / median step
    std::int64_t baseParameters = 0;    // N_base
    std::int64_t adapterParameters = 0; // N_trainable in the FLOP count (LoRA A, B)
    std::int64_t trainableParameters = 0;  // everything the optimiser updates (φ, MF, GNN, P, G too)
    double flopsPerToken = 0;
    double achievedFlops = 0;           // tokens/s · flopsPerToken
    double peakFlops = 0;
    std::string peakSource;             // "measured sgemm [S,S] fp32", "H100/H200 bf16", "given"
    double mfu = 0;
    std::int64_t peakMemoryBytes = 0;
    std::string peakMemoryKind;
    double lastLoss = 0;                // train: the last step's loss (NaN never: it throws)
    double firstLoss = 0;               // train: the first warm-up step's loss
    double meanAbsScore = 0;            // score: mean |score| of the last step
    OpCounts ops;                       // operators of one more (untimed) step, counted
    // Median ms per phase (forward, loss+backward, optimizer / forward, copy to host) over
    // options.phaseSteps further steps, the device synchronised at every phase end.
    std::vector<std::pair<std::string, double>> phaseMs;
    // CUDA: device time per step by kernel over options.kernelProfileSteps further steps (status
    // empty where not attempted: CPU runs, or no steps asked for).
    KernelProfile kernels;
    std::optional<GraphReplayResult> cudaGraph;
    MachineInfo machine;
};

// Throws InputError for bad options (unknown method, shape, dtype, device; sizes out of range;
// a sequence longer than the model's context; --cuda-graph without a CUDA build and device, or
// for GraphLoRA's per-step 1-hop subgraph), and glr::Error for a non-finite training loss.
// A capture that fails at run time is reported in cudaGraph->status, the eager figures kept.
LlmBenchResult benchTrain(const LlmBenchOptions& options);
LlmBenchResult benchScore(const LlmBenchOptions& options);

// A baseline method (options.baseline, LoRA-only unless given; options.method is ignored) and
// GraphLoRA on one backbone in one process, steps interleaved A,B,A,B so that machine drift hits
// both; ratios of median step times B/A. Against CoLLM (which trains MF as GraphLoRA does) the
// ratio isolates the graph path; against LoRA-only it is the method's whole cost (SPEC §3.6).
struct OverheadResult {
    LlmBenchResult baselineTrain, graphTrain, baselineScore, graphScore;
    double trainRatio = 0;  // graphlora / baseline step time
    double scoreRatio = 0;
    // Training as the trainer runs it, one step in flight: blocks of steps back to back, each
    // loss read once the next step is queued, the device synchronised around the block only.
    // Host work a synchronised step exposes (preparing the batch, the 1-hop subgraph) overlaps
    // the device's previous step here. Median ms per step over the blocks; blocks alternate.
    double baselinePipelinedMs = 0, graphPipelinedMs = 0;
    double trainRatioPipelined = 0;
};
OverheadResult benchOverhead(const LlmBenchOptions& options);

// The CPU's measured matmul peak for MFU: the best measurement of [size,size] products so far in
// this process (remeasure: measure again and keep the better).
double cpuPeakFlops(std::int64_t size, bool remeasure = false);

// {"benchmark":"train"|"score", …} and {"benchmark":"overhead", …}
std::string toJson(const LlmBenchResult& result);
std::string toJson(const OverheadResult& result);

}  // namespace glr::bench
