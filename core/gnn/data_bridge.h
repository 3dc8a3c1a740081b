#pragma once
// The data module's CSR (data/graph.h) as the gnn module's CsrGraph. Header-only so that only the
// code that mixes the two modules (the trainer) depends on data's layout.
//
// Which matrix to hand over: data::BipartiteGraph::adjacency() is the binary structure
// (GraphAdjacency::fromStructure builds Â and Â_sl from it); normalized() holds the full graph's
// Â coefficients (GraphAdjacency::fromNormalized; no Â_sl, so GCN cannot run on it). A 1-hop
// subgraph is induced from the full adjacency on data's node choice (gnn::subgraphOn).
#include "data/graph.h"
#include "gnn/graph_adjacency.h"
#include "util/error.h"

namespace glr::gnn {

inline CsrGraph toCsrGraph(const data::CsrMatrix& matrix, const std::string& context = "data CSR") {
    if (matrix.rows != matrix.cols)
        failInput("{}: adjacency must be square, got {} x {}", context, matrix.rows, matrix.cols);
    CsrGraph graph;
    graph.numNodes = matrix.rows;
    graph.rowPtr = matrix.rowPtr;
    graph.col = matrix.colIdx;
    graph.values = matrix.values;
    graph.validate(context);
    return graph;
}

}  // namespace glr::gnn
