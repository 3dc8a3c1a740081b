#pragma once
// The user–item bipartite graph of training positives (SPEC §3.3), torch-free: the GNN module
// turns these plain vectors into sparse tensors.
//
// Nodes: users [0, U), items U + iid (NodeIndex, split_dataset.h); id 0 of each range is unused
// and isolated. Edges: one undirected edge of weight 1 per distinct (user, item) positive pair
// in train, stored in both directions, no self loops.
//   A ∈ {0,1}^{N×N},  D = diag(row sums of A),  Â = D^-1/2 A D^-1/2   (isolated rows stay 0)
#include <cstdint>
#include <utility>
#include <vector>

#include "data/split_dataset.h"

namespace glr::data {

// Compressed sparse rows; columns sorted within each row. int64 indices so torch can wrap them
// without a copy (torch::sparse_csr_tensor / from_blob with kLong).
struct CsrMatrix {
    std::int64_t rows = 0, cols = 0;
    std::vector<std::int64_t> rowPtr;  // rows + 1
    std::vector<std::int64_t> colIdx;  // nnz
    std::vector<float> values;         // nnz
    std::int64_t nnz() const { return static_cast<std::int64_t>(colIdx.size()); }
};

struct SubgraphOptions {
    int fanout = -1;         // < 0: every neighbour; otherwise at most this many per seed node
    std::uint64_t seed = 0;  // neighbour sampling: depends only on (seed, node), not on the batch
};

// The batch's nodes plus their (sampled) 1-hop neighbours: the seeds first (deduplicated, in
// order), then each seed's neighbours in adjacency order, each node once. The gnn module induces
// the subgraph on them from its own adjacency (gnn::subgraphOn), with the full graph's Â.
struct OneHopNodes {
    std::vector<std::int64_t> nodes;  // local -> global
    std::int64_t numSeeds = 0;
};

class BipartiteGraph {
public:
    // Positive rows (label 1) of `train`; duplicates collapse to one edge.
    static BipartiteGraph fromTrainPositives(const Split& train, const NodeIndex& index);
    // Explicit (uid, iid) pairs, for tests and baselines.
    static BipartiteGraph fromPairs(const std::vector<std::pair<std::int32_t, std::int32_t>>& pairs,
                                    const NodeIndex& index);
    // The same from 0-based (user, item) index pairs, as gnn::bipartiteStructure takes them.
    static BipartiteGraph fromPairs(std::int64_t numUsers, std::int64_t numItems,
                                    const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs);

    const NodeIndex& index() const { return index_; }
    std::int64_t numNodes() const { return index_.numNodes(); }
    std::int64_t numEdges() const { return adjacency_.nnz() / 2; }  // undirected pairs
    const CsrMatrix& adjacency() const { return adjacency_; }       // A
    const CsrMatrix& normalized() const { return normalized_; }     // Â
    std::int64_t degree(std::int64_t node) const;
    // Directed edges (both directions) as PyG's edge_index, flattened row-major [2, nnz]:
    // sources (sorted) then targets.
    std::vector<std::int64_t> edgeIndex() const;

    OneHopNodes oneHopNodes(const std::vector<std::int64_t>& seedNodes, const SubgraphOptions& options = {}) const;

private:
    NodeIndex index_;
    CsrMatrix adjacency_;
    CsrMatrix normalized_;
};

}  // namespace glr::data
