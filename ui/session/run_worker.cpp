#include "session/run_worker.h"

#include <QElapsedTimer>
#include <QThread>
#include <algorithm>
#include <chrono>
#include <exception>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "util/error.h"

namespace glr::ui {

// ---- RunControl -----------------------------------------------------------------------------

void RunControl::stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    wake_.notify_all();
}

void RunControl::pause() {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = true;
}

void RunControl::resume() {
    std::lock_guard<std::mutex> lock(mutex_);
    paused_ = false;
    wake_.notify_all();
}

void RunControl::reset() {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = false;
    paused_ = false;
}

bool RunControl::stopRequested() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stop_;
}

bool RunControl::paused() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return paused_;
}

bool RunControl::waitWhilePaused(const std::function<void()>& beforeWait) {
    std::unique_lock<std::mutex> lock(mutex_);
    if (paused_ && !stop_) {
        lock.unlock();
        if (beforeWait) beforeWait();
        lock.lock();
        // Wake periodically so a shutdown (thread interruption) is seen even without stop().
        while (paused_ && !stop_ && !QThread::currentThread()->isInterruptionRequested())
            wake_.wait_for(lock, std::chrono::milliseconds(100));
    }
    return !stop_;
}

// ---- RunWorker ------------------------------------------------------------------------------

namespace {

double monotonicSeconds() {
    static QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.nsecsElapsed() / 1e9;
}

}  // namespace

RunWorker::RunWorker(ExperimentRunner runner, RunControl& control, double minIntervalSeconds)
    : runner_(std::move(runner)), control_(control), coalescer_(minIntervalSeconds) {}

void RunWorker::emitBatchLocked() {
    RunProgress out;
    out.batch = coalescer_.take(monotonicSeconds());
    out.runId = out.batch.latest.runId;
    out.runLabel = label_;
    emit progress(out);  // queued connection: posted to the GUI thread while the lock is held
}

void RunWorker::flush() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (coalescer_.hasPending()) emitBatchLocked();
}

void RunWorker::flushIfDue() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (coalescer_.due(monotonicSeconds())) emitBatchLocked();
}

bool RunWorker::onProgress(const ProgressSnapshot& snapshot) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        runId_ = snapshot.runId;
        if (coalescer_.add(snapshot, monotonicSeconds())) emitBatchLocked();
    }
    if (QThread::currentThread()->isInterruptionRequested()) return false;
    return control_.waitWhilePaused([&] { flush(); });
}

namespace {

// The trainer keeps every core busy; the window must still get the CPU the moment it has an
// event. On Linux nice values are per thread, and the trainer's compute threads (OpenMP) are
// created from this thread and inherit its value, so one call covers them all.
void lowerTrainerPriority() {
#ifdef __linux__
    static thread_local bool done = false;
    if (done) return;
    done = true;
    const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
    const int current = ::getpriority(PRIO_PROCESS, tid);
    ::setpriority(PRIO_PROCESS, tid, std::min(current + 5, 19));
#endif
}

}  // namespace

void RunWorker::execute(const RunJob& job) {
    lowerTrainerPriority();
    {
        std::lock_guard<std::mutex> lock(mutex_);
        coalescer_.reset();
        label_ = job.label;
        runId_ = job.request.resumeRunId.value_or(0);
    }
    RunEnded outcomeInfo;
    outcomeInfo.ticket = job.ticket;
    outcomeInfo.label = job.label;
    // The one place where core errors thrown during a run become a message.
    try {
        if (!runner_) throw Error("this build has no trainer (the workbench was built without core/train)");
        const RunOutcome outcome = runner_(job.request, [&](const ProgressSnapshot& s) { return onProgress(s); });
        outcomeInfo.runId = outcome.runId;
        outcomeInfo.status = QString::fromStdString(outcome.status);
        outcomeInfo.message = QString::fromStdString(outcome.error);
        for (const auto& r : outcome.results) {
            outcomeInfo.results.push_back({outcome.runId, QString::fromStdString(r.split), QString::fromStdString(r.subset),
                                     QString::fromStdString(r.metric), r.value, r.rows});
        }
    } catch (const Cancelled&) {
        outcomeInfo.runId = runId_;
        outcomeInfo.status = QStringLiteral("interrupted");
        outcomeInfo.message = QStringLiteral("stopped; resume it from the Runs panel");
    } catch (const std::exception& e) {
        outcomeInfo.runId = runId_;
        outcomeInfo.status = QStringLiteral("failed");
        outcomeInfo.message = QString::fromUtf8(e.what());
    } catch (...) {
        outcomeInfo.runId = runId_;
        outcomeInfo.status = QStringLiteral("failed");
        outcomeInfo.message = QStringLiteral("unknown error");
    }
    flush();
    emit ended(outcomeInfo);
}

}  // namespace glr::ui
