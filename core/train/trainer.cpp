#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

#include "config/experiment_config.h"
#include "gnn/device_upload.h"
#include "model/loader.h"
#include "store/run_store.h"
#include "train/evaluator.h"
#include "util/error.h"

namespace glr {

using store::MetricPoint;

namespace {

using Clock = std::chrono::steady_clock;

double seconds(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// The training rows: all, or the first N of a seeded shuffle (few-shot and CPU-scale runs).
std::vector<std::int64_t> trainingRows(const Recommender& model, const config::TrainConfig& train,
                                       std::uint64_t seed) {
    const std::int64_t n = model.splitSize("train");
    std::vector<std::int64_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0);
    if (train.maxTrainRows && *train.maxTrainRows < n) {
        std::mt19937_64 rng(seed ^ 0x5eedf00dULL);
        std::shuffle(rows.begin(), rows.end(), rng);
        rows.resize(*train.maxTrainRows);
        std::sort(rows.begin(), rows.end());
    }
    return rows;
}

at::Tensor labelsOf(const Recommender& model, const std::vector<std::int64_t>& batch) {
    at::Tensor labels = at::empty({static_cast<std::int64_t>(batch.size())}, at::kFloat);
    float* p = labels.data_ptr<float>();
    for (std::size_t i = 0; i < batch.size(); ++i) p[i] = static_cast<float>(model.rowMeta("train", batch[i]).label);
    return labels;
}

}  // namespace

TrainOutcome trainModel(const TrainerSetup& setup, const std::optional<Checkpoint>& resume) {
    const auto& cfg = *setup.config;
    const auto& tc = cfg.train;
    Recommender& model = *setup.model;
    RunStore& store = *setup.store;
    TrainOutcome outcome;

    auto groups = model.parameterGroups();
    if (groups.empty()) return outcome;  // nothing to train (zero-shot)
    AdamOptimizer optimizer(groups);

    const std::uint64_t seed = static_cast<std::uint64_t>(cfg.seed);
    const auto rows = trainingRows(model, tc, seed);
    GLR_CHECK(!rows.empty(), "the train split has no rows");
    const std::int64_t batchesPerEpoch = (static_cast<std::int64_t>(rows.size()) + tc.batchSize - 1) / tc.batchSize;
    const std::int64_t stepsPerEpoch = (batchesPerEpoch + tc.gradAccum - 1) / tc.gradAccum;
    const std::int64_t totalSteps = tc.maxSteps ? *tc.maxSteps : stepsPerEpoch * tc.epochs;
    const std::int64_t maxEpochs = tc.maxSteps ? std::numeric_limits<std::int64_t>::max() : tc.epochs;

    const at::Device runDevice = parseDevice(cfg.model.device);
    TrainingPosition pos;
    pos.configHash = cfg.hash;
    if (resume) {
        if (!resume->position.configHash.empty() && resume->position.configHash != cfg.hash)
            failInput("cannot resume: the checkpoint was written under config {} but the run's config is {}",
                      resume->position.configHash.substr(0, 12), cfg.hash.substr(0, 12));
        model.loadTrainableState(resume->parameters);
        optimizer.loadState(resume->optimizerState);
        restoreCpuRngState(resume->cpuRngState);
        restoreDeviceRngState(runDevice, resume->deviceRngState);
        pos = resume->position;
    } else {
        at::manual_seed(cfg.seed);
    }
    // Steps past the position are about to be trained (again): points a killed process stored
    // for them would otherwise appear twice in the run's curves.
    store.discardMetricsAfter(setup.runId, pos.step);

    auto checkpointNow = [&](const TrainingPosition& p) {
        Checkpoint cp;
        cp.position = p;
        cp.parameters = model.trainableState();
        cp.optimizerState = optimizer.state();
        cp.cpuRngState = captureCpuRngState();
        cp.deviceRngState = captureDeviceRngState(runDevice);
        saveCheckpoint(setup.checkpointPath, cp);
    };

    std::vector<double> stepTimes;
    std::int64_t tokensSinceReport = 0;
    double timeSinceReport = 0;
    double lastLoss = 0;
    ProgressSnapshot snap;
    snap.runId = setup.runId;
    snap.totalSteps = totalSteps;
    const auto wallStart = Clock::now();
    std::vector<MetricPoint> pending;  // flushed to the store in batches (one transaction each)
    auto flush = [&] {
        if (!pending.empty()) {
            store.appendMetrics(setup.runId, pending);
            pending.clear();
        }
        store.heartbeat(setup.runId);
    };

    std::int64_t lastValidatedStep = -1;
    // Returns "stop early". With a stop already requested, the validation runs to its end: it
    // belongs to a step whose update is applied, and the checkpoint after it must hold its result.
    auto validate = [&](std::int64_t step, double epochF, bool stopRequested) -> bool {
        lastValidatedStep = step;
        flush();
        snap.phase = "eval";
        snap.message = fmt::format("validating at step {}{}", step, stopRequested ? " before stopping" : "");
        if (setup.progress && !setup.progress(snap) && !stopRequested) throw Cancelled();
        const auto evalRows = evaluationRows(model, setup.validSplit, cfg.eval.maxRows.value_or(0), seed);
        auto scores = scoreRows(model, setup.validSplit, evalRows, cfg.eval.batchSize, [&](std::int64_t done, std::int64_t total) {
            snap.message = fmt::format("validating at step {}{}: {}/{} rows", step, stopRequested ? " before stopping" : "",
                                       done, total);
            return !setup.progress || setup.progress(snap) || stopRequested;
        });
        const double auc = validationAuc(scores);
        store.appendMetrics(setup.runId, {{step, epochF, "valid", "auc", auc, 0}});
        snap.metrics["valid/auc"] = auc;
        if (auc > pos.bestValidMetric) {
            pos.bestValidMetric = auc;
            pos.bestStep = step;
            pos.evalsWithoutImprovement = 0;
            Checkpoint best;
            best.position = pos;
            best.parameters = model.trainableState();
            saveCheckpoint(setup.bestCheckpointPath, best);
        } else {
            ++pos.evalsWithoutImprovement;
        }
        snap.phase = "train";
        return tc.earlyStopPatience > 0 && pos.evalsWithoutImprovement >= tc.earlyStopPatience;
    };

    // Step k is queued before step k-1's loss is read: the host prepares batch k+1 (prompts,
    // uploads, the 1-hop subgraph) while the device still runs step k, and the read (the NaN
    // check) waits only for step k-1, done by then. What must see a settled loss (validation,
    // checkpoints, a stop) settles the last step first, so no checkpoint holds an update that
    // followed a non-finite loss. Progress reports run one step behind.
    struct QueuedStep {
        at::Tensor lossSum;  // fp64 [] on the run's device, unread
        std::int64_t step = 0, epoch = 0, firstBatch = 0, lastBatch = 0, microBatches = 0;
        double epochF = 0, learningRate = 0;
    };
    std::optional<QueuedStep> unread;
    auto settle = [&]() -> bool {  // false: nothing was queued
        if (!unread) return false;
        const QueuedStep q = std::move(*unread);
        unread.reset();
        const double lossSum = q.lossSum.item<double>();
        // A non-finite loss ends the run here; the updates it fed stay in memory only (no
        // checkpoint is written after them), so resuming starts from the last good state.
        if (!std::isfinite(lossSum))
            fail("training loss is {} at step {} (epoch {}, batches {}–{}); stopping. Lower train.lr or check the data.",
                 lossSum, q.step, q.epoch, q.firstBatch, q.lastBatch);
        lastLoss = lossSum / static_cast<double>(q.microBatches);
        pending.push_back({q.step, q.epochF, "train", "loss", lastLoss, 0});
        pending.push_back({q.step, q.epochF, "train", "lr", q.learningRate, 0});
        snap.phase = "train";
        snap.step = q.step;
        snap.epoch = q.epochF;
        snap.trainLoss = lastLoss;
        snap.learningRate = q.learningRate;
        snap.message = fmt::format("step {}/{}  loss {:.4f}", q.step, totalSteps, lastLoss);
        return true;
    };
    auto report = [&] { return !setup.progress || setup.progress(snap); };  // false: stop

    bool stop = false;
    std::int64_t microInStep = 0, firstBatchOfStep = 0;
    at::Tensor accumulatedLoss;  // fp64 [] on the run's device
    auto stepStart = Clock::now();
    for (std::int64_t epoch = pos.epoch; epoch < maxEpochs && !stop; ++epoch) {
        const auto batches = model.planBatches("train", rows, tc.batchSize, seed + 1000003ULL * epoch, true);
        const std::int64_t firstBatch = (epoch == pos.epoch) ? pos.batchInEpoch : 0;
        for (std::int64_t b = firstBatch; b < static_cast<std::int64_t>(batches.size()); ++b) {
            if (pos.step >= totalSteps) {
                stop = true;
                break;
            }
            const auto& batch = batches[b];
            at::Tensor logits = model.forward("train", batch, /*training=*/true);
            at::Tensor labels = gnn::uploadAsync(labelsOf(model, batch), logits.device());
            at::Tensor loss = at::binary_cross_entropy_with_logits(logits.to(at::kFloat), labels);
            (loss / static_cast<double>(tc.gradAccum)).backward();
            // Summed on the device and read once the next step is queued (settle): no host sync
            // inside a step, and none that waits for the step just queued.
            const at::Tensor lossDouble = loss.detach().to(at::kDouble);
            accumulatedLoss = accumulatedLoss.defined() ? accumulatedLoss + lossDouble : lossDouble;
            if (microInStep == 0) firstBatchOfStep = b;
            tokensSinceReport += model.workUnits("train", batch);
            ++microInStep;
            const bool lastOfEpoch = b + 1 == static_cast<std::int64_t>(batches.size());
            if (microInStep < tc.gradAccum && !lastOfEpoch) continue;

            const double scale = learningRateScale(config::toString(tc.schedule), pos.step, tc.warmupSteps, totalSteps);
            if (tc.maxGradNorm) clipGradNorm(groups, *tc.maxGradNorm);
            optimizer.step(scale);
            optimizer.zeroGrad();
            const double epochF = double(epoch) + double(b + 1) / double(batches.size());
            QueuedStep queued{accumulatedLoss, pos.step + 1, epoch, firstBatchOfStep, b, microInStep, epochF, tc.lr * scale};
            const bool settledPrevious = settle();
            unread = std::move(queued);
            ++pos.step;
            accumulatedLoss = at::Tensor();
            microInStep = 0;
            pos.epoch = epoch;
            pos.batchInEpoch = b + 1;

            const auto now = Clock::now();
            const double dt = seconds(stepStart, now);
            stepStart = now;
            stepTimes.push_back(dt);
            timeSinceReport += dt;
            snap.phase = "train";
            snap.elapsedSeconds = setup.startedAtSeconds + seconds(wallStart, now);
            if (timeSinceReport > 0) snap.tokensPerSecond = double(tokensSinceReport) / timeSinceReport;
            if (timeSinceReport > 2.0) {
                pending.push_back({pos.step, epochF, "train", "tokens_per_s", snap.tokensPerSecond, 0});
                tokensSinceReport = 0;
                timeSinceReport = 0;
            }
            {
                std::vector<double> recent(stepTimes.end() - std::min<std::size_t>(stepTimes.size(), 20), stepTimes.end());
                const double mean = std::accumulate(recent.begin(), recent.end(), 0.0) / double(recent.size());
                snap.etaSeconds = mean * double(totalSteps - pos.step);
            }
            if (pending.size() >= 64) flush();

            const bool evalDue = tc.evalEvery > 0 && pos.step % tc.evalEvery == 0;
            const bool finalStep = pos.step >= totalSteps;
            // A stop asked for in the previous step's report still lets this step (queued, its
            // update applied) finish what it owes: its validation, if due, and a checkpoint.
            bool stopRequested = settledPrevious && !report();
            const bool checkpointed = evalDue || finalStep;
            if (checkpointed) {
                settle();
                if (validate(pos.step, epochF, stopRequested)) {
                    outcome.earlyStopped = true;
                    stop = true;
                }
                checkpointNow(pos);
                if (stop) break;
                stepStart = Clock::now();  // step times exclude validation and checkpointing
                if (!stopRequested) stopRequested = !report();
            }
            if (stopRequested) {
                settle();
                flush();
                if (!checkpointed) checkpointNow(pos);
                outcome.cancelled = true;
                outcome.steps = pos.step;
                return outcome;
            }
            if (finalStep) {
                stop = true;
                break;
            }
        }
        if (!stop) {
            pos.epoch = epoch + 1;
            pos.batchInEpoch = 0;
        }
    }
    settle();
    // A run whose last step was not a validation step still selects on its final state.
    if (lastValidatedStep != pos.step && pos.bestStep != pos.step && !outcome.earlyStopped && !outcome.cancelled) {
        validate(pos.step, double(pos.epoch), false);
        checkpointNow(pos);
    }
    flush();
    outcome.steps = pos.step;
    outcome.bestValidAuc = pos.bestValidMetric;
    outcome.bestStep = pos.bestStep;
    if (!stepTimes.empty()) {
        std::vector<double> sorted = stepTimes;
        std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
        outcome.medianStepSeconds = sorted[sorted.size() / 2];
    }
    return outcome;
}

}  // namespace glr
