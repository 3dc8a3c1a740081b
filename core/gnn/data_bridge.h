#pragma once
// The data module's CSR (data/graph.h) as the gnn module's CsrGraph. Header-only so that only the
// code that mixes the two modules (the trainer) depends on data's layout.
//
// Which matrix to hand over: data::BipartiteGraph::adjacency() is the binary structure
// (GraphAdjacency::fromStructure builds Â and Â_sl from it); normalized() and a Subgraph's
// `normalized` hold the full graph's Â coefficients (GraphAdjacency::fromNormalized; no Â_sl, so
// GCN cannot run on them — prefer GraphAdjacency::subgraph(sub.nodes) of the full adjacency).
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
