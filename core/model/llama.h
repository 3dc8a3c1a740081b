#pragma once
// A LLaMA-family decoder (SPEC §1) as LibTorch modules, frozen, with LoRA adapters on any of its
// projections (lora.h).
//
//   h0 = embed(ids) or inputsEmbeds                                     [B,T,H]
//   per layer:  a = h + o_proj(Attn(rope(q_proj(n1)), rope(k_proj(n1)), v_proj(n1)))   n1 = RMSNorm(h)
//               h = a + down_proj(silu(gate_proj(n2)) ⊙ up_proj(n2))                   n2 = RMSNorm(a)
//   logits = lm_head(RMSNorm(h))                                        [B,T,V] or [B,V]
//
// RMSNorm(x) = w ⊙ x / sqrt(mean(x²) + eps), computed in fp32. Rotary embeddings use HF's
// rotate_half layout: x·cos + rotate_half(x)·sin, angles = position · θ^(-2i/D). Attention is
// grouped-query (KV heads shared by numHeads/numKvHeads query heads) with an additive mask that
// is causal and hides padded keys using a large *finite* negative, so fully padded query rows
// stay finite (a NaN there would leak into later layers through the values).
//
// Weights are frozen tensors (not parameters): fp32 on the CPU, typically bf16 on CUDA; the
// residual stream runs in that dtype, adapters in fp32. q/k/v and gate/up weights are stored
// fused so each layer does one GEMM for them; every projection is still a LoraLinear over a view.
// Create models with loadModel (loader.h) on the target device; Module::to() is not supported.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/adapter_context.h"
#include "model/llama_config.h"
#include "model/lora.h"

namespace glr {

// Keys and values of every layer for incremental decoding, preallocated to `capacity` tokens.
class KVCache {
public:
    KVCache(const LlamaConfig& config, std::int64_t batch, std::int64_t capacity,
            const at::TensorOptions& options);
    std::int64_t length() const { return length_; }     // tokens already cached
    std::int64_t capacity() const { return capacity_; }
    std::int64_t batch() const { return batch_; }
    void reset() { length_ = 0; }

    // Writes k, v [B,Hkv,T,D] of `layer` after the cached tokens and returns views of all keys
    // and values so far [B,Hkv,length+T,D]. The model calls advance(T) once every layer is done.
    std::pair<at::Tensor, at::Tensor> append(int layer, const at::Tensor& k, const at::Tensor& v);
    void advance(std::int64_t tokens);

private:
    std::vector<at::Tensor> keys_, values_;
    std::int64_t batch_, capacity_, length_ = 0;
};

struct ForwardInput {
    at::Tensor inputIds;        // I64 [B,T]; or else…
    at::Tensor inputsEmbeds;    // [B,T,H] any float dtype (cast to the model's); e.g. embedWithSlots()
    at::Tensor attentionMask;   // [B, past+T] 1 = token, 0 = padding (any int/bool dtype);
                                // undefined: no padding
    at::Tensor positionIds;     // I64 [B,T]; undefined: cumsum(mask)-1 clamped at 0 (left padding),
                                // or past..past+T-1 without a mask
    at::Tensor scorePositions;  // I64 [B]: only these positions (one per row) are normed and
                                // projected → logits [B,V] (hidden [B,H]); undefined: all positions
    bool returnHidden = false;  // final-normed hidden states instead of logits (no vocabulary GEMM)
    const AdapterContext* adapters = nullptr;  // injections for this batch (lora.h), or none
    // Or: injections built on demand, just before layer `deferredFromLayer` runs (the last layer
    // at the latest). On an accelerator the host then builds them — GraphLoRA cuts the batch's
    // subgraph and encodes it — while the device runs the layers below the injection. They must
    // not inject below that layer (an Error says so).
    std::function<const AdapterContext*()> deferredAdapters;
    int deferredFromLayer = 0;
    KVCache* cache = nullptr;   // incremental decoding: attend to the cache, then append
};

struct ForwardOutput {
    at::Tensor logits;  // fp32 [B,T,V] or [B,V]; undefined when returnHidden
    at::Tensor hidden;  // fp32 [B,T,H] or [B,H]; only when returnHidden
};

// Pre-norm attention block with GQA; q/k/v fused in `qkvWeight` [(Hq+2Hkv)·D, H].
class LlamaAttentionImpl : public torch::nn::Module {
public:
    LlamaAttentionImpl(const LlamaConfig& config, int layer, const at::TensorOptions& options);
    // x [B,T,H] (already normed), cos/sin [B,T,1,D], mask additive [B,1,T,S] or undefined
    at::Tensor forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask, bool isCausal, const AdapterPlan* plan, KVCache* cache);
    // Queries only at one position per row (flat index b·T + t, [B]); keys and values at every
    // token. `rowMask` [B,1,1,S] additive. Returns [B,1,H].
    at::Tensor forwardAt(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                         const at::Tensor& rowMask, const at::Tensor& flatIndex, const AdapterPlan* plan);

