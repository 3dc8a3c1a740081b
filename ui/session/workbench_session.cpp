#include "session/workbench_session.h"

#include <QCoreApplication>
#include <algorithm>
#include <stdexcept>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>
#include <QtConcurrent>

#include "util/error.h"

namespace glr::ui {

namespace {

std::string ss(const QString& s) { return s.toStdString(); }

QString labelFor(const RunSpec& spec) {
    if (!spec.label.isEmpty()) return spec.label;
    if (!spec.configJson.isEmpty()) {
        const auto doc = QJsonDocument::fromJson(spec.configJson.toUtf8());
        const QString name = doc.object().value(QStringLiteral("name")).toString();
        if (!name.isEmpty()) return name;
    }
    if (!spec.configPath.isEmpty()) return QFileInfo(spec.configPath).fileName();
    return QStringLiteral("run");
}

}  // namespace

WorkbenchSession::WorkbenchSession(ExperimentRunner runner, QObject* parent, double minIntervalSeconds)
    : QObject(parent), runner_(std::move(runner)) {
    qRegisterMetaType<RunProgress>();
    qRegisterMetaType<RunEnded>();
    qRegisterMetaType<PrepareProgress>();
    qRegisterMetaType<DatasetStatsView>();
    qRegisterMetaType<RunComparisonSetView>();
    thread_.setObjectName(QStringLiteral("graphlora-trainer"));
    worker_ = new RunWorker(runner_, control_, minIntervalSeconds);
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &RunWorker::progress, this, &WorkbenchSession::onWorkerProgress, Qt::QueuedConnection);
    connect(worker_, &RunWorker::ended, this, &WorkbenchSession::onWorkerEnded, Qt::QueuedConnection);
    thread_.start();
    flushTimer_.setInterval(std::max(50, static_cast<int>(minIntervalSeconds * 1000)));
    connect(&flushTimer_, &QTimer::timeout, this, [this] { worker_->flushIfDue(); });

    connect(&runsWatcher_, &QFutureWatcherBase::finished, this, [this] {
        const auto result = runsWatcher_.result();
        if (!result.error.isEmpty()) {
            emit errorOccurred(result.error);
        } else if (runsLoadPath_ == storePath_) {  // not a late answer about a store closed since
            runsCache_ = result.value;
            runsCached_ = true;
            emit runsLoaded(result.value);
        }
        if (refreshAgain_) {
            refreshAgain_ = false;
            refreshRuns();
        }
    });
    connect(&prepareWatcher_, &QFutureWatcherBase::finished, this, [this] {
        const auto result = prepareWatcher_.result();
        if (result.cancelled) {
            emit prepareFinished(false, tr("prepare cancelled; no split was written"), QString());
        } else if (!result.error.isEmpty()) {
            emit prepareFinished(false, result.error, QString());
        } else {
            QStringList counts;
            for (const auto& s : result.value.splits) counts << QStringLiteral("%1 %2").arg(s.name).arg(s.rows);
            emit prepareFinished(true,
                                 tr("prepared %1 users, %2 items (%3) in %4 s")
                                     .arg(result.value.users)
                                     .arg(result.value.items)
                                     .arg(counts.join(QStringLiteral(", ")))
                                     .arg(result.value.seconds, 0, 'f', 1),
                                 result.value.outDir);
        }
    });
    connect(&comparisonWatcher_, &QFutureWatcherBase::finished, this, [this] {
        const auto result = comparisonWatcher_.result();
        if (!result.error.isEmpty()) emit comparisonFailed(result.error);
        else emit comparisonReady(result.value);
        if (pendingComparison_) std::exchange(pendingComparison_, {})();
    });
    connect(&statsWatcher_, &QFutureWatcherBase::finished, this, [this] {
        const auto result = statsWatcher_.result();
        if (!result.error.isEmpty()) emit statsFailed(result.error);
        else emit statsReady(result.value);
        if (!pendingStats_.isEmpty()) {
            const QStringList next = std::exchange(pendingStats_, {});
            computeStats(next[0], next[1], next[2]);
        }
    });
}

WorkbenchSession::~WorkbenchSession() {
    flushTimer_.stop();
    queue_.clear();
    control_.stop();
    if (prepareCancel_) prepareCancel_->store(true);
    thread_.requestInterruption();
    thread_.quit();
    thread_.wait();
    prepareWatcher_.waitForFinished();
    runsWatcher_.waitForFinished();
    statsWatcher_.waitForFinished();
    pendingComparison_ = {};
    comparisonWatcher_.waitForFinished();
}

