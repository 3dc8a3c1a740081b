#pragma once
// The training loop shared by every method: seeded batches, gradient accumulation, warm-up +
// cosine schedule, BCE-with-logits, validation AUC for model selection and early stopping,
// atomic checkpoints that resume bit-identically on the CPU, NaN/Inf detection naming the step.
// Everything it measures goes to the store as it happens; the UI hears of it only through the
// progress callback.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "train/checkpoint.h"
#include "train/experiment_runner.h"
#include "train/recommender.h"

namespace glr::config {
struct ExperimentConfig;
}
namespace glr::dist {
class Communicator;
}

namespace glr {

namespace store {
class RunStore;
}
using store::RunStore;

struct TrainerSetup {
    const config::ExperimentConfig* config = nullptr;
    Recommender* model = nullptr;
    RunStore* store = nullptr;       // rank 0 only: the other ranks of a data-parallel run write nothing
    // The ranks of a data-parallel run (train/data_parallel.h); null: this process alone. Every
    // rank runs trainModel; rank 0 writes metrics and checkpoints, and any rank's progress
    // callback can stop them all (they agree at the next step).
    dist::Communicator* communicator = nullptr;
    std::int64_t runId = 0;
    std::string checkpointPath;      // latest state (resume)
    std::string bestCheckpointPath;  // best validation AUC (evaluated at the end)
    std::string validSplit;          // e.g. "valid_small"
    ProgressCallback progress;
    double startedAtSeconds = 0;     // for elapsed/ETA across resumes
    // Stop as a cancel does (checkpointed, resumable) once this many optimiser steps are done.
    std::optional<std::int64_t> stopAtStep;
};

struct TrainOutcome {
    bool cancelled = false;
    std::int64_t steps = 0;
    double bestValidAuc = -1;
    std::int64_t bestStep = -1;
    bool earlyStopped = false;
    double medianStepSeconds = 0;
    double trainTokensPerSecond = 0;
};

// Trains from scratch, or from `resume` (a checkpoint of this run). On cancel the latest state
// is checkpointed and `cancelled` is set. Throws on NaN/Inf loss.
TrainOutcome trainModel(const TrainerSetup& setup, const std::optional<Checkpoint>& resume);

// AUC of scored rows (model selection).
double validationAuc(const struct SplitScores& scores);

}  // namespace glr
