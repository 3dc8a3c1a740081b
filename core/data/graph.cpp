#include "data/graph.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "data/rng.h"
#include "util/error.h"

namespace glr::data {

BipartiteGraph BipartiteGraph::fromTrainPositives(const Split& train, const NodeIndex& index) {
    std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
    pairs.reserve(train.size());
    for (const auto& row : train.rows)
        if (row.label) pairs.emplace_back(row.uid, row.iid);
    return fromPairs(pairs, index);
}

BipartiteGraph BipartiteGraph::fromPairs(std::int64_t numUsers, std::int64_t numItems,
                                         const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs) {
    constexpr std::int64_t kLargest = std::numeric_limits<std::int32_t>::max();
    GLR_CHECK(numUsers > 0 && numItems > 0 && numUsers <= kLargest && numItems <= kLargest,
              "{} users and {} items: each must be in [1, {}]", numUsers, numItems, kLargest);
    std::vector<std::pair<std::int32_t, std::int32_t>> narrow;
    narrow.reserve(pairs.size());
    for (const auto& [u, i] : pairs) {
        GLR_CHECK(u >= 0 && u < numUsers && i >= 0 && i < numItems, "pair ({}, {}) outside {} users x {} items", u, i,
                  numUsers, numItems);
        narrow.emplace_back(static_cast<std::int32_t>(u), static_cast<std::int32_t>(i));
    }
    NodeIndex index;
    index.numUsers = numUsers;
    index.numItems = numItems;
    return fromPairs(narrow, index);
}

BipartiteGraph BipartiteGraph::fromPairs(const std::vector<std::pair<std::int32_t, std::int32_t>>& input,
                                         const NodeIndex& index) {
    for (const auto& [u, i] : input) {
        GLR_CHECK(u >= 0 && u < index.numUsers, "user {} outside [0, {})", u, index.numUsers);
        GLR_CHECK(i >= 0 && i < index.numItems, "item {} outside [0, {})", i, index.numItems);
    }
    auto pairs = input;
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

    BipartiteGraph g;
    g.index_ = index;
    const std::int64_t n = index.numNodes();
    CsrMatrix& a = g.adjacency_;
    a.rows = a.cols = n;
    a.rowPtr.assign(n + 1, 0);
    for (const auto& [u, i] : pairs) {
        ++a.rowPtr[index.userNode(u) + 1];
        ++a.rowPtr[index.itemNode(i) + 1];
    }
    std::partial_sum(a.rowPtr.begin(), a.rowPtr.end(), a.rowPtr.begin());
    a.colIdx.resize(a.rowPtr[n]);
    std::vector<std::int64_t> fill(a.rowPtr.begin(), a.rowPtr.end() - 1);
    // Pairs sorted by (user, item): user rows receive items in ascending order and item rows
    // receive users in ascending order, so every row comes out sorted.
    for (const auto& [u, i] : pairs) {
        const std::int64_t un = index.userNode(u), in = index.itemNode(i);
        a.colIdx[fill[un]++] = in;
        a.colIdx[fill[in]++] = un;
    }
    a.values.assign(a.colIdx.size(), 1.0f);

    CsrMatrix& norm = g.normalized_;
    norm = a;
    std::vector<double> invSqrtDegree(n, 0.0);
    for (std::int64_t v = 0; v < n; ++v) {
        const std::int64_t d = a.rowPtr[v + 1] - a.rowPtr[v];
        if (d > 0) invSqrtDegree[v] = 1.0 / std::sqrt(double(d));
    }
    for (std::int64_t v = 0; v < n; ++v)
        for (std::int64_t k = a.rowPtr[v]; k < a.rowPtr[v + 1]; ++k)
            norm.values[k] = static_cast<float>(invSqrtDegree[v] * invSqrtDegree[a.colIdx[k]]);
    return g;
}

std::int64_t BipartiteGraph::degree(std::int64_t node) const {
    GLR_CHECK(node >= 0 && node < numNodes(), "node {} outside [0, {})", node, numNodes());
    return adjacency_.rowPtr[node + 1] - adjacency_.rowPtr[node];
}

std::vector<std::int64_t> BipartiteGraph::edgeIndex() const {
    const std::int64_t nnz = adjacency_.nnz();
    std::vector<std::int64_t> out(2 * nnz);
    for (std::int64_t v = 0; v < adjacency_.rows; ++v)
        for (std::int64_t k = adjacency_.rowPtr[v]; k < adjacency_.rowPtr[v + 1]; ++k) out[k] = v;
    std::copy(adjacency_.colIdx.begin(), adjacency_.colIdx.end(), out.begin() + nnz);
    return out;
}

OneHopNodes BipartiteGraph::oneHopNodes(const std::vector<std::int64_t>& seedNodes, const SubgraphOptions& options) const {
    OneHopNodes sub;
    std::vector<char> listed(static_cast<std::size_t>(numNodes()), 0);
    auto addNode = [&](std::int64_t node) {
        if (listed[static_cast<std::size_t>(node)]) return;
        listed[static_cast<std::size_t>(node)] = 1;
        sub.nodes.push_back(node);
    };
    for (std::int64_t node : seedNodes) {
        GLR_CHECK(node >= 0 && node < numNodes(), "seed node {} outside [0, {})", node, numNodes());
        addNode(node);
    }
    sub.numSeeds = static_cast<std::int64_t>(sub.nodes.size());

    std::vector<std::int64_t> picked;
    for (std::int64_t s = 0; s < sub.numSeeds; ++s) {
        const std::int64_t node = sub.nodes[s];
        const std::int64_t begin = adjacency_.rowPtr[node], end = adjacency_.rowPtr[node + 1];
        const std::int64_t degree = end - begin;
        if (options.fanout < 0 || degree <= options.fanout) {
            for (std::int64_t k = begin; k < end; ++k) addNode(adjacency_.colIdx[k]);
            continue;
        }
        // A partial Fisher–Yates with a generator seeded by (seed, node): the same node gets the
        // same neighbours in every batch of a run.
        picked.assign(adjacency_.colIdx.begin() + begin, adjacency_.colIdx.begin() + end);
        SplitMix64 rng(mixSeed(options.seed, static_cast<std::uint64_t>(node)));
        for (std::int64_t i = 0; i < options.fanout; ++i)
            std::swap(picked[i], picked[i + rng.below(static_cast<std::uint64_t>(degree - i))]);
        picked.resize(options.fanout);
        std::sort(picked.begin(), picked.end());
        for (std::int64_t neighbour : picked) addNode(neighbour);
    }
    return sub;
}

}  // namespace glr::data
