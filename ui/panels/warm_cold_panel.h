#pragma once
// Warm/cold: grouped bars of a test metric on all / warm / cold rows for the selected runs (all
// finished runs when none is selected), with row counts over the bars, a user-degree breakdown
// and the numbers as a table (the paper's Figure 3, in kind).
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QTableView;

namespace glr::ui {

class GroupedBarsPlot;
class WarmColdModel;
class WorkbenchSession;

class WarmColdPanel : public QWidget {
    Q_OBJECT
public:
    explicit WarmColdPanel(WorkbenchSession& session, QWidget* parent = nullptr);

    void setRuns(const QVector<qint64>& runIds);
    void setMetric(const QString& metric);  // auc, uauc, uauc_weighted, ndcg@10

    WarmColdModel& model() const { return *model_; }
    GroupedBarsPlot& subsetPlot() const { return *subsets_; }
    GroupedBarsPlot& degreePlot() const { return *degrees_; }

public slots:
    void refresh();

private:
    WorkbenchSession& session_;
    WarmColdModel* model_;
    QVector<qint64> runIds_;
    QComboBox* metric_;
    QCheckBox* groupSeeds_;
    QLabel* caption_;
    GroupedBarsPlot* subsets_;
    GroupedBarsPlot* degrees_;
    QTableView* table_;
};

}  // namespace glr::ui
