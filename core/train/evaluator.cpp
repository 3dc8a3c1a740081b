#include "train/evaluator.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <numeric>
#include <optional>
#include <random>

#include <ATen/core/grad_mode.h>

#include "gnn/device_upload.h"
#include "util/error.h"

namespace glr {

std::vector<std::int64_t> evaluationRows(const Recommender& model, const std::string& split,
                                         std::int64_t maxRows, std::uint64_t seed) {
    const std::int64_t n = model.splitSize(split);
    std::vector<std::int64_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0);
    if (maxRows > 0 && maxRows < n) {
        std::mt19937_64 rng(seed);
        std::shuffle(rows.begin(), rows.end(), rng);
        rows.resize(maxRows);
        std::sort(rows.begin(), rows.end());
    }
    return rows;
}

SplitScores scoreRows(Recommender& model, const std::string& split, const std::vector<std::int64_t>& rows,
                      int batchSize, const std::function<bool(std::int64_t, std::int64_t)>& onBatch) {
    at::NoGradGuard noGrad;
    SplitScores out;
    out.split = split;
    const auto start = std::chrono::steady_clock::now();
    auto batches = model.planBatches(split, rows, batchSize, 0, /*shuffle=*/false);
    std::int64_t done = 0;
    out.rowIndices.reserve(rows.size());
    auto collect = [&](gnn::HostReadback& readback, const std::vector<std::int64_t>& batch) {
        const at::Tensor logits = readback.get().to(at::kDouble).contiguous();
        const double* p = logits.data_ptr<double>();
        for (std::size_t i = 0; i < batch.size(); ++i) {
            out.rowIndices.push_back(batch[i]);
            out.rows.push_back(model.rowMeta(split, batch[i]));
            out.scores.push_back(p[i]);
        }
        out.workUnits += model.workUnits(split, batch);
        done += static_cast<std::int64_t>(batch.size());
        if (onBatch && !onBatch(done, static_cast<std::int64_t>(rows.size()))) throw Cancelled();
    };
    // One batch in flight: batch k+1 is queued before batch k's scores are read, so that on a
    // GPU the host prepares the next batch (prompts, uploads, the 1-hop subgraph) while the
    // device scores this one.
    std::optional<gnn::HostReadback> previous;
    const std::vector<std::int64_t>* previousBatch = nullptr;
    for (const auto& batch : batches) {
        at::Tensor logits = model.forward(split, batch, /*training=*/false);
        GLR_CHECK(logits.numel() == static_cast<std::int64_t>(batch.size()),
                  "{}: method returned {} scores for {} rows", split, logits.numel(), batch.size());
        gnn::HostReadback readback(logits.reshape({-1}));
        if (previous) collect(*previous, *previousBatch);
        previous.emplace(std::move(readback));
        previousBatch = &batch;
    }
    if (previous) collect(*previous, *previousBatch);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

}  // namespace glr

#include "eval/metrics.h"
#include "train/trainer.h"

namespace glr {

double validationAuc(const SplitScores& scores) {
    std::vector<int> labels;
    labels.reserve(scores.rows.size());
    for (const auto& r : scores.rows) labels.push_back(r.label);
    const double auc = eval::rocAuc(labels, scores.scores);
    return std::isnan(auc) ? 0.5 : auc;
}

}  // namespace glr
