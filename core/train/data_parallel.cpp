#include "train/data_parallel.h"

#include <ATen/core/grad_mode.h>

#include "config/experiment_config.h"
#include "dist/communicator.h"
#include "util/error.h"

namespace glr {

void allReduceGradients(const std::vector<ParamGroup>& groups, dist::Communicator& communicator) {
    if (communicator.worldSize() == 1) return;
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> params;
    for (const auto& g : groups)
        for (const auto& p : g.params) params.push_back(p);
    if (params.empty()) return;
    // [grad_0 … grad_{P-1}, defined_0 … defined_{P-1}]: the flags ride in the same all-reduce.
    // The flags are made on the host and uploaded once, not set one device write per tensor.
    std::vector<at::Tensor> pieces;
    pieces.reserve(params.size() + 1);
    std::vector<float> defined(params.size(), 0.0f);
    for (std::size_t i = 0; i < params.size(); ++i) {
        const at::Tensor& grad = params[i].grad();
        defined[i] = grad.defined() ? 1.0f : 0.0f;
        pieces.push_back(grad.defined() ? grad.reshape({-1}).to(at::kFloat)
                                        : at::zeros({params[i].numel()}, params[i].options().dtype(at::kFloat)));
    }
    pieces.push_back(at::tensor(defined).to(params.front().device()));
    at::Tensor bucket = at::cat(pieces);
    communicator.allReduceSum(bucket);
    const at::Tensor anyDefined = bucket.narrow(0, bucket.numel() - static_cast<std::int64_t>(params.size()),
                                                static_cast<std::int64_t>(params.size())).to(at::kCPU);
    const float* flags = anyDefined.data_ptr<float>();
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        at::Tensor& p = params[i];
        const at::Tensor summed = bucket.narrow(0, offset, p.numel()).view(p.sizes()).to(p.scalar_type());
        offset += p.numel();
        if (flags[i] == 0) continue;
        if (p.grad().defined())
            p.mutable_grad().copy_(summed);
        else
            p.mutable_grad() = summed.clone();
    }
}

void checkDataParallelConfig(const config::ExperimentConfig& config, int worldSize) {
    if (worldSize <= 1) return;
    const auto& t = config.train;
    if (t.gradAccum % worldSize == 0) return;
    const std::int64_t global = std::int64_t(t.batchSize) * t.gradAccum;
    std::string hint;
    if (global % worldSize == 0)
        hint = fmt::format(" For the same {} rows a step, set train.batch_size={} and train.grad_accum={}.", global,
                           global / worldSize, worldSize);
    failInput("train.grad_accum is {}, but a step's micro-batches are shared among the {} ranks, so it must be a multiple "
              "of {} (the global batch is train.batch_size × train.grad_accum).{}",
              t.gradAccum, worldSize, worldSize, hint);
}

void broadcastParameters(const std::vector<ParamGroup>& groups, dist::Communicator& communicator) {
    if (communicator.worldSize() == 1) return;
    at::NoGradGuard noGrad;
    for (const auto& g : groups)
        for (const auto& p : g.params) {
            at::Tensor values = p.detach();
            communicator.broadcast(values, 0);
        }
}

}  // namespace glr
