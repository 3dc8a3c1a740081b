#pragma once
// The graph encoders of SPEC §3.3 behind one interface, and the factory the trainer calls.
//
//   encoder(X, graph) -> H     X [N, inputDim] node features (the MF tables), H [N, outputDim]
//
// Gradients reach X through every path (node features are trainable MF tables).
//   identity   H = X                                   (the "LoRA-only, trainable MF" ablation)
//   lightgcn   H = mean_{k=0..K} Â^k X                  (lightgcn.h)
//   gcn        H_{k+1} = Â_sl H_k W_kᵀ + b_k            (gcn.h)
//   ngcf       H_{k+1} = LeakyReLU((Â+I)H_k W1ᵀ + b1 + ((Â H_k) ⊙ H_k) W2ᵀ + b2)   (ngcf.h)
#include <cstdint>
#include <memory>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "gnn/graph_adjacency.h"

namespace glr::gnn {

struct GraphEncoderOptions {
    std::string type = "ngcf";  // "lightgcn", "gcn", "ngcf" or "identity"
    std::int64_t inputDim = 256;
    std::int64_t dim = 256;     // width of each gcn / ngcf layer (lightgcn and identity keep inputDim)
    std::int64_t layers = 3;
    // NGCF's multi-layer output: "concat" = [H_0 ‖ H_1 ‖ … ‖ H_K] as the NGCF paper (the default:
    // the graph signal keeps the node's own embedding beside its neighbourhood), or "last" = H_K.
    std::string ngcfCombine = "concat";
};

class GraphEncoderImpl : public torch::nn::Module {
public:
    virtual at::Tensor forward(const at::Tensor& features, const GraphAdjacency& graph) = 0;
    virtual std::int64_t inputDim() const = 0;
    virtual std::int64_t outputDim() const = 0;
    // Propagation steps: a node's output depends on nodes this many hops away, so a k-hop
    // subgraph reproduces the full-graph output of its centres exactly when k >= hops().
    virtual std::int64_t hops() const = 0;
    virtual std::string typeName() const = 0;
    // Whether forward() reads the self-loop adjacency Â_sl (GCN); subgraphs for the others skip it.
    virtual bool needsSelfLoops() const { return false; }
};
using GraphEncoderPtr = std::shared_ptr<GraphEncoderImpl>;

// H = X. Has no parameters.
class IdentityEncoderImpl : public GraphEncoderImpl {
public:
    explicit IdentityEncoderImpl(std::int64_t inputDim) : inputDim_(inputDim) {}
    at::Tensor forward(const at::Tensor& features, const GraphAdjacency& graph) override;
    std::int64_t inputDim() const override { return inputDim_; }
    std::int64_t outputDim() const override { return inputDim_; }
    std::int64_t hops() const override { return 0; }
    std::string typeName() const override { return "identity"; }

private:
    std::int64_t inputDim_;
};
TORCH_MODULE(IdentityEncoder);

// Throws InputError for an unknown type or a non-positive size, naming the option.
GraphEncoderPtr makeGraphEncoder(const GraphEncoderOptions& options);

// Checks features [numNodes, inputDim] against the encoder and the graph (glr::Error otherwise).
void checkEncoderInput(const GraphEncoderImpl& encoder, const at::Tensor& features, const GraphAdjacency& graph);

}  // namespace glr::gnn
