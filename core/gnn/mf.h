#pragma once
// Matrix factorisation as CoLLM's MF: score(u, i) = <E_u[u], E_i[i]>, no biases.
//   uids [B], iids [B] -> logits [B];  E_u [numUsers, d], E_i [numItems, d] ~ N(0, initStd²)
// Also the MF tables of GraphLoRA (SPEC §3.1) when initialised from a saved MF run.
#include <torch/nn/modules/embedding.h>

#include "gnn/collaborative_model.h"

namespace glr::gnn {

class MatrixFactorizationImpl : public CollaborativeModelImpl {
public:
    MatrixFactorizationImpl(std::int64_t numUsers, std::int64_t numItems, std::int64_t dim, double initStd = 0.1);
    at::Tensor forward(const RecBatch& batch) override;
    at::Tensor score(const at::Tensor& uids, const at::Tensor& iids);
    std::string methodName() const override { return "mf"; }
    std::int64_t embeddingDim() const override { return dim_; }
    at::Tensor userEmbeddings() override { return users->weight; }
    at::Tensor itemEmbeddings() override { return items->weight; }

    torch::nn::Embedding users{nullptr};  // parameter "user_embedding.weight"
    torch::nn::Embedding items{nullptr};  // parameter "item_embedding.weight"

private:
    std::int64_t dim_;
};
TORCH_MODULE(MatrixFactorization);

}  // namespace glr::gnn
