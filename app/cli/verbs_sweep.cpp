// graphlora sweep — a grid of runs grouped as one sweep in the store: trained here N at a time,
// completed after an interruption (--resume), or handed to Slurm as a job array (--slurm).
//
// Each grid point is its own `graphlora run` process, from its canonical config written beside
// the store with the sweep's list of points (points.json). Resuming and the array tasks read
// that list, not the sweep file, so they need neither the file nor its base config any more.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sys/wait.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <map>

#include "cli/child_processes.h"
#include "cli/verbs.h"
#include "config/sweep.h"
#include "store/run_store.h"
#include "store/sweep_resume.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::cli {

namespace {

namespace fs = std::filesystem;

struct SweepArgs {
    std::string sweep;
    std::string db;
    std::vector<std::string> overrides;
    int jobs = 1;
    std::int64_t resume = 0;
    std::vector<std::int64_t> points;
    bool retryFailed = false;
    std::string slurmScript;
    std::vector<std::string> slurmOptions;
};

struct PointJob {
    std::string label;
    std::vector<std::string> args;  // of `graphlora`
};

std::atomic<int> gStopSignal{0};
extern "C" void onStopSignal(int signal) { gStopSignal = signal; }

struct JobsOutcome {
    int failed = 0;
    int interrupted = 0;  // stopped cleanly (exit code 3): resumable
    bool stopped = false; // a signal stopped the jobs
};

void throwIfStopped(const JobsOutcome& ran, std::int64_t sweepId) {
    if (!ran.stopped) return;
    fmt::print(stderr, "sweep {} stopped; continue it with: graphlora sweep --resume {}\n", sweepId, sweepId);
    throw Cancelled();
}

// Runs the jobs `parallel` at a time. SIGINT or SIGTERM (Ctrl-C; Slurm's --signal before the
// time limit) is passed on to the running runs, which checkpoint and stop; no further job starts.
JobsOutcome runPointJobs(const std::vector<PointJob>& jobs, int parallel) {
    gStopSignal = 0;
    struct sigaction action {};
    action.sa_handler = onStopSignal;  // no SA_RESTART: waitpid returns EINTR to pass the signal on
    struct sigaction previousInt {}, previousTerm {};
    ::sigaction(SIGINT, &action, &previousInt);
    ::sigaction(SIGTERM, &action, &previousTerm);
    std::map<pid_t, const PointJob*> running;
    JobsOutcome outcome;
    int forwarded = 0;
    auto reapOne = [&] {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR && gStopSignal != 0 && forwarded != gStopSignal) {
                forwarded = gStopSignal;
                for (const auto& [child, job] : running) ::kill(child, forwarded);
            }
            return;
        }
        auto it = running.find(pid);
        if (it == running.end()) return;
        const ChildExit exit = exitOf(status);
        if (exit.code == 3)  // graphlora's exit code for a run stopped cleanly
            ++outcome.interrupted;
        else if (!exit.ok)
            ++outcome.failed;
        running.erase(it);
    };
    for (std::size_t i = 0; i < jobs.size() && gStopSignal == 0; ++i) {
        while (static_cast<int>(running.size()) >= std::max(1, parallel)) reapOne();
        if (gStopSignal != 0) break;
        fmt::print(stderr, "[{}/{}] {}\n", i + 1, jobs.size(), jobs[i].label);
        running.emplace(spawnSelf(jobs[i].args), &jobs[i]);
    }
    while (!running.empty()) reapOne();
    ::sigaction(SIGINT, &previousInt, nullptr);
    ::sigaction(SIGTERM, &previousTerm, nullptr);
    outcome.stopped = gStopSignal != 0;
    return outcome;
}

PointJob startJob(const store::SweepPointFile& point, const std::string& dbPath, std::int64_t sweepId,
                  const std::string& threads) {
    return {point.name, {"run", point.configFile, "--db", dbPath, "--sweep-id", std::to_string(sweepId),
                                "--sweep-params", point.params.dump(), "--threads", threads}};
}

