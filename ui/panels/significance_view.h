#pragma once
// The Runs panel's "Significance" tab: two selected runs tested on the evaluation rows both
// scored (DeLong for AUC, a bootstrap over users for UAUC; store/run_comparison.h), or the runs
// of two experiments paired by seed (logic/run_pairing.h), each pair tested and the seeds pooled.
// The tests run on a pool thread through the session, so the window stays responsive.
#include <QVector>
#include <QWidget>

#include "logic/run_pairing.h"
#include "session/snapshots.h"

class QComboBox;
class QLabel;
class QPushButton;
class QTableWidget;

namespace glr::ui {

class WorkbenchSession;

class SignificanceView : public QWidget {
    Q_OBJECT
public:
    explicit SignificanceView(WorkbenchSession& session, QWidget* parent = nullptr);

    // The runs selected in the table: the test is offered when they pair up.
    void setRuns(const QVector<RunSummary>& runs);
    void testSelectedPair();  // what the button does

    QTableWidget& table() const { return *table_; }
    QString summary() const;

private:
    void showComparison(const RunComparisonSetView& comparison);
    void showFailure(const QString& message);

    WorkbenchSession& session_;
    RunPairing pairing_;
    QVector<QPair<qint64, qint64>> shownPairs_;      // what the table shows results of
    QVector<QPair<qint64, qint64>> requestedPairs_;  // what the last test asked about
    QComboBox* split_;
    QComboBox* subset_;
    QPushButton* testButton_;
    QLabel* summary_;
    QTableWidget* table_;
};

}  // namespace glr::ui
