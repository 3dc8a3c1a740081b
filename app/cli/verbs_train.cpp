// graphlora run — headless experiments into the store, with a progress bar, Ctrl-C that
// stops cleanly (the run stays resumable) and a final metrics table.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>

#include "cli/child_processes.h"
#include "cli/verbs.h"
#include "dist/data_parallel_spec.h"
#include "model/compat.h"
#include "store/run_store.h"
#include "train/experiment_runner.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::cli {

namespace {

std::atomic<bool> gInterrupted{false};

extern "C" void onSigint(int) { gInterrupted = true; }

std::string formatDuration(double seconds) {
    if (seconds < 0) return "?";
    auto s = static_cast<long long>(seconds + 0.5);
    if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
    if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

// Redraws one status line on a terminal (at most 5 times a second); on a pipe or file prints a
// plain line every 10 s so logs stay readable.
class ProgressPrinter {
public:
    ProgressPrinter() : tty_(::isatty(STDERR_FILENO) != 0) {}
    bool operator()(const ProgressSnapshot& s) {
        const auto now = std::chrono::steady_clock::now();
        const double since = std::chrono::duration<double>(now - last_).count();
        if (s.phase == "note") {  // kept on its own line, never redrawn over
            std::fprintf(stderr, "%s[note] %s\n", tty_ ? "\r\033[K" : "", s.message.c_str());
            std::fflush(stderr);
            lastPhase_ = s.phase;
            return !gInterrupted.load();
        }
        const bool phaseChanged = s.phase != lastPhase_;
        if (phaseChanged || since >= (tty_ ? 0.2 : 10.0)) {
            last_ = now;
            lastPhase_ = s.phase;
            std::string line;
            if (s.phase == "train" && s.totalSteps > 0) {
                const int width = 24;
                const int filled = static_cast<int>(width * std::min(1.0, double(s.step) / double(s.totalSteps)));
                line = fmt::format("[{}{}] {}/{} loss {:.4f} lr {:.2e} {:.0f} tok/s ETA {}", std::string(filled, '#'),
                                   std::string(width - filled, '.'), s.step, s.totalSteps, s.trainLoss, s.learningRate,
                                   s.tokensPerSecond, formatDuration(s.etaSeconds));
                auto auc = s.metrics.find("valid/auc");
                if (auc != s.metrics.end()) line += fmt::format(" | valid AUC {:.4f}", auc->second);
            } else {
                line = fmt::format("[{}] {}", s.phase, s.message);
            }
            if (tty_)
                std::fprintf(stderr, "\r\033[K%s", line.c_str());
            else
                std::fprintf(stderr, "%s\n", line.c_str());
            std::fflush(stderr);
        }
        return !gInterrupted.load();
    }
    ~ProgressPrinter() {
        if (tty_) std::fprintf(stderr, "\n");
    }

private:
    bool tty_;
    std::chrono::steady_clock::time_point last_{};
    std::string lastPhase_;
};

void printOutcome(const RunOutcome& outcome) {
    if (outcome.status == "interrupted") {
        fmt::print(stderr, "run {} interrupted; continue it with: graphlora run --resume {}\n", outcome.runId, outcome.runId);
    } else {
        // Final metrics: one row per (split, subset), the main metrics as columns.
        const std::vector<std::string> metrics{"auc", "uauc", "uauc_weighted", "ndcg@10"};
        std::map<std::pair<std::string, std::string>, std::map<std::string, std::pair<double, std::int64_t>>> table;
        for (const auto& r : outcome.results)
            if (r.split != "model" && r.split != "train" && r.split != "valid") table[{r.split, r.subset}][r.metric] = {r.value, r.rows};
        fmt::print("{:<8} {:<14} {:>7} {:>8} {:>8} {:>8} {:>8}\n", "split", "subset", "rows", "AUC", "UAUC", "wUAUC", "NDCG@10");
        for (const auto& [key, values] : table) {
            if (!values.count("auc") && !values.count("uauc")) continue;
            std::int64_t rows = 0;
            std::string cells;
            for (const auto& m : metrics) {
                auto it = values.find(m);
                if (it != values.end()) rows = std::max(rows, it->second.second);
                cells += it == values.end() ? fmt::format(" {:>8}", "-") : fmt::format(" {:>8.4f}", it->second.first);
            }
            fmt::print("{:<8} {:<14} {:>7}{}\n", key.first, key.second, rows, cells);
        }
        for (const auto& r : outcome.results)
            if (r.split == "model" || r.split == "train")
                fmt::print("{}: {} = {}\n", r.split, r.metric, r.value);
    }
    fmt::print("run_id={}\n", outcome.runId);
}

struct RunArgs {
    std::string config;
    std::string db;
    std::vector<std::string> overrides;
    std::int64_t resume = 0;
    std::int64_t sweepId = 0;
    std::string sweepParams;
    int threads = 0;
    // Data-parallel (train/data_parallel.h): --nproc starts the ranks here; --rendezvous joins
    // ranks a launcher such as srun started, rank and world from the flags or the environment.
    int nproc = 1;
    std::string rendezvous;
    int rank = -1;
    int world = 0;
    int rankTimeout = 600;
    std::int64_t stopAtStep = 0;
};

dist::DataParallelSpec dataParallelSpec(const RunArgs& args) {
    dist::DataParallelSpec spec;
    if (args.rendezvous.empty()) {
        if (args.rank >= 0 || args.world > 0) throw InputError("run: --rank and --world need --rendezvous ADDRESS");
        return spec;
    }
    if (args.rank >= 0 || args.world > 0) {
        if (args.rank < 0 || args.world <= 0) throw InputError("run: give --rank and --world together");
        spec.rank = args.rank;
        spec.localRank = args.rank;
        spec.worldSize = args.world;
    } else if (auto fromEnvironment = dist::rankFromEnvironment()) {
        spec = *fromEnvironment;
    } else {
        throw InputError("run: --rendezvous needs this process's rank: --rank and --world, or GRAPHLORA_RANK and "
                         "GRAPHLORA_WORLD_SIZE, or srun's SLURM_PROCID and SLURM_NTASKS");
    }
    spec.rendezvous = dist::resolveRendezvous(args.rendezvous);
    spec.timeoutSeconds = args.rankTimeout;
    dist::validate(spec);
    return spec;
}

RunOutcome runOne(const RunArgs& args) {
    RunRequest request;
    request.dataParallel = dataParallelSpec(args);
    request.threads = args.threads;
    if (args.stopAtStep > 0) request.stopAtStep = args.stopAtStep;
    request.configPath = args.config;
    request.overrides = args.overrides;
    request.storePath = args.db.empty() ? store::defaultStorePath() : args.db;
    if (args.resume > 0) request.resumeRunId = args.resume;
    if (args.sweepId > 0) request.sweepId = args.sweepId;
    request.sweepParamsJson = args.sweepParams;
    gInterrupted = false;
    auto previous = std::signal(SIGINT, onSigint);
    std::signal(SIGTERM, onSigint);
    RunOutcome outcome;
    if (request.dataParallel.rank > 0) {  // rank 0 draws the progress; the others only stop with it
        outcome = runExperiment(request, [](const ProgressSnapshot&) { return !gInterrupted.load(); });
    } else {
        ProgressPrinter printer;
        outcome = runExperiment(request, [&printer](const ProgressSnapshot& s) { return printer(s); });
    }
    std::signal(SIGINT, previous);
    return outcome;
}

// --nproc N: ranks 1…N-1 as child processes of this one, which is rank 0, meeting through a
// rendezvous file of their own. A rank that fails makes the others fail at their next
// collective; the children are waited for, and stopped if rank 0 failed first.
RunOutcome runLocalRanks(const RunArgs& args) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() /
                         fmt::format("graphlora-ranks-{}-{}", ::getpid(), std::chrono::steady_clock::now().time_since_epoch().count());
    fs::create_directories(dir);
    const std::string address = "file://" + (dir / "rendezvous").string();
    const int threads = args.threads > 0 ? args.threads : threadsPerProcess(args.nproc);
    std::vector<pid_t> children;
    for (int r = 1; r < args.nproc; ++r)
        children.push_back(spawnSelf({"run", "--rank", std::to_string(r), "--world", std::to_string(args.nproc), "--rendezvous",
                                      address, "--threads", std::to_string(threads), "--rank-timeout",
                                      std::to_string(args.rankTimeout)}));
    auto waitForChildren = [&](bool stopThem) {
        std::vector<std::string> failures;
        for (std::size_t i = 0; i < children.size(); ++i) {
            if (stopThem) ::kill(children[i], SIGTERM);
            const ChildExit exit = waitForChild(children[i]);
            if (!exit.ok) failures.push_back(fmt::format("rank {} {}", i + 1, exit.how));
        }
        std::error_code ignored;
        fs::remove_all(dir, ignored);
        return failures;
    };
    RunArgs leader = args;
    leader.nproc = 1;
    leader.rank = 0;
    leader.world = args.nproc;
    leader.rendezvous = address;
    leader.threads = threads;
    RunOutcome outcome;
    try {
        outcome = runOne(leader);
    } catch (...) {
        waitForChildren(/*stopThem=*/true);
        throw;
    }
    const auto failures = waitForChildren(/*stopThem=*/outcome.status != "finished");
    if (outcome.status == "finished" && !failures.empty())
        fail("run {}: rank 0 finished but {}", outcome.runId, fmt::join(failures, ", "));
    return outcome;
}

}  // namespace