// A job-array script whose task i completes grid point i (`sweep --resume ID --point i`): a task
// that Slurm requeues, or that is run again by hand, continues its point's run instead of
// starting another. SIGINT two minutes before the time limit lets the run checkpoint first.
std::string slurmScript(std::int64_t sweepId, const std::string& name, std::size_t points, int jobs, const fs::path& dir,
                        const std::string& dbPath, const std::vector<std::string>& options) {
    std::string s = "#!/bin/bash\n";
    s += fmt::format("# graphlora sweep {} '{}': {} runs as a Slurm job array, written by `graphlora sweep --slurm`.\n", sweepId,
                     name, points);
    s += "# Submit with `sbatch THIS_FILE`. A task that ends early (time limit, preemption, node failure) leaves its run\n"
         "# resumable; submitting again (or `scontrol requeue`) continues it. `graphlora sweep --resume " +
         std::to_string(sweepId) + "` on one machine completes whatever is left.\n";
    s += fmt::format("#SBATCH --job-name=graphlora-sweep-{}\n", sweepId);
    s += fmt::format("#SBATCH --array=0-{}{}\n", points - 1, jobs > 1 ? fmt::format("%{}", jobs) : std::string());
    s += fmt::format("#SBATCH --output={}/slurm-%A_%a.out\n", dir.string());
    s += "#SBATCH --signal=B:INT@120\n";
    for (const auto& option : options) s += "#SBATCH " + option + "\n";
    s += "set -euo pipefail\n";
    s += fmt::format("exec {} sweep --resume {} --point \"$SLURM_ARRAY_TASK_ID\" --db {}\n",
                     fs::canonical("/proc/self/exe").string(), sweepId, dbPath);
    return s;
}

void launchSweep(const SweepArgs& args) {
    auto spec = config::loadSweep(args.sweep, args.overrides);
    const std::string dbPath = fs::absolute(args.db.empty() ? store::defaultStorePath() : args.db).string();
    std::int64_t sweepId = 0;
    {
        store::RunStore store(dbPath);
        sweepId = store.createSweep(spec.name, spec.grid, nlohmann::json::parse(readFile(args.sweep)));
    }
    const fs::path dir = store::sweepDirectory(dbPath, sweepId);
    std::vector<std::pair<store::SweepPointFile, std::string>> pointsAndConfigs;
    for (const auto& run : spec.runs) pointsAndConfigs.push_back({{run.name, run.params, ""}, run.config.canonical.dump(2)});
    const auto points = store::writeSweepPoints(dir.string(), pointsAndConfigs);
    if (!args.slurmScript.empty()) {
        writeFileAtomic(args.slurmScript, slurmScript(sweepId, spec.name, points.size(), args.jobs, dir, dbPath, args.slurmOptions));
        fs::permissions(args.slurmScript, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add);
        fmt::print(stderr, "sweep {} '{}': {} runs as a Slurm job array in {} (submit with sbatch)\n", sweepId, spec.name,
                   points.size(), args.slurmScript);
        fmt::print("sweep_id={}\n", sweepId);
        return;
    }
    fmt::print(stderr, "sweep {} '{}': {} runs, {} at a time\n", sweepId, spec.name, points.size(), args.jobs);
    const std::string threads = std::to_string(threadsPerProcess(args.jobs));
    std::vector<PointJob> jobs;
    for (std::size_t i = 0; i < points.size(); ++i) jobs.push_back(startJob(points[i], dbPath, sweepId, threads));
    const auto ran = runPointJobs(jobs, args.jobs);
    fmt::print("sweep_id={}\n", sweepId);
    throwIfStopped(ran, sweepId);
    const int failures = ran.failed + ran.interrupted;
    if (failures > 0)
        fail("sweep {}: {} of {} runs failed (see `graphlora runs list --db {}`; `graphlora sweep --resume {} --retry-failed` "
             "runs them again)", sweepId, failures, points.size(), dbPath, sweepId);
}

