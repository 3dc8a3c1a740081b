#include "train/sequence_batch.h"

#include <algorithm>

namespace glr {

at::Tensor historyTensor(const data::Split& split, const std::vector<std::int64_t>& rows, int maxLen) {
    const auto B = static_cast<std::int64_t>(rows.size());
    at::Tensor out = at::zeros({B, maxLen}, at::kLong);
    auto* p = out.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < B; ++b) {
        auto history = split.history(static_cast<std::size_t>(rows[b]));
        const auto n = std::min<std::size_t>(history.size(), static_cast<std::size_t>(maxLen));
        for (std::size_t k = 0; k < n; ++k) p[b * maxLen + (maxLen - n + k)] = history[history.size() - n + k];
    }
    return out;
}

gnn::SasRec makeSasRec(const config::ExperimentConfig& cfg, const data::NodeIndex& nodes) {
    const auto& s = cfg.method.sasrec;
    // Items are 1..numItems-1 (NodeIndex counts the unused id 0).
    return gnn::SasRec(nodes.numItems - 1, s.dim, s.maxLen, s.layers, s.heads, s.dropout);
}

}  // namespace glr