void registerTrainVerbs(CLI::App& app) {
    auto args = std::make_shared<RunArgs>();
    auto* run = app.add_subcommand("run", "Train and evaluate one experiment config into the store");
    run->add_option("CONFIG", args->config, "experiment config (JSON)");
    addDbOption(run, args->db);
    run->add_option("--set", args->overrides, "override a config key: key.path=value (repeatable)");
    run->add_option("--resume", args->resume, "continue an interrupted run by id");
    run->add_option("--threads", args->threads, "intra-op threads (default: all cores)");
    run->add_option("--nproc", args->nproc,
                    "train data-parallel over N processes on this machine (train.grad_accum must be a multiple of N)")
        ->check(CLI::Range(1, 1024));
    run->add_option("--rendezvous", args->rendezvous,
                    "join a data-parallel run started by a launcher (srun): file:///PATH, tcp://HOST:PORT, or env "
                    "(MASTER_ADDR, MASTER_PORT); rank and world from --rank/--world, GRAPHLORA_RANK/GRAPHLORA_WORLD_SIZE or "
                    "SLURM_PROCID/SLURM_NTASKS");
    run->add_option("--rank", args->rank, "this process's rank (with --rendezvous)")->check(CLI::NonNegativeNumber);
    run->add_option("--world", args->world, "the number of ranks (with --rendezvous)")->check(CLI::PositiveNumber);
    run->add_option("--rank-timeout", args->rankTimeout, "seconds a rank waits for the others before giving up (600)")
        ->check(CLI::PositiveNumber);
    run->add_option("--stop-at-step", args->stopAtStep,
                    "stop cleanly once N optimiser steps are done: checkpointed, resumable with --resume (a job's time slice)")
        ->check(CLI::PositiveNumber);
    run->add_option("--sweep-id", args->sweepId, "record the run in this sweep")->group("");
    run->add_option("--sweep-params", args->sweepParams, "the run's varied parameters (JSON)")->group("");
    run->callback([args] {
        if (args->nproc > 1 && (!args->rendezvous.empty() || args->rank >= 0 || args->world > 0))
            throw InputError("run: --nproc starts its own ranks; drop --rendezvous, --rank and --world");
        const bool follower = dataParallelSpec(*args).rank > 0;
        if (!follower && args->config.empty() && args->resume <= 0) throw InputError("run: give a CONFIG file or --resume RUN_ID");
        auto outcome = args->nproc > 1 ? runLocalRanks(*args) : runOne(*args);
        if (follower) {
            if (outcome.status == "interrupted") throw Cancelled();
            return;
        }
        printOutcome(outcome);
        if (outcome.status == "interrupted") throw Cancelled();
    });
}

}  // namespace glr::cli
