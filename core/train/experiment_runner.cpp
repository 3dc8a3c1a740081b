#include "train/experiment_runner.h"

#include <filesystem>
#include <unordered_map>

#include <ATen/detail/CUDAHooksInterface.h>

#include "config/experiment_config.h"
#include "data/split_dataset.h"
#include "dist/communicator.h"
#include "eval/metrics.h"
#include "model/compat.h"
#include "store/run_store.h"
#include "train/data_parallel.h"
#include "train/evaluator.h"
#include "train/recommender_factory.h"
#include "train/trainer.h"
#include "util/error.h"

namespace glr {

namespace fs = std::filesystem;
using store::RunStatus;

namespace {

config::ExperimentConfig configOf(const RunRequest& request) {
    if (!request.configPath.empty()) return config::loadExperimentConfig(request.configPath, request.overrides);
    GLR_CHECK(!request.configJson.empty(), "run request has neither a config file nor an inline config");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(request.configJson);
    } catch (const nlohmann::json::exception& e) {
        failInput("inline config is not valid JSON ({})", e.what());
    }
    for (const auto& o : request.overrides) config::applyOverride(json, o);
    return config::parseExperimentConfig(json, request.baseDir, "config");
}

std::string artifactsDirFor(const RunRequest& request, const std::string& storePath, std::int64_t runId) {
    if (!request.artifactsDir.empty()) return request.artifactsDir;
    return (fs::path(store::artifactsRoot(storePath)) / ("run-" + std::to_string(runId))).string();
}

std::string validationSplit(const config::ExperimentConfig& cfg, const data::SplitDataset& dataset) {
    if (cfg.data.validSplit == "valid_small" && !dataset.hasValidSmall()) return "valid";
    return cfg.data.validSplit;
}

std::vector<store::ResultRow> evaluationResults(const SplitScores& scores,
                                                const std::unordered_map<std::int64_t, std::int64_t>& degree) {
    std::vector<eval::ScoredRow> rows;
    rows.reserve(scores.rows.size());
    for (std::size_t i = 0; i < scores.rows.size(); ++i)
        rows.push_back({scores.rows[i].uid, scores.rows[i].label, scores.scores[i], scores.rows[i].notCold});
    auto report = eval::evaluate(rows, degree);
    std::vector<store::ResultRow> out;
    for (const auto& r : report.records()) out.push_back({0, scores.split, r.subset, r.metric, r.value, r.rows});
    const auto n = static_cast<std::int64_t>(scores.rows.size());
    out.push_back({0, scores.split, "all", "inference_seconds", scores.seconds, n});
    if (scores.seconds > 0)
        out.push_back({0, scores.split, "all", "inference_units_per_s", double(scores.workUnits) / scores.seconds, n});
    return out;
}

// What rank 0 tells the other ranks before the run starts (the "run" key of the rendezvous).
struct RunAnnouncement {
    std::int64_t runId = 0;
    nlohmann::json config;        // canonical
    std::string dir;              // artifacts
    std::string resumeCheckpoint; // "" when starting from step 0
    std::string error;            // set instead of the rest when the run could not start
};

void announce(dist::Communicator& comm, const RunAnnouncement& a) {
    if (comm.worldSize() == 1) return;
    nlohmann::json j = a.error.empty() ? nlohmann::json{{"run_id", a.runId}, {"config", a.config}, {"dir", a.dir},
                                                        {"resume_checkpoint", a.resumeCheckpoint}}
                                       : nlohmann::json{{"error", a.error}};
    comm.publish("run", j.dump());
}

// Everything a rank does once the run exists, whichever rank it is: build the model, train, score
// the evaluation splits. Rank 0 (the one with a store) records what happens.
struct RunContext {
    const config::ExperimentConfig* cfg = nullptr;
    store::RunStore* store = nullptr;  // rank 0 only
    dist::Communicator* comm = nullptr;
    std::int64_t runId = 0;
    std::string dir;
    std::optional<Checkpoint> resume;
    double elapsedBefore = 0;
    std::optional<std::int64_t> stopAtStep;
    int localRank = 0;
};

// With several ranks and model.device "cuda" (no index), each rank takes a GPU of its machine:
// cuda:<local rank mod GPUs>. The config (and its hash) keep "cuda": placement is not the run's math.
config::ExperimentConfig placedOnThisRank(const config::ExperimentConfig& cfg, const dist::Communicator& comm, int localRank) {
    config::ExperimentConfig placed = cfg;
    if (comm.worldSize() == 1 || cfg.model.device != "cuda") return placed;  // asks the driver nothing
    const int gpus = static_cast<int>(at::detail::getCUDAHooks().getNumGPUs());
    if (gpus > 1) placed.model.device = fmt::format("cuda:{}", localRank % gpus);
    return placed;
}

RunOutcome trainAndEvaluate(const RunContext& ctx, const ProgressCallback& progress) {
    const config::ExperimentConfig cfg = placedOnThisRank(*ctx.cfg, *ctx.comm, ctx.localRank);
    store::RunStore* store = ctx.store;
    dist::Communicator& comm = *ctx.comm;
    const std::string& dir = ctx.dir;
    const std::int64_t runId = ctx.runId;
    RunOutcome outcome;
    outcome.runId = runId;
    ProgressSnapshot snap;
    snap.runId = runId;
    auto report = [&](const std::string& phase, const std::string& message) {
        snap.phase = phase;
        snap.message = message;
        if (progress && !progress(snap) && comm.worldSize() == 1) throw Cancelled();
    };

    fs::create_directories(dir);
    report("setup", "loading data from " + cfg.data.dir);
    if (cfg.data.dir.empty()) failInput("data.dir is not set: point it at a prepared split directory");
    auto dataset = std::make_shared<const data::SplitDataset>(data::SplitDataset::load(cfg.data.dir));
    if (config::isLlmMethod(cfg.method.name) && !cfg.model.checkpoint && comm.isLeader())
        report("note", fmt::format("model.checkpoint is not set: a {}-shaped model with RANDOM weights (and, unless model.tokenizer is set, a "
                                   "byte-level tokenizer) exercises the pipeline; it does not measure an LLM. "
                                   "Use --set model.checkpoint=PATH for a real one.", cfg.model.shape));
    report("setup", "building " + config::toString(cfg.method.name));
    auto model = makeRecommender(cfg, dataset);
    report("setup", comm.worldSize() > 1 ? fmt::format("{} (data-parallel: {} ranks)", model->describe(), comm.worldSize())
                                         : model->describe());

    TrainerSetup setup;
    setup.config = &cfg;
    setup.model = model.get();
    setup.store = store;
    setup.communicator = &comm;
    setup.runId = runId;
    setup.checkpointPath = (fs::path(dir) / "checkpoint.safetensors").string();
    setup.bestCheckpointPath = (fs::path(dir) / "best.safetensors").string();
    setup.validSplit = validationSplit(cfg, *dataset);
    setup.progress = progress;
    setup.startedAtSeconds = ctx.elapsedBefore;
    setup.stopAtStep = ctx.stopAtStep;
    if (store) store->addArtifact(runId, "checkpoint", setup.checkpointPath);

    auto trained = trainModel(setup, ctx.resume);
    if (trained.cancelled) {
        if (store) store->setStatus(runId, RunStatus::Interrupted, fmt::format("stopped at step {}; resumable", trained.steps));
        outcome.status = "interrupted";
        return outcome;
    }
    comm.barrier();  // rank 0 has written the best checkpoint
    if (fs::exists(setup.bestCheckpointPath)) {
        model->loadTrainableState(loadCheckpoint(setup.bestCheckpointPath).parameters);
        if (store) store->addArtifact(runId, "best_checkpoint", setup.bestCheckpointPath, trained.bestStep);
    }

    std::unordered_map<std::int64_t, std::int64_t> degree;
    for (const auto& row : dataset->train.rows) ++degree[row.uid];

    std::vector<store::ResultRow> results;
    const std::int64_t total = model->totalParameterCount();
    const std::int64_t trainable = model->trainableParameterCount();
    results.push_back({0, "model", "all", "params_total", double(total), 0});
    results.push_back({0, "model", "all", "params_trainable", double(trainable), 0});
    if (trained.steps > 0) {
        results.push_back({0, "train", "all", "step_seconds_median", trained.medianStepSeconds, trained.steps});
        results.push_back({0, "train", "all", "steps", double(trained.steps), trained.steps});
        results.push_back({0, "valid", "all", "best_auc", trained.bestValidAuc, 0});
        if (comm.worldSize() > 1) results.push_back({0, "train", "all", "data_parallel_ranks", double(comm.worldSize()), 0});
    }
    for (const auto& split : cfg.eval.splits) {
        const auto rows = evaluationRows(*model, split, cfg.eval.maxRows.value_or(0), static_cast<std::uint64_t>(cfg.seed));
        snap.phase = "test";
        auto scores = scoreRows(*model, split, rows, cfg.eval.batchSize, [&](std::int64_t done, std::int64_t all) {
            snap.message = fmt::format("scoring {}: {}/{}", split, done, all);
            return !progress || progress(snap);
        }, &comm);
        if (const std::string notes = model->runtimeNotes(); !notes.empty()) report("note", notes);
        if (!store) continue;
        auto splitResults = evaluationResults(scores, degree);
        results.insert(results.end(), splitResults.begin(), splitResults.end());
        std::vector<store::PredictionRow> predictions;
        predictions.reserve(scores.rows.size());
        for (std::size_t i = 0; i < scores.rows.size(); ++i)
            predictions.push_back({scores.rows[i].uid, scores.rows[i].iid, scores.rows[i].label, scores.scores[i],
                                   scores.rows[i].notCold});
        store->writePredictions(runId, split, predictions);
    }
    if (store) {
        store->writeResults(runId, results);
        for (const auto& [kind, path] : model->exportArtifacts(dir)) store->addArtifact(runId, kind, path);
        store->setStatus(runId, RunStatus::Finished);
        for (const auto& r : results) outcome.results.push_back({r.split, r.subset, r.metric, r.value, r.nRows});
    }
    outcome.status = "finished";
    snap.phase = "done";
    snap.message = "finished";
    if (progress) progress(snap);
    return outcome;
}

// Ranks 1… of a data-parallel run: the run as rank 0 announced it, no store.
RunOutcome followRun(dist::Communicator& comm, int localRank, const ProgressCallback& progress) {
    nlohmann::json announced;
    try {
        announced = nlohmann::json::parse(comm.await("run"));
    } catch (const nlohmann::json::exception& e) {
        fail("rank {}: rank 0's announcement of the run is not JSON ({})", comm.rank(), e.what());
    }
    if (announced.contains("error"))
        failInput("rank {}: the run did not start on rank 0: {}", comm.rank(), announced["error"].get<std::string>());
    RunContext ctx;
    const auto cfg = config::parseExperimentConfig(announced.at("config"), "", "rank 0's config");
    ctx.cfg = &cfg;
    ctx.comm = &comm;
    ctx.localRank = localRank;
    ctx.runId = announced.at("run_id").get<std::int64_t>();
    ctx.dir = announced.at("dir").get<std::string>();
    const std::string checkpoint = announced.at("resume_checkpoint").get<std::string>();
    if (!checkpoint.empty()) ctx.resume = loadCheckpoint(checkpoint);
    return trainAndEvaluate(ctx, progress);
}

}  // namespace

