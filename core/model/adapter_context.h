#pragma once
// Per-forward inputs of the LoRA adapters: everything that changes from batch to batch and steers
// what the adapters compute (SPEC §3.5, §3.6, §7). The trainer builds one per batch and passes it
// to LlamaModel::forward; the model resolves it once (indices, gathered graph vectors, which
// layer/module is affected) and hands the result to every LoraLinear. Plain LoRA: no context.
//
// Anchors are I64 [n,3] rows (row, position, node): token `position` of batch row `row` stands for
// graph node `node`. Positions index the tokens of this forward call (after left padding). The
// (row, position) pairs must be unique. All tensors live on the model's device.
#include <optional>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace glr {

struct LlamaConfig;

// SPEC §3.5 "middle" injection, in the bottleneck of the adapters of `modules` at `layers`:
//   z = A(dropout(x))   [B,T,r];  at each anchor (b,t,n): z[b,t] ← α·z[b,t] + β·g[n];  y = W x + s·B z
// Differentiable w.r.t. graphSignal, alpha, beta (when they require grad), A and B.
struct GraphInjection {
    at::Tensor anchors;      // I64 [n,3] (row, position, node)
    at::Tensor graphSignal;  // [nodes, r] float: g = P(GNN(...)), one row per node id
    at::Tensor alpha;        // 0-d or [1] float tensor (may require grad)
    at::Tensor beta;         // 0-d or [1] float tensor (may require grad)
    std::vector<int> layers{-1};                           // negative counts from the top
    std::vector<std::string> modules{"q_proj", "v_proj"};  // must carry an adapter at those layers

    // Convenience for fixed α, β (scalar tensors on graphSignal's device).
    static GraphInjection make(at::Tensor anchors, at::Tensor graphSignal, double alpha, double beta,
                               std::vector<int> layers = {-1});
};

// SPEC §3.6 "Pre-A" injection: the anchor's vector (width H, already projected by the trainer's
// Linear(d_g → H)) is added to the adapter input before A:  z = A(dropout(x) + v[n] at anchors).
// Only the adapter path sees it; the frozen W x does not.
struct PreInjection {
    at::Tensor anchors;  // I64 [n,3]
    at::Tensor vectors;  // [nodes, in_features] float, one row per node id
    std::vector<int> layers{-1};
    std::vector<std::string> modules{"q_proj", "v_proj"};
};

// CoRA (SPEC §7): a per-row generated matrix replaces A at every token of the row:
//   y = W x + s·P(x W_gen[b])   x [B,T,H], W_gen [B,H,r]; P = the adapter's B (zero-initialised).
struct CoraInjection {
    at::Tensor weight;           // [B, in_features, r] float
    std::vector<int> layers;     // empty: every layer
    std::vector<std::string> modules;  // empty: every adapted module whose input width matches
};

struct AdapterContext {
    std::optional<GraphInjection> middle;
    std::optional<PreInjection> pre;
    std::optional<CoraInjection> cora;

    bool empty() const { return !middle && !pre && !cora; }
    // Host-side checks (shapes, dtypes, index ranges, unique anchors) for a batch of `batch` rows
    // of `seqLen` tokens against a model config and adapter rank. Throws InputError naming the
    // offending field. Reads tensor values, so call it where a device sync is acceptable (CLI,
    // tests, the trainer's first batch) — LlamaModel::forward checks shapes only.
    void validate(const LlamaConfig& config, int rank, std::int64_t batch, std::int64_t seqLen) const;
};

}  // namespace glr
