#pragma once
// One evaluation path for every method: score rows in batches without gradients, then compute
// SPEC §6 metrics (AUC, both UAUCs, NDCG@10; all / warm / cold; user-degree buckets).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "train/recommender.h"

namespace glr::dist {
class Communicator;
}

namespace glr {

struct SplitScores {
    std::string split;
    std::vector<std::int64_t> rowIndices;
    std::vector<RowMeta> rows;
    std::vector<double> scores;  // logits
    double seconds = 0;
    std::int64_t workUnits = 0;  // tokens (LLM) or rows
};

// Rows of `split` to evaluate: all, or a seeded subsample of maxRows (kept in original order).
std::vector<std::int64_t> evaluationRows(const Recommender& model, const std::string& split,
                                         std::int64_t maxRows, std::uint64_t seed);

// Scores rows in batches under NoGradGuard; `onBatch(done, total)` may return false to cancel
// (throws glr::Cancelled). With a communicator of several ranks, every rank plans the same
// batches, scores batch b when b mod W is its rank, and all ranks receive every score: the same
// batches, so the same scores, as one process computes (a row's score can depend on its batch
// through the graph path's subgraph). A rank cannot cancel alone there, so `onBatch` only reports.
SplitScores scoreRows(Recommender& model, const std::string& split,
                      const std::vector<std::int64_t>& rows, int batchSize,
                      const std::function<bool(std::int64_t, std::int64_t)>& onBatch = {},
                      dist::Communicator* communicator = nullptr);

}  // namespace glr
