// CSR construction and normalisation of the user–item graph (torch-free part of
// graph_adjacency.h); the sparse operator itself is in sparse_propagate.cpp.
#include "gnn/graph_adjacency.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace glr::gnn {
namespace {

// Counting sort of directed edges by source, then sorted and de-duplicated columns per row.
CsrGraph csrFromEdges(std::int64_t numNodes, const std::vector<std::int64_t>& source,
                      const std::vector<std::int64_t>& target) {
    CsrGraph graph;
    graph.numNodes = numNodes;
    graph.rowPtr.assign(std::size_t(numNodes) + 1, 0);
    for (std::int64_t s : source) ++graph.rowPtr[std::size_t(s) + 1];
    for (std::int64_t r = 0; r < numNodes; ++r) graph.rowPtr[r + 1] += graph.rowPtr[r];
    graph.col.resize(source.size());
    std::vector<std::int64_t> fill(graph.rowPtr.begin(), graph.rowPtr.end() - 1);
    for (std::size_t e = 0; e < source.size(); ++e) graph.col[std::size_t(fill[source[e]]++)] = target[e];

    std::int64_t write = 0;
    for (std::int64_t r = 0; r < numNodes; ++r) {
        auto begin = graph.col.begin() + graph.rowPtr[r];
        auto end = graph.col.begin() + graph.rowPtr[r + 1];
        std::sort(begin, end);
        auto uniqueEnd = std::unique(begin, end);
        graph.rowPtr[r] = write;
        for (auto it = begin; it != uniqueEnd; ++it) graph.col[std::size_t(write++)] = *it;
    }
    graph.rowPtr[std::size_t(numNodes)] = write;
    graph.col.resize(std::size_t(write));
    return graph;
}

bool rowContains(const CsrGraph& sortedGraph, std::int64_t row, std::int64_t column) {
    auto begin = sortedGraph.col.begin() + sortedGraph.rowPtr[row];
    auto end = sortedGraph.col.begin() + sortedGraph.rowPtr[row + 1];
    return std::binary_search(begin, end, column);
}

}  // namespace

void CsrGraph::validate(const std::string& context) const {
    if (numNodes < 0) failInput("{}: numNodes is negative ({})", context, numNodes);
    if (rowPtr.size() != std::size_t(numNodes) + 1)
        failInput("{}: rowPtr has {} entries, expected numNodes + 1 = {}", context, rowPtr.size(), numNodes + 1);
    if (rowPtr[0] != 0) failInput("{}: rowPtr[0] is {}, expected 0", context, rowPtr[0]);
    for (std::int64_t r = 0; r < numNodes; ++r)
        if (rowPtr[r + 1] < rowPtr[r])
            failInput("{}: rowPtr decreases at row {} ({} -> {})", context, r, rowPtr[r], rowPtr[r + 1]);
    if (rowPtr.back() != nnz())
        failInput("{}: rowPtr ends at {} but col has {} entries", context, rowPtr.back(), nnz());
    if (!values.empty() && values.size() != col.size())
        failInput("{}: values has {} entries, expected one per column index ({}) or none", context, values.size(),
                  col.size());
    for (std::size_t j = 0; j < col.size(); ++j)
        if (col[j] < 0 || col[j] >= numNodes)
            failInput("{}: col[{}] = {} is outside [0, {})", context, j, col[j], numNodes);
}

CsrGraph bipartiteStructure(std::int64_t numUsers, std::int64_t numItems,
                            const std::vector<std::pair<std::int64_t, std::int64_t>>& userItemPairs) {
    if (numUsers < 0 || numItems < 0) failInput("bipartite graph: negative size ({} users, {} items)", numUsers, numItems);
    std::vector<std::int64_t> source, target;
    source.reserve(2 * userItemPairs.size());
    target.reserve(2 * userItemPairs.size());
    for (std::size_t p = 0; p < userItemPairs.size(); ++p) {
        auto [user, item] = userItemPairs[p];
        if (user < 0 || user >= numUsers)
            failInput("bipartite graph: pair {} has user index {} outside [0, {})", p, user, numUsers);
        if (item < 0 || item >= numItems)
            failInput("bipartite graph: pair {} has item index {} outside [0, {})", p, item, numItems);
        source.push_back(user);
        target.push_back(numUsers + item);
        source.push_back(numUsers + item);
        target.push_back(user);
    }
    return csrFromEdges(numUsers + numItems, source, target);
}

