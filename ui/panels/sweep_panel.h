#pragma once
// Sweep: define a grid over any config keys (presets: injection layer × seed, α × β) on top of
// the Experiment panel's config or a config file, launch it (runs grouped as one sweep in the
// store), and look at a sweep's results: the metric against one key with mean ± std over seeds
// (Figure 4: validation AUC against injection layer), for two keys a heat map, and for two or
// more keys parallel coordinates: every run as a line across one axis per key and the metric.
#include <QWidget>
#include <functional>

#include "session/snapshots.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSplitter;
class QTableView;

namespace glr::ui {

class HeatMapPlot;
class ParallelCoordinatesPlot;
class SweepGridModel;
class SweepPlot;
class SweepResultsModel;
class WorkbenchSession;

class SweepPanel : public QWidget {
    Q_OBJECT
public:
    explicit SweepPanel(WorkbenchSession& session, QWidget* parent = nullptr);

    // The Experiment panel's current config (JSON) and its base directory, used as the sweep's
    // base unless a config file is given.
    void setBaseConfigProvider(std::function<QPair<QString, QString>()> provider) { baseProvider_ = std::move(provider); }

    // Definition.
    void setSweepName(const QString& name);
    void setBaseConfigFile(const QString& path);  // "" = the Experiment panel's config
    void setFixedOverrides(const QString& text);  // "train.max_steps=20; eval.max_rows=200"
    SweepGridModel& gridModel() const { return *grid_; }
    void presetLayerSeed(int layers, int seeds);
    void presetAlphaBeta();
    // The sweep document that Launch queues; nullopt (and *error) when the form is incomplete.
    std::optional<QString> sweepJson(QString* error = nullptr) const;
    std::optional<qint64> launch();  // queues every point; returns the sweep id

    // Results.
    void showSweep(qint64 sweepId);
    void setMetric(const QString& label);  // e.g. "valid/auc (best)"
    qint64 shownSweep() const;
    SweepResultsModel& resultsModel() const { return *results_; }
    SweepPlot& sweepPlot() const { return *plot_; }
    HeatMapPlot& heatMap() const { return *heat_; }
    ParallelCoordinatesPlot& parallelPlot() const { return *parallel_; }

    void saveLayout() const;
    void restoreLayout();

public slots:
    void refreshSweeps();
    void refreshResults();

private:
    void updateCount();

    WorkbenchSession& session_;
    SweepGridModel* grid_;
    SweepResultsModel* results_;
    std::function<QPair<QString, QString>()> baseProvider_;
    QLineEdit* name_;
    QLineEdit* baseFile_;
    QLineEdit* fixed_;
    QTableView* gridView_;
    QLabel* count_;
    QComboBox* sweeps_;
    QComboBox* metric_;
    QComboBox* xKey_;
    QComboBox* seriesKey_;
    QLabel* resultCaption_;
    SweepPlot* plot_;
    HeatMapPlot* heat_;
    ParallelCoordinatesPlot* parallel_;
    QTableView* resultsView_;
    QSplitter* splitter_;
    QVector<RunSummary> sweepRuns_;
    QStringList gridKeys_;
};

}  // namespace glr::ui
