#pragma once
// The one interface between the widgets and core (as qBittorrent's Session): it owns the worker
// thread that trains, the run queue, background data jobs and the store path. Widgets call its
// functions and listen to its signals; they never include core headers that do work.
//
// Threads: runs execute on the session's worker QThread, one at a time, in queue order. The
// worker reports through queued signals carrying RunProgress batches, at most ~5 per second
// (ProgressCoalescer), so the GUI never drowns whatever the training speed. Prepare jobs and
// dataset statistics run on the Qt thread pool. Store reads happen on the GUI thread (fast) or,
// for the full run list, on the pool (refreshRuns).
//
// Errors: every core exception ends here and becomes errorOccurred(message); functions that
// fail return false / an empty value.
//
// Stop / pause: stop() makes the trainer's progress callback return false: the trainer
// checkpoints, marks the run interrupted, and it can be resumed (resumeRun). pause() blocks the
// trainer inside its progress callback until resume() (or stop()).
//
// Shutdown (destructor): stop the run, requestInterruption → quit → wait.
#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <QThread>
#include <QTimer>
#include <QVector>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "session/core_access.h"
#include "session/run_worker.h"
#include "session/snapshots.h"
#include "session/store_access.h"

namespace glr::ui {

// What to run: a config file, or inline JSON (paths relative to baseDir), plus --set overrides.
struct RunSpec {
    QString configPath;
    QString configJson;
    QString baseDir;
    QStringList overrides;
    QString label;  // shown in the queue; default: the config's name or file
    std::optional<qint64> resumeRunId;
    std::optional<qint64> sweepId;
    QString sweepParamsJson;
};

class WorkbenchSession : public QObject {
    Q_OBJECT
public:
    // runner: glr::runExperiment in the application; empty = this build cannot train (runs fail
    // with a message). minIntervalSeconds: the progress throttle.
    explicit WorkbenchSession(ExperimentRunner runner, QObject* parent = nullptr, double minIntervalSeconds = 0.2);
    ~WorkbenchSession() override;

    // ---- store ----
    bool openStore(const QString& path);  // creates the file when missing
    QString storePath() const { return storePath_; }
    bool hasStore() const { return !storePath_.isEmpty(); }

    // Reads (GUI thread, one persistent connection). On error: errorOccurred and an empty value.
    QVector<RunSummary> runs();  // loads now (and refreshes the cache)
    // The run list as last loaded (runs() or refreshRuns()); loads once when nothing is cached.
    const QVector<RunSummary>& cachedRuns();
    std::optional<RunSummary> run(qint64 runId);
    QStringList seriesKeys(qint64 runId);
    QVector<SeriesPoint> series(qint64 runId, const QString& key);
    QVector<ResultEntry> results(const QVector<qint64>& runIds, const QString& split = QString());
    QVector<SweepSummary> sweeps();
    std::optional<ResultsGrid> resultsGrid(const ResultsTableRequest& request);
    std::optional<QString> resultsTable(const ResultsTableRequest& request, TableExportFormat format);
    std::optional<QString> longResultsCsv(const QVector<qint64>& runIds);
    std::optional<QString> seriesCsv(const QVector<qint64>& runIds, const QStringList& keys);
    // Paired tests of pairs of runs (store::compareRuns, pooled over several pairs) on a pool
    // thread, as the bootstrap takes seconds: comparisonReady or comparisonFailed follows. A
    // request while one runs replaces any queued one.
    void compareRuns(const QVector<QPair<qint64, qint64>>& pairs, const QString& split, const QString& subset,
                     const QStringList& metrics = {QStringLiteral("auc"), QStringLiteral("uauc")});
    // Loads the run list on the thread pool; emits runsLoaded.
    void refreshRuns();

    bool renameRun(qint64 runId, const QString& name);
    bool setRunTags(qint64 runId, const QStringList& tags);
    bool deleteRun(qint64 runId);  // refuses the run that is training now

    // ---- runs ----
    bool canTrain() const { return static_cast<bool>(runner_); }
    // Returns the queue ticket (0 on error); starts at once when idle. front: run it next.
    qint64 enqueueRun(const RunSpec& spec, bool front = false);
    qint64 resumeRun(qint64 runId);          // queues the continuation of an interrupted run
    // Expands the sweep (core/config/sweep.h), records it in the store and queues every point.
    // Returns the sweep id, or nullopt (errorOccurred says why).
    std::optional<qint64> enqueueSweep(const QString& sweepJson, const QString& baseDir);
    // Queues what a sweep still lacks (core/store/sweep_resume.h), as `graphlora sweep --resume`
    // does: its interrupted runs resumed, its missing points started (those the queue already
    // holds are not queued twice); says how many points are done, running or failed. Returns the
    // number queued, nullopt on error (a sweep launched before its points were written down).
    std::optional<int> completeSweep(qint64 sweepId, bool retryFailed = false);
    bool removeQueued(qint64 ticket);
    void clearQueue();
    QVector<QueuedRun> queue() const;

