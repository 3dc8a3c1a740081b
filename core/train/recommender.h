#pragma once
// What the trainer and evaluator need from a method, LLM-based or collaborative. One trainer,
// one evaluation path: methods differ only in how they turn a batch of rows into logits and in
// which parameters they train.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "train/optimizer.h"

namespace glr::config {
struct ExperimentConfig;
}

namespace glr {

// Host indices -> a tensor on `device` (a copy; `values` may go away afterwards), queued without
// stalling the step (gnn/device_upload.h).
at::Tensor uploadIndices(const std::vector<std::int64_t>& values, at::IntArrayRef shape, const at::Device& device);

// The facts about one row that metrics and predictions need.
struct RowMeta {
    std::int64_t uid = 0;
    std::int64_t iid = 0;
    int label = 0;
    bool notCold = false;
};

class Recommender {
public:
    virtual ~Recommender() = default;

    // Rows of a split ("train", "valid", "valid_small", "test").
    virtual std::int64_t splitSize(const std::string& split) const = 0;
    virtual RowMeta rowMeta(const std::string& split, std::int64_t row) const = 0;

    // Batches of row indices. LLM methods bucket by prompt length so padding stays small;
    // `shuffle` is seeded and deterministic (resume relies on it).
    virtual std::vector<std::vector<std::int64_t>> planBatches(const std::string& split,
                                                               const std::vector<std::int64_t>& rows,
                                                               int batchSize, std::uint64_t seed,
                                                               bool shuffle) const;

    // Logits [B] (the "Yes" score before the sigmoid) for the rows of a batch.
    virtual at::Tensor forward(const std::string& split, const std::vector<std::int64_t>& rows,
                               bool training) = 0;
    // Tokens processed for these rows (LLM methods; collaborative ones return the row count).
    virtual std::int64_t workUnits(const std::string& split, const std::vector<std::int64_t>& rows) const {
        return static_cast<std::int64_t>(rows.size());
    }

    // Parameter groups for the optimiser; empty when the method has nothing to train (icl).
    virtual std::vector<ParamGroup> parameterGroups() = 0;
    // Named trainable tensors (for checkpoints and the best-model snapshot).
    virtual std::map<std::string, at::Tensor> trainableState();
    virtual void loadTrainableState(const std::map<std::string, at::Tensor>& state);
    virtual std::int64_t totalParameterCount() const = 0;
    virtual std::int64_t trainableParameterCount();
    // Files a user keeps from a finished run (e.g. the PEFT adapter); returns (kind, path).
    virtual std::vector<std::pair<std::string, std::string>> exportArtifacts(const std::string& dir) {
        return {};
    }
    virtual std::string describe() const = 0;  // one line for logs ("graphlora: ngcf, inject [4]")
    // What the run's log should know about how the method ran so far (e.g. its scoring CUDA
    // graphs); "" when there is nothing to say.
    virtual std::string runtimeNotes() const { return ""; }
};

}  // namespace glr
