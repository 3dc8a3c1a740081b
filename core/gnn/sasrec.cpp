#include "gnn/sasrec.h"

#include <cmath>

#include <torch/nn/init.h>

#include "util/error.h"

namespace glr::gnn {
namespace {

// The reference implementation's LayerNorm epsilon.
constexpr double kLayerNormEps = 1e-8;
// Additive mask for disallowed keys: large and finite so softmax stays NaN-free.
constexpr double kMasked = -1e9;

torch::nn::LayerNorm layerNorm(std::int64_t dim) {
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(kLayerNormEps));
}

}  // namespace

SasRecBlockImpl::SasRecBlockImpl(std::int64_t dim, std::int64_t heads, double dropout) : heads_(heads) {
    if (heads <= 0 || dim % heads != 0) failInput("SASRec: width {} is not divisible by {} heads", dim, heads);
    attentionNorm = register_module("attention_norm", layerNorm(dim));
    feedForwardNorm = register_module("ffn_norm", layerNorm(dim));
    query = register_module("q_proj", torch::nn::Linear(dim, dim));
    key = register_module("k_proj", torch::nn::Linear(dim, dim));
    value = register_module("v_proj", torch::nn::Linear(dim, dim));
    output = register_module("o_proj", torch::nn::Linear(dim, dim));
    feedForward1 = register_module("ffn1", torch::nn::Linear(dim, dim));
    feedForward2 = register_module("ffn2", torch::nn::Linear(dim, dim));
    attentionDropout = register_module("attention_dropout", torch::nn::Dropout(dropout));
    feedForwardDropout = register_module("ffn_dropout", torch::nn::Dropout(dropout));
}

at::Tensor SasRecBlockImpl::forward(const at::Tensor& x, const at::Tensor& additiveMask, const at::Tensor& keep) {
    const std::int64_t batch = x.size(0), length = x.size(1), dim = x.size(2), headDim = dim / heads_;
    auto splitHeads = [&](const at::Tensor& t) { return t.view({batch, length, heads_, headDim}).transpose(1, 2); };
    at::Tensor q = attentionNorm->forward(x);
    at::Tensor scores = at::matmul(splitHeads(query->forward(q)), splitHeads(key->forward(x)).transpose(-2, -1)) /
                        std::sqrt(double(headDim));
    at::Tensor weights = attentionDropout->forward(at::softmax(scores + additiveMask, -1));
    at::Tensor attended = at::matmul(weights, splitHeads(value->forward(x))).transpose(1, 2).reshape({batch, length, dim});
    at::Tensor h = feedForwardNorm->forward(q + output->forward(attended));
    h = h + feedForwardDropout->forward(feedForward2->forward(feedForwardDropout->forward(at::relu(feedForward1->forward(h)))));
    return h * keep;
}

SasRecImpl::SasRecImpl(std::int64_t numItems, std::int64_t dim, std::int64_t maxLength, std::int64_t blocks,
                       std::int64_t heads, double dropout)
    : numItems_(numItems), dim_(dim), maxLength_(maxLength) {
    if (numItems <= 0 || dim <= 0 || maxLength <= 0 || blocks <= 0)
        failInput("SASRec: items ({}), dim ({}), max length ({}) and blocks ({}) must be positive", numItems, dim,
                  maxLength, blocks);
    items = register_module("item_embedding", torch::nn::Embedding(numItems + 1, dim));
    positions = register_module("position_embedding", torch::nn::Embedding(maxLength, dim));
    embeddingDropout = register_module("embedding_dropout", torch::nn::Dropout(dropout));
    torch::nn::ModuleList list;
    for (std::int64_t b = 0; b < blocks; ++b) {
        blocks_.push_back(SasRecBlock(dim, heads, dropout));
        list->push_back(blocks_.back());
    }
    register_module("blocks", list);
    finalNorm = register_module("final_norm", layerNorm(dim));
    for (auto& parameter : parameters())
        if (parameter.dim() == 2) torch::nn::init::xavier_normal_(parameter);
}

at::Tensor SasRecImpl::encodeHistories(const at::Tensor& histories) {
    GLR_CHECK(histories.dim() == 2, "SASRec: histories must be [batch, length], got {}", c10::str(histories.sizes()));
    at::Tensor hist = histories.size(1) > maxLength_ ? histories.slice(1, histories.size(1) - maxLength_) : histories;
    hist = hist.to(at::kLong);
    const std::int64_t batch = hist.size(0), length = hist.size(1);
    if (length == 0) hist = at::zeros({batch, 1}, hist.options());
    const std::int64_t steps = hist.size(1);
    // Checked where the ids are on the host, read in place (on an accelerator the embedding checks;
    // reading them back would synchronise).
    if (hist.device().is_cpu()) {
        const at::Tensor flat = hist.contiguous();
        const std::int64_t* p = flat.data_ptr<std::int64_t>();
        for (std::int64_t i = 0, n = flat.numel(); i < n; ++i)
            GLR_CHECK(p[i] >= 0 && p[i] <= numItems_, "SASRec: history item ids must lie in [0, {}] (0 = padding), got {}",
                      numItems_, p[i]);
    }

    at::Tensor real = hist.ne(0);                                  // [B, L]
    at::Tensor keep = real.unsqueeze(-1).to(items->weight.scalar_type());
    // Right-aligned positions: the most recent item is always position maxLength - 1, so a row's
    // representation does not depend on how much padding its batch needed.
    at::Tensor positionIds = at::arange(maxLength_ - steps, maxLength_, hist.options());
    at::Tensor x = items->forward(hist) * std::sqrt(double(dim_)) + positions->forward(positionIds).unsqueeze(0);
    x = embeddingDropout->forward(x) * keep;

    // Query t may attend to key s <= t that is a real item, and always to itself (so a padded
    // query row is never empty).
    at::Tensor causal = at::ones({steps, steps}, hist.options().dtype(at::kBool)).tril();
    at::Tensor self = at::eye(steps, hist.options().dtype(at::kBool));
    at::Tensor allowed = causal.unsqueeze(0).logical_and(real.unsqueeze(1)).logical_or(self.unsqueeze(0));  // [B, L, L]
    at::Tensor additiveMask =
        at::zeros({batch, 1, steps, steps}, x.options()).masked_fill(allowed.logical_not().unsqueeze(1), kMasked);
    for (auto& block : blocks_) x = block->forward(x, additiveMask, keep);
    return finalNorm->forward(x).select(1, steps - 1);
}

at::Tensor SasRecImpl::forward(const RecBatch& batch) {
    at::Tensor h = encodeHistories(batch.histories);
    return (h * items->forward(batch.iids)).sum(-1);
}

at::Tensor SasRecImpl::userEmbeddings() {
    fail("SASRec has no user table: user representations come from encodeHistories(histories)");
}

}  // namespace glr::gnn
