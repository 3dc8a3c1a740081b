#include "gnn/subgraph.h"

#include "gnn/device_upload.h"
#include "util/error.h"

namespace glr::gnn {

Subgraph subgraphOn(const GraphAdjacency& graph, std::vector<std::int64_t> nodes, std::int64_t numCentres,
                    bool withSelfLoops) {
    GLR_CHECK(numCentres >= 0 && numCentres <= std::int64_t(nodes.size()), "subgraph: {} centres among {} nodes",
              numCentres, nodes.size());
    Subgraph out;
    out.adjacency = graph.subgraph(nodes, withSelfLoops);
    out.globalIds = std::move(nodes);
    out.numCentres = numCentres;
    return out;
}

at::Tensor encodeSubgraph(GraphEncoderImpl& encoder, const at::Tensor& features, const GraphAdjacency& localGraph,
                          const at::Tensor& globalIds, const at::Tensor& outputRows) {
    GLR_CHECK(globalIds.dim() == 1 && globalIds.size(0) == localGraph.numNodes(),
              "subgraph encoding: {} global ids for a subgraph of {} nodes", globalIds.numel(), localGraph.numNodes());
    at::Tensor local = features.index_select(0, uploadAsync(globalIds.to(at::kLong), features.device()));
    at::Tensor encoded = encoder.forward(local, localGraph);
    return encoded.index_select(0, uploadAsync(outputRows.to(at::kLong), encoded.device()));
}

at::Tensor encodeSubgraph(GraphEncoderImpl& encoder, const at::Tensor& features, const Subgraph& subgraph) {
    at::Tensor ids = at::tensor(subgraph.globalIds, at::TensorOptions().dtype(at::kLong));
    at::Tensor centres = at::arange(subgraph.numCentres, at::TensorOptions().dtype(at::kLong));
    return encodeSubgraph(encoder, features, subgraph.adjacency, ids, centres);
}

}  // namespace glr::gnn
