#pragma once
// LightGCN propagation (He et al. 2020; PyG LightGCN = a stack of LGConv, alpha = 1/(K+1)):
//   H = 1/(K+1) · Σ_{k=0..K} Â^k X,   Â = D^-1/2 A D^-1/2 (no self loops)
//   X [N, d] -> H [N, d]; no parameters.
#include "gnn/graph_encoder.h"

namespace glr::gnn {

class LightGcnEncoderImpl : public GraphEncoderImpl {
public:
    LightGcnEncoderImpl(std::int64_t inputDim, std::int64_t layers);
    at::Tensor forward(const at::Tensor& features, const GraphAdjacency& graph) override;
    std::int64_t inputDim() const override { return inputDim_; }
    std::int64_t outputDim() const override { return inputDim_; }
    std::int64_t hops() const override { return layers_; }
    std::string typeName() const override { return "lightgcn"; }

private:
    std::int64_t inputDim_;
    std::int64_t layers_;
};
TORCH_MODULE(LightGcnEncoder);

}  // namespace glr::gnn