    LoraLinear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
    at::Tensor qkvWeight, qkvBias, oWeight, oBias;

private:
    std::int64_t numHeads_, numKvHeads_, headDim_;
    int layer_;
};
TORCH_MODULE(LlamaAttention);

// SwiGLU: down(silu(gate(x)) ⊙ up(x)); gate/up fused in `gateUpWeight` [2I, H].
class LlamaMlpImpl : public torch::nn::Module {
public:
    LlamaMlpImpl(const LlamaConfig& config, int layer, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& x, const AdapterPlan* plan);

    LoraLinear gate{nullptr}, up{nullptr}, down{nullptr};
    at::Tensor gateUpWeight, downWeight;

private:
    std::int64_t intermediate_;
};
TORCH_MODULE(LlamaMlp);

class LlamaLayerImpl : public torch::nn::Module {
public:
    LlamaLayerImpl(const LlamaConfig& config, int layer, const at::TensorOptions& options);
    at::Tensor forward(const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                       const at::Tensor& mask, bool isCausal, const AdapterPlan* plan, KVCache* cache);
    // The layer's output at one position per row only (the scoring path's last layer): [B,H].
    // Valid when the plan injects nothing position-dependent into o/gate/up/down of this layer.
    at::Tensor forwardAt(const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                         const at::Tensor& rowMask, const at::Tensor& flatIndex, const AdapterPlan* plan);

    LlamaAttention attention{nullptr};
    LlamaMlp mlp{nullptr};
    at::Tensor inputNorm, postAttentionNorm;  // RMSNorm weights [H]

    // The layer's projection of `kind`.
    LoraLinear& projection(ProjKind kind);
    const LoraLinear& projection(ProjKind kind) const {
        return const_cast<LlamaLayerImpl*>(this)->projection(kind);
    }

private:
    double eps_;
};
TORCH_MODULE(LlamaLayer);

// RMSNorm in fp32, result in x's dtype. x [..., H], weight [H].
at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

// bf16 / fp16: the frozen dtypes whose arithmetic is widened (norms, outputs) or that adapters
// compute in autocast-style.
inline bool isReducedFloat(at::ScalarType t) { return t == at::kBFloat16 || t == at::kHalf; }

class LlamaModelImpl : public torch::nn::Module {
public:
    // Allocates uninitialised frozen weights with `options` (dtype, device); a loader fills them.
    LlamaModelImpl(LlamaConfig config, const at::TensorOptions& options);

    ForwardOutput forward(const ForwardInput& input);

    // Token embeddings [B,T,H] in the model's dtype (not differentiable: the table is frozen).
    // Throws InputError for ids outside [0, vocab) when ids are on the CPU.
    at::Tensor embed(const at::Tensor& ids) const;
    // embed(ids) with the slots (row, position) of `slots` I64 [n,2] replaced by `vectors` [n,H]
    // (differentiable w.r.t. vectors) — CoLLM soft tokens and GraphLoRA's φ(e_node) placeholders.
    at::Tensor embedWithSlots(const at::Tensor& ids, const at::Tensor& slots, const at::Tensor& vectors) const;

    const LlamaConfig& config() const { return config_; }
    at::ScalarType dtype() const { return options_.dtype().toScalarType(); }
    // Adapters and injected signals compute in fp32 (fp64 when the model itself is fp64, which
    // tests use for finite-difference gradient checks).
    at::ScalarType adapterDtype() const { return dtype() == at::kDouble ? at::kDouble : at::kFloat; }
    // What adapters compute in: the frozen dtype when it is bf16/fp16 (autocast-style; the fp32
    // masters receive the gradients through the cast), else adapterDtype().
    at::ScalarType adapterComputeDtype() const {
        return isReducedFloat(dtype()) ? dtype() : adapterDtype();
    }
    at::Device device() const { return options_.device(); }
    const at::TensorOptions& options() const { return options_; }
    int numLayers() const { return static_cast<int>(layers_.size()); }
    LlamaLayerImpl& layer(int index) { return *layers_.at(index); }
    const LlamaLayerImpl& layer(int index) const { return *layers_.at(index); }

    // Every frozen tensor under its HF checkpoint name ("model.layers.0.self_attn.q_proj.weight",
    // "lm_head.weight" only when untied), as views a loader copies into.
    std::vector<std::pair<std::string, at::Tensor>> hfTensors() const;
    // Random weights (normal σ=0.02, norms 1), reproducible from `seed`.
    void initRandom(std::uint64_t seed);

    // The LoRA options of the attached adapters (set by attachLora / loadAdapter).
    const std::optional<LoraOptions>& loraOptions() const { return lora_; }
    void setLoraOptions(std::optional<LoraOptions> options) { lora_ = std::move(options); }

    at::Tensor embedTokens, finalNorm, lmHead;  // lmHead aliases embedTokens when tied

private:
    LlamaConfig config_;
    at::TensorOptions options_;
    std::vector<LlamaLayer> layers_;
    at::Tensor invFreq_;  // fp32 [D/2] on the model's device
    std::optional<LoraOptions> lora_;
};
TORCH_MODULE(LlamaModel);

}  // namespace glr