template <typename Fn>
bool WorkbenchSession::guarded(Fn&& fn) {
    try {
        fn();
        return true;
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromUtf8(e.what()));
    } catch (...) {
        emit errorOccurred(tr("unknown error"));
    }
    return false;
}

// ---- store ----------------------------------------------------------------------------------

bool WorkbenchSession::openStore(const QString& path) {
    if (path.isEmpty()) return false;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    // Opening creates and migrates the file; a bad path or a non-database file fails here.
    std::unique_ptr<StoreAccess> store;
    const bool ok = guarded([&] { store = std::make_unique<StoreAccess>(absolute); });
    if (!ok) return false;
    store_ = std::move(store);
    storePath_ = absolute;
    runsCache_.clear();
    runsCached_ = false;
    emit storeOpened(storePath_);
    emit runsChanged();
    return true;
}

QVector<RunSummary> WorkbenchSession::runs() {
    QVector<RunSummary> out;
    if (store_ && guarded([&] { out = store_->runSummaries(); })) {
        runsCache_ = out;
        runsCached_ = true;
    }
    return out;
}

const QVector<RunSummary>& WorkbenchSession::cachedRuns() {
    if (!runsCached_) runs();
    return runsCache_;
}

std::optional<RunSummary> WorkbenchSession::run(qint64 runId) {
    std::optional<RunSummary> out;
    if (store_) guarded([&] { out = store_->runSummary(runId); });
    return out;
}

QStringList WorkbenchSession::seriesKeys(qint64 runId) {
    QStringList out;
    if (store_) guarded([&] { out = store_->seriesKeys(runId); });
    return out;
}

QVector<SeriesPoint> WorkbenchSession::series(qint64 runId, const QString& key) {
    QVector<SeriesPoint> out;
    if (store_) guarded([&] { out = store_->series(runId, key); });
    return out;
}

QVector<ResultEntry> WorkbenchSession::results(const QVector<qint64>& runIds, const QString& split) {
    QVector<ResultEntry> out;
    if (store_) guarded([&] { out = store_->results(runIds, split); });
    return out;
}

QVector<SweepSummary> WorkbenchSession::sweeps() {
    QVector<SweepSummary> out;
    if (store_) guarded([&] { out = store_->sweeps(); });
    return out;
}

std::optional<ResultsGrid> WorkbenchSession::resultsGrid(const ResultsTableRequest& request) {
    std::optional<ResultsGrid> out;
    if (store_) guarded([&] { out = store_->resultsGrid(request); });
    return out;
}

std::optional<QString> WorkbenchSession::resultsTable(const ResultsTableRequest& request, TableExportFormat format) {
    std::optional<QString> out;
    if (store_) guarded([&] { out = store_->resultsTable(request, format); });
    return out;
}

std::optional<QString> WorkbenchSession::longResultsCsv(const QVector<qint64>& runIds) {
    std::optional<QString> out;
    if (store_) guarded([&] { out = store_->longResultsCsv(runIds); });
    return out;
}

std::optional<QString> WorkbenchSession::seriesCsv(const QVector<qint64>& runIds, const QStringList& keys) {
    std::optional<QString> out;
    if (store_) guarded([&] { out = store_->seriesCsv(runIds, keys); });
    return out;
}

void WorkbenchSession::refreshRuns() {
    if (!hasStore()) return;
    if (runsWatcher_.isRunning()) {
        refreshAgain_ = true;  // coalesce: one more load after the current one
        return;
    }
    const QString path = storePath_;
    runsLoadPath_ = path;
    runsWatcher_.setFuture(QtConcurrent::run([path] {
        Background<QVector<RunSummary>> result;
        try {
            result.value = StoreAccess(path).runSummaries();  // own connection on the pool thread
        } catch (const std::exception& e) {
            result.error = QString::fromUtf8(e.what());
        }
        return result;
    }));
}

bool WorkbenchSession::renameRun(qint64 runId, const QString& name) {
    const bool ok = store_ && guarded([&] { store_->renameRun(runId, name); });
    if (ok) emit runsChanged();
    return ok;
}

bool WorkbenchSession::setRunTags(qint64 runId, const QStringList& tags) {
    const bool ok = store_ && guarded([&] { store_->setRunTags(runId, tags); });
    if (ok) emit runsChanged();
    return ok;
}

