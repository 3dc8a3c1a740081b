#include "train/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

#include "config/experiment_config.h"
#include "dist/communicator.h"
#include "gnn/device_upload.h"
#include "model/loader.h"
#include "store/run_store.h"
#include "train/data_parallel.h"
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

// Rank r > 0 of a data-parallel run draws its dropout masks from a generator of its own.
std::uint64_t rankSeed(std::int64_t seed, int rank) {
    return static_cast<std::uint64_t>(seed) ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(rank));
}

}  // namespace

TrainOutcome trainModel(const TrainerSetup& setup, const std::optional<Checkpoint>& resume) {
    const auto& cfg = *setup.config;
    const auto& tc = cfg.train;
    Recommender& model = *setup.model;
    RunStore* store = setup.store;
    auto onlyProcess = dist::singleProcess();
    dist::Communicator& comm = setup.communicator ? *setup.communicator : *onlyProcess;
    const int world = comm.worldSize();
    const int rank = comm.rank();
    GLR_CHECK(!comm.isLeader() || store, "trainer: rank 0 needs the store");
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
        if (rank == 0) {
            restoreCpuRngState(resume->cpuRngState);
            restoreDeviceRngState(runDevice, resume->deviceRngState);
        } else {
            // A checkpoint from a run with fewer ranks has no state for this one: a fresh stream.
            auto cpuState = resume->peerCpuRngStates.find(rank);
            if (cpuState == resume->peerCpuRngStates.end())
                at::manual_seed(rankSeed(cfg.seed, rank) + static_cast<std::uint64_t>(resume->position.step));
            else
                restoreCpuRngState(cpuState->second);
            auto deviceState = resume->peerDeviceRngStates.find(rank);
            if (deviceState != resume->peerDeviceRngStates.end()) restoreDeviceRngState(runDevice, deviceState->second);
        }
        pos = resume->position;
    } else {
        at::manual_seed(rank == 0 ? static_cast<std::uint64_t>(cfg.seed) : rankSeed(cfg.seed, rank));
    }
    broadcastParameters(groups, comm);
    // Steps past the position are about to be trained (again): points a killed process stored
    // for them would otherwise appear twice in the run's curves.
    if (store) store->discardMetricsAfter(setup.runId, pos.step);

    // Every rank calls it (their generator states are gathered); rank 0 writes the file.
    auto checkpointNow = [&](const TrainingPosition& p) {
        Checkpoint cp;
        cp.cpuRngState = captureCpuRngState();
        cp.deviceRngState = captureDeviceRngState(runDevice);
        if (world > 1) {
            const auto cpuStates = comm.allGather(cp.cpuRngState);
            for (int r = 1; r < world; ++r) cp.peerCpuRngStates[r] = cpuStates[static_cast<std::size_t>(r)];
            if (cp.deviceRngState.defined()) {
                const auto deviceStates = comm.allGather(cp.deviceRngState.to(at::kCPU));
                for (int r = 1; r < world; ++r) cp.peerDeviceRngStates[r] = deviceStates[static_cast<std::size_t>(r)];
            }
        }
        if (!comm.isLeader()) return;
        cp.position = p;
        cp.parameters = model.trainableState();
        cp.optimizerState = optimizer.state();
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
        if (!store) {
            pending.clear();
            return;
        }
        if (!pending.empty()) {
            store->appendMetrics(setup.runId, pending);
            pending.clear();
        }
        store->heartbeat(setup.runId);
    };

    std::int64_t lastValidatedStep = -1;
    // Returns "stop early". With a stop already requested, the validation runs to its end: it
    // belongs to a step whose update is applied, and the checkpoint after it must hold its result.
    auto validate = [&](std::int64_t step, double epochF, bool stopRequested) -> bool {
        lastValidatedStep = step;
        flush();
        snap.phase = "eval";
        snap.message = fmt::format("validating at step {}{}", step, stopRequested ? " before stopping" : "");
        // Ranks stop together, at a step boundary (below): one cannot leave a validation alone.
        if (setup.progress && !setup.progress(snap) && !stopRequested && world == 1) throw Cancelled();
        const auto evalRows = evaluationRows(model, setup.validSplit, cfg.eval.maxRows.value_or(0), seed);
        auto scores = scoreRows(model, setup.validSplit, evalRows, cfg.eval.batchSize, [&](std::int64_t done, std::int64_t total) {
            snap.message = fmt::format("validating at step {}{}: {}/{} rows", step, stopRequested ? " before stopping" : "",
                                       done, total);
            return !setup.progress || setup.progress(snap) || stopRequested;
        }, &comm);
        const double auc = validationAuc(scores);
        if (store) store->appendMetrics(setup.runId, {{step, epochF, "valid", "auc", auc, 0}});
        snap.metrics["valid/auc"] = auc;
        if (auc > pos.bestValidMetric) {
            pos.bestValidMetric = auc;
            pos.bestStep = step;
            pos.evalsWithoutImprovement = 0;
            if (comm.isLeader()) {
                Checkpoint best;
                best.position = pos;
                best.parameters = model.trainableState();
                saveCheckpoint(setup.bestCheckpointPath, best);
            }
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
        at::Tensor readout;  // fp64 [Σ loss] or [Σ loss, ‖g‖ before clipping] on the run's device, unread
        std::int64_t step = 0, epoch = 0, firstBatch = 0, lastBatch = 0, microBatches = 0;
        double epochF = 0, learningRate = 0;
    };
    std::optional<QueuedStep> unread;
    auto settle = [&]() -> bool {  // false: nothing was queued
        if (!unread) return false;
        const QueuedStep q = std::move(*unread);
        unread.reset();
        const at::Tensor values = q.readout.to(at::kCPU);  // one read: the step has run by now
        const double lossSum = values[0].item<double>();
        // A non-finite loss ends the run here; the updates it fed stay in memory only (no
        // checkpoint is written after them), so resuming starts from the last good state.
        if (!std::isfinite(lossSum)) {
            flush();  // the curve up to the last good step stays in the store, beside the failure
            fail("training loss is {} at step {} (epoch {}, batches {}–{}); stopping. Lower train.lr or check the data.",
                 lossSum, q.step, q.epoch, q.firstBatch, q.lastBatch);
        }
        lastLoss = lossSum / static_cast<double>(q.microBatches);
        pending.push_back({q.step, q.epochF, "train", "loss", lastLoss, 0});
        pending.push_back({q.step, q.epochF, "train", "lr", q.learningRate, 0});
        if (values.numel() > 1) pending.push_back({q.step, q.epochF, "train", "grad_norm", values[1].item<double>(), 0});
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
            // Data-parallel: micro-batch m of the step is rank (m mod W)'s (train/data_parallel.h).
            if (world == 1 || microInStep % world == rank) {
                at::Tensor logits = model.forward("train", batch, /*training=*/true);
                at::Tensor labels = gnn::uploadAsync(labelsOf(model, batch), logits.device());
                at::Tensor loss = at::binary_cross_entropy_with_logits(logits.to(at::kFloat), labels);
                (loss / static_cast<double>(tc.gradAccum)).backward();
                // Summed on the device and read once the next step is queued (settle): no host sync
                // inside a step, and none that waits for the step just queued.
                const at::Tensor lossDouble = loss.detach().to(at::kDouble);
                accumulatedLoss = accumulatedLoss.defined() ? accumulatedLoss + lossDouble : lossDouble;
            }
            if (microInStep == 0) firstBatchOfStep = b;
            tokensSinceReport += model.workUnits("train", batch);
            ++microInStep;
            const bool lastOfEpoch = b + 1 == static_cast<std::int64_t>(batches.size());
            if (microInStep < tc.gradAccum && !lastOfEpoch) continue;

            if (!accumulatedLoss.defined()) accumulatedLoss = at::zeros({}, at::TensorOptions().dtype(at::kDouble).device(runDevice));
            if (world > 1) {
                allReduceGradients(groups, comm);
                accumulatedLoss = accumulatedLoss.reshape({1});
                comm.allReduceSum(accumulatedLoss);
            }
            const double scale = learningRateScale(config::toString(tc.schedule), pos.step, tc.warmupSteps, totalSteps);
            at::Tensor gradNorm;
            if (tc.maxGradNorm) gradNorm = clipGradNorm(groups, *tc.maxGradNorm);
            optimizer.step(scale);
            optimizer.zeroGrad();
            const double epochF = double(epoch) + double(b + 1) / double(batches.size());
            at::Tensor readout = accumulatedLoss.reshape({1});
            if (gradNorm.defined()) readout = at::cat({readout, gradNorm.reshape({1}).to(readout.device())});
            QueuedStep queued{readout, pos.step + 1, epoch, firstBatchOfStep, b, microInStep, epochF, tc.lr * scale};
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
            if (setup.stopAtStep && pos.step >= *setup.stopAtStep && !finalStep) stopRequested = true;
            if (world > 1) stopRequested = comm.anyRank(stopRequested);
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
                if (world > 1) stopRequested = comm.anyRank(stopRequested);
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
