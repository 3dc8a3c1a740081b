#include "gnn/lightgcn.h"

namespace glr::gnn {

LightGcnEncoderImpl::LightGcnEncoderImpl(std::int64_t inputDim, std::int64_t layers)
    : inputDim_(inputDim), layers_(layers) {}

at::Tensor LightGcnEncoderImpl::forward(const at::Tensor& features, const GraphAdjacency& graph) {
    checkEncoderInput(*this, features, graph);
    at::Tensor layer = features;
    at::Tensor sum = features;
    for (std::int64_t k = 0; k < layers_; ++k) {
        layer = graph.normalized().propagate(layer);
        sum = sum + layer;
    }
    return sum / double(layers_ + 1);
}

}  // namespace glr::gnn
