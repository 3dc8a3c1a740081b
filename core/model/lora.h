#pragma once
// LoRA around a frozen projection (SPEC §2), with the structure injections of SPEC §3.5/§3.6/§7
// applied inside the adapter's bottleneck — the one place where the graph meets the LLM.
//
//   y = W x + b + s·B(A(dropout(x)))          x [..., in] -> y [..., out],  s = alpha / r
//   A [r, in] (kaiming-uniform, as PEFT), B [out, r] (zeros): fp32 trainable parameters, whatever
//   the dtype of the frozen W (bf16 on CUDA): x is cast to fp32 for the adapter and the adapter's
//   output back to W's dtype, as PEFT does.
//
// Adapters load from and save to PEFT's layout: adapter_config.json + adapter_model.safetensors
// with keys `base_model.model.model.layers.<i>.<self_attn|mlp>.<proj>.lora_<A|B>.weight`.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "model/adapter_context.h"

namespace glr {

// The seven projections of a LLaMA decoder layer, in HF naming order.
enum class ProjKind : int { Q = 0, K, V, O, Gate, Up, Down };
inline constexpr int kProjKinds = 7;
const char* projName(ProjKind kind);                       // "q_proj", …, "down_proj"
const char* projParent(ProjKind kind);                     // "self_attn" or "mlp"
std::optional<ProjKind> parseProjName(const std::string& name);
// Throws InputError listing the valid names.
ProjKind projKindOrThrow(const std::string& name, const std::string& context);

struct LoraOptions {
    int r = 8;
    double alpha = 16;        // s = alpha / r (or alpha / sqrt(r) with rslora)
    double dropout = 0.05;    // on the adapter input, training mode only
    std::vector<std::string> targets{"q_proj", "v_proj"};
    std::vector<int> layers;  // empty: every layer; negative counts from the top
    bool rslora = false;
    std::uint64_t seed = 0;   // A's initialisation (CPU generator, so identical on every device)

    double scaling() const;
};

// The AdapterContext of one forward, resolved against the model once (not per module): flat
// anchor indices, gathered and β-scaled graph vectors, and a per-layer bit set of affected
// projections. Built by LlamaModel::forward; LoraLinear only reads it.
struct AdapterPlan {
    // middle (SPEC §3.5)
    at::Tensor middleIndex;   // I64 [n]: row * T + position
    at::Tensor middleAlpha;   // 0-d/[1], fp32
    at::Tensor middleSignal;  // [n, r] = β·g[node], in the adapters' compute dtype
    std::vector<std::uint32_t> middleMask;  // per layer: bit (1 << ProjKind)
    // pre (SPEC §3.6)
    at::Tensor preIndex;      // I64 [n]
    at::Tensor preVectors;    // [n, in] = v[node], compute dtype
    std::vector<std::uint32_t> preMask;
    // CoRA (SPEC §7)
    at::Tensor coraWeight;    // [B, in, r], compute dtype
    std::vector<std::uint32_t> coraMask;

    bool middleAt(int layer, ProjKind k) const { return bit(middleMask, layer, k); }
    bool preAt(int layer, ProjKind k) const { return bit(preMask, layer, k); }
    bool coraAt(int layer, ProjKind k) const { return bit(coraMask, layer, k); }

    // Resolves `context` for inputs of `batch` rows × `seqLen` tokens; checks shapes (no device
    // sync) and that every injected module carries an adapter.
    static AdapterPlan resolve(const AdapterContext& context, const class LlamaModelImpl& model,
                               std::int64_t batch, std::int64_t seqLen);

private:
    static bool bit(const std::vector<std::uint32_t>& m, int layer, ProjKind k) {
        return layer < static_cast<int>(m.size()) && (m[layer] >> static_cast<int>(k) & 1u);
    }
};

// One frozen projection of one layer, optionally carrying a LoRA adapter. The frozen weight may
// be a view into a fused per-layer weight (q/k/v, gate/up): the layer then computes the fused
// base product once and adds each projection's delta().
class LoraLinearImpl : public torch::nn::Module {
public:
    LoraLinearImpl(ProjKind kind, int layer, at::Tensor weight, at::Tensor bias);

    // W x + b + delta(x)
    at::Tensor forward(const at::Tensor& x, const AdapterPlan* plan = nullptr);
    // The adapter's contribution s·B(z) in x's dtype (x [B,T,in]); undefined without an adapter.
    at::Tensor delta(const at::Tensor& x, const AdapterPlan* plan = nullptr);

    // A ~ U(-1/sqrt(in), 1/sqrt(in)) from `generator` (PEFT's kaiming_uniform(a=√5)), B = 0.
    void attachAdapter(int r, double scaling, double dropout, at::Generator& generator);
    void detachAdapter();
    bool hasAdapter() const { return loraA_.defined(); }
    int rank() const { return hasAdapter() ? static_cast<int>(loraA_.size(0)) : 0; }
    const at::Tensor& loraA() const { return loraA_; }  // [r, in] fp32
    const at::Tensor& loraB() const { return loraB_; }  // [out, r] fp32
    double scaling() const { return scaling_; }
    double dropout() const { return dropout_; }

    ProjKind kind() const { return kind_; }
    int layer() const { return layer_; }
    std::int64_t inFeatures() const { return weight_.size(1); }
    std::int64_t outFeatures() const { return weight_.size(0); }
    const at::Tensor& weight() const { return weight_; }  // frozen [out, in]
    const at::Tensor& bias() const { return bias_; }      // frozen [out] or undefined
    // "model.layers.<i>.self_attn.q_proj" (HF module path, without "base_model.model.")
    std::string hfPath() const;

private:
    ProjKind kind_;
    int layer_;
    at::Tensor weight_, bias_;
    at::Tensor loraA_, loraB_;
    double scaling_ = 0;
    double dropout_ = 0;
};
TORCH_MODULE(LoraLinear);

class LlamaModelImpl;

// Attaches fresh adapters (A kaiming-uniform from options.seed, B zeros) to options.targets at
// options.layers, replacing any present. Throws InputError for unknown targets or layers.
void attachLora(LlamaModelImpl& model, const LoraOptions& options);
void detachLora(LlamaModelImpl& model);
// The adapters currently attached (layer-major, HF projection order).
std::vector<LoraLinear> loraModules(const LlamaModelImpl& model);
// Every A and B, in loraModules() order (A then B) — what the optimiser trains.
std::vector<at::Tensor> adapterParameters(const LlamaModelImpl& model);
// Same, named as PEFT names them in adapter_model.safetensors
// ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").
std::vector<std::pair<std::string, at::Tensor>> namedAdapterParameters(const LlamaModelImpl& model);

// Writes adapter_config.json and adapter_model.safetensors (fp32) into `dir` (created), each
// atomically. Reloading gives bit-identical parameters.
void saveAdapter(const LlamaModelImpl& model, const std::string& dir);
// Reads PEFT's adapter_config.json (r, lora_alpha, lora_dropout, target_modules as a list or a
// regex, layers_to_transform, use_rslora) and attaches adapters filled from
// adapter_model.safetensors (converted to fp32). Throws InputError naming the file and the key or
// tensor for unsupported options (DoRA, biases, rank/alpha patterns), missing or unexpected
// tensors and shape mismatches (e.g. a rank differing from `r`). Returns the options used.
LoraOptions loadAdapter(LlamaModelImpl& model, const std::string& dir);

}  // namespace glr
