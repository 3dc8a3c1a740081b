#pragma once
// The worker that lives on the session's QThread and runs one experiment at a time through the
// runner (glr::runExperiment in the application, a fake in tests). It talks to the session only
// through queued signals; stop and pause reach it through RunControl, because while a run trains
// the worker's own event loop is busy inside the runner.
#include <QObject>
#include <QString>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "logic/progress_coalescer.h"
#include "session/snapshots.h"
#include "train/experiment_runner.h"

namespace glr::ui {

using ExperimentRunner = std::function<RunOutcome(const RunRequest&, const ProgressCallback&)>;

// Stop / pause shared between the GUI thread and the trainer's progress callback. The callback
// blocks in waitWhilePaused() while paused; resume() or stop() releases it.
class RunControl {
public:
    void stop();
    void pause();
    void resume();
    void reset();  // a new run starts: not stopped, not paused
    bool stopRequested() const;
    bool paused() const;
    // Called on the trainer thread; returns false when the run must stop. `beforeWait` runs once
    // when the call is about to block (to flush progress so the UI shows where it paused).
    bool waitWhilePaused(const std::function<void()>& beforeWait);

private:
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    bool paused_ = false;
};

struct RunJob {
    qint64 ticket = 0;
    QString label;
    RunRequest request;
};

struct RunEnded {
    qint64 ticket = 0;
    qint64 runId = 0;   // 0 when the run failed before it was created (bad config)
    QString label;
    QString status;     // finished, failed, interrupted
    QString message;    // error text for failed runs
    QVector<ResultEntry> results;
};

class RunWorker : public QObject {
    Q_OBJECT
public:
    RunWorker(ExperimentRunner runner, RunControl& control, double minIntervalSeconds);

    // Runs the job to the end on the calling (worker) thread; every core error is caught here.
    void execute(const RunJob& job);
    // Thread-safe (called from the GUI thread's timer): sends the held-back report when the
    // trainer has been quiet for a throttle interval.
    void flushIfDue();

signals:
    void progress(const glr::ui::RunProgress& progress);
    void ended(const glr::ui::RunEnded& ended);

private:
    bool onProgress(const ProgressSnapshot& snapshot);
    void flush();
    void emitBatchLocked();  // takes the batch and posts it; call with mutex_ held

    ExperimentRunner runner_;
    RunControl& control_;
    // Shared by the trainer thread (reports) and the GUI thread (flushIfDue). Batches are taken
    // and posted under the lock, so they reach the UI in the order they were taken.
    std::mutex mutex_;
    ProgressCoalescer coalescer_;
    QString label_;
    double clockStart_ = 0;
    qint64 runId_ = 0;
};

}  // namespace glr::ui

Q_DECLARE_METATYPE(glr::ui::RunEnded)