CsrGraph structureFromEdges(std::int64_t numNodes, const std::vector<std::int64_t>& source,
                            const std::vector<std::int64_t>& target) {
    if (numNodes < 0) failInput("edge list: negative node count {}", numNodes);
    if (source.size() != target.size())
        failInput("edge list: {} source indices but {} target indices", source.size(), target.size());
    for (std::size_t e = 0; e < source.size(); ++e)
        if (source[e] < 0 || source[e] >= numNodes || target[e] < 0 || target[e] >= numNodes)
            failInput("edge list: edge {} ({} -> {}) has a node outside [0, {})", e, source[e], target[e], numNodes);
    return csrFromEdges(numNodes, source, target);
}

CsrGraph normalizeSymmetric(const CsrGraph& structure, bool addSelfLoops) {
    structure.validate("graph structure");
    const std::int64_t n = structure.numNodes;
    std::vector<std::int64_t> source, target;
    source.reserve(std::size_t(structure.nnz() + (addSelfLoops ? n : 0)));
    target.reserve(source.capacity());
    for (std::int64_t r = 0; r < n; ++r) {
        for (std::int64_t j = structure.rowPtr[r]; j < structure.rowPtr[r + 1]; ++j) {
            source.push_back(r);
            target.push_back(structure.col[std::size_t(j)]);
        }
        if (addSelfLoops) {  // a duplicate of an existing self loop merges in csrFromEdges
            source.push_back(r);
            target.push_back(r);
        }
    }
    CsrGraph out = csrFromEdges(n, source, target);
    for (std::int64_t r = 0; r < n; ++r)
        for (std::int64_t j = out.rowPtr[r]; j < out.rowPtr[r + 1]; ++j)
            if (!rowContains(out, out.col[std::size_t(j)], r))
                failInput("graph structure is not symmetric: edge {} -> {} has no reverse edge", r, out.col[std::size_t(j)]);

    // Coefficients in double, stored as float: the degrees are exact integers.
    std::vector<double> inverseSqrtDegree(std::size_t(n), 0.0);
    for (std::int64_t r = 0; r < n; ++r) {
        const std::int64_t degree = out.rowPtr[r + 1] - out.rowPtr[r];
        inverseSqrtDegree[std::size_t(r)] = degree > 0 ? 1.0 / std::sqrt(double(degree)) : 0.0;
    }
    out.values.resize(out.col.size());
    for (std::int64_t r = 0; r < n; ++r)
        for (std::int64_t j = out.rowPtr[r]; j < out.rowPtr[r + 1]; ++j)
            out.values[std::size_t(j)] =
                float(inverseSqrtDegree[std::size_t(r)] * inverseSqrtDegree[std::size_t(out.col[std::size_t(j)])]);
    return out;
}

CsrGraph inducedSubgraph(const CsrGraph& graph, const std::vector<std::int64_t>& nodes) {
    std::vector<std::int64_t> localOf(std::size_t(graph.numNodes), -1);
    for (std::size_t k = 0; k < nodes.size(); ++k) {
        const std::int64_t node = nodes[k];
        if (node < 0 || node >= graph.numNodes)
            failInput("subgraph: node {} (position {}) is outside [0, {})", node, k, graph.numNodes);
        if (localOf[std::size_t(node)] >= 0) failInput("subgraph: node {} is listed twice", node);
        localOf[std::size_t(node)] = std::int64_t(k);
    }
    CsrGraph out;
    out.numNodes = std::int64_t(nodes.size());
    out.rowPtr.reserve(nodes.size() + 1);
    out.rowPtr.push_back(0);
    const bool hasValues = !graph.values.empty();
    for (std::int64_t node : nodes) {
        for (std::int64_t j = graph.rowPtr[node]; j < graph.rowPtr[node + 1]; ++j) {
            const std::int64_t local = localOf[std::size_t(graph.col[std::size_t(j)])];
            if (local < 0) continue;
            out.col.push_back(local);
            out.values.push_back(hasValues ? graph.values[std::size_t(j)] : 1.0f);
        }
        out.rowPtr.push_back(std::int64_t(out.col.size()));
    }
    return out;
}

