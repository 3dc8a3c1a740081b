#pragma once
// Internal to the bench module: one LLM recommender method set up on random inputs, able to run
// the trainer's forward (bench_llm.h describes the methods). Several rigs may share a backbone
// (bench overhead): they then share its LoRA adapters, each with its own optimiser state.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include "bench/bench_llm.h"
#include "train/collab_embeddings.h"
#include "model/llama.h"
#include "train/optimizer.h"

namespace glr::bench::detail {

enum class BenchMethod { LoraOnly, GraphLora, Collm, Cora, TallRec };
// Throws InputError listing the methods.
BenchMethod parseMethod(const std::string& name);
const char* methodName(BenchMethod method);

// Loads options.model ("tiny", "random:tiny", or a checkpoint path) on options.device in
// options.dtype and attaches LoRA (r, alpha, dropout, targets). Checks batch/seqLen.
LlamaModel loadBenchBackbone(const LlmBenchOptions& options);
// The string loadModel gets for options.model.
std::string modelSpec(const std::string& model);

class LlmStepRig {
public:
    LlmStepRig(BenchMethod method, LlamaModel model, const LlmBenchOptions& options);

    // scores [B] (fp32) = h_last · w_yes, training or eval mode; differentiable when grad is on.
    at::Tensor forward(bool training);
    const at::Tensor& labels() const { return labels_; }
    AdamOptimizer& optimizer() { return *optimizer_; }
    LlamaModelImpl& model() { return *model_; }

    std::int64_t adapterParameterCount() const { return adapterParameters_; }
    std::int64_t trainableParameterCount() const { return optimizer_->parameterCount(); }
    BenchMethod method() const { return method_; }
    double maxGradNorm() const { return maxGradNorm_; }  // 0: no clipping

private:
    void buildInputs(const LlmBenchOptions& o);
    void buildCollaborative(const LlmBenchOptions& o);
    at::Tensor graphSignalContext(bool training, at::Tensor& localAnchors);

    BenchMethod method_;
    LlamaModel model_;
    at::Device device_;
    std::int64_t batch_, seqLen_;
    bool useSlots_ = false, useGraph_ = false, useCora_ = false, trainMf_ = false, attentionMask_ = false;
    int injectLayer_ = -1;
    double injectAlpha_ = 1, injectBeta_ = 0.1;
    double maxGradNorm_ = 0;

    // inputs (on the device), fixed for the whole benchmark
    at::Tensor ids_, mask_, positions_, scorePositions_, labels_, scoreRow_;
    at::Tensor anchors_;  // I64 [2B,3] (row, position, global node)
    std::vector<std::int64_t> anchorNodesHost_;  // the anchors' nodes, kept on the host (no D2H copy)
    std::int64_t numUsers_ = 0;

    // collaborative side
    at::Tensor mf_;  // [N, d] node features (the MF tables)
    torch::nn::Sequential projector_{nullptr};   // φ
    std::unique_ptr<GraphPath> graphPath_;        // the trainer's: GNN over the 1-hop subgraph or the full graph
    torch::nn::Linear bottleneck_{nullptr};      // P
    torch::nn::Linear coraGenerator_{nullptr};   // G

    std::unique_ptr<AdamOptimizer> optimizer_;
    std::int64_t adapterParameters_ = 0;
};

}  // namespace glr::bench::detail
