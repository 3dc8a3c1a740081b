#include "data/batcher.h"

#include <algorithm>
#include <numeric>

#include "data/rng.h"
#include "util/error.h"

namespace glr::data {

std::int64_t TokenBatch::realTokens() const {
    std::int64_t sum = 0;
    for (std::int64_t m : attentionMask) sum += m;
    return sum;
}

TokenBatch collate(const std::vector<EncodedPrompt>& prompts, std::int64_t padId, std::int64_t minLength) {
    TokenBatch batch;
    batch.batchSize = static_cast<std::int64_t>(prompts.size());
    batch.length = std::max<std::int64_t>(minLength, 0);
    for (const auto& p : prompts) batch.length = std::max<std::int64_t>(batch.length, p.ids.size());
    const std::int64_t T = batch.length;
    batch.inputIds.assign(batch.batchSize * T, padId);
    batch.attentionMask.assign(batch.batchSize * T, 0);
    batch.positionIds.assign(batch.batchSize * T, 0);
    for (std::int64_t b = 0; b < batch.batchSize; ++b) {
        const EncodedPrompt& p = prompts[b];
        const std::int64_t pad = T - static_cast<std::int64_t>(p.ids.size());
        std::int64_t* ids = batch.inputIds.data() + b * T;
        std::int64_t* mask = batch.attentionMask.data() + b * T;
        std::int64_t* pos = batch.positionIds.data() + b * T;
        for (std::size_t t = 0; t < p.ids.size(); ++t) {
            ids[pad + t] = p.ids[t];
            mask[pad + t] = 1;
            pos[pad + t] = static_cast<std::int64_t>(t);  // cumsum(mask) - 1; padding stays 0
        }
        for (const Anchor& a : p.anchors) {
            batch.anchors.push_back(b);
            batch.anchors.push_back(pad + a.position);
            batch.anchors.push_back(a.node);
        }
    }
    return batch;
}

TokenBatch makeBatch(const PromptEncoder& encoder, const Split& split, const std::vector<std::int64_t>& rows,
                     std::int64_t padId, std::int64_t minLength) {
    std::vector<EncodedPrompt> prompts;
    prompts.reserve(rows.size());
    for (std::int64_t r : rows) {
        GLR_CHECK(r >= 0 && r < static_cast<std::int64_t>(split.size()), "row {} outside split '{}' ({} rows)", r,
                  split.name, split.size());
        prompts.push_back(encoder.encode(split, static_cast<std::size_t>(r)));
    }
    TokenBatch batch = collate(prompts, padId, minLength);
    batch.scoreTokenId = encoder.scoreTokenId();
    for (std::int64_t r : rows) {
        const InteractionRow& row = split.rows[r];
        batch.labels.push_back(static_cast<float>(row.label));
        batch.uids.push_back(row.uid);
        batch.iids.push_back(row.iid);
        batch.rows.push_back(r);
        batch.notCold.push_back(row.notCold ? 1 : 0);
    }
    return batch;
}

BatchPlan::BatchPlan(std::vector<int> lengths, BatchOptions options)
    : lengths_(std::move(lengths)), options_(options) {
    if (options_.batchSize < 1) failInput("batch size must be >= 1, got {}", options_.batchSize);
    if (options_.bucketBatches < 1) failInput("bucket_batches must be >= 1, got {}", options_.bucketBatches);
}

std::int64_t BatchPlan::batchesPerEpoch() const {
    const auto n = static_cast<std::int64_t>(lengths_.size());
    const std::int64_t b = options_.batchSize;
    return options_.dropLast ? n / b : (n + b - 1) / b;
}

std::vector<std::vector<std::int64_t>> BatchPlan::epoch(std::int64_t epoch) const {
    const auto n = static_cast<std::int64_t>(lengths_.size());
    std::vector<std::int64_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    auto byLength = [&](std::int64_t a, std::int64_t b) { return lengths_[a] < lengths_[b]; };
    const std::int64_t B = options_.batchSize;
    std::vector<std::vector<std::int64_t>> batches;
    if (!options_.shuffle) {
        std::stable_sort(order.begin(), order.end(), byLength);
    } else {
        SplitMix64 rng(mixSeed(options_.seed, static_cast<std::uint64_t>(epoch)));
        shuffleInPlace(order, rng);
        const std::int64_t chunk = B * options_.bucketBatches;
        for (std::int64_t start = 0; start < n; start += chunk)
            std::stable_sort(order.begin() + start, order.begin() + std::min(n, start + chunk), byLength);
    }
    for (std::int64_t start = 0; start < n; start += B) {
        const std::int64_t end = std::min(n, start + B);
        if (options_.dropLast && end - start < B) break;
        batches.emplace_back(order.begin() + start, order.begin() + end);
    }
    if (options_.shuffle) {
        // Shuffle whole batches so the length-sorted chunks do not show as a length trend.
        SplitMix64 rng(mixSeed(options_.seed ^ 0xB5C0FBCFEC4D3B2FULL, static_cast<std::uint64_t>(epoch)));
        shuffleInPlace(batches, rng);
    }
    return batches;
}

namespace {

std::vector<int> promptLengths(const PromptEncoder& encoder, const Split& split) {
    std::vector<int> lengths(split.size());
    for (std::size_t r = 0; r < split.size(); ++r) lengths[r] = encoder.length(split, r);
    return lengths;
}

}  // namespace

Batcher::Batcher(const PromptEncoder& encoder, const Split& split, BatchOptions options)
    : encoder_(&encoder), split_(&split), lengths_(promptLengths(encoder, split)), plan_(lengths_, options) {
    if (split.empty()) failInput("split '{}' has no rows to batch", split.name);
    if (plan_.batchesPerEpoch() == 0)
        failInput("split '{}' has {} rows, fewer than one batch of {} (drop_last)", split.name, split.size(),
                  options.batchSize);
}

const std::vector<std::int64_t>& Batcher::rowsOf(BatchPosition position) const {
    GLR_CHECK(position.epoch >= 0 && position.batch >= 0 && position.batch < batchesPerEpoch(),
              "batch position (epoch {}, batch {}) outside the plan ({} batches per epoch)", position.epoch,
              position.batch, batchesPerEpoch());
    if (cachedEpoch_ != position.epoch) {
        cachedPlan_ = plan_.epoch(position.epoch);
        cachedEpoch_ = position.epoch;
    }
    return cachedPlan_[position.batch];
}

TokenBatch Batcher::batch(BatchPosition position) const {
    return makeBatch(*encoder_, *split_, rowsOf(position), plan_.options().padId);
}

BatchPosition Batcher::following(BatchPosition position) const {
    if (++position.batch >= batchesPerEpoch()) {
        position.batch = 0;
        ++position.epoch;
    }
    return position;
}

TokenBatch Batcher::next() {
    TokenBatch b = batch(position_);
    position_ = following(position_);
    return b;
}

}  // namespace glr::data