    void stop();     // the current run: clean stop, resumable
    void stopAll();  // clear the queue, then stop
    void pause();
    void resume();
    bool isBusy() const { return busy_; }  // a run is executing
    bool isPaused() const { return control_.paused(); }
    std::optional<qint64> currentRunId() const;
    QString currentLabel() const { return currentLabel_; }

    // ---- data ----
    bool startPrepare(const QString& specJson, const QString& baseDir, const QString& outDir, bool overwrite);
    void cancelPrepare();
    bool isPreparing() const { return prepareWatcher_.isRunning(); }
    void computeStats(const QString& splitDir, const QString& tokenizer, const QString& domain);

    // ---- config (no state; errors reported) ----
    ConfigCheck checkConfig(const QString& json, const QString& baseDir) const;
    std::optional<QVector<PreviewTableView>> previewPrepare(const QString& specJson, const QString& baseDir,
                                                            QString* error = nullptr);

    // Blocks (with a running event loop) until no run executes or timeoutMs passes.
    bool waitUntilIdle(int timeoutMs);

signals:
    void storeOpened(const QString& path);
    void runsChanged();  // store contents changed: views should reload
    void runsLoaded(const QVector<glr::ui::RunSummary>& runs);
    void queueChanged();
    void runStarted(qint64 ticket, const QString& label);
    void progress(const glr::ui::RunProgress& progress);
    void runEnded(const glr::ui::RunEnded& ended);
    void busyChanged(bool busy);
    void pausedChanged(bool paused);
    void prepareProgress(const glr::ui::PrepareProgress& progress);
    void prepareFinished(bool ok, const QString& message, const QString& outDir);
    void statsReady(const glr::ui::DatasetStatsView& stats);
    void statsFailed(const QString& message);
    void comparisonReady(const glr::ui::RunComparisonSetView& comparison);
    void comparisonFailed(const QString& message);
    void errorOccurred(const QString& message);
    void info(const QString& message);

private:
    struct Pending {
        qint64 ticket;
        QString kind;
        RunJob job;
    };
    RunJob makeJob(const RunSpec& spec, qint64 ticket) const;
    qint64 push(const QString& kind, RunJob job, bool front);
    void dispatchNext();
    void onWorkerProgress(const RunProgress& progress);
    void onWorkerEnded(const RunEnded& ended);
    template <typename Fn>
    bool guarded(Fn&& fn);

    ExperimentRunner runner_;
    QString storePath_;
    std::unique_ptr<StoreAccess> store_;  // the GUI thread's connection
    QVector<RunSummary> runsCache_;
    bool runsCached_ = false;
    QThread thread_;
    RunControl control_;
    RunWorker* worker_ = nullptr;  // lives on thread_
    QTimer flushTimer_;            // delivers a held-back report when the trainer goes quiet
    QList<Pending> queue_;
    qint64 nextTicket_ = 1;
    bool busy_ = false;
    RunRequest currentRequest_;  // of the run in progress (its sweep point, its resumed run)
    qint64 currentTicket_ = 0;
    qint64 currentRunId_ = 0;
    QString currentLabel_;
    std::optional<qint64> currentResumeId_;

    // Background jobs catch their own errors: the result carries the message.
    template <typename T>
    struct Background {
        T value;
        QString error;
        bool cancelled = false;
    };
    QFutureWatcher<Background<PrepareOutcome>> prepareWatcher_;
    std::shared_ptr<std::atomic<bool>> prepareCancel_;
    QFutureWatcher<Background<QVector<RunSummary>>> runsWatcher_;
    QFutureWatcher<Background<DatasetStatsView>> statsWatcher_;
    bool refreshAgain_ = false;
    QString runsLoadPath_;  // store the background load read (a result for an old store is dropped)
    QStringList pendingStats_;  // split dir, tokenizer, domain of a queued statistics request
    QFutureWatcher<Background<RunComparisonSetView>> comparisonWatcher_;
    std::function<void()> pendingComparison_;  // the newest request made while one ran
};

}  // namespace glr::ui

Q_DECLARE_METATYPE(glr::ui::DatasetStatsView)