bool WorkbenchSession::deleteRun(qint64 runId) {
    if (busy_ && currentRunId_ == runId) {
        emit errorOccurred(tr("run %1 is training; stop it before deleting it").arg(runId));
        return false;
    }
    const bool ok = store_ && guarded([&] { store_->deleteRun(runId); });
    if (ok) emit runsChanged();
    return ok;
}

// ---- runs -----------------------------------------------------------------------------------

RunJob WorkbenchSession::makeJob(const RunSpec& spec, qint64 ticket) const {
    RunJob job;
    job.ticket = ticket;
    job.label = labelFor(spec);
    job.request.configPath = ss(spec.configPath);
    job.request.configJson = ss(spec.configJson);
    job.request.baseDir = ss(spec.baseDir);
    for (const QString& o : spec.overrides) job.request.overrides.push_back(ss(o));
    job.request.storePath = ss(storePath_);
    job.request.resumeRunId = spec.resumeRunId;
    job.request.sweepId = spec.sweepId;
    job.request.sweepParamsJson = ss(spec.sweepParamsJson);
    return job;
}

qint64 WorkbenchSession::push(const QString& kind, RunJob job, bool front) {
    const qint64 ticket = job.ticket;
    if (front) queue_.prepend({ticket, kind, std::move(job)});
    else queue_.append({ticket, kind, std::move(job)});
    emit queueChanged();
    dispatchNext();
    return ticket;
}

qint64 WorkbenchSession::enqueueRun(const RunSpec& spec, bool front) {
    if (!hasStore()) {
        emit errorOccurred(tr("open or create a store before starting runs"));
        return 0;
    }
    const qint64 ticket = nextTicket_++;
    return push(spec.resumeRunId ? QStringLiteral("resume") : QStringLiteral("run"), makeJob(spec, ticket), front);
}

qint64 WorkbenchSession::resumeRun(qint64 runId) {
    RunSpec spec;
    spec.resumeRunId = runId;
    if (auto summary = run(runId)) spec.label = tr("resume #%1 %2").arg(runId).arg(summary->name);
    else return 0;
    return enqueueRun(spec);
}

std::optional<qint64> WorkbenchSession::enqueueSweep(const QString& sweepJson, const QString& baseDir) {
    if (!hasStore()) {
        emit errorOccurred(tr("open or create a store before starting a sweep"));
        return std::nullopt;
    }
    SweepExpansion expansion;
    qint64 sweepId = 0;
    const bool ok = guarded([&] {
        expansion = expandSweepJson(sweepJson, baseDir);
        if (expansion.points.isEmpty()) failInput("the sweep grid is empty: give at least one key with values");
        sweepId = store_->createSweep(expansion.name, expansion.gridJson, sweepJson);
        store_->writeSweepPoints(sweepId, expansion.points);
    });
    if (!ok) return std::nullopt;
    for (const auto& point : expansion.points) {
        RunSpec spec;
        spec.configJson = point.configJson;
        spec.baseDir = baseDir;
        spec.label = point.name;
        spec.sweepId = sweepId;
        spec.sweepParamsJson = point.paramsJson;
        const qint64 ticket = nextTicket_++;
        queue_.append({ticket, QStringLiteral("sweep point"), makeJob(spec, ticket)});
    }
    emit info(tr("sweep '%1': %2 runs queued").arg(expansion.name).arg(expansion.points.size()));
    emit queueChanged();
    emit runsChanged();
    dispatchNext();
    return sweepId;
}

