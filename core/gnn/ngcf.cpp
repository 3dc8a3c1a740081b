#include "gnn/ngcf.h"

#include <torch/nn/init.h>

namespace glr::gnn {

// NGCF's LeakyReLU slope (paper and SPEC §3.3).
constexpr double kNegativeSlope = 0.2;

NgcfLayerImpl::NgcfLayerImpl(std::int64_t inputDim, std::int64_t outputDim) {
    w1 = register_module("W1", torch::nn::Linear(inputDim, outputDim));
    w2 = register_module("W2", torch::nn::Linear(inputDim, outputDim));
    for (auto* linear : {&w1, &w2}) {
        torch::nn::init::xavier_uniform_((*linear)->weight);
        torch::nn::init::zeros_((*linear)->bias);
    }
}

at::Tensor NgcfLayerImpl::forward(const at::Tensor& h, const SparseAdjacency& adjacency) {
    at::Tensor neighbourhood = adjacency.propagate(h);  // L H
    return at::leaky_relu(w1->forward(neighbourhood + h) + w2->forward(neighbourhood * h), kNegativeSlope);
}

NgcfEncoderImpl::NgcfEncoderImpl(std::int64_t inputDim, std::int64_t dim, std::int64_t layers, bool concatLayers)
    : inputDim_(inputDim), dim_(dim), concat_(concatLayers) {
    for (std::int64_t k = 0; k < layers; ++k) layers_.push_back(NgcfLayer(k == 0 ? inputDim : dim, dim));
    // A ModuleList names the parameters "layers.<k>.…" in checkpoints.
    torch::nn::ModuleList list;
    for (auto& layer : layers_) list->push_back(layer);
    register_module("layers", list);
}

std::int64_t NgcfEncoderImpl::outputDim() const {
    return concat_ ? inputDim_ + std::int64_t(layers_.size()) * dim_ : dim_;
}

at::Tensor NgcfEncoderImpl::forward(const at::Tensor& features, const GraphAdjacency& graph) {
    checkEncoderInput(*this, features, graph);
    const SparseAdjacency& adjacency = graph.normalized();
    std::vector<at::Tensor> outputs{features};
    at::Tensor h = features;
    for (auto& layer : layers_) {
        h = layer->forward(h, adjacency);
        outputs.push_back(h);
    }
    return concat_ ? at::cat(outputs, 1) : h;
}

}  // namespace glr::gnn