void resumeSweep(const SweepArgs& args) {
    const std::string dbPath = fs::absolute(args.db.empty() ? store::defaultStorePath() : args.db).string();
    const std::int64_t sweepId = args.resume;
    std::vector<store::PointPlan> plans;
    std::vector<store::SweepPointFile> points;
    std::string name;
    {
        store::RunStore store(dbPath, {/*create=*/false});
        name = store.getSweep(sweepId).name;
        points = store::readSweepPoints(store::sweepDirectory(dbPath, sweepId), sweepId);
        std::vector<nlohmann::json> params;
        for (const auto& p : points) params.push_back(p.params);
        store::RunFilter filter;
        filter.sweepId = sweepId;
        plans = store::planSweepResume(params, store.listRuns(filter), args.retryFailed);
    }
    std::vector<std::size_t> chosen;
    for (auto index : args.points) {
        if (index < 0 || static_cast<std::size_t>(index) >= points.size())
            failInput("sweep {}: --point {} is outside 0..{}", sweepId, index, points.size() - 1);
        chosen.push_back(static_cast<std::size_t>(index));
    }
    if (chosen.empty())
        for (std::size_t i = 0; i < points.size(); ++i) chosen.push_back(i);

    std::map<store::PointAction, std::vector<std::string>> byAction;
    for (auto i : chosen) {
        const auto& plan = plans[i];
        byAction[plan.action].push_back(plan.runId ? fmt::format("{} (run {})", i, plan.runId) : std::to_string(i));
    }
    std::string summary;
    for (const auto& [action, which] : byAction)
        summary += fmt::format("{}{} {}: {}", summary.empty() ? "" : "; ", which.size(), store::toString(action), fmt::join(which, ", "));
    fmt::print(stderr, "sweep {} '{}', {} of {} points: {}\n", sweepId, name, chosen.size(), points.size(), summary);

    const std::string threads = std::to_string(threadsPerProcess(args.jobs));
    std::vector<PointJob> jobs;
    for (auto i : chosen) {
        const auto& plan = plans[i];
        if (plan.action == store::PointAction::Start)
            jobs.push_back(startJob(points[i], dbPath, sweepId, threads));
        else if (plan.action == store::PointAction::Resume)
            jobs.push_back({points[i].name + fmt::format(" (resuming run {})", plan.runId),
                            {"run", "--resume", std::to_string(plan.runId), "--db", dbPath, "--threads", threads}});
    }
    const auto ran = runPointJobs(jobs, args.jobs);
    fmt::print("sweep_id={}\n", sweepId);
    throwIfStopped(ran, sweepId);
    std::vector<std::string> unfinished;
    for (auto i : chosen) {
        if (plans[i].action == store::PointAction::Failed) unfinished.push_back(fmt::format("point {} failed as run {}", i, plans[i].runId));
        if (plans[i].action == store::PointAction::Running)
            unfinished.push_back(fmt::format("point {} is still running as run {} (a run whose process died on another "
                                             "machine counts as interrupted once its heartbeat is 30 min old)", i, plans[i].runId));
    }
    if (ran.failed > 0) unfinished.push_back(fmt::format("{} of the {} runs started now failed", ran.failed, jobs.size()));
    if (ran.interrupted > 0) unfinished.push_back(fmt::format("{} stopped before finishing (resumable)", ran.interrupted));
    if (!unfinished.empty())
        fail("sweep {} is not complete: {}{}", sweepId, fmt::join(unfinished, "; "),
             byAction.count(store::PointAction::Failed) ? " (--retry-failed resumes failed runs)" : "");
}

}  // namespace

void registerSweepVerbs(CLI::App& app) {
    auto args = std::make_shared<SweepArgs>();
    auto* sweep = app.add_subcommand("sweep", "Expand a sweep grid into runs grouped as one sweep, or complete one");
    sweep->add_option("SWEEP", args->sweep, "sweep definition (JSON: base, grid, set)");
    addDbOption(sweep, args->db);
    sweep->add_option("--set", args->overrides, "override a key of every run: key.path=value");
    sweep->add_option("--jobs", args->jobs, "runs trained at the same time (processes; with --slurm: array tasks at once)")
        ->check(CLI::PositiveNumber);
    sweep->add_option("--resume", args->resume,
                      "complete sweep ID: finished points are skipped, interrupted runs resumed, missing points started")
        ->check(CLI::PositiveNumber);
    sweep->add_option("--point", args->points, "with --resume: only these grid points (0-based; a Slurm array task's index)");
    sweep->add_flag("--retry-failed", args->retryFailed, "with --resume: resume failed runs too");
    sweep->add_option("--slurm", args->slurmScript,
                      "create the sweep and write a Slurm job-array script (one task per point) instead of running it");
    sweep->add_option("--slurm-option", args->slurmOptions,
                      "an #SBATCH line for the script, e.g. --slurm-option=--gres=gpu:1 (repeatable)");
    sweep->callback([args] {
        if (args->resume > 0) {
            if (!args->sweep.empty() || !args->overrides.empty() || !args->slurmScript.empty())
                throw InputError("sweep --resume ID takes no SWEEP file, --set or --slurm: the sweep's points are in the store");
            resumeSweep(*args);
            return;
        }
        if (args->sweep.empty()) throw InputError("sweep: give a SWEEP file, or --resume SWEEP_ID");
        if (!args->points.empty() || args->retryFailed) throw InputError("sweep: --point and --retry-failed go with --resume");
        if (args->slurmScript.empty() && !args->slurmOptions.empty()) throw InputError("sweep: --slurm-option needs --slurm FILE");
        launchSweep(*args);
    });
}

}  // namespace glr::cli
