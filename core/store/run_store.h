#pragma once
// The experiment store: one SQLite database file holding every run, its config, metric series,
// final results, per-row predictions, artifacts and sweeps.
//
// Durability: WAL journal, synchronous=NORMAL, foreign keys with ON DELETE CASCADE, a busy
// timeout so readers and one writer in other processes/threads coexist, every multi-row write in
// one transaction. A writer killed with SIGKILL leaves the file consistent: the last committed
// transaction is there, the interrupted one is not.
//
// Crashed runs: a run with status `running` whose process is gone (same host and kill(pid, 0)
// fails) or whose heartbeat is older than `staleAfterSeconds` is marked `interrupted` when a
// store is opened and whenever runs are listed (reapDeadRuns). Trainers call heartbeat()
// periodically (every step or every few seconds).
//
// Threads: one connection per RunStore object. A RunStore must be used from one thread at a
// time; the UI thread and the trainer thread each open their own RunStore on the same path.
// RunStore is movable, not copyable.
//
// Errors: glr::Error with the sqlite3_errmsg text and the database path; InputError for a bad
// path, a file that is not a database, a schema newer than this build, or an unknown run id.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace glr::config {
struct ExperimentConfig;
}

namespace glr::store {

enum class RunStatus { Queued, Running, Finished, Failed, Interrupted };
std::string toString(RunStatus status);           // "queued", "running", ...
RunStatus runStatusFromString(const std::string& name);  // throws InputError

// $GRAPHLORA_DB if set and non-empty, else "runs.sqlite" (current directory).
std::string defaultStorePath();

// Where the runs and sweeps of the store at `storePath` keep their files (checkpoints, adapters,
// a sweep's point configs): "<store dir>/<store name without extension>-artifacts", so that two
// stores in one folder never share a run's directory.
std::string artifactsRoot(const std::string& storePath);

// Seconds since the Unix epoch (with fractions), the unit of every time stored.
double nowSeconds();
// "2026-11-26T11:08:10Z" (UTC, whole seconds); "" for std::nullopt.
std::string formatTime(std::optional<double> unixSeconds);

struct RunRecord {
    std::int64_t id = 0;
    std::string name;
    std::string method;        // method.name
    std::string dataset;       // last component of data.dir, e.g. "ml1m-collm"
    RunStatus status = RunStatus::Queued;
    std::string configJson;    // canonical config
    std::string configHash;    // config::configHash
    std::string groupHash;     // config::configGroupHash (same experiment, any seed)
    std::int64_t seed = 0;
    std::string gitCommit;
    bool gitDirty = false;
    std::string torchVersion;
    std::string device;
    std::string host;
    double createdAt = 0;
    std::optional<double> startedAt, finishedAt;
    std::int64_t pid = 0;      // process that last set it running (0 = none)
    std::optional<double> heartbeatAt;
    std::vector<std::string> tags;
    std::string notes;
    std::string error;         // failure / interruption message
    std::optional<std::int64_t> sweepId;
    nlohmann::json sweepParams;  // varied parameters within its sweep (null when none)
    std::optional<std::int64_t> resumedFrom;  // run this one continues, if any

    nlohmann::json config() const;  // configJson parsed
};

// What createRun needs; the store adds git commit/dirty, host, times.
struct NewRun {
    std::string name;
    std::string method;
    std::string dataset;
    std::string configJson;
    std::string configHash;
    std::string groupHash;
    std::int64_t seed = 0;
    std::string torchVersion;  // passed in by the caller (the store does not link torch)
    std::string device;
    std::vector<std::string> tags;
    std::string notes;
    RunStatus status = RunStatus::Queued;
    std::optional<std::int64_t> sweepId;
    nlohmann::json sweepParams;   // recorded in the sweep membership when sweepId is set
    std::optional<std::int64_t> resumedFrom;

