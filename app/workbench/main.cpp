// graphlora-workbench: the Qt desktop application. Wires the session (with the real trainer) to
// the main window; --screenshot renders every panel to PNG files and exits (works with
// QT_QPA_PLATFORM=offscreen), --run starts a config at once with the live curves in view.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTimer>
#include <cstdio>
#include <tuple>

#include "mainwindow/main_window.h"
#include "models/config_form_model.h"
#include "panels/dataset_panel.h"
#include "panels/experiment_panel.h"
#include "panels/live_curves_panel.h"
#include "panels/runs_panel.h"
#include "panels/sweep_panel.h"
#include "session/workbench_session.h"
#include "settings/settings.h"
#include "store/run_store.h"
#include "train/experiment_runner.h"
#include "util/error.h"
#include "util/id_list.h"
#include "util/process.h"

namespace {

// Fills the panels that need a choice for a representative picture: the finished runs selected
// (up to ten, or `chosenRuns`), the sweep (`chosenSweep`, or one picked below), and the
// statistics of the split the newest run trained on.
void populateForScreenshots(glr::ui::MainWindow& window, glr::ui::WorkbenchSession& session,
                            const QVector<qint64>& chosenRuns, qint64 chosenSweep) {
    using namespace glr::ui;
    window.reloadAll();
    QVector<qint64> finished, sweepPoints;
    QString splitDir;
    constexpr int kMaxSelected = 10;
    for (const RunSummary& run : session.runs()) {
        if (!run.isFinished()) continue;
        // Runs evaluated on the test split only (the comparison panels show test metrics);
        // stand-alone runs first, then sweep points.
        const auto config = QJsonDocument::fromJson(run.configJson.toUtf8()).object();
        const auto splits = config.value(QStringLiteral("eval")).toObject().value(QStringLiteral("splits")).toArray();
        if (!splits.isEmpty() && !splits.contains(QStringLiteral("test"))) continue;
        if (!run.sweepId && finished.size() < kMaxSelected) finished << run.id;
        if (run.sweepId && sweepPoints.size() < kMaxSelected) sweepPoints << run.id;
        if (splitDir.isEmpty())
            splitDir = config.value(QStringLiteral("data")).toObject().value(QStringLiteral("dir")).toString();
    }
    for (qint64 id : sweepPoints)
        if (finished.size() < kMaxSelected) finished << id;
    const QVector<qint64> selected = chosenRuns.isEmpty() ? finished : chosenRuns;
    window.selectRuns(selected);
    // Seeds of one experiment among them: the curves show each experiment as mean ± std.
    QSet<QString> groups;
    bool seedsRepeat = false;
    for (const RunSummary& run : session.runs()) {
        if (!selected.contains(run.id) || run.groupHash.isEmpty()) continue;
        if (groups.contains(run.groupHash)) seedsRepeat = true;
        groups.insert(run.groupHash);
    }
    window.curvesPanel().setGroupSeeds(seedsRepeat);
    // The newest finished run's config in the Experiment form.
    for (const RunSummary& run : session.runs()) {
        if (!run.isFinished()) continue;
        window.experimentPanel().model().setJson(run.configJson);
        window.experimentPanel().validateNow();
        break;
    }
    // The sweep with the most varied keys (a heat map when there is a 2-D one), then an
    // injection-layer sweep (the paper's Figure 4), then the most finished runs, then the newest.
    QSet<qint64> finishedIds;
    for (const RunSummary& run : session.runs())
        if (run.isFinished()) finishedIds.insert(run.id);
    qint64 bestSweep = 0;
    int bestKeys = -1, bestLayers = -1, bestFinished = -1;
    for (const SweepSummary& sweep : session.sweeps()) {
        const auto grid = QJsonDocument::fromJson(sweep.gridJson.toUtf8()).object();
        const int keys = grid.size() - (grid.contains(QStringLiteral("seed")) ? 1 : 0);
        int done = 0;
        for (qint64 id : sweep.runIds) done += finishedIds.contains(id) ? 1 : 0;
        const int layers = grid.contains(QStringLiteral("method.inject.layers")) ? 1 : 0;
        if (std::tie(keys, layers, done, sweep.id) > std::tie(bestKeys, bestLayers, bestFinished, bestSweep)) {
            bestKeys = keys;
            bestLayers = layers;
            bestFinished = done;
            bestSweep = sweep.id;
        }
    }
    if (chosenSweep) bestSweep = chosenSweep;
    if (bestSweep) window.sweepPanel().showSweep(bestSweep);
    if (!splitDir.isEmpty() && QFileInfo(splitDir).isDir()) {
        DatasetPanel& dataset = window.datasetPanel();
        dataset.setSplitDir(splitDir);
        QEventLoop wait;
        QObject::connect(&dataset, &DatasetPanel::statsShown, &wait, &QEventLoop::quit);
        QTimer::singleShot(120000, &wait, &QEventLoop::quit);
        dataset.computeStats();
        wait.exec();
    }
}

}  // namespace

