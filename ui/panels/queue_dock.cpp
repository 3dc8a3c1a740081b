#include "panels/queue_dock.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStyle>
#include <QVBoxLayout>

#include "session/workbench_session.h"

namespace glr::ui {

namespace {

QString formatSeconds(double seconds) {
    if (seconds < 0) return QStringLiteral("?");
    const qint64 s = static_cast<qint64>(seconds + 0.5);
    if (s < 60) return QStringLiteral("%1 s").arg(s);
    if (s < 3600) return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
}

}  // namespace

QueueDock::QueueDock(WorkbenchSession& session, QWidget* parent) : QWidget(parent), session_(session) {
    setObjectName(QStringLiteral("queueDock"));
    current_ = new QLabel(tr("Idle"), this);
    current_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar_ = new QProgressBar(this);
    bar_->setRange(0, 1000);
    bar_->setValue(0);
    bar_->setTextVisible(true);
    rate_ = new QLabel(this);
    stop_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    stop_->setToolTip(tr("Stop cleanly: the run checkpoints and can be resumed"));
    pause_ = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    remove_ = new QPushButton(tr("Remove"), this);
    remove_->setToolTip(tr("Remove the selected run from the queue"));
    clear_ = new QPushButton(tr("Clear"), this);
    clear_->setToolTip(tr("Remove every queued run"));
    queue_ = new QListWidget(this);
    log_ = new QPlainTextEdit(this);
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(2000);
    for (QWidget* w : std::initializer_list<QWidget*>{queue_, log_}) w->setMinimumHeight(fontMetrics().height() * 2 + 6);

    auto* top = new QHBoxLayout;
    top->addWidget(current_, 1);
    top->addWidget(rate_);
    top->addWidget(pause_);
    top->addWidget(stop_);
    auto* queueHeader = new QHBoxLayout;
    queueHeader->addWidget(new QLabel(tr("Queued runs"), this));
    queueHeader->addStretch(1);
    queueHeader->addWidget(remove_);
    queueHeader->addWidget(clear_);
    auto* queueBox = new QWidget(this);
    auto* queueLayout = new QVBoxLayout(queueBox);
    queueLayout->setContentsMargins(0, 0, 0, 0);
    queueLayout->addLayout(queueHeader);
    queueLayout->addWidget(queue_);
    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(queueBox);
    split->addWidget(log_);
    split->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 2, 6, 4);
    layout->setSpacing(3);
    layout->addLayout(top);
    layout->addWidget(bar_);
    layout->addWidget(split, 1);

    connect(stop_, &QPushButton::clicked, &session_, &WorkbenchSession::stop);
    connect(pause_, &QPushButton::clicked, this, [this] {
        if (session_.isPaused()) session_.resume();
        else session_.pause();
    });
    connect(remove_, &QPushButton::clicked, this, [this] {
        if (auto* item = queue_->currentItem()) session_.removeQueued(item->data(Qt::UserRole).toLongLong());
    });
    connect(clear_, &QPushButton::clicked, &session_, &WorkbenchSession::clearQueue);
    connect(&session_, &WorkbenchSession::queueChanged, this, &QueueDock::updateQueue);
    connect(&session_, &WorkbenchSession::busyChanged, this, &QueueDock::updateButtons);
    connect(&session_, &WorkbenchSession::pausedChanged, this, &QueueDock::updateButtons);
    connect(&session_, &WorkbenchSession::progress, this, &QueueDock::onProgress);
    connect(&session_, &WorkbenchSession::runStarted, this, [this](qint64, const QString& label) {
        current_->setText(tr("Starting %1 …").arg(label));
        bar_->setValue(0);
        bar_->setFormat(tr("setup"));
        log(tr("started %1").arg(label));
    });
    connect(&session_, &WorkbenchSession::runEnded, this, [this](const RunEnded& ended) {
        current_->setText(tr("Idle — last: %1 %2").arg(ended.label, ended.status));
        rate_->clear();
        bar_->setFormat(ended.status);
        if (ended.status == QLatin1String("finished")) bar_->setValue(bar_->maximum());
    });
    connect(&session_, &WorkbenchSession::info, this, [this](const QString& m) { log(m); });
    connect(&session_, &WorkbenchSession::errorOccurred, this, [this](const QString& m) { log(m, true); });
    updateQueue();
    updateButtons();
}

void QueueDock::log(const QString& line, bool error) {
    const QString stamp = QDateTime::currentDateTime().toString(QStringLiteral("HH:mm:ss"));
    log_->appendPlainText(QStringLiteral("%1  %2%3").arg(stamp, error ? tr("error: ") : QString(), line));
}

void QueueDock::updateQueue() {
    queue_->clear();
    for (const QueuedRun& q : session_.queue()) {
        auto* item = new QListWidgetItem(QStringLiteral("%1  (%2)").arg(q.label, q.kind), queue_);
        item->setData(Qt::UserRole, q.ticket);
    }
    remove_->setEnabled(queue_->count() > 0);
    clear_->setEnabled(queue_->count() > 0);
}

void QueueDock::updateButtons() {
    const bool busy = session_.isBusy();
    stop_->setEnabled(busy);
    pause_->setEnabled(busy);
    const bool paused = session_.isPaused();
    pause_->setText(paused ? tr("Resume") : tr("Pause"));
    pause_->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
    if (paused) current_->setText(current_->text() + tr(" — paused"));
}

void QueueDock::onProgress(const RunProgress& progress) {
    const ProgressSnapshot& s = progress.batch.latest;
    QString text = tr("#%1 %2 · %3").arg(progress.runId).arg(progress.runLabel, QString::fromStdString(s.phase));
    if (!s.message.empty()) text += QStringLiteral(" · ") + QString::fromStdString(s.message);
    if (session_.isPaused()) text += tr(" — paused");
    current_->setText(text);
    if (s.totalSteps > 0) {
        bar_->setValue(static_cast<int>(1000.0 * s.step / s.totalSteps));
        bar_->setFormat(tr("step %1 / %2 · loss %3").arg(s.step).arg(s.totalSteps).arg(s.trainLoss, 0, 'f', 4));
    } else {
        bar_->setValue(0);
        bar_->setFormat(tr("step %1 · loss %2").arg(s.step).arg(s.trainLoss, 0, 'f', 4));
    }
    QStringList rate;
    if (s.tokensPerSecond > 0) rate << tr("%1 tok/s").arg(s.tokensPerSecond, 0, 'f', 0);
    rate << tr("elapsed %1").arg(formatSeconds(s.elapsedSeconds));
    if (s.etaSeconds >= 0) rate << tr("ETA %1").arg(formatSeconds(s.etaSeconds));
    rate_->setText(rate.join(QStringLiteral(" · ")));
}

QString QueueDock::currentText() const { return current_->text(); }
int QueueDock::queuedCount() const { return queue_->count(); }

QStringList QueueDock::logLines() const { return log_->toPlainText().split('\n', Qt::SkipEmptyParts); }

}  // namespace glr::ui