// ---- GraphAdjacency ---------------------------------------------------------------------------

GraphAdjacency GraphAdjacency::fromStructure(const CsrGraph& structure) {
    CsrGraph normalized = normalizeSymmetric(structure, /*addSelfLoops=*/false);
    CsrGraph selfLoops = normalizeSymmetric(structure, /*addSelfLoops=*/true);
    return fromParts(std::move(normalized), &selfLoops, /*symmetric=*/false);  // checked once, here
}

GraphAdjacency GraphAdjacency::fromNormalized(CsrGraph normalized, const CsrGraph* selfLoopNormalized) {
    CsrGraph selfLoops;
    if (selfLoopNormalized) selfLoops = *selfLoopNormalized;
    return fromParts(std::move(normalized), selfLoopNormalized ? &selfLoops : nullptr, /*symmetric=*/false);
}

// `symmetric`: both matrices are known to be symmetric, so their transposes need not be built;
// otherwise they are built and compared (SparseAdjacency::symmetric()).
GraphAdjacency GraphAdjacency::fromParts(CsrGraph normalized, CsrGraph* selfLoopNormalized, bool symmetric) {
    auto sparse = [symmetric](const CsrGraph& graph) {
        return symmetric ? SparseAdjacency::fromSymmetricCsr(graph) : SparseAdjacency::fromCsr(graph);
    };
    GraphAdjacency out;
    out.normalized_ = sparse(normalized);
    out.normalizedCsr_ = std::make_shared<const CsrGraph>(std::move(normalized));
    if (selfLoopNormalized) {
        if (selfLoopNormalized->numNodes != out.normalizedCsr_->numNodes)
            failInput("self-loop adjacency has {} nodes but the plain one has {}", selfLoopNormalized->numNodes,
                      out.normalizedCsr_->numNodes);
        out.withSelfLoops_ = sparse(*selfLoopNormalized);
        out.selfLoopCsr_ = std::make_shared<const CsrGraph>(std::move(*selfLoopNormalized));
    }
    return out;
}

const SparseAdjacency& GraphAdjacency::withSelfLoops() const {
    GLR_CHECK(withSelfLoops_.defined(),
              "this graph adjacency has no self-loop variant (D̃^-1/2 (A+I) D̃^-1/2), which GCN needs; "
              "build it with GraphAdjacency::fromStructure or pass the self-loop CSR to fromNormalized");
    return withSelfLoops_;
}

GraphAdjacency GraphAdjacency::subgraph(const std::vector<std::int64_t>& nodes, bool withSelfLoops) const {
    GLR_CHECK(defined(), "subgraph of an empty graph adjacency");
    // Rows and columns restricted to the same nodes: a symmetric matrix stays symmetric.
    const bool symmetric = normalized_.symmetric() && (!selfLoopCsr_ || withSelfLoops_.symmetric());
    CsrGraph loops;
    const bool keepLoops = withSelfLoops && selfLoopCsr_;
    if (keepLoops) loops = inducedSubgraph(*selfLoopCsr_, nodes);
    GraphAdjacency out = fromParts(inducedSubgraph(*normalizedCsr_, nodes), keepLoops ? &loops : nullptr, symmetric);
    return normalized_.device().is_cpu() ? out : out.to(normalized_.device());
}

GraphAdjacency GraphAdjacency::to(const at::Device& device) const {
    GraphAdjacency out = *this;
    out.normalized_ = normalized_.to(device);
    if (withSelfLoops_.defined()) out.withSelfLoops_ = withSelfLoops_.to(device);
    return out;
}

}  // namespace glr::gnn
