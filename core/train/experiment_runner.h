#pragma once
// The one entry point through which the CLI and the UI run an experiment. Torch-free on purpose:
// the UI includes it and receives plain value snapshots, never tensors.
//
// A run is a self-contained, resumable process step driven by its config: it records itself in
// the store, trains with checkpoints (atomic), evaluates the best checkpoint and writes results
// and per-row predictions. Interrupted runs (cancel, kill) continue with `resumeRunId`.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dist/data_parallel_spec.h"

namespace glr {

struct ProgressSnapshot {
    std::int64_t runId = 0;
    std::string phase;            // "setup", "train", "eval", "test", "done"
    std::int64_t step = 0;        // optimiser steps so far
    std::int64_t totalSteps = 0;  // planned optimiser steps (0 when unknown)
    double epoch = 0;             // fractional epoch
    double trainLoss = 0;         // latest (unsmoothed) training loss
    double learningRate = 0;
    std::map<std::string, double> metrics;  // latest values, e.g. "valid/auc", "valid/uauc"
    double tokensPerSecond = 0;
    double elapsedSeconds = 0;
    double etaSeconds = -1;       // -1: unknown
    std::string message;          // one line for a status bar
};

// Called from the thread that runs the experiment. Return false to stop: the run is checkpointed,
// marked interrupted and can be resumed.
using ProgressCallback = std::function<bool(const ProgressSnapshot&)>;

struct RunRequest {
    std::string configPath;                 // JSON experiment config file, or empty when…
    std::string configJson;                 // …the config is given inline (paths relative to baseDir)
    std::string baseDir;                    // for relative paths of an inline config
    std::vector<std::string> overrides;     // "key.path=value", as `--set`
    std::string storePath;                  // SQLite store (see store/run_store.h defaultStorePath)
    std::optional<std::int64_t> resumeRunId;
    std::optional<std::int64_t> sweepId;    // group the run into this sweep
    std::string sweepParamsJson;            // the varied parameters of this run within the sweep
    std::string artifactsDir;               // checkpoints; default: store::artifactsRoot(store)/run-<id>
    int threads = 0;                        // intra-op threads of the run (0: every core)
    // Stop as a cancel does, checkpointed and resumable, once this many optimiser steps are done
    // (a job's time slice; tests of resuming).
    std::optional<std::int64_t> stopAtStep;
    // One rank of a data-parallel run (train/data_parallel.h). Rank 0 takes the request as above
    // and tells the others the run, its config and its checkpoint through the rendezvous; they
    // need only this field (and `threads`), and never open the store.
    dist::DataParallelSpec dataParallel;
};

struct RunOutcome {
    std::int64_t runId = 0;
    std::string status;  // "finished", "failed", "interrupted"
    std::string error;   // one line, for failed runs
    // Final results of the evaluated splits: (split, subset, metric) -> value.
    struct Result {
        std::string split, subset, metric;
        double value = 0;
        std::int64_t rows = 0;
    };
    std::vector<Result> results;
};

// Runs (or resumes) one experiment to completion, cancellation or failure. Errors in the config
// throw before a run is created; errors during the run are recorded (status failed) and rethrown.
// In a data-parallel run every rank calls it; an error rank 0 meets before the run starts
// reaches every rank.
RunOutcome runExperiment(const RunRequest& request, const ProgressCallback& progress);

}  // namespace glr