int main(int argc, char** argv) {
    glr::applyProcessDefaults(argc, argv);  // before Qt or LibTorch start threads
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("GraphLoRA"));
    QApplication::setApplicationName(QStringLiteral("Workbench"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("GraphLoRA Workbench: configure, run, sweep and compare recommenders"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption dbOption(QStringLiteral("db"), QStringLiteral("Experiment store (default: $GRAPHLORA_DB or runs.sqlite)"),
                                      QStringLiteral("PATH"));
    const QCommandLineOption runOption(QStringLiteral("run"), QStringLiteral("Start this experiment config at once"),
                                       QStringLiteral("CONFIG.json"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("Render every panel to DIR/NN-panel.png and exit"), QStringLiteral("DIR"));
    const QCommandLineOption selectOption(QStringLiteral("select"),
                                          QStringLiteral("Runs to select for the comparison panels, e.g. 1-6,10"),
                                          QStringLiteral("IDS"));
    const QCommandLineOption sweepOption(QStringLiteral("sweep"), QStringLiteral("Sweep to show in the Sweep panel"),
                                         QStringLiteral("ID"));
    parser.addOptions({dbOption, runOption, screenshotOption, selectOption, sweepOption});
    parser.process(app);
    QVector<qint64> chosenRuns;
    try {
        for (std::int64_t id : glr::parseIdList(parser.value(selectOption).toStdString(), "--select")) chosenRuns << id;
    } catch (const glr::InputError& e) {
        std::fprintf(stderr, "graphlora-workbench: %s\n", e.what());
        return 2;
    }
    bool sweepOk = !parser.isSet(sweepOption);
    const qint64 chosenSweep = parser.isSet(sweepOption) ? parser.value(sweepOption).toLongLong(&sweepOk) : 0;
    if (!sweepOk || chosenSweep < 0) {
        std::fprintf(stderr, "graphlora-workbench: --sweep: expected a sweep id, got '%s'\n",
                     qPrintable(parser.value(sweepOption)));
        return 2;
    }

    const bool screenshots = parser.isSet(screenshotOption);
    QTemporaryDir settingsDir;
    if (screenshots) glr::ui::SettingsStorage::useFile(settingsDir.filePath(QStringLiteral("screenshot.ini")));

    glr::ui::WorkbenchSession session(&glr::runExperiment);
    glr::ui::MainWindow window(session);
    QObject::connect(&session, &glr::ui::WorkbenchSession::errorOccurred, [](const QString& message) {
        std::fprintf(stderr, "graphlora-workbench: %s\n", qPrintable(message));
    });

    QString storePath = parser.value(dbOption);
    if (storePath.isEmpty()) storePath = QString::fromStdString(glr::store::defaultStorePath());
    if (!session.openStore(storePath)) return 1;

    if (screenshots) {
        populateForScreenshots(window, session, chosenRuns, chosenSweep);
        QString error;
        const QStringList files = window.saveScreenshots(parser.value(screenshotOption), QSize(1440, 900), &error);
        for (const QString& file : files) std::printf("%s\n", qPrintable(file));
        if (!error.isEmpty()) {
            std::fprintf(stderr, "graphlora-workbench: %s\n", qPrintable(error));
            return 1;
        }
        return 0;
    }

    window.show();
    if (!chosenRuns.isEmpty() || chosenSweep > 0) window.reloadAll();
    if (!chosenRuns.isEmpty()) window.selectRuns(chosenRuns);
    if (chosenSweep > 0) window.sweepPanel().showSweep(chosenSweep);
    if (parser.isSet(runOption)) {
        const QString config = QFileInfo(parser.value(runOption)).absoluteFilePath();
        window.experimentPanel().loadFile(config);
        glr::ui::RunSpec spec;
        spec.configPath = config;
        if (session.enqueueRun(spec) == 0) return 1;
        window.showPanel(QStringLiteral("curves"));
    }
    return app.exec();
}
