#pragma once
// Live curves: training loss and a validation metric against step, epoch or wall time for the
// selected runs and the run that trains, raw and smoothed (adjustable debiased EMA), linear or
// log y, crosshair read-out, export. Redraws at most as often as the session's throttle allows.
#include <QWidget>

#include "models/curve_runs_model.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QListView;
class QSlider;
class QSplitter;

namespace glr::ui {

class CurvePlot;
class WorkbenchSession;

class LiveCurvesPanel : public QWidget {
    Q_OBJECT
public:
    explicit LiveCurvesPanel(WorkbenchSession& session, QWidget* parent = nullptr);

    void setRuns(const QVector<qint64>& runIds);  // stored runs to overlay
    void setAxis(CurveAxis axis);
    void setSmoothing(double weight);
    void setLogY(bool log);
    void setGroupSeeds(bool group);
    void setTopMetric(const QString& key);
    void setBottomMetric(const QString& key);

    CurveRunsModel& model() const { return *model_; }
    CurvePlot& topPlot() const { return *top_; }
    CurvePlot& bottomPlot() const { return *bottom_; }
    int redrawCount() const { return redraws_; }

    // The overlaid runs' series of the two plotted metrics, every point, as `graphlora runs
    // series` writes them (run_id,run_name,split,name,step,epoch,wall_time,value).
    bool exportSeriesCsv(const QString& path, QString* error = nullptr) const;

    void saveLayout() const;
    void restoreLayout();

private:
    void redraw();
    void refreshMetricChoices();
    void reloadSeries(qint64 runId);

    WorkbenchSession& session_;
    CurveRunsModel* model_;
    QListView* runList_;
    QComboBox* topMetric_;
    QComboBox* bottomMetric_;
    QComboBox* axis_;
    QSlider* smoothing_;
    QLabel* smoothingLabel_;
    QCheckBox* showRaw_;
    QCheckBox* logY_;
    QCheckBox* groupSeeds_;
    CurvePlot* top_;
    CurvePlot* bottom_;
    QSplitter* splitter_;
    QSplitter* plots_;
    int redraws_ = 0;
};

}  // namespace glr::ui
