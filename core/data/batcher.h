#pragma once
// Token batches for the LLM: left-padded ids with their attention mask and position ids, the
// anchors of the ID slots, labels and row metadata — plain int64/float vectors that the trainer
// wraps with torch::from_blob (shape [B, T] row-major; anchors [n, 3]).
//
// Order: each epoch the rows are shuffled with (seed, epoch), cut into chunks of
// batchSize·bucketBatches rows, each chunk stably sorted by prompt length and cut into batches,
// and the batches shuffled again — so a batch holds prompts of similar length (little padding)
// while the epoch stays random. Without shuffling (evaluation) all rows are sorted by length.
// The plan is a pure function of (lengths, options, epoch): a run resumes at any
// BatchPosition and sees the same batches as an uninterrupted run.
#include <cstdint>
#include <memory>
#include <vector>

#include "data/prompt.h"
#include "data/split_dataset.h"

namespace glr::data {

struct TokenBatch {
    std::int64_t batchSize = 0;  // B
    std::int64_t length = 0;     // T (longest prompt in the batch, or the bucketed minimum)
    std::vector<std::int64_t> inputIds;       // [B, T], pad on the left
    std::vector<std::int64_t> attentionMask;  // [B, T], 0 on padding
    std::vector<std::int64_t> positionIds;    // [B, T], cumsum(mask) - 1 clamped at 0
    std::vector<std::int64_t> anchors;        // [n, 3]: (row, position in the padded row, node)
    std::vector<float> labels;                // [B]
    std::vector<std::int64_t> uids, iids;     // [B]
    std::vector<std::int64_t> rows;           // [B] row index in the split
    std::vector<std::uint8_t> notCold;        // [B]
    std::int64_t scoreTokenId = -1;
    std::int64_t numAnchors() const { return static_cast<std::int64_t>(anchors.size() / 3); }
    std::int64_t realTokens() const;  // sum of the mask
};

// Builds one left-padded batch from prompts (in order), at least `minLength` tokens long (more
// padding on the left: a bucketed length, so that batches share a shape).
TokenBatch collate(const std::vector<EncodedPrompt>& prompts, std::int64_t padId = 0, std::int64_t minLength = 0);
// Encodes `rows` of `split` and collates them, filling labels and metadata.
TokenBatch makeBatch(const PromptEncoder& encoder, const Split& split,
                     const std::vector<std::int64_t>& rows, std::int64_t padId = 0, std::int64_t minLength = 0);

struct BatchOptions {
    int batchSize = 8;
    bool shuffle = true;       // false: evaluation order (sorted by length)
    std::uint64_t seed = 42;
    int bucketBatches = 32;    // batches per length-sorted chunk; 1 = no bucketing
    bool dropLast = false;     // drop a final partial batch (training)
    std::int64_t padId = 0;
};

struct BatchPosition {
    std::int64_t epoch = 0;
    std::int64_t batch = 0;  // index within the epoch
    bool operator==(const BatchPosition& o) const { return epoch == o.epoch && batch == o.batch; }
};

// The batch plan: which rows form each batch of an epoch.
class BatchPlan {
public:
    BatchPlan(std::vector<int> lengths, BatchOptions options);
    std::int64_t batchesPerEpoch() const;
    std::vector<std::vector<std::int64_t>> epoch(std::int64_t epoch) const;
    const BatchOptions& options() const { return options_; }

private:
    std::vector<int> lengths_;
    BatchOptions options_;
};

// Plan + encoder + split: random access to any batch, or sequential with a resumable position.
// One Batcher per thread (it caches the current epoch's plan); the encoder may be shared.
class Batcher {
public:
    // Computes every row's prompt length once (cheap: cached pieces). The encoder and the split
    // must outlive the batcher.
    Batcher(const PromptEncoder& encoder, const Split& split, BatchOptions options);

    std::int64_t batchesPerEpoch() const { return plan_.batchesPerEpoch(); }
    TokenBatch batch(BatchPosition position) const;
    BatchPosition following(BatchPosition position) const;  // next batch, rolling over epochs

    // Sequential use: next() returns the batch at position() and advances.
    TokenBatch next();
    BatchPosition position() const { return position_; }
    void seek(BatchPosition position) { position_ = position; }

    const std::vector<int>& lengths() const { return lengths_; }

private:
    const std::vector<std::int64_t>& rowsOf(BatchPosition position) const;

    const PromptEncoder* encoder_;
    const Split* split_;
    std::vector<int> lengths_;
    BatchPlan plan_;
    mutable std::int64_t cachedEpoch_ = -1;
    mutable std::vector<std::vector<std::int64_t>> cachedPlan_;
    BatchPosition position_;
};

}  // namespace glr::data
