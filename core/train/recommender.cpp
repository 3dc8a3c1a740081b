#include "train/recommender.h"

#include <algorithm>
#include <random>

#include <ATen/core/grad_mode.h>

#include "gnn/device_upload.h"
#include "util/error.h"

namespace glr {

at::Tensor uploadIndices(const std::vector<std::int64_t>& values, at::IntArrayRef shape, const at::Device& device) {
    const auto i64 = at::TensorOptions().dtype(at::kLong);
    at::Tensor host = at::from_blob(const_cast<std::int64_t*>(values.data()), shape, i64);
    return device.is_cpu() ? host.clone() : gnn::uploadAsync(host, device);
}

std::vector<std::vector<std::int64_t>> Recommender::planBatches(const std::string& split,
                                                                const std::vector<std::int64_t>& rows,
                                                                int batchSize, std::uint64_t seed,
                                                                bool shuffle) const {
    std::vector<std::int64_t> order = rows;
    if (shuffle) {
        std::mt19937_64 rng(seed);
        std::shuffle(order.begin(), order.end(), rng);
    }
    std::vector<std::vector<std::int64_t>> batches;
    for (std::size_t i = 0; i < order.size(); i += batchSize)
        batches.emplace_back(order.begin() + i, order.begin() + std::min(order.size(), i + batchSize));
    return batches;
}

std::map<std::string, at::Tensor> Recommender::trainableState() {
    std::map<std::string, at::Tensor> out;
    for (const auto& g : parameterGroups())
        for (std::size_t i = 0; i < g.params.size(); ++i) out[g.name + "." + g.names[i]] = g.params[i];
    return out;
}

void Recommender::loadTrainableState(const std::map<std::string, at::Tensor>& state) {
    at::NoGradGuard noGrad;
    for (auto& g : parameterGroups())
        for (std::size_t i = 0; i < g.params.size(); ++i) {
            const std::string key = g.name + "." + g.names[i];
            auto it = state.find(key);
            if (it == state.end()) failInput("checkpoint: missing trainable tensor '{}'", key);
            if (it->second.sizes() != g.params[i].sizes())
                failInput("checkpoint: tensor '{}' has shape {}, the model expects {}", key,
                          c10::str(it->second.sizes()), c10::str(g.params[i].sizes()));
            g.params[i].copy_(it->second);
        }
}

std::int64_t Recommender::trainableParameterCount() {
    std::int64_t n = 0;
    for (const auto& g : parameterGroups())
        for (const auto& p : g.params) n += p.numel();
    return n;
}

}  // namespace glr
