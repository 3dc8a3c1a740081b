#pragma once
// SASRec (Kang & McAuley 2018), as the reference PyTorch port (pmixer/SASRec.pytorch):
//   x_0 = E[hist]·sqrt(d) + P[m-L..m)  (padding rows zeroed)      hist [B, L] -> [B, L, d], m = maxLength
//   per block:  q = LN(x);  x = q + MHA(q, x, x; causal, keys at padding masked)
//               x = LN(x);  x = x + W2 dropout(ReLU(W1 x));  padding rows zeroed
//   h = LN(x)[:, L-1]                                              -> [B, d]
//   score(hist, i) = <h, E[i]>                                     iids [B] -> logits [B]
// Histories are left-padded with item 0; positions are right-aligned (the most recent item is
// always position m-1), so extra padding leaves a row's output unchanged; an empty
// history yields a well-defined (bias-only) representation. Longer histories keep their last
// maxLength items. Weights Xavier-normal as the reference.
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "gnn/collaborative_model.h"

namespace glr::gnn {

class SasRecBlockImpl : public torch::nn::Module {
public:
    SasRecBlockImpl(std::int64_t dim, std::int64_t heads, double dropout);
    // x [B, L, d], additiveMask [B, 1, L, L], keep [B, L, 1] (1 at real items) -> [B, L, d]
    at::Tensor forward(const at::Tensor& x, const at::Tensor& additiveMask, const at::Tensor& keep);

private:
    std::int64_t heads_;
    torch::nn::LayerNorm attentionNorm{nullptr}, feedForwardNorm{nullptr};
    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, output{nullptr};
    torch::nn::Linear feedForward1{nullptr}, feedForward2{nullptr};
    torch::nn::Dropout attentionDropout{nullptr}, feedForwardDropout{nullptr};
};
TORCH_MODULE(SasRecBlock);

class SasRecImpl : public CollaborativeModelImpl {
public:
    SasRecImpl(std::int64_t numItems, std::int64_t dim, std::int64_t maxLength, std::int64_t blocks,
               std::int64_t heads, double dropout);
    at::Tensor forward(const RecBatch& batch) override;
    // h: the sequence representation after the last item [B, d] (CoLLM-SAS's user embedding).
    at::Tensor encodeHistories(const at::Tensor& histories);
    std::string methodName() const override { return "sasrec"; }
    std::int64_t embeddingDim() const override { return dim_; }
    // SASRec has no user table; this throws. Use encodeHistories.
    at::Tensor userEmbeddings() override;
    // Item table without the padding row: [numItems, d], row k = item k + 1.
    at::Tensor itemEmbeddings() override { return items->weight.slice(0, 1); }

    torch::nn::Embedding items{nullptr};      // [numItems + 1, d], row 0 = padding
    torch::nn::Embedding positions{nullptr};  // [maxLength, d]

private:
    std::int64_t numItems_, dim_, maxLength_;
    torch::nn::Dropout embeddingDropout{nullptr};
    std::vector<SasRecBlock> blocks_;
    torch::nn::LayerNorm finalNorm{nullptr};
};
TORCH_MODULE(SasRec);

}  // namespace glr::gnn
