#include "logic/progress_coalescer.h"

namespace glr::ui {

bool ProgressCoalescer::add(const ProgressSnapshot& snapshot, double nowSeconds) {
    auto point = [&](const std::string& name, double value) {
        batch_.points.push_back({name, snapshot.step, snapshot.epoch, snapshot.elapsedSeconds, value});
    };
    // One loss point per optimiser step: the trainer may report several times within a step.
    if (snapshot.phase == "train" && snapshot.step > lastLossStep_) {
        point("train/loss", snapshot.trainLoss);
        if (snapshot.learningRate > 0) point("train/lr", snapshot.learningRate);
        lastLossStep_ = snapshot.step;
    }
    // Metrics arrive as "latest values": a new key or a changed value is a new evaluation.
    for (const auto& [name, value] : snapshot.metrics) {
        auto it = lastMetrics_.find(name);
        if (it == lastMetrics_.end() || it->second != value) {
            point(name, value);
            lastMetrics_[name] = value;
        }
    }
    batch_.latest = snapshot;
    ++batch_.snapshots;
    ++pending_;
    return due(nowSeconds);
}

ProgressBatch ProgressCoalescer::take(double nowSeconds) {
    ProgressBatch out = std::move(batch_);
    batch_ = ProgressBatch{};
    batch_.latest = out.latest;  // keep the last state for a later empty take
    pending_ = 0;
    lastEmit_ = nowSeconds;
    return out;
}

void ProgressCoalescer::reset() {
    *this = ProgressCoalescer(minInterval_);
}

}  // namespace glr::ui