RunOutcome runExperiment(const RunRequest& request, const ProgressCallback& progress) {
    compat::prepareComputeThreads(request.threads);  // on the thread that runs it (CLI main, workbench worker)
    auto comm = dist::connect(request.dataParallel);
    if (!comm->isLeader()) return followRun(*comm, request.dataParallel.localRank, progress);

    const std::string storePath = request.storePath.empty() ? store::defaultStorePath() : request.storePath;
    config::ExperimentConfig cfg;
    std::optional<store::RunStore> openedStore;
    std::string resumeCheckpoint;  // the file a resumed run continues from
    RunContext ctx;
    ctx.comm = comm.get();
    ctx.stopAtStep = request.stopAtStep;
    ctx.localRank = request.dataParallel.localRank;
    try {
        openedStore.emplace(storePath);
        store::RunStore& store = *openedStore;
        if (request.resumeRunId) {
            ctx.runId = *request.resumeRunId;
            auto record = store.getRun(ctx.runId);
            if (record.status == RunStatus::Finished)
                failInput("run {} has already finished; nothing to resume", ctx.runId);
            if (record.status == RunStatus::Running)
                failInput("run {} is still running (pid {}); stop it before resuming", ctx.runId, record.pid);
            cfg = config::parseExperimentConfig(record.config(), "", fmt::format("run {}", ctx.runId));
            checkDataParallelConfig(cfg, comm->worldSize());
            auto checkpoints = store.artifacts(ctx.runId, "checkpoint");
            if (!checkpoints.empty() && fs::exists(checkpoints.back().path)) {
                resumeCheckpoint = checkpoints.back().path;
                try {
                    ctx.resume = loadCheckpoint(resumeCheckpoint);
                } catch (const InputError& e) {
                    failInput("cannot resume run {}: {}. Without that file, --resume starts the run over from step 0",
                              ctx.runId, e.what());
                }
            }
        } else {
            cfg = configOf(request);
            checkDataParallelConfig(cfg, comm->worldSize());
            auto newRun = store::NewRun::fromConfig(cfg, compat::torchVersion());
            newRun.status = RunStatus::Queued;
            newRun.sweepId = request.sweepId;
            if (!request.sweepParamsJson.empty()) newRun.sweepParams = nlohmann::json::parse(request.sweepParamsJson);
            ctx.runId = store.createRun(newRun);
        }
        ctx.dir = artifactsDirFor(request, storePath, ctx.runId);
        // A resumed run keeps writing where it started (a store from before the current layout).
        if (ctx.resume && request.artifactsDir.empty()) ctx.dir = fs::path(resumeCheckpoint).parent_path().string();
    } catch (const std::exception& e) {
        RunAnnouncement failed;
        failed.error = e.what();
        announce(*comm, failed);
        throw;
    }
    store::RunStore& store = *openedStore;
    ctx.cfg = &cfg;
    ctx.store = &store;
    {
        RunAnnouncement started;
        started.runId = ctx.runId;
        started.config = cfg.canonical;
        started.dir = ctx.dir;
        if (ctx.resume) started.resumeCheckpoint = resumeCheckpoint;
        announce(*comm, started);
    }

    store.setStatus(ctx.runId, RunStatus::Running);
    try {
        return trainAndEvaluate(ctx, progress);
    } catch (const Cancelled&) {
        store.setStatus(ctx.runId, RunStatus::Interrupted, "stopped by the user; resumable");
        RunOutcome outcome;
        outcome.runId = ctx.runId;
        outcome.status = "interrupted";
        return outcome;
    } catch (const std::exception& e) {
        try {
            store.setStatus(ctx.runId, RunStatus::Failed, e.what());
        } catch (const std::exception&) {
            // The store cannot take the failure either (a full disk fails both): report the first
            // error. The run shows as interrupted once its process is gone, and resumes.
        }
        throw;
    }
}

}  // namespace glr
