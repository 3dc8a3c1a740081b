#include "train/collab_embeddings.h"

#include <torch/torch.h>

#include <filesystem>
#include <unordered_map>

#include "data/graph.h"
#include "data/split_dataset.h"
#include "gnn/device_upload.h"
#include "gnn/graph_encoder.h"
#include "gnn/graph_adjacency.h"
#include "gnn/subgraph.h"
#include "train/checkpoint.h"
#include "train/recommender.h"
#include "util/error.h"

namespace glr {

namespace {

// The training positives as (user, item) pairs, in data::NodeIndex's numbering.
std::vector<std::pair<std::int64_t, std::int64_t>> trainPairs(const data::SplitDataset& dataset) {
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
    for (const auto& row : dataset.train.rows)
        if (row.label == 1) pairs.emplace_back(row.uid, row.iid);
    return pairs;
}

// The training-positive graph in the gnn module's form (same node numbering as data::NodeIndex).
gnn::GraphAdjacency trainGraph(const data::SplitDataset& dataset) {
    const auto nodes = dataset.nodeIndex();
    return gnn::GraphAdjacency::fromStructure(gnn::bipartiteStructure(nodes.numUsers, nodes.numItems, trainPairs(dataset)));
}

// A pretrained MF run's tables: a checkpoint file, or a run's artifacts directory (best.safetensors).
std::pair<at::Tensor, at::Tensor> loadMfTables(const std::string& path) {
    std::string file = path;
    if (std::filesystem::is_directory(path)) file = (std::filesystem::path(path) / "best.safetensors").string();
    auto cp = loadCheckpoint(file);
    auto user = cp.parameters.find("mf.user_embedding");
    auto item = cp.parameters.find("mf.item_embedding");
    if (user == cp.parameters.end() || item == cp.parameters.end())
        failInput("method.mf.init: {} holds no mf.user_embedding / mf.item_embedding (is it an MF run's checkpoint?)", file);
    return {user->second, item->second};
}

}  // namespace

struct CollabEmbeddings::Impl {
    at::Tensor user, item;  // [U,d], [I,d]
    gnn::GraphAdjacency graph;
    int layers = 0;
};

CollabEmbeddings::CollabEmbeddings(const data::SplitDataset& dataset, const CollabEmbeddingOptions& options)
    : options_(options), impl_(std::make_unique<Impl>()) {
    const auto nodes = dataset.nodeIndex();
    if (options.init) {
        auto [u, i] = loadMfTables(*options.init);
        if (u.size(0) != nodes.numUsers || i.size(0) != nodes.numItems)
            failInput("method.mf.init: tables are [{}, {}] users and [{}, {}] items but this dataset needs {} users and {} items",
                      u.size(0), u.size(1), i.size(0), i.size(1), nodes.numUsers, nodes.numItems);
        options_.dim = static_cast<int>(u.size(1));
        impl_->user = u.to(at::kFloat).clone();
        impl_->item = i.to(at::kFloat).clone();
    } else {
        impl_->user = at::randn({nodes.numUsers, options.dim}) * 0.1;
        impl_->item = at::randn({nodes.numItems, options.dim}) * 0.1;
    }
    impl_->user = impl_->user.to(options.device).set_requires_grad(options_.trainable);
    impl_->item = impl_->item.to(options.device).set_requires_grad(options_.trainable);
    if (options.source == config::CfEmbedding::LightGCN) {
        impl_->graph = trainGraph(dataset).to(options.device);
        impl_->layers = options.gnnLayers;
    } else if (options.source == config::CfEmbedding::SASRec) {
        // CoLLM-SAS encodes histories through SASRec in the recommender; these tables are MF's.
        failInput("collaborative tables come from MF or LightGCN; SASRec embeddings are the recommender's own (method.collm.embedding = 'sasrec')");
    }
}

CollabEmbeddings::~CollabEmbeddings() = default;

at::Tensor CollabEmbeddings::nodeFeatures(bool) {
    at::Tensor e = at::cat({impl_->user, impl_->item}, 0);
    if (!impl_->graph.defined()) return e;
    // LightGCN: mean of Â^k E for k = 0..K
    at::Tensor sum = e, cur = e;
    for (int k = 0; k < impl_->layers; ++k) {
        cur = impl_->graph.normalized().propagate(cur);
        sum = sum + cur;
    }
    return sum / double(impl_->layers + 1);
}

void CollabEmbeddings::addParameters(ParamGroup& group) {
    if (!options_.trainable) return;
    group.names.push_back("user_embedding");
    group.params.push_back(impl_->user);
    group.names.push_back("item_embedding");
    group.params.push_back(impl_->item);
}

std::int64_t CollabEmbeddings::parameterCount() const { return impl_->user.numel() + impl_->item.numel(); }

struct GraphPath::Impl {
    gnn::GraphAdjacency full;          // host: 1-hop subgraphs are cut from it
    gnn::GraphAdjacency fullOnDevice;  // full-graph propagation (unset in 1-hop mode)
    data::BipartiteGraph graph;
    gnn::GraphEncoderPtr encoder;
};

GraphPath::GraphPath(const data::SplitDataset& dataset, const GraphPathOptions& options)
    : GraphPath(dataset.nodeIndex().numUsers, dataset.nodeIndex().numItems, trainPairs(dataset), options) {}

GraphPath::GraphPath(std::int64_t numUsers, std::int64_t numItems,
                     const std::vector<std::pair<std::int64_t, std::int64_t>>& userItemPairs, const GraphPathOptions& options)
    : options_(options), impl_(std::make_unique<Impl>()) {
    impl_->full = gnn::GraphAdjacency::fromStructure(gnn::bipartiteStructure(numUsers, numItems, userItemPairs));
    impl_->graph = data::BipartiteGraph::fromPairs(numUsers, numItems, userItemPairs);
    gnn::GraphEncoderOptions eo;
    eo.type = config::toString(options.type);
    eo.inputDim = options.inputDim;
    eo.dim = options.dim;
    eo.layers = options.layers;
    impl_->encoder = gnn::makeGraphEncoder(eo);
    impl_->encoder->to(options.device);
    if (!usesSubgraphs()) impl_->fullOnDevice = impl_->full.to(options.device);
}

GraphPath::~GraphPath() = default;

EncodedNodes GraphPath::encode(const at::Tensor& features, const at::Tensor& nodes, bool training) {
    impl_->encoder->train(training);
    EncodedNodes out;
    const at::Device device = features.device();
    if (!usesSubgraphs()) {
        out.embeddings = impl_->encoder->forward(features, impl_->fullOnDevice);
        // Owned: `nodes` may view the caller's batch, which is gone before a backward reads these.
        out.anchorRows = nodes.device() == device ? nodes.clone() : gnn::uploadAsync(nodes, device);
        return out;
    }
    // 1-hop subgraph of the batch's nodes (optionally with a seeded fan-out cap).
    at::Tensor cpuNodes = nodes.to(at::kCPU).contiguous();  // no copy when given on the host
    const std::int64_t* p = cpuNodes.data_ptr<std::int64_t>();
    std::vector<std::int64_t> seeds(p, p + cpuNodes.numel());
    data::SubgraphOptions so;
    so.fanout = options_.fanout;
    so.seed = options_.seed;
    // This runs every step, on the host, while the device waits or runs the layers below the
    // injection: only the node list is chosen (not data's own induced CSR), and only the
    // adjacency the encoder reads is induced.
    data::OneHopNodes chosen = impl_->graph.oneHopNodes(seeds, so);
    const gnn::Subgraph sub =
        gnn::subgraphOn(impl_->full, std::move(chosen.nodes), chosen.numSeeds, impl_->encoder->needsSelfLoops());
    const gnn::GraphAdjacency local = device.is_cpu() ? sub.adjacency : sub.adjacency.to(device);
    at::Tensor index = uploadIndices(sub.globalIds, {static_cast<std::int64_t>(sub.globalIds.size())}, device);
    out.embeddings = impl_->encoder->forward(features.index_select(0, index), local);
    // The seeds come first in `sub.globalIds`, deduplicated in order.
    std::unordered_map<std::int64_t, std::int64_t> seedRow;
    for (std::int64_t k = 0; k < sub.numCentres; ++k) seedRow.emplace(sub.globalIds[static_cast<std::size_t>(k)], k);
    std::vector<std::int64_t> rows(seeds.size());
    for (std::size_t i = 0; i < seeds.size(); ++i) rows[i] = seedRow.at(seeds[i]);
    out.anchorRows = uploadIndices(rows, {static_cast<std::int64_t>(rows.size())}, device);
    return out;
}

std::int64_t GraphPath::outputDim() const { return impl_->encoder->outputDim(); }

void GraphPath::addParameters(ParamGroup& group) {
    for (const auto& item : impl_->encoder->named_parameters(true)) {
        group.names.push_back("encoder." + item.key());
        group.params.push_back(item.value());
    }
}

std::string GraphPath::describe() const {
    return fmt::format("{} ({} layers, {})", config::toString(options_.type), options_.layers,
                       options_.oneHop ? "1-hop subgraph" : "full graph");
}

}  // namespace glr
