#include "gnn/graph_recommender.h"

#include <torch/nn/init.h>

#include "util/error.h"

namespace glr::gnn {

GraphRecommenderImpl::GraphRecommenderImpl(std::int64_t numUsers, std::int64_t numItems, std::int64_t dim,
                                           GraphEncoderPtr encoder, GraphAdjacency graph, double initStd)
    : numUsers_(numUsers), numItems_(numItems), encoder_(std::move(encoder)), graph_(std::move(graph)) {
    if (numUsers <= 0 || numItems <= 0 || dim <= 0)
        failInput("graph recommender: users ({}), items ({}) and dim ({}) must be positive", numUsers, numItems, dim);
    GLR_CHECK(encoder_ && encoder_->inputDim() == dim, "graph recommender: encoder input width {} != table width {}",
              encoder_ ? encoder_->inputDim() : 0, dim);
    if (!graph_.defined() || graph_.numNodes() != numUsers + numItems)
        failInput("graph recommender: the training graph has {} nodes, expected users + items = {}",
                  graph_.defined() ? graph_.numNodes() : 0, numUsers + numItems);
    nodes = register_module("embedding", torch::nn::Embedding(numUsers + numItems, dim));
    torch::nn::init::normal_(nodes->weight, 0.0, initStd);
    register_module("encoder", encoder_);
}

at::Tensor GraphRecommenderImpl::propagate() { return encoder_->forward(nodes->weight, graph_); }

at::Tensor GraphRecommenderImpl::forward(const RecBatch& batch) {
    at::Tensor h = propagate();
    at::Tensor users = h.index_select(0, batch.uids);
    at::Tensor items = h.index_select(0, batch.iids + numUsers_);
    return (users * items).sum(-1);
}

void GraphRecommenderImpl::to(torch::Device device, torch::Dtype dtype, bool nonBlocking) {
    torch::nn::Module::to(device, dtype, nonBlocking);
    graph_ = graph_.to(device);
}

void GraphRecommenderImpl::to(torch::Device device, bool nonBlocking) {
    torch::nn::Module::to(device, nonBlocking);
    graph_ = graph_.to(device);
}

}  // namespace glr::gnn
