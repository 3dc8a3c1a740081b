#pragma once
// The run queue and activity log (a dock under the panels): the training run with its progress,
// ETA and throughput, Stop / Pause / Resume, the queued runs, and the session's messages.
#include <QWidget>

#include "session/snapshots.h"

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace glr::ui {

class WorkbenchSession;

class QueueDock : public QWidget {
    Q_OBJECT
public:
    explicit QueueDock(WorkbenchSession& session, QWidget* parent = nullptr);

    QSize sizeHint() const override { return {900, 120}; }

    QString currentText() const;
    int queuedCount() const;
    QStringList logLines() const;

    QPushButton& stopButton() const { return *stop_; }
    QPushButton& pauseButton() const { return *pause_; }

public slots:
    void log(const QString& line, bool error = false);

private:
    void updateQueue();
    void updateButtons();
    void onProgress(const RunProgress& progress);

    WorkbenchSession& session_;
    QLabel* current_;
    QProgressBar* bar_;
    QLabel* rate_;
    QPushButton* stop_;
    QPushButton* pause_;
    QPushButton* remove_;
    QPushButton* clear_;
    QListWidget* queue_;
    QPlainTextEdit* log_;
};

}  // namespace glr::ui
