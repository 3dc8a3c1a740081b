#include "mainwindow/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include "models/config_form_model.h"
#include "panels/dataset_panel.h"
#include "panels/experiment_panel.h"
#include "panels/live_curves_panel.h"
#include "panels/queue_dock.h"
#include "panels/results_panel.h"
#include "panels/runs_panel.h"
#include "panels/sweep_panel.h"
#include "panels/warm_cold_panel.h"
#include "plot/plot_widget.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

// Resources of a static library must be registered explicitly, outside any namespace.
static void initWorkbenchResources() { Q_INIT_RESOURCE(resources); }

namespace glr::ui {

MainWindow::MainWindow(WorkbenchSession& session, QWidget* parent) : QMainWindow(parent), session_(session) {
    setObjectName(QStringLiteral("mainWindow"));
    initWorkbenchResources();
    setWindowIcon(QIcon(QStringLiteral(":/icons/graphlora.svg")));
    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    dataset_ = new DatasetPanel(session_, this);
    experiment_ = new ExperimentPanel(session_, this);
    runs_ = new RunsPanel(session_, this);
    curves_ = new LiveCurvesPanel(session_, this);
    sweep_ = new SweepPanel(session_, this);
    warmCold_ = new WarmColdPanel(session_, this);
    results_ = new ResultsPanel(session_, this);
    tabs_->addTab(dataset_, tr("Dataset"));
    tabs_->addTab(experiment_, tr("Experiment"));
    tabs_->addTab(runs_, tr("Runs"));
    tabs_->addTab(curves_, tr("Live curves"));
    tabs_->addTab(sweep_, tr("Sweep"));
    tabs_->addTab(warmCold_, tr("Warm/cold"));
    tabs_->addTab(results_, tr("Results"));
    setCentralWidget(tabs_);

    queue_ = new QueueDock(session_, this);
    queueDockWidget_ = new QDockWidget(tr("Queue and log"), this);
    queueDockWidget_->setObjectName(QStringLiteral("queueDockWidget"));
    queueDockWidget_->setWidget(queue_);
    addDockWidget(Qt::BottomDockWidgetArea, queueDockWidget_);
    resizeDocks({queueDockWidget_}, {170}, Qt::Vertical);

    storeLabel_ = new QLabel(this);
    runLabel_ = new QLabel(this);
    statusBar()->addWidget(runLabel_, 1);
    statusBar()->addPermanentWidget(storeLabel_);

    // ---- wiring between panels ----
    connect(runs_, &RunsPanel::selectionChanged, this, [this](const QVector<qint64>& ids) {
        curves_->setRuns(ids);
        warmCold_->setRuns(ids);
        results_->setRuns(ids);
    });
    connect(dataset_, &DatasetPanel::useSplitRequested, this, [this](const QString& dir) {
        experiment_->setFieldText(QStringLiteral("data.dir"), dir);
        showPanel(QStringLiteral("experiment"));
    });
    sweep_->setBaseConfigProvider([this] { return qMakePair(experiment_->configJson(), experiment_->baseDir()); });
    results_->setFigureProvider([this] { return findChildren<PlotWidget*>(); });
    connect(experiment_, &ExperimentPanel::runQueued, this, [this] { showPanel(QStringLiteral("curves")); });
    connect(&session_, &WorkbenchSession::storeOpened, this, [this] {
        updateTitle();
        reloadAll();
    });
    connect(&session_, &WorkbenchSession::errorOccurred, this, [this](const QString& m) { statusBar()->showMessage(m, 15000); });
    connect(&session_, &WorkbenchSession::info, this, [this](const QString& m) { statusBar()->showMessage(m, 8000); });
    connect(&session_, &WorkbenchSession::progress, this, [this](const RunProgress& p) {
        const auto& s = p.batch.latest;
        runLabel_->setText(tr("#%1 %2 · %3 · step %4 · loss %5")
                               .arg(p.runId)
                               .arg(p.runLabel, QString::fromStdString(s.phase))
                               .arg(s.step)
                               .arg(s.trainLoss, 0, 'f', 4));
    });
    connect(&session_, &WorkbenchSession::runEnded, this, [this](const RunEnded& e) {
        runLabel_->setText(tr("last run: #%1 %2 %3").arg(e.runId).arg(e.label, e.status));
        if (closing_ && !session_.isBusy()) QTimer::singleShot(0, this, &QWidget::close);
    });
    // The comparison panels follow the store's run list as it is reloaded in the background.
    connect(&session_, &WorkbenchSession::runsLoaded, this, [this] {
        warmCold_->refresh();
        results_->refresh();
        sweep_->refreshSweeps();
    });

    buildMenus();
    updateTitle();
    restoreLayout();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open store…"), QKeySequence::Open, this, [this] { openStoreDialog(false); });
    file->addAction(tr("&New store…"), QKeySequence::New, this, [this] { openStoreDialog(true); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    QAction* stop = run->addAction(tr("&Stop (resumable)"), &session_, &WorkbenchSession::stop);
    QAction* pause = run->addAction(tr("&Pause / resume"), this, [this] {
        if (session_.isPaused()) session_.resume();
        else session_.pause();
    });
    run->addAction(tr("&Clear queue"), &session_, &WorkbenchSession::clearQueue);
    auto updateRunActions = [stop, pause, this] {
        stop->setEnabled(session_.isBusy());
        pause->setEnabled(session_.isBusy());
    };
    connect(&session_, &WorkbenchSession::busyChanged, this, updateRunActions);
    updateRunActions();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList ids = panelIds();
    for (int i = 0; i < ids.size(); ++i) {
        view->addAction(tabs_->tabText(i), QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this,
                        [this, i] { tabs_->setCurrentIndex(i); });
    }
    view->addSeparator();
    view->addAction(queueDockWidget_->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("GraphLoRA Workbench"),
                           tr("<h3>GraphLoRA Workbench</h3><p>Configure, run, sweep and compare LLM-based "
                              "recommenders.</p><p>Store: %1</p>")
                               .arg(session_.storePath().toHtmlEscaped()));
    });
}

void MainWindow::openStoreDialog(bool create) {
    const QString last = settings::lastStorePath.get();
    const QString start = session_.hasStore() ? QFileInfo(session_.storePath()).absolutePath()
                          : !last.isEmpty()   ? QFileInfo(last).absolutePath()
                                              : QDir::currentPath();
    const QString path = create ? QFileDialog::getSaveFileName(this, tr("New store"), start + "/runs.sqlite", tr("SQLite (*.sqlite *.db)"))
                                : QFileDialog::getOpenFileName(this, tr("Open store"), start, tr("SQLite (*.sqlite *.db);;All files (*)"));
    if (path.isEmpty()) return;
    if (session_.openStore(path)) settings::lastStorePath.set(session_.storePath());
}

void MainWindow::updateTitle() {
    const QString store = session_.hasStore() ? session_.storePath() : tr("no store");
    setWindowTitle(tr("GraphLoRA Workbench — %1").arg(QFileInfo(store).fileName()));
    storeLabel_->setText(store);
}

QStringList MainWindow::panelIds() const {
    return {QStringLiteral("dataset"), QStringLiteral("experiment"), QStringLiteral("runs"), QStringLiteral("curves"),
            QStringLiteral("sweep"),   QStringLiteral("warmcold"),   QStringLiteral("results")};
}

QWidget* MainWindow::panel(const QString& id) const {
    const int i = panelIds().indexOf(id);
    return i >= 0 ? tabs_->widget(i) : nullptr;
}

void MainWindow::showPanel(const QString& id) {
    const int i = panelIds().indexOf(id);
    if (i >= 0) tabs_->setCurrentIndex(i);
}

void MainWindow::reloadAll() {
    runs_->reloadNow();
    sweep_->refreshSweeps();
    const QVector<qint64> selected = runs_->selectedRunIds();
    curves_->setRuns(selected);
    warmCold_->setRuns(selected);
    results_->setRuns(selected);
    experiment_->validateNow();
}

void MainWindow::selectRuns(const QVector<qint64>& runIds) { runs_->selectRuns(runIds); }

QStringList MainWindow::saveScreenshots(const QString& dir, QSize windowSize, QString* error) {
    QStringList written;
    if (!QDir().mkpath(dir)) {
        if (error) *error = tr("%1: cannot create the folder").arg(dir);
        return written;
    }
    resize(windowSize);
    if (!isVisible()) show();
    const int current = tabs_->currentIndex();
    const QStringList ids = panelIds();
    for (int i = 0; i < ids.size(); ++i) {
        tabs_->setCurrentIndex(i);
        QApplication::processEvents();
        for (PlotWidget* plot : tabs_->widget(i)->findChildren<PlotWidget*>()) plot->replot(QCustomPlot::rpImmediateRefresh);
        QApplication::processEvents();
        const QString path = QDir(dir).filePath(QStringLiteral("%1-%2.png").arg(i + 1, 2, 10, QLatin1Char('0')).arg(ids[i]));
        if (!grab().save(path, "PNG")) {
            if (error) *error = tr("%1: could not be written").arg(path);
            break;
        }
        written << path;
    }
    tabs_->setCurrentIndex(current);
    return written;
}

void MainWindow::saveLayout() {
    settings::mainWindowGeometry.set(saveGeometry());
    settings::mainWindowState.set(saveState());
    settings::currentPanel.set(tabs_->currentIndex());
    dataset_->saveLayout();
    runs_->saveLayout();
    curves_->saveLayout();
    sweep_->saveLayout();
}

void MainWindow::restoreLayout() {
    if (!restoreGeometry(settings::mainWindowGeometry.get())) resize(1400, 900);
    restoreState(settings::mainWindowState.get());
    tabs_->setCurrentIndex(std::clamp(settings::currentPanel.get(), 0, tabs_->count() - 1));
    dataset_->restoreLayout();
    runs_->restoreLayout();
    curves_->restoreLayout();
    sweep_->restoreLayout();
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (session_.isBusy()) {
        if (!closing_) {
            const bool stop = confirmClose_ ? confirmClose_()
                                            : QMessageBox::question(this, tr("A run is training"),
                                                                    tr("Stop \"%1\" and quit?\n\nThe run is checkpointed and "
                                                                       "marked interrupted; resume it later from the Runs panel.")
                                                                        .arg(session_.currentLabel()),
                                                                    QMessageBox::Yes | QMessageBox::Cancel,
                                                                    QMessageBox::Cancel) == QMessageBox::Yes;
            if (!stop) {
                event->ignore();
                return;
            }
            closing_ = true;
            statusBar()->showMessage(tr("stopping the run before quitting …"));
            session_.stopAll();
        }
        event->ignore();  // closes again when the run has ended (runEnded)
        return;
    }
    saveLayout();
    event->accept();
}

}  // namespace glr::ui
