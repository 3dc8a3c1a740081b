#pragma once
// The workbench window: the seven panels as tabs (Dataset, Experiment, Runs, Live curves, Sweep,
// Warm/cold, Results), the run queue and log as a dock, menus for the store and the run, and a
// status bar. Layout, splitters and the current tab are remembered (settings/settings.h).
#include <QMainWindow>
#include <functional>

class QLabel;
class QTabWidget;
class QDockWidget;

namespace glr::ui {

class DatasetPanel;
class ExperimentPanel;
class LiveCurvesPanel;
class QueueDock;
class ResultsPanel;
class RunsPanel;
class SweepPanel;
class WarmColdPanel;
class WorkbenchSession;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(WorkbenchSession& session, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Panel ids in tab order: dataset, experiment, runs, curves, sweep, warmcold, results.
    QStringList panelIds() const;
    QWidget* panel(const QString& id) const;
    void showPanel(const QString& id);

    DatasetPanel& datasetPanel() const { return *dataset_; }
    ExperimentPanel& experimentPanel() const { return *experiment_; }
    RunsPanel& runsPanel() const { return *runs_; }
    LiveCurvesPanel& curvesPanel() const { return *curves_; }
    SweepPanel& sweepPanel() const { return *sweep_; }
    WarmColdPanel& warmColdPanel() const { return *warmCold_; }
    ResultsPanel& resultsPanel() const { return *results_; }
    QueueDock& queueDock() const { return *queue_; }

    // Loads every panel from the store now (not in the background): screenshots and tests.
    void reloadAll();
    // Selects runs in the Runs panel (and so in the comparison panels).
    void selectRuns(const QVector<qint64>& runIds);

    // Renders each panel, as the window shows it, to DIR/NN-<id>.png; returns the files written.
    QStringList saveScreenshots(const QString& dir, QSize windowSize, QString* error = nullptr);

    // Asked when the window is closed during a run; default: a message box. Tests replace it.
    void setCloseConfirmation(std::function<bool()> confirm) { confirmClose_ = std::move(confirm); }

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void openStoreDialog(bool create);
    void updateTitle();
    void saveLayout();
    void restoreLayout();

    WorkbenchSession& session_;
    QTabWidget* tabs_;
    DatasetPanel* dataset_;
    ExperimentPanel* experiment_;
    RunsPanel* runs_;
    LiveCurvesPanel* curves_;
    SweepPanel* sweep_;
    WarmColdPanel* warmCold_;
    ResultsPanel* results_;
    QueueDock* queue_;
    QDockWidget* queueDockWidget_;
    QLabel* storeLabel_;
    QLabel* runLabel_;
    std::function<bool()> confirmClose_;
    bool closing_ = false;
};

}  // namespace glr::ui
