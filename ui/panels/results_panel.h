#pragma once
// Results: the paper-style table for the selected runs (all finished runs when none is
// selected): methods as rows, metric × subset columns, mean ± std over seeds, best in bold;
// export as CSV, Markdown and LaTeX (core/store/results_table, identical to `graphlora results`),
// the long per-run CSV, and every figure of the workbench as PNG, SVG or PDF at a chosen size.
#include <QWidget>
#include <functional>

#include "plot/plot_export.h"
#include "session/store_access.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QSpinBox;
class QTableView;

namespace glr::ui {

class PlotWidget;
class ResultsTableModel;
class WorkbenchSession;

class ResultsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ResultsPanel(WorkbenchSession& session, QWidget* parent = nullptr);

    void setRuns(const QVector<qint64>& runIds);  // empty: every finished run
    void setMetrics(const QStringList& metrics);
    void setSubsets(const QStringList& subsets);
    void setSplit(const QString& split);

    ResultsTableRequest request() const;
    ResultsTableModel& model() const { return *model_; }
    QString tableText(TableExportFormat format) const;
    bool exportTable(const QString& path, TableExportFormat format, QString* error = nullptr) const;
    bool exportLongCsv(const QString& path, QString* error = nullptr) const;

    // Where "Export all figures" finds the plots (set by the main window).
    void setFigureProvider(std::function<QList<PlotWidget*>()> provider) { figures_ = std::move(provider); }
    QStringList exportFigures(const QString& dir, PlotFormat format, QSize size, QString* error = nullptr) const;

public slots:
    void refresh();

private:
    WorkbenchSession& session_;
    ResultsTableModel* model_;
    QVector<qint64> runIds_;
    QComboBox* split_;
    QList<QCheckBox*> metricBoxes_;
    QList<QCheckBox*> subsetBoxes_;
    QCheckBox* groupSeeds_;
    QSpinBox* decimals_;
    QComboBox* previewFormat_;
    QTableView* table_;
    QPlainTextEdit* preview_;
    QLabel* caption_;
    std::function<QList<PlotWidget*>()> figures_;
};

}  // namespace glr::ui
