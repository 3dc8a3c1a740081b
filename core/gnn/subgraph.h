#pragma once
// Propagation over a batch's subgraph instead of the whole graph (SPEC §3.3, "1hop").
//
//   H_sub = encoder(X[globalIds], Â_sub)     X [N, d] (full table), globalIds [n] -> H_sub [n, d_out]
//   returns H_sub[outputRows]                outputRows [m] local indices -> [m, d_out]
//
// Â_sub must carry the full graph's coefficients (GraphAdjacency::subgraph does; a CSR from the
// data module must too): then, for an encoder of hops() <= 1, the rows of the centre nodes of a
// 1-hop subgraph equal the full-graph rows exactly; deeper encoders see a truncated neighbourhood.
// The gradient flows into X only at globalIds (index_select), so one batch touches only its rows.
#include <cstdint>
#include <vector>

#include "gnn/graph_encoder.h"

namespace glr::gnn {

// One batch's subgraph: nodes (global ids, centres first) and their adjacency in that order.
struct Subgraph {
    std::vector<std::int64_t> globalIds;
    std::int64_t numCentres = 0;  // globalIds[0, numCentres) are the requested centre nodes
    GraphAdjacency adjacency;
};

// The subgraph of `graph` induced on nodes chosen elsewhere, centres first: the trainer's graph
// path takes data::BipartiteGraph::oneHopNodes (seeds, then neighbours as met, optional fan-out).
Subgraph subgraphOn(const GraphAdjacency& graph, std::vector<std::int64_t> nodes, std::int64_t numCentres,
                    bool withSelfLoops = true);

at::Tensor encodeSubgraph(GraphEncoderImpl& encoder, const at::Tensor& features, const GraphAdjacency& localGraph,
                          const at::Tensor& globalIds, const at::Tensor& outputRows);

// Rows of the centres of `subgraph`, in their order: [numCentres, d_out].
at::Tensor encodeSubgraph(GraphEncoderImpl& encoder, const at::Tensor& features, const Subgraph& subgraph);

}  // namespace glr::gnn
