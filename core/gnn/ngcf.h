#pragma once
// NGCF (Wang et al. 2019), per SPEC §3.3, one layer:
//   H' = LeakyReLU_0.2( (L + I) H W1ᵀ + b1 + ((L H) ⊙ H) W2ᵀ + b2 ),   L = Â = D^-1/2 A D^-1/2
//   H [N, in] -> H' [N, out];  W1, W2 [out, in];  b1, b2 [out]
// K layers are chained; the output is [H_0 ‖ H_1 ‖ … ‖ H_K] ("concat", the NGCF paper's choice,
// outputDim = in + K·dim) or H_K ("last", outputDim = dim). The paper's message dropout and
// per-layer L2 normalisation are left out (SPEC's formula has neither).
// Weights Xavier-uniform, biases zero.
#include <torch/nn/modules/linear.h>

#include <torch/nn/modules/container/modulelist.h>

#include "gnn/graph_encoder.h"

namespace glr::gnn {

class NgcfLayerImpl : public torch::nn::Module {
public:
    NgcfLayerImpl(std::int64_t inputDim, std::int64_t outputDim);
    at::Tensor forward(const at::Tensor& h, const SparseAdjacency& adjacency);

    torch::nn::Linear w1{nullptr};  // applied to (L + I) H
    torch::nn::Linear w2{nullptr};  // applied to (L H) ⊙ H
};
TORCH_MODULE(NgcfLayer);

class NgcfEncoderImpl : public GraphEncoderImpl {
public:
    NgcfEncoderImpl(std::int64_t inputDim, std::int64_t dim, std::int64_t layers, bool concatLayers = true);
    at::Tensor forward(const at::Tensor& features, const GraphAdjacency& graph) override;
    std::int64_t inputDim() const override { return inputDim_; }
    std::int64_t outputDim() const override;
    std::int64_t hops() const override { return std::int64_t(layers_.size()); }
    std::string typeName() const override { return "ngcf"; }
    bool concatLayers() const { return concat_; }
    NgcfLayer& layer(std::size_t index) { return layers_.at(index); }

private:
    std::int64_t inputDim_, dim_;
    bool concat_;
    std::vector<NgcfLayer> layers_;
};
TORCH_MODULE(NgcfEncoder);

}  // namespace glr::gnn
