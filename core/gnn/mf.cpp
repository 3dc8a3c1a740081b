#include "gnn/mf.h"

#include <torch/nn/init.h>

#include "util/error.h"

namespace glr::gnn {

MatrixFactorizationImpl::MatrixFactorizationImpl(std::int64_t numUsers, std::int64_t numItems, std::int64_t dim,
                                                 double initStd)
    : dim_(dim) {
    if (numUsers <= 0 || numItems <= 0 || dim <= 0)
        failInput("MF: users ({}), items ({}) and dim ({}) must be positive", numUsers, numItems, dim);
    users = register_module("user_embedding", torch::nn::Embedding(numUsers, dim));
    items = register_module("item_embedding", torch::nn::Embedding(numItems, dim));
    torch::nn::init::normal_(users->weight, 0.0, initStd);
    torch::nn::init::normal_(items->weight, 0.0, initStd);
}

at::Tensor MatrixFactorizationImpl::score(const at::Tensor& uids, const at::Tensor& iids) {
    return (users->forward(uids) * items->forward(iids)).sum(-1);
}

at::Tensor MatrixFactorizationImpl::forward(const RecBatch& batch) { return score(batch.uids, batch.iids); }

}  // namespace glr::gnn
