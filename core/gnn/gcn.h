#pragma once
// GCN (Kipf & Welling; PyG GCNConv with self loops and gcn_norm), K layers:
//   H_{k+1} = Â_sl (H_k W_kᵀ) + b_k,   Â_sl = D̃^-1/2 (A + I) D̃^-1/2
//   ReLU between layers, none after the last (the output feeds a linear bottleneck).
//   X [N, inputDim] -> H [N, dim];  W_0 [dim, inputDim], W_k [dim, dim], b_k [dim]
// Weights Glorot-uniform, biases zero, as GCNConv.
#include <torch/nn/modules/container/modulelist.h>

#include "gnn/graph_encoder.h"

namespace glr::gnn {

class GcnLayerImpl : public torch::nn::Module {
public:
    GcnLayerImpl(std::int64_t inputDim, std::int64_t outputDim);
    // x [N, in] -> [N, out]
    at::Tensor forward(const at::Tensor& x, const SparseAdjacency& selfLoopAdjacency);

    at::Tensor weight;  // [out, in]
    at::Tensor bias;    // [out], added after propagation
};
TORCH_MODULE(GcnLayer);

class GcnEncoderImpl : public GraphEncoderImpl {
public:
    GcnEncoderImpl(std::int64_t inputDim, std::int64_t dim, std::int64_t layers);
    at::Tensor forward(const at::Tensor& features, const GraphAdjacency& graph) override;
    std::int64_t inputDim() const override { return inputDim_; }
    std::int64_t outputDim() const override { return dim_; }
    std::int64_t hops() const override { return std::int64_t(layers_.size()); }
    bool needsSelfLoops() const override { return true; }
    std::string typeName() const override { return "gcn"; }
    GcnLayer& layer(std::size_t index) { return layers_.at(index); }

private:
    std::int64_t inputDim_, dim_;
    std::vector<GcnLayer> layers_;
};
TORCH_MODULE(GcnEncoder);

}  // namespace glr::gnn