    // Fills name, method, dataset, config JSON, hashes, seed, device, tags and notes.
    static NewRun fromConfig(const config::ExperimentConfig& cfg, const std::string& torchVersion = "");
};

struct MetricPoint {
    std::int64_t step = 0;
    double epoch = 0;
    std::string split;   // "train", "valid", "test", ...
    std::string name;    // "loss", "auc", "uauc", "lr", "step_time", ...
    double value = 0;
    double wallTime = 0; // unix seconds; 0 = now at insertion
};

// Summary of one (split, name) series of a run, for run tables.
struct MetricSummary {
    std::string split, name;
    std::int64_t count = 0;
    double last = 0, min = 0, max = 0;
    std::int64_t lastStep = 0;
};

struct ResultRow {
    std::int64_t runId = 0;
    std::string split;   // "test", "valid", ...
    std::string subset;  // "all", "warm", "cold", "degree:0-4", ...
    std::string metric;  // "auc", "uauc", "uauc_weighted", "ndcg@10", "params_trainable", ...
    double value = 0;
    std::int64_t nRows = 0;
};

struct PredictionRow {
    std::int64_t uid = 0;
    std::int64_t iid = 0;
    int label = 0;
    double score = 0;
    bool notCold = false;
};

struct ArtifactRecord {
    std::int64_t id = 0;
    std::int64_t runId = 0;
    std::string kind;   // "checkpoint", "best_checkpoint", "adapter", "mf", ...
    std::string path;
    std::int64_t step = 0;
    double createdAt = 0;
};

struct SweepRecord {
    std::int64_t id = 0;
    std::string name;
    nlohmann::json grid;   // varied parameters: {"key.path": [values...]}
    nlohmann::json spec;   // the sweep document as given (may be null)
    double createdAt = 0;
    std::vector<std::int64_t> runIds;
};

struct RunFilter {
    std::optional<std::string> method, dataset, tag, nameContains;
    std::optional<RunStatus> status;
    std::optional<std::int64_t> sweepId;
    std::vector<std::int64_t> ids;  // empty = any
    int limit = 0;                  // 0 = no limit; newest first
};

struct OpenOptions {
    bool create = true;                // false: a missing file is an InputError
    bool reapDeadRuns = true;          // mark crashed runs interrupted on open
    double staleAfterSeconds = 1800;   // heartbeat age after which a running run is dead
    int busyTimeoutMs = 10000;
};

class RunStore {
public:
    RunStore();  // closed; call open()
    explicit RunStore(const std::string& path, const OpenOptions& options = {});
    ~RunStore();
    RunStore(RunStore&&) noexcept;
    RunStore& operator=(RunStore&&) noexcept;
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    // Opens (creating if allowed) and migrates the schema step by step, each step in a
    // transaction. Throws InputError for a bad path, a non-database file or a newer schema.
    void open(const std::string& path, const OpenOptions& options = {});
    void close();
    bool isOpen() const;
    const std::string& path() const;
    int schemaVersion() const;
    static int latestSchemaVersion();

    // ---- runs ----
    std::int64_t createRun(const NewRun& run);
    // Running: sets started_at (first time), pid = getpid(), heartbeat = now, clears error.
    // Finished/Failed/Interrupted: sets finished_at; `error` is stored (empty clears it).
    void setStatus(std::int64_t runId, RunStatus status, const std::string& error = "");
    void heartbeat(std::int64_t runId);
    // Marks dead running runs interrupted; returns how many were marked.
    int reapDeadRuns();
    std::optional<RunRecord> findRun(std::int64_t runId);
    RunRecord getRun(std::int64_t runId);  // InputError "run N not found in PATH"
    // Newest first. Reaps dead runs first (a store we cannot write to still lists).
    std::vector<RunRecord> listRuns(const RunFilter& filter = {});
    void renameRun(std::int64_t runId, const std::string& name);
    void setTags(std::int64_t runId, const std::vector<std::string>& tags);
    void setNotes(std::int64_t runId, const std::string& notes);
    void deleteRun(std::int64_t runId);  // cascades to metrics, results, predictions, artifacts

