#include "gnn/gcn.h"

#include <torch/nn/init.h>

namespace glr::gnn {

GcnLayerImpl::GcnLayerImpl(std::int64_t inputDim, std::int64_t outputDim) {
    weight = register_parameter("weight", at::empty({outputDim, inputDim}));
    bias = register_parameter("bias", at::zeros({outputDim}));
    torch::nn::init::xavier_uniform_(weight);
}

at::Tensor GcnLayerImpl::forward(const at::Tensor& x, const SparseAdjacency& selfLoopAdjacency) {
    // Transform first, as GCNConv: propagation then runs at the (usually smaller) output width.
    return selfLoopAdjacency.propagate(at::matmul(x, weight.t())) + bias;
}

GcnEncoderImpl::GcnEncoderImpl(std::int64_t inputDim, std::int64_t dim, std::int64_t layers)
    : inputDim_(inputDim), dim_(dim) {
    for (std::int64_t k = 0; k < layers; ++k) layers_.push_back(GcnLayer(k == 0 ? inputDim : dim, dim));
    // A ModuleList names the parameters "layers.<k>.…" in checkpoints.
    torch::nn::ModuleList list;
    for (auto& layer : layers_) list->push_back(layer);
    register_module("layers", list);
}

at::Tensor GcnEncoderImpl::forward(const at::Tensor& features, const GraphAdjacency& graph) {
    checkEncoderInput(*this, features, graph);
    const SparseAdjacency& adjacency = graph.withSelfLoops();
    at::Tensor h = features;
    for (std::size_t k = 0; k < layers_.size(); ++k) {
        h = layers_[k]->forward(h, adjacency);
        if (k + 1 < layers_.size()) h = at::relu(h);
    }
    return h;
}

}  // namespace glr::gnn