std::optional<int> WorkbenchSession::completeSweep(qint64 sweepId, bool retryFailed) {
    if (!hasStore()) {
        emit errorOccurred(tr("open or create a store before completing a sweep"));
        return std::nullopt;
    }
    SweepCompletionView plan;
    if (!guarded([&] { plan = store_->sweepCompletion(sweepId, retryFailed); })) return std::nullopt;
    auto holds = [&](const RunRequest& r, const SweepCompletionView::Point& p) {
        return (p.runId != 0 && r.resumeRunId == p.runId) ||
               (r.sweepId == sweepId && QString::fromStdString(r.sweepParamsJson) == p.paramsJson);
    };
    auto alreadyQueued = [&](const SweepCompletionView::Point& p) {
        if (busy_ && holds(currentRequest_, p)) return true;
        return std::any_of(queue_.begin(), queue_.end(), [&](const Pending& q) { return holds(q.job.request, p); });
    };
    QMap<QString, int> counts;
    int queued = 0;
    for (const auto& point : plan.points) {
        const bool wanted = point.action == QLatin1String("start") || point.action == QLatin1String("resume");
        if (wanted && alreadyQueued(point)) {
            ++counts[tr("already queued")];
            continue;
        }
        ++counts[point.action];
        if (!wanted) continue;
        RunSpec spec;
        if (point.action == QLatin1String("resume")) {
            spec.resumeRunId = point.runId;
            spec.label = tr("resume #%1 %2").arg(point.runId).arg(point.name);
        } else {
            spec.configJson = point.configJson;
            spec.label = point.name;
            spec.sweepId = sweepId;
            spec.sweepParamsJson = point.paramsJson;
        }
        const qint64 ticket = nextTicket_++;
        queue_.append({ticket, QStringLiteral("sweep point"), makeJob(spec, ticket)});
        ++queued;
    }
    QStringList parts;
    for (auto it = counts.begin(); it != counts.end(); ++it) parts << QStringLiteral("%1 %2").arg(it.value()).arg(it.key());
    emit info(tr("sweep #%1: %2 of %3 points queued (%4)").arg(sweepId).arg(queued).arg(plan.points.size()).arg(parts.join(QStringLiteral(", "))));
    if (queued > 0) {
        emit queueChanged();
        dispatchNext();
    }
    return queued;
}

bool WorkbenchSession::removeQueued(qint64 ticket) {
    for (int i = 0; i < queue_.size(); ++i) {
        if (queue_[i].ticket == ticket) {
            queue_.removeAt(i);
            emit queueChanged();
            return true;
        }
    }
    return false;
}

void WorkbenchSession::clearQueue() {
    if (queue_.isEmpty()) return;
    queue_.clear();
    emit queueChanged();
}

QVector<QueuedRun> WorkbenchSession::queue() const {
    QVector<QueuedRun> out;
    for (const auto& p : queue_) out.push_back({p.ticket, p.job.label, p.kind});
    return out;
}

void WorkbenchSession::stop() {
    if (!busy_) return;
    const bool wasPaused = control_.paused();
    control_.stop();
    control_.resume();  // a paused trainer wakes, sees the stop and checkpoints
    emit info(tr("stopping %1 …").arg(currentLabel_));
    if (wasPaused) emit pausedChanged(false);
}

void WorkbenchSession::stopAll() {
    clearQueue();
    stop();
}

void WorkbenchSession::pause() {
    if (!busy_ || control_.paused()) return;
    control_.pause();
    emit pausedChanged(true);
}

void WorkbenchSession::resume() {
    if (!control_.paused()) return;
    control_.resume();
    emit pausedChanged(false);
}

std::optional<qint64> WorkbenchSession::currentRunId() const {
    if (!busy_ || currentRunId_ == 0) return std::nullopt;
    return currentRunId_;
}

void WorkbenchSession::dispatchNext() {
    if (busy_ || queue_.isEmpty()) return;
    Pending next = queue_.takeFirst();
    busy_ = true;
    currentTicket_ = next.ticket;
    currentLabel_ = next.job.label;
    currentRunId_ = next.job.request.resumeRunId.value_or(0);
    currentRequest_ = next.job.request;
    control_.reset();
    flushTimer_.start();
    emit queueChanged();
    emit busyChanged(true);
    emit runStarted(next.ticket, next.job.label);
    RunWorker* worker = worker_;
    RunJob job = std::move(next.job);
    QMetaObject::invokeMethod(worker, [worker, job] { worker->execute(job); }, Qt::QueuedConnection);
}

void WorkbenchSession::onWorkerProgress(const RunProgress& progress) {
    if (progress.runId != 0 && progress.runId != currentRunId_) {
        currentRunId_ = progress.runId;
        emit runsChanged();  // the run now exists in the store
    }
    emit this->progress(progress);
}