    // ---- metric series ----
    void appendMetrics(std::int64_t runId, const std::vector<MetricPoint>& points);  // one transaction
    void appendMetric(std::int64_t runId, const MetricPoint& point) { appendMetrics(runId, {point}); }
    // Ordered by step then insertion. Empty split/name = any. sinceStep: only step > sinceStep.
    std::vector<MetricPoint> metricSeries(std::int64_t runId, const std::string& split = "",
                                          const std::string& name = "",
                                          std::optional<std::int64_t> sinceStep = std::nullopt);
    // The series named "split/name" ("valid/auc"), one after another in the order given; every
    // series for no keys. Throws InputError for a key that is not split/name, or an unknown run.
    std::vector<MetricPoint> metricSeriesByKeys(std::int64_t runId, const std::vector<std::string>& keys);
    std::vector<MetricSummary> metricSummaries(std::int64_t runId);
    // Deletes the run's points past `step`; returns how many. A run that resumes from a
    // checkpoint at `step` (or starts over at 0) logs those steps again, and a process killed
    // between two checkpoints may have stored some of them already.
    std::int64_t discardMetricsAfter(std::int64_t runId, std::int64_t step);

    // ---- final results ----
    // Upserts on (run, split, subset, metric); rows' runId is ignored (runId is used).
    void writeResults(std::int64_t runId, const std::vector<ResultRow>& rows);
    // Rows of the given runs (empty = all runs), optionally one split; ordered by run, split,
    // subset, metric.
    std::vector<ResultRow> results(const std::vector<std::int64_t>& runIds = {},
                                   const std::string& split = "");

    // ---- predictions ----
    // Replaces the run's predictions for `split` in one transaction.
    void writePredictions(std::int64_t runId, const std::string& split,
                          const std::vector<PredictionRow>& rows);
    std::vector<PredictionRow> predictions(std::int64_t runId, const std::string& split);
    std::vector<std::string> predictionSplits(std::int64_t runId);

    // ---- artifacts ----
    // Records a file or directory of the run. The same (kind, path) again (a resumed run
    // registering its checkpoint) updates that record's step instead of adding another.
    std::int64_t addArtifact(std::int64_t runId, const std::string& kind, const std::string& path,
                             std::int64_t step = 0);
    std::vector<ArtifactRecord> artifacts(std::int64_t runId, const std::string& kind = "");

    // ---- sweeps ----
    std::int64_t createSweep(const std::string& name, const nlohmann::json& grid,
                             const nlohmann::json& spec = nullptr);
    void addRunToSweep(std::int64_t sweepId, std::int64_t runId, const nlohmann::json& params);
    std::vector<SweepRecord> listSweeps();
    SweepRecord getSweep(std::int64_t sweepId);

    // ---- moving runs between stores ----
    struct ImportReport {
        std::vector<std::pair<std::int64_t, std::int64_t>> imported;     // (id there, new id here)
        std::vector<std::pair<std::int64_t, std::int64_t>> alreadyHere;  // (id there, id here): imported before
        std::vector<std::int64_t> stillRunning;                          // ids there, not copied
        std::int64_t sweepsCreated = 0;
    };
    // Copies runs of the store at `sourcePath` (all, or `runIds`) with everything they recorded:
    // config, metric series, results, predictions, artifact records (paths as recorded there),
    // sweep membership (their sweeps are created here once) and resumed-from links, under new ids,
    // in one transaction. A run copied before (same creation time, host and config hash) is not
    // copied again; a run still running there is left out. The source is only read.
    ImportReport importRuns(const std::string& sourcePath, const std::vector<std::int64_t>& runIds = {});

    // Runs `fn` inside one transaction (BEGIN IMMEDIATE ... COMMIT, rollback on exception).
    // The store's own methods nest safely inside it.
    template <typename Fn>
    void transaction(Fn&& fn) {
        beginTransaction();
        try {
            fn();
        } catch (...) {
            rollbackTransaction();
            throw;
        }
        commitTransaction();
    }

    // "ok" or the problems PRAGMA integrity_check reports (used by tests and `runs doctor`).
    std::string integrityCheck();

private:
    void beginTransaction();
    void commitTransaction();
    void rollbackTransaction();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace glr::store
