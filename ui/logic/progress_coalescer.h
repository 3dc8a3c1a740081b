#pragma once
// Throttles the trainer's progress reports to what a UI can draw: the trainer may call back
// thousands of times a second; the UI gets a batch at most every `minInterval` seconds, whatever
// the reports say (a fast trainer flips between train and eval phases many times a second, so
// phase changes are throttled too). A batch carries the latest snapshot and every metric point
// recorded since the previous batch, so curves lose nothing. A report held back because it came
// too soon is delivered by whoever calls take() once due() — the next report, or the UI's timer
// when the trainer goes quiet (a long evaluation, loading a checkpoint).
//
// Plain logic (no Qt), driven by explicit times so it can be tested without sleeping.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "train/experiment_runner.h"

namespace glr::ui {

struct MetricPoint {
    std::string name;  // "train/loss", "train/lr", "valid/auc", "test_cold/uauc", …
    std::int64_t step = 0;
    double epoch = 0;
    double wallSeconds = 0;  // elapsed since the run (or its resumption) began
    double value = 0;
};

struct ProgressBatch {
    ProgressSnapshot latest;
    std::vector<MetricPoint> points;
    int snapshots = 0;  // how many trainer reports this batch stands for
};

class ProgressCoalescer {
public:
    explicit ProgressCoalescer(double minIntervalSeconds = 0.2) : minInterval_(minIntervalSeconds) {}

    // Records one report. Returns true when a batch is due now (call take()).
    bool add(const ProgressSnapshot& snapshot, double nowSeconds);
    bool hasPending() const { return pending_ > 0; }
    // Something is pending and the interval since the last batch has passed.
    bool due(double nowSeconds) const { return pending_ > 0 && nowSeconds - lastEmit_ >= minInterval_; }
    // The batch since the last take(); resets the interval clock.
    ProgressBatch take(double nowSeconds);
    // Forget the run (a new run starts).
    void reset();

private:
    double minInterval_;
    double lastEmit_ = -1e300;
    ProgressBatch batch_;
    int pending_ = 0;
    std::int64_t lastLossStep_ = -1;
    std::map<std::string, double> lastMetrics_;
};

}  // namespace glr::ui