void WorkbenchSession::onWorkerEnded(const RunEnded& ended) {
    busy_ = false;
    flushTimer_.stop();
    const bool wasPaused = control_.paused();
    control_.reset();
    currentRunId_ = 0;
    currentLabel_.clear();
    if (wasPaused) emit pausedChanged(false);
    if (ended.status == QLatin1String("failed")) {
        emit errorOccurred(ended.runId ? tr("run %1 (%2) failed: %3").arg(ended.runId).arg(ended.label, ended.message)
                                       : tr("%1: %2").arg(ended.label, ended.message));
    } else if (ended.status == QLatin1String("interrupted")) {
        emit info(tr("run %1 (%2) stopped; it can be resumed").arg(ended.runId).arg(ended.label));
    } else {
        emit info(tr("run %1 (%2) %3").arg(ended.runId).arg(ended.label, ended.status));
    }
    emit runEnded(ended);
    emit busyChanged(false);
    emit runsChanged();
    dispatchNext();
}

bool WorkbenchSession::waitUntilIdle(int timeoutMs) {
    QDeadlineTimer deadline(timeoutMs);
    while (busy_ && !deadline.hasExpired()) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(1);
    }
    return !busy_;
}

// ---- data -----------------------------------------------------------------------------------

bool WorkbenchSession::startPrepare(const QString& specJson, const QString& baseDir, const QString& outDir,
                                    bool overwrite) {
    if (prepareWatcher_.isRunning()) {
        emit errorOccurred(tr("a prepare job is already running"));
        return false;
    }
    if (outDir.isEmpty()) {
        emit errorOccurred(tr("choose an output directory for the prepared split"));
        return false;
    }
    prepareCancel_ = std::make_shared<std::atomic<bool>>(false);
    auto cancel = prepareCancel_;
    QPointer<WorkbenchSession> self(this);
    prepareWatcher_.setFuture(QtConcurrent::run([=] {
        Background<PrepareOutcome> result;
        QElapsedTimer sinceReport;
        sinceReport.start();
        auto progress = [&](double fraction, const QString& message) {
            // Throttled like training progress: the parser may report per chunk.
            if (sinceReport.elapsed() >= 100 || fraction >= 1.0) {
                sinceReport.restart();
                PrepareProgress p{fraction, message};
                QMetaObject::invokeMethod(
                    self.data(), [self, p] { if (self) emit self->prepareProgress(p); }, Qt::QueuedConnection);
            }
            return !cancel->load();
        };
        try {
            result.value = runPrepare(specJson, baseDir, outDir, overwrite, progress);
        } catch (const Cancelled&) {
            result.cancelled = true;
        } catch (const std::exception& e) {
            result.error = QString::fromUtf8(e.what());
        }
        return result;
    }));
    return true;
}

void WorkbenchSession::cancelPrepare() {
    if (prepareCancel_) prepareCancel_->store(true);
}

void WorkbenchSession::compareRuns(const QVector<QPair<qint64, qint64>>& pairs, const QString& split,
                                   const QString& subset, const QStringList& metrics) {
    if (comparisonWatcher_.isRunning()) {
        pendingComparison_ = [=] { compareRuns(pairs, split, subset, metrics); };
        return;
    }
    const QString path = storePath_;
    comparisonWatcher_.setFuture(QtConcurrent::run([=] {
        Background<RunComparisonSetView> result;
        try {
            if (path.isEmpty()) throw std::runtime_error("no experiment store is open");
            result.value = StoreAccess(path).compareRuns(pairs, split, subset, metrics);  // own connection
        } catch (const std::exception& e) {
            result.error = QString::fromUtf8(e.what());
        }
        return result;
    }));
}

void WorkbenchSession::computeStats(const QString& splitDir, const QString& tokenizer, const QString& domain) {
    if (statsWatcher_.isRunning()) {  // one at a time: the newest request runs next
        pendingStats_ = QStringList{splitDir, tokenizer, domain};
        return;
    }
    statsWatcher_.setFuture(QtConcurrent::run([=] {
        Background<DatasetStatsView> result;
        try {
            result.value = computeDatasetStats(splitDir, tokenizer, domain);
        } catch (const std::exception& e) {
            result.error = QString::fromUtf8(e.what());
        }
        return result;
    }));
}

ConfigCheck WorkbenchSession::checkConfig(const QString& json, const QString& baseDir) const {
    return glr::ui::checkConfig(json, baseDir);
}

std::optional<QVector<PreviewTableView>> WorkbenchSession::previewPrepare(const QString& specJson,
                                                                          const QString& baseDir, QString* error) {
    try {
        return previewPrepareSpec(specJson, baseDir);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
    }
    return std::nullopt;
}

}  // namespace glr::ui
