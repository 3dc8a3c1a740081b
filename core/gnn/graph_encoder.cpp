#include "gnn/graph_encoder.h"

#include "gnn/gcn.h"
#include "gnn/lightgcn.h"
#include "gnn/ngcf.h"
#include "util/error.h"

namespace glr::gnn {

void checkEncoderInput(const GraphEncoderImpl& encoder, const at::Tensor& features, const GraphAdjacency& graph) {
    GLR_CHECK(features.dim() == 2 && features.size(1) == encoder.inputDim(),
              "{} encoder: node features have shape {}, expected [nodes, {}]", encoder.typeName(),
              c10::str(features.sizes()), encoder.inputDim());
    GLR_CHECK(encoder.hops() == 0 || (graph.defined() && graph.numNodes() == features.size(0)),
              "{} encoder: {} node feature rows but the graph has {} nodes", encoder.typeName(), features.size(0),
              graph.defined() ? graph.numNodes() : 0);
}

at::Tensor IdentityEncoderImpl::forward(const at::Tensor& features, const GraphAdjacency& graph) {
    checkEncoderInput(*this, features, graph);
    return features;
}

GraphEncoderPtr makeGraphEncoder(const GraphEncoderOptions& options) {
    if (options.inputDim <= 0) failInput("gnn: input dimension must be positive, got {}", options.inputDim);
    if (options.type == "identity") return std::make_shared<IdentityEncoderImpl>(options.inputDim);
    if (options.layers < 0) failInput("gnn.layers must be >= 0, got {}", options.layers);
    if (options.type == "lightgcn") return std::make_shared<LightGcnEncoderImpl>(options.inputDim, options.layers);
    if (options.layers < 1) failInput("gnn.layers must be >= 1 for {}, got {}", options.type, options.layers);
    if (options.dim <= 0) failInput("gnn.dim must be positive, got {}", options.dim);
    if (options.type == "gcn") return std::make_shared<GcnEncoderImpl>(options.inputDim, options.dim, options.layers);
    if (options.type == "ngcf") {
        if (options.ngcfCombine != "concat" && options.ngcfCombine != "last")
            failInput("gnn: NGCF layer combination must be \"concat\" or \"last\", got \"{}\"", options.ngcfCombine);
        return std::make_shared<NgcfEncoderImpl>(options.inputDim, options.dim, options.layers,
                                                 options.ngcfCombine == "concat");
    }
    failInput("gnn.type must be one of \"lightgcn\", \"gcn\", \"ngcf\", \"identity\"; got \"{}\"", options.type);
}

}  // namespace glr::gnn
