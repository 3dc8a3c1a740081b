#include "gnn/bench_gnn.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <torch/autograd.h>

#include "data/graph.h"
#include "gnn/graph_adjacency.h"
#include "gnn/lightgcn.h"
#include "gnn/ngcf.h"
#include "gnn/subgraph.h"
#include "util/error.h"

namespace glr::gnn {
namespace {

// Item popularity ∝ 1 / (rank + kZipfOffset)^kZipfExponent: long-tailed, as real catalogues.
constexpr double kZipfExponent = 0.8;
constexpr double kZipfOffset = 10.0;

std::vector<std::pair<std::int64_t, std::int64_t>> generatePairs(const GnnBenchOptions& o) {
    std::vector<double> cumulative(std::size_t(o.numItems));
    double total = 0;
    for (std::int64_t i = 0; i < o.numItems; ++i)
        cumulative[std::size_t(i)] = total += 1.0 / std::pow(double(i) + kZipfOffset, kZipfExponent);
    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<std::int64_t> user(0, o.numUsers - 1);
    std::uniform_real_distribution<double> uniform(0.0, total);
    std::unordered_set<std::int64_t> seen;
    seen.reserve(std::size_t(o.interactions) * 2);
    std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
    pairs.reserve(std::size_t(o.interactions));
    while (std::int64_t(pairs.size()) < o.interactions) {
        const std::int64_t u = user(rng);
        const std::int64_t i =
            std::min<std::int64_t>(o.numItems - 1, std::lower_bound(cumulative.begin(), cumulative.end(), uniform(rng)) -
                                                       cumulative.begin());
        if (seen.insert(u * o.numItems + i).second) pairs.emplace_back(u, i);
    }
    return pairs;
}

// Host time of cutting one batch's 1-hop subgraph as the trainer's graph path does, per batch.
void benchSubgraphCut(const GnnBenchOptions& o, const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs,
                      const GraphAdjacency& graph, GnnBenchResult& result) {
    const data::BipartiteGraph bipartite = data::BipartiteGraph::fromPairs(o.numUsers, o.numItems, pairs);
    std::mt19937_64 rng(o.seed + 1);
    std::uniform_int_distribution<std::int64_t> user(0, o.numUsers - 1), item(0, o.numItems - 1);
    std::vector<std::vector<std::int64_t>> batches(std::size_t(o.subgraphBatches));
    for (auto& seeds : batches)
        for (std::int64_t r = 0; r < o.subgraphRows; ++r) {
            seeds.push_back(user(rng));
            seeds.push_back(o.numUsers + item(rng));
        }
    auto cut = [&](const std::vector<std::int64_t>& seeds) {
        data::OneHopNodes chosen = bipartite.oneHopNodes(seeds);
        return subgraphOn(graph, std::move(chosen.nodes), chosen.numSeeds, /*withSelfLoops=*/false);
    };
    std::vector<double> times;
    for (const auto& seeds : batches) {
        (void)cut(seeds);  // warm
        const auto start = std::chrono::steady_clock::now();
        const Subgraph sub = cut(seeds);
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        result.subgraphNodes += double(sub.globalIds.size()) / double(batches.size());
        result.subgraphNonZeros += double(sub.adjacency.normalized().nnz()) / double(batches.size());
    }
    std::sort(times.begin(), times.end());
    result.subgraphCutMs = times[times.size() / 2];
}

template <typename Work>
double medianMs(int warmup, int repeats, Work work) {
    for (int w = 0; w < warmup; ++w) work();
    std::vector<double> times;
    for (int r = 0; r < repeats; ++r) {
        auto start = std::chrono::steady_clock::now();
        work();
        times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

}  // namespace

GnnBenchResult benchGnn(const GnnBenchOptions& o) {
    if (o.numUsers <= 0 || o.numItems <= 0 || o.dim <= 0 || o.layers <= 0 || o.repeats <= 0 || o.warmup < 0)
        failInput("bench gnn: users, items, dim, layers and repeats must be positive");
    if (o.subgraphRows < 0 || o.subgraphBatches <= 0)
        failInput("bench gnn: subgraph rows must not be negative, nor the batches fewer than one");
    if (o.interactions <= 0 || double(o.interactions) > 0.5 * double(o.numUsers) * double(o.numItems))
        failInput("bench gnn: {} interactions do not fit a sparse {} x {} graph", o.interactions, o.numUsers,
                  o.numItems);

    GnnBenchResult result;
    result.dim = o.dim;
    result.layers = o.layers;
    result.threads = at::get_num_threads();
    result.repeats = o.repeats;
    const auto pairs = generatePairs(o);

    auto buildStart = std::chrono::steady_clock::now();
    GraphAdjacency graph = GraphAdjacency::fromStructure(bipartiteStructure(o.numUsers, o.numItems, pairs));
    result.buildMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - buildStart).count();
    result.nodes = graph.numNodes();
    result.nonZeros = graph.normalized().nnz();

    torch::manual_seed(std::int64_t(o.seed));
    at::Tensor x = at::randn({result.nodes, o.dim});
    {
        at::NoGradGuard noGrad;
        const SparseAdjacency& a = graph.normalized();
        result.spmmMs = medianMs(o.warmup, o.repeats, [&] { a.propagate(x); });
        result.spmmTorchCooMs = medianMs(o.warmup, o.repeats, [&] { a.propagateReference(x); });
        result.maxAbsDifference = (a.propagate(x) - a.propagateReference(x)).abs().max().item<double>();
        LightGcnEncoder lightgcn(o.dim, o.layers);
        result.lightgcnForwardMs = medianMs(o.warmup, o.repeats, [&] { lightgcn->forward(x, graph); });
    }
    result.spmmGigaflops = 2.0 * double(result.nonZeros) * double(o.dim) / (result.spmmMs * 1e6);

    at::Tensor features = x.clone().requires_grad_(true);
    LightGcnEncoder lightgcn(o.dim, o.layers);
    result.lightgcnForwardBackwardMs = medianMs(o.warmup, o.repeats, [&] {
        features.mutable_grad() = at::Tensor();
        lightgcn->forward(features, graph).sum().backward();
    });
    NgcfEncoder ngcf(o.dim, o.dim, o.layers, /*concatLayers=*/true);
    result.ngcfForwardBackwardMs = medianMs(o.warmup, o.repeats, [&] {
        features.mutable_grad() = at::Tensor();
        ngcf->zero_grad();
        ngcf->forward(features, graph).sum().backward();
    });
    if (o.subgraphRows > 0) benchSubgraphCut(o, pairs, graph, result);
    return result;
}

std::string toJson(const GnnBenchResult& r) {
    nlohmann::json j = {
        {"nodes", r.nodes},
        {"non_zeros", r.nonZeros},
        {"dim", r.dim},
        {"layers", r.layers},
        {"threads", r.threads},
        {"repeats", r.repeats},
        {"spmm_gflops", r.spmmGigaflops},
        {"max_abs_difference_vs_torch_coo", r.maxAbsDifference},
        {"timings_ms",
         {{"build_adjacency", r.buildMs},
          {"spmm_csr", r.spmmMs},
          {"spmm_torch_coo", r.spmmTorchCooMs},
          {"lightgcn_forward", r.lightgcnForwardMs},
          {"lightgcn_forward_backward", r.lightgcnForwardBackwardMs},
          {"ngcf_forward_backward", r.ngcfForwardBackwardMs},
          {"subgraph_cut", r.subgraphCutMs}}},
        {"subgraph", {{"nodes", r.subgraphNodes}, {"non_zeros", r.subgraphNonZeros}}}};
    return j.dump(2);
}

}  // namespace glr::gnn
