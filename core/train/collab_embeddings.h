#pragma once
// The collaborative side of the LLM methods: the MF tables E_u, E_i (SPEC §3.1) seen as node
// features [N, d] (users [0,U), items U + iid), and the graph path that turns them into the
// per-anchor signal of GraphLoRA (SPEC §3.3): full-graph or 1-hop-subgraph propagation.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "config/experiment_config.h"
#include "train/optimizer.h"

namespace glr::data {
class SplitDataset;
}

namespace glr {

struct CollabEmbeddingOptions {
    int dim = 256;
    bool trainable = true;
    std::optional<std::string> init;  // a checkpoint with mf.user_embedding / mf.item_embedding
    config::CfEmbedding source = config::CfEmbedding::MF;  // CoLLM: MF tables or LightGCN output
    int gnnLayers = 3;
    at::Device device = at::kCPU;  // where the tables (and CoLLM-LightGCN's graph) live
};

class CollabEmbeddings {
public:
    CollabEmbeddings(const data::SplitDataset& dataset, const CollabEmbeddingOptions& options);
    ~CollabEmbeddings();
    // [N, d] node features: the MF tables, or LightGCN(E) for CoLLM-LightGCN.
    at::Tensor nodeFeatures(bool training);
    bool trainable() const { return options_.trainable; }
    void addParameters(ParamGroup& group);
    std::int64_t parameterCount() const;

private:
    struct Impl;
    CollabEmbeddingOptions options_;
    std::unique_ptr<Impl> impl_;
};

struct GraphPathOptions {
    config::GnnType type = config::GnnType::NGCF;
    int layers = 3;
    int dim = 256;        // encoder width
    int inputDim = 256;   // MF dim
    bool oneHop = true;
    int fanout = -1;
    std::uint64_t seed = 0;
    at::Device device = at::kCPU;  // encoder weights and propagation; subgraphs are cut on the host
};

struct EncodedNodes {
    at::Tensor embeddings;  // [M, d_g]
    at::Tensor anchorRows;  // I64 [n]: row of `embeddings` for each requested node
};

class GraphPath {
public:
    // Over the dataset's training positives.
    GraphPath(const data::SplitDataset& dataset, const GraphPathOptions& options);
    // Over 0-based (user, item) pairs (user u is node u, item i node numUsers + i): the benches'
    // generated graphs.
    GraphPath(std::int64_t numUsers, std::int64_t numItems,
              const std::vector<std::pair<std::int64_t, std::int64_t>>& userItemPairs, const GraphPathOptions& options);
    ~GraphPath();
    // Encodes the nodes `nodes` I64 [n] (global ids) from features [N, d] (on options.device).
    // Pass `nodes` on the host: the 1-hop subgraph is cut there, and a device tensor would cost a
    // synchronisation to read back.
    EncodedNodes encode(const at::Tensor& features, const at::Tensor& nodes, bool training);
    std::int64_t outputDim() const;
    void addParameters(ParamGroup& group);
    std::string describe() const;

private:
    // 1-hop subgraphs cut per batch on the host, or propagation over the full graph.
    bool usesSubgraphs() const { return options_.oneHop && options_.type != config::GnnType::Identity; }
    struct Impl;
    GraphPathOptions options_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace glr
