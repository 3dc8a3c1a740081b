#pragma once
// The user–item graph as a sparse operator for the encoders (SPEC §3.3).
//
//   nodes: users [0, U), items U + item   (N = U + I)
//   A      symmetric, weight 1 per training positive pair, no self loops
//   Â    = D^-1/2 A D^-1/2                  (LightGCN, NGCF; PyG gcn_norm(add_self_loops=False))
//   Â_sl = D̃^-1/2 (A + I) D̃^-1/2, D̃ = D + I (GCN; PyG GCNConv's gcn_norm with self loops)
//   propagate(x) = Â x      x [N, d] -> [N, d], differentiable in x (never in Â)
//
// A node without edges gets D^-1/2 = 0 (PyG's masking of inf), so its row of Â is empty.
//
// Storage is CSR. On the CPU, Â x runs a row-parallel kernel whose rows are split by non-zero
// count (item rows are far denser than user rows) and whose per-row sums have a fixed order, so
// results are bit-identical whatever the thread count; the backward pass is Âᵀ g with the same
// kernel (Âᵀ is Â itself when symmetric). On other devices it is at::mm with a coalesced sparse
// COO tensor. Per-edge dense tensors are never formed.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

namespace glr::gnn {

// CSR over numNodes rows, the torch-free form in which the data module hands graphs over.
// values may be empty for a pure structure (every stored entry then has weight 1).
struct CsrGraph {
    std::int64_t numNodes = 0;
    std::vector<std::int64_t> rowPtr;  // numNodes + 1 entries, rowPtr[0] = 0, non-decreasing
    std::vector<std::int64_t> col;     // nnz entries in [0, numNodes)
    std::vector<float> values;         // nnz entries, or empty

    std::int64_t nnz() const { return std::int64_t(col.size()); }
    // Throws InputError naming `context` and the offending field/entry.
    void validate(const std::string& context) const;
};

// Structure of the bipartite graph of (user, item) pairs, 0-based indices: user u is node u,
// item i is node numUsers + i; each pair gives both directions; duplicate pairs merge into one
// edge (SPEC: weight 1). Columns are sorted within each row. Throws InputError for an index out
// of range, naming the pair.
CsrGraph bipartiteStructure(std::int64_t numUsers, std::int64_t numItems,
                            const std::vector<std::pair<std::int64_t, std::int64_t>>& userItemPairs);

// Structure from directed edges (e.g. a PyG edge_index that already lists both directions);
// duplicates merge. Throws InputError for a node index out of range.
CsrGraph structureFromEdges(std::int64_t numNodes, const std::vector<std::int64_t>& source,
                            const std::vector<std::int64_t>& target);

// D^-1/2 (A [+ I]) D^-1/2 of a symmetric structure (values ignored, duplicates merged, an
// existing self loop is kept once as PyG's add_remaining_self_loops does). Throws InputError
// when the structure is not symmetric.
CsrGraph normalizeSymmetric(const CsrGraph& structure, bool addSelfLoops);

// Rows and columns restricted to `nodes` (local index k = nodes[k]); values are kept, so a
// subgraph of a normalised graph keeps the full graph's coefficients.
CsrGraph inducedSubgraph(const CsrGraph& graph, const std::vector<std::int64_t>& nodes);


// A sparse matrix that multiplies dense [N, d] features.
class SparseAdjacency {
public:
    SparseAdjacency() = default;
    // Uses graph.values as the coefficients (ones when empty). Validates the graph.
    static SparseAdjacency fromCsr(const CsrGraph& graph);
    // The same for a graph known to be symmetric (a subgraph induced from a symmetric one): the
    // transpose, which is the graph itself, is neither built nor compared.
    static SparseAdjacency fromSymmetricCsr(const CsrGraph& graph);

    bool defined() const { return rowPtr_.defined(); }
    std::int64_t numNodes() const { return numNodes_; }
    std::int64_t nnz() const { return nnz_; }
    bool symmetric() const { return symmetric_; }
    at::Device device() const { return rowPtr_.device(); }

    // Â x; x [numNodes, d] float or double on this adjacency's device. Differentiable in x.
    at::Tensor propagate(const at::Tensor& x) const;
    // Same product via at::mm on a sparse COO tensor: the plain reference path (tests, bench).
    at::Tensor propagateReference(const at::Tensor& x) const;
    // Same product through LibTorch's CSR × dense (cuSPARSE on CUDA), with the backward taken as
    // the transpose's CSR product: what propagate() runs off the CPU. COO would coalesce its
    // transpose in the backward, which synchronises the host with the GPU.
    at::Tensor propagateLibraryCsr(const at::Tensor& x) const;

    SparseAdjacency to(const at::Device& device) const;
    at::Tensor toSparseCoo() const;  // [N, N] coalesced sparse COO, float
    at::Tensor toDense() const;      // [N, N], for tests on small graphs

private:
    static SparseAdjacency fromCsr(const CsrGraph& graph, bool knownSymmetric);
    void checkFeatures(const at::Tensor& x) const;  // defined, [numNodes, d], on this device

    std::int64_t numNodes_ = 0;
    std::int64_t nnz_ = 0;
    bool symmetric_ = false;
    at::Tensor rowPtr_, col_, values_;        // CSR, I64 / I64 / F32
    at::Tensor rowPtrT_, colT_, valuesT_;     // CSR of the transpose (the same tensors when symmetric)
};

// Both normalisations of one graph, plus its CSR (kept on the CPU) for subgraph extraction.
class GraphAdjacency {
public:
    GraphAdjacency() = default;
    // From a binary structure (values ignored): builds Â and Â_sl.
    static GraphAdjacency fromStructure(const CsrGraph& structure);
    // From coefficients computed elsewhere (e.g. the data module's normalised CSR, or a local
    // subgraph carrying the full graph's coefficients). Without `selfLoopNormalized`, encoders
    // that need Â_sl (GCN) refuse to run.
    static GraphAdjacency fromNormalized(CsrGraph normalized, const CsrGraph* selfLoopNormalized = nullptr);

    bool defined() const { return normalized_.defined(); }
    std::int64_t numNodes() const { return normalized_.numNodes(); }
    const SparseAdjacency& normalized() const { return normalized_; }
    // Throws glr::Error when this adjacency was built without the self-loop variant.
    const SparseAdjacency& withSelfLoops() const;
    bool hasSelfLoops() const { return withSelfLoops_.defined(); }
    const CsrGraph& normalizedCsr() const { return *normalizedCsr_; }

    // The induced subgraph on `nodes` (local order), keeping this graph's coefficients: for a
    // 1-layer encoder, the rows of the centre nodes of a 1-hop subgraph equal the full graph's.
    // Without `withSelfLoops` only Â is induced: the Â_sl variant costs as much again per batch
    // and only GCN reads it (GraphEncoderImpl::needsSelfLoops).
    GraphAdjacency subgraph(const std::vector<std::int64_t>& nodes, bool withSelfLoops = true) const;
    GraphAdjacency to(const at::Device& device) const;

private:
    static GraphAdjacency fromParts(CsrGraph normalized, CsrGraph* selfLoopNormalized, bool symmetric);

    SparseAdjacency normalized_, withSelfLoops_;
    std::shared_ptr<const CsrGraph> normalizedCsr_, selfLoopCsr_;
};

}  // namespace glr::gnn
