#pragma once
// LightGCN-rec and NGCF-rec: a node table propagated by a graph encoder over the full training
// graph, scored by a dot product.
//   E [U + I, d] ~ N(0, initStd²);  H = encoder(E, graph) [U + I, D]
//   score(u, i) = <H[u], H[U + i]>   uids [B], iids [B] -> logits [B]
// D = d for LightGCN, d·(K+1) for NGCF (layer outputs concatenated as in the NGCF paper).
#include <torch/nn/modules/embedding.h>

#include "gnn/collaborative_model.h"

namespace glr::gnn {

class GraphRecommenderImpl : public CollaborativeModelImpl {
public:
    // encoder.inputDim must equal dim; graph is the full graph over numUsers + numItems nodes.
    GraphRecommenderImpl(std::int64_t numUsers, std::int64_t numItems, std::int64_t dim, GraphEncoderPtr encoder,
                         GraphAdjacency graph, double initStd = 0.1);
    at::Tensor forward(const RecBatch& batch) override;
    std::string methodName() const override { return encoder_->typeName(); }
    std::int64_t embeddingDim() const override { return encoder_->outputDim(); }
    // One full-graph propagation: [U + I, D].
    at::Tensor propagate();
    at::Tensor userEmbeddings() override { return propagate().slice(0, 0, numUsers_); }
    at::Tensor itemEmbeddings() override { return propagate().slice(0, numUsers_); }
    // The raw table before propagation [U + I, d].
    at::Tensor nodeTable() const { return nodes->weight; }
    const GraphAdjacency& graph() const { return graph_; }
    GraphEncoderImpl& encoder() { return *encoder_; }

    // Moves the graph with the parameters.
    using torch::nn::Module::to;
    void to(torch::Device device, torch::Dtype dtype, bool nonBlocking = false) override;
    void to(torch::Device device, bool nonBlocking = false) override;

    torch::nn::Embedding nodes{nullptr};

private:
    std::int64_t numUsers_, numItems_;
    GraphEncoderPtr encoder_;
    GraphAdjacency graph_;
};
TORCH_MODULE(GraphRecommender);

}  // namespace glr::gnn
