#pragma once
// The Runs panel's "Significance" tab: two selected runs tested on the evaluation rows both
// scored (DeLong for AUC, a bootstrap over users for UAUC; store/run_comparison.h). The test runs
// on a pool thread through the session, so the window stays responsive while the bootstrap runs.
#include <QVector>
#include <QWidget>

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

    // The runs selected in the table: the test is offered for exactly two.
    void setRuns(const QVector<RunSummary>& runs);
    void testSelectedPair();  // what the button does
    void setSubset(const QString& subset);  // all, warm, cold

    QTableWidget& table() const { return *table_; }
    QString summary() const;

private:
    void showComparison(const RunComparisonView& comparison);
    void showFailure(const QString& message);

    WorkbenchSession& session_;
    QVector<RunSummary> runs_;
    QComboBox* split_;
    QComboBox* subset_;
    QPushButton* testButton_;
    QLabel* summary_;
    QTableWidget* table_;
};

}  // namespace glr::ui
