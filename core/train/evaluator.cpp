#include "train/evaluator.h"

#include <algorithm>
#include <cmath>
#include <chrono>
#include <numeric>
#include <optional>
#include <random>

#include <ATen/core/grad_mode.h>

#include "dist/communicator.h"
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
                      int batchSize, const std::function<bool(std::int64_t, std::int64_t)>& onBatch,
                      dist::Communicator* communicator) {
    at::NoGradGuard noGrad;
    SplitScores out;
    out.split = split;
    const auto start = std::chrono::steady_clock::now();
    auto batches = model.planBatches(split, rows, batchSize, 0, /*shuffle=*/false);
    const int world = communicator ? communicator->worldSize() : 1;
    const int rank = communicator ? communicator->rank() : 0;
    for (const auto& batch : batches)
        for (auto row : batch) {
            out.rowIndices.push_back(row);
            out.rows.push_back(model.rowMeta(split, row));
        }
    // Scores in batch order; with several ranks each fills its own batches' places and a sum
    // over ranks (the others hold zeros there) completes the vector.
    at::Tensor scores = at::zeros({static_cast<std::int64_t>(out.rowIndices.size())}, at::kDouble);
    double* scoreOut = scores.data_ptr<double>();
    std::int64_t done = 0;
    auto collect = [&](gnn::HostReadback& readback, std::size_t batchIndex, std::int64_t offset) {
        const auto& batch = batches[batchIndex];
        const at::Tensor logits = readback.get().to(at::kDouble).contiguous();
        std::copy(logits.data_ptr<double>(), logits.data_ptr<double>() + batch.size(), scoreOut + offset);
        done += static_cast<std::int64_t>(batch.size()) * world;
        const bool keepGoing = !onBatch || onBatch(std::min<std::int64_t>(done, static_cast<std::int64_t>(rows.size())),
                                                   static_cast<std::int64_t>(rows.size()));
        if (!keepGoing && world == 1) throw Cancelled();
    };
    // One batch in flight: batch k+1 is queued before batch k's scores are read, so that on a
    // GPU the host prepares the next batch (prompts, uploads, the 1-hop subgraph) while the
    // device scores this one.
    std::optional<gnn::HostReadback> previous;
    std::size_t previousBatch = 0;
    std::int64_t previousOffset = 0, offset = 0;
    for (std::size_t b = 0; b < batches.size(); ++b) {
        const auto& batch = batches[b];
        out.workUnits += model.workUnits(split, batch);
        const std::int64_t batchOffset = offset;
        offset += static_cast<std::int64_t>(batch.size());
        if (static_cast<int>(b % static_cast<std::size_t>(world)) != rank) continue;
        at::Tensor logits = model.forward(split, batch, /*training=*/false);
        GLR_CHECK(logits.numel() == static_cast<std::int64_t>(batch.size()),
                  "{}: method returned {} scores for {} rows", split, logits.numel(), batch.size());
        gnn::HostReadback readback(logits.reshape({-1}));
        if (previous) collect(*previous, previousBatch, previousOffset);
        previous.emplace(std::move(readback));
        previousBatch = b;
        previousOffset = batchOffset;
    }
    if (previous) collect(*previous, previousBatch, previousOffset);
    if (world > 1) communicator->allReduceSum(scores);
    out.scores.assign(scores.data_ptr<double>(), scores.data_ptr<double>() + scores.numel());
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
