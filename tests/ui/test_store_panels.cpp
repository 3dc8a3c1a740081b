// The workbench's store-backed panels driven through their real widgets, on a store filled
// through RunStore with known numbers (store_fixture.h): the Runs table (sort, filter, config,
// diff, rename/tag/delete), the results table and its exports, warm/cold bars, the sweep plot
// and heat map, the curves, plot export files and the --screenshot rendering.
#include <QtTest>

#include <QFile>
#include <QHeaderView>
#include <QImage>
#include <QPixmap>
#include <QSet>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <cmath>

#include "mainwindow/main_window.h"
#include "models/config_diff_model.h"
#include "models/curve_runs_model.h"
#include "models/results_table_model.h"
#include "models/runs_table_model.h"
#include "models/sweep_models.h"
#include "models/warm_cold_model.h"
#include "panels/live_curves_panel.h"
#include "panels/results_panel.h"
#include "panels/runs_panel.h"
#include "panels/significance_view.h"
#include "panels/sweep_panel.h"
#include "panels/warm_cold_panel.h"
#include "plot/curve_plot.h"
#include "plot/plot_export.h"
#include "plot/parallel_coordinates_plot.h"
#include "plot/stat_plots.h"
#include "session/workbench_session.h"
#include "settings/settings.h"
#include "store/run_store.h"
#include "store_fixture.h"

using namespace glr::ui;

namespace {

QString readAll(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll());
}

int rowOfName(const QAbstractItemModel& model, const QString& name) {
    for (int r = 0; r < model.rowCount(); ++r)
        if (model.index(r, RunsTableModel::ColName).data().toString() == name) return r;
    return -1;
}

int columnOf(const QAbstractItemModel& model, const QString& header) {
    for (int c = 0; c < model.columnCount(); ++c)
        if (model.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString() == header) return c;
    return -1;
}

}  // namespace

class TestStorePanels : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString storePath_;
    glr::test::FilledStore ids_;
    std::unique_ptr<WorkbenchSession> session_;
    std::unique_ptr<MainWindow> window_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        SettingsStorage::useFile(dir_.filePath("settings.ini"));
        storePath_ = dir_.filePath("runs.sqlite");
        ids_ = glr::test::fillStore(storePath_.toStdString());
        // For looking at the panels by hand: graphlora-workbench --db <copy> --screenshot DIR.
        if (const QString keep = qEnvironmentVariable("GRAPHLORA_UI_KEEP_FIXTURE_STORE"); !keep.isEmpty()) {
            QFile::remove(keep);
            QVERIFY(QFile::copy(storePath_, keep));
        }
        session_ = std::make_unique<WorkbenchSession>(ExperimentRunner{});
        QVERIFY(session_->openStore(storePath_));
        window_ = std::make_unique<MainWindow>(*session_);
        window_->resize(1400, 900);
        window_->reloadAll();
    }

    void cleanupTestCase() {
        window_.reset();
        session_.reset();
        SettingsStorage::useFile(QString());
    }

    void runsTableShowsStatusAndFinalMetrics() {
        RunsPanel& runs = window_->runsPanel();
        const auto& model = runs.model();
        QCOMPARE(model.rowCount(), 8 + 6);  // 8 runs + 6 sweep points
        const int auc = columnOf(model, "AUC");
        const int best = columnOf(model, "Valid AUC best");
        QVERIFY(auc >= 0 && best >= 0);
        const int s2 = rowOfName(model, "graphlora-s2");
        QVERIFY(s2 >= 0);
        QCOMPARE(model.index(s2, auc).data().toString(), QString("0.7200"));
        // Validation series of s2: 0.72 - 0.05 + 0.01·k, k = 1…5 → best 0.72.
        QCOMPARE(model.index(s2, best).data().toString(), QString("0.7200"));
        QCOMPARE(model.index(rowOfName(model, "graphlora-interrupted"), RunsTableModel::ColStatus).data().toString(),
                 QString("interrupted"));
        QCOMPARE(model.index(rowOfName(model, "graphlora-failed"), RunsTableModel::ColStatus).data().toString(),
                 QString("failed"));
    }

    void sortingByAucPutsTheBestRunFirst() {
        QTableView& table = window_->runsPanel().table();
        const int auc = columnOf(*table.model(), "AUC");
        table.sortByColumn(auc, Qt::DescendingOrder);
        QCOMPARE(table.model()->index(0, RunsTableModel::ColName).data().toString(), QString("graphlora-s3"));
        table.sortByColumn(auc, Qt::AscendingOrder);
        // Runs without results sort below every number (first in ascending order), then mf 0.60.
        int firstWithAuc = 0;
        while (table.model()->index(firstWithAuc, auc).data().toString().isEmpty()) ++firstWithAuc;
        QCOMPARE(table.model()->index(firstWithAuc, RunsTableModel::ColName).data().toString(), QString("mf-s1"));
        table.sortByColumn(RunsTableModel::ColId, Qt::DescendingOrder);
    }

    void filtersNarrowTheTable() {
        RunsPanel& runs = window_->runsPanel();
        runs.setFilterText("auc > 0.7");
        QCOMPARE(runs.visibleRunCount(), 2);  // 0.72 and 0.74
        runs.setFilterText("method:lora-only");
        QCOMPARE(runs.visibleRunCount(), 2);
        runs.setFilterText("tag:paper");
        QCOMPARE(runs.visibleRunCount(), 1);
        runs.setFilterText("valid/auc.max >= 0.7 !method:mf");
        QCOMPARE(runs.visibleRunCount(), 3 + 2);  // graphlora 0.70/0.72/0.74 and the sweep's layer-2 runs 0.71/0.72
        // Config keys by their dotted path: numbers compare as numbers, arrays as their JSON.
        runs.setFilterText("train.lr > 5e-4");  // mf's 1e-3 against the default 1e-4
        QCOMPARE(runs.visibleRunCount(), 1);
        runs.setFilterText("method.mf.trainable = false");
        QCOMPARE(runs.visibleRunCount(), 2);
        runs.setFilterText("method.inject.layers = [2] seed = 1");
        QCOMPARE(runs.visibleRunCount(), 1);
        runs.setFilterText("method.name:lora-only,mf");
        QCOMPARE(runs.visibleRunCount(), 3);
        QVERIFY(runs.filterError().isEmpty());
        runs.setFilterText("auc >");
        QVERIFY(runs.filterError().contains("expected a value"));
        runs.setFilterText("acu > 0.5");
        QVERIFY2(runs.filterError().contains("no run has 'acu' (did you mean 'auc'?)"), qPrintable(runs.filterError()));
        QCOMPARE(runs.visibleRunCount(), 0);
        runs.setFilterText("");
        runs.setQuickFilters("graphlora", "", "finished", "");
        QCOMPARE(runs.visibleRunCount(), 3 + 6);
        runs.setQuickFilters("", "", "", "");
        QCOMPARE(runs.visibleRunCount(), 14);
    }

    void selectedRunShowsItsConfig() {
        RunsPanel& runs = window_->runsPanel();
        runs.selectRuns({ids_.mf});
        QCOMPARE(runs.selectedRunIds(), QVector<qint64>{ids_.mf});
        QVERIFY2(runs.shownConfig().contains("\"lr\": 0.001"), qPrintable(runs.shownConfig()));
        QVERIFY(runs.shownConfig().contains("\"name\": \"mf\""));
    }

    void comparisonShowsOnlyDifferingKeys() {
        RunsPanel& runs = window_->runsPanel();
        runs.selectRuns({ids_.graphlora[0], ids_.loraOnly[0]});
        runs.showComparison();
        QCOMPARE(runs.diffModel().diff().keys, QStringList({"method.mf.trainable", "method.name", "name"}));
        runs.setOnlyDifferingKeys(false);
        QVERIFY(runs.diffModel().rowCount() > 30);
        runs.setOnlyDifferingKeys(true);
    }

    // One row per visible run, with a column for each config key those runs differ in (name and
    // seed have columns of their own).
    void runsCsvCarriesTheVariedConfigKeys() {
        RunsPanel& runs = window_->runsPanel();
        runs.setFilterText("method:lora-only,mf");
        QCOMPARE(runs.visibleRunCount(), 3);
        const QString path = dir_.filePath("runs.csv");
        QVERIFY(runs.exportRunsCsv(path));
        runs.setFilterText("");
        const QStringList lines = readAll(path).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 3);
        const QStringList header = lines[0].split(',');
        const int methodName = header.indexOf("config.method.name");
        QVERIFY2(methodName > 0, qPrintable(lines[0]));
        QVERIFY(!header.contains("config.name") && !header.contains("config.seed"));
        QStringList methods;
        for (int r = 1; r < lines.size(); ++r) methods << lines[r].split(',')[methodName];
        methods.sort();
        QCOMPARE(methods, QStringList({"lora-only", "lora-only", "mf"}));
    }

    // Two runs' predictions are the pROC fixture's two scorers (tests/eval/data): the tab shows
    // pROC's DeLong p for AUC, computed off the GUI thread. Selecting both experiments' seeds 1
    // and 2 (the seed-2 runs scored the same way) tests two pairs and pools them: the same
    // difference, with the standard error over √2. A pair without predictions says why.
    void significanceTabTestsRunsAndPoolsSeeds() {
        const auto fixture = nlohmann::json::parse(readAll(GRAPHLORA_SOURCE_DIR "/tests/eval/data/delong_proc.json").toStdString());
        const auto labels = fixture.at("label").get<std::vector<int>>();
        const auto a = fixture.at("score_a").get<std::vector<double>>();
        const auto c = fixture.at("score_c").get<std::vector<double>>();
        {
            glr::store::RunStore store(storePath_.toStdString());
            std::vector<glr::store::PredictionRow> rowsA, rowsC;
            for (std::size_t r = 0; r < labels.size(); ++r) {
                rowsA.push_back({std::int64_t(r % 31), std::int64_t(r), labels[r], a[r], true});
                rowsC.push_back({std::int64_t(r % 31), std::int64_t(r), labels[r], c[r], true});
            }
            for (int seed = 0; seed < 2; ++seed) {
                store.writePredictions(ids_.graphlora[seed], "test", rowsA);
                store.writePredictions(ids_.loraOnly[seed], "test", rowsC);
            }
        }
        RunsPanel& runs = window_->runsPanel();
        SignificanceView& view = runs.significance();
        QSignalSpy ready(session_.get(), &WorkbenchSession::comparisonReady);
        runs.selectRuns({ids_.graphlora[0], ids_.loraOnly[0]});
        view.testSelectedPair();
        QVERIFY(ready.wait(20000));
        QTableWidget& table = view.table();
        QCOMPARE(table.rowCount(), 2);
        QCOMPARE(table.item(0, 1)->text(), QString("AUC"));
        QCOMPARE(table.item(0, 7)->text(), QString::number(fixture.at("p_value_ac").get<double>(), 'f', 4));
        QVERIFY(table.item(0, 1)->font().bold());  // p ≈ 3e-4
        QCOMPARE(table.item(1, 1)->text(), QString("UAUC"));
        QVERIFY2(view.summary().contains("400 all rows of the test split that both scored, 31 users"),
                 qPrintable(view.summary()));
        const double z = fixture.at("z_ac").get<double>();

        runs.selectRuns({ids_.graphlora[0], ids_.graphlora[1], ids_.loraOnly[0], ids_.loraOnly[1]});
        QCOMPARE(table.rowCount(), 0);  // a new selection clears the old result
        view.testSelectedPair();
        QVERIFY(ready.wait(20000));
        QCOMPARE(table.rowCount(), 2 * 2 + 2);
        QCOMPARE(table.item(0, 0)->text(), QString("pooled, 2 pairs"));  // the answer first
        QCOMPARE(table.item(0, 1)->text(), QString("AUC"));
        QCOMPARE(table.item(0, 6)->text(), QString::number(z * std::sqrt(2.0), 'f', 2));
        QCOMPARE(table.item(2, 0)->text(), QString("#%1 vs #%2").arg(ids_.graphlora[0]).arg(ids_.loraOnly[0]));
        QVERIFY2(view.summary().contains("2 pairs"), qPrintable(view.summary()));

        // An answer that arrives after the selection changed is not shown against the new one.
        runs.selectRuns({ids_.graphlora[0], ids_.loraOnly[0]});
        view.testSelectedPair();
        runs.selectRuns({ids_.mf});
        QVERIFY(ready.wait(20000));
        QCOMPARE(table.rowCount(), 0);
        QVERIFY2(view.summary().startsWith("Select two runs"), qPrintable(view.summary()));

        QSignalSpy failed(session_.get(), &WorkbenchSession::comparisonFailed);
        runs.selectRuns({ids_.graphlora[2], ids_.mf});
        view.testSelectedPair();
        QVERIFY(failed.wait(20000));
        QVERIFY2(view.summary().contains("has no predictions for split 'test'"), qPrintable(view.summary()));
        QCOMPARE(table.rowCount(), 0);
    }

    void renameTagAndDeleteReachTheStore() {
        RunsPanel& runs = window_->runsPanel();
        runs.selectRuns({ids_.mf});
        QVERIFY(runs.renameSelected("mf-baseline"));
        runs.selectRuns({ids_.mf});
        QVERIFY(runs.setTagsOfSelected({"baseline", "cf"}));
        runs.selectRuns({ids_.failed});
        QVERIFY(runs.deleteSelected());
        glr::store::RunStore store(storePath_.toStdString());
        const auto mf = store.getRun(ids_.mf);
        QCOMPARE(mf.name, std::string("mf-baseline"));
        QCOMPARE(mf.tags, (std::vector<std::string>{"baseline", "cf"}));
        QVERIFY(!store.findRun(ids_.failed));
        QCOMPARE(runs.model().rowCount(), 13);
    }

    void resultsTableAggregatesSeedsAndExports() {
        ResultsPanel& results = window_->resultsPanel();
        QVector<qint64> selected(ids_.graphlora.begin(), ids_.graphlora.end());
        selected += QVector<qint64>(ids_.loraOnly.begin(), ids_.loraOnly.end());
        results.setMetrics({"auc"});
        results.setSubsets({"all", "warm", "cold"});
        results.setRuns(selected);
        const ResultsTableModel& model = results.model();
        QCOMPARE(model.rowCount(), 2);
        // graphlora AUC: mean(0.70, 0.72, 0.74) = 0.72, sample std 0.02; lora-only 0.66 ± 0.01414.
        QCOMPARE(model.index(0, 2).data().toString(), QString("0.7200 ± 0.0200"));
        QVERIFY(model.index(0, 2).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(model.index(1, 2).data().toString(), QString("0.6600 ± 0.0141"));
        QVERIFY(!model.index(1, 2).data(Qt::FontRole).value<QFont>().bold());
        // Warm: +0.03 → 0.75; cold: −0.08 → 0.64.
        QCOMPARE(model.index(0, 3).data().toString(), QString("0.7500 ± 0.0200"));
        QCOMPARE(model.index(0, 4).data().toString(), QString("0.6400 ± 0.0200"));

        const QString csv = dir_.filePath("results.csv"), md = dir_.filePath("results.md"), tex = dir_.filePath("results.tex");
        QString error;
        QVERIFY2(results.exportTable(csv, TableExportFormat::Csv, &error), qPrintable(error));
        QVERIFY(results.exportTable(md, TableExportFormat::Markdown, &error));
        QVERIFY(results.exportTable(tex, TableExportFormat::Latex, &error));
        const QStringList csvLines = readAll(csv).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(csvLines.size(), 3);  // header + graphlora + lora-only
        QVERIFY2(csvLines[1].startsWith("graphlora") && csvLines[1].contains("0.72"), qPrintable(csvLines[1]));
        QVERIFY(csvLines[2].startsWith("lora-only"));
        const QString markdown = readAll(md);
        QVERIFY2(markdown.contains("**0.7200 ± 0.0200**") || markdown.contains("**0.7200** ± 0.0200"), qPrintable(markdown));
        QVERIFY(markdown.contains("| graphlora"));
        const QString latex = readAll(tex);
        QVERIFY2(latex.contains("\\textbf{") && latex.contains("\\pm") && latex.contains("\\begin{tabular}"), qPrintable(latex));
        const QString longCsv = dir_.filePath("long.csv");
        QVERIFY(results.exportLongCsv(longCsv, &error));
        const QStringList longLines = readAll(longCsv).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(longLines.first(), QString("run_id,run_name,method,split,subset,metric,value"));
        QCOMPARE(longLines.size(), 1 + 5 * 8);  // five runs × eight result rows each
    }

    void warmColdBarsCarryMeansAndRowCounts() {
        WarmColdPanel& panel = window_->warmColdPanel();
        QVector<qint64> selected(ids_.graphlora.begin(), ids_.graphlora.end());
        selected << ids_.mf;
        panel.setMetric("auc");
        panel.setRuns(selected);
        const auto& rows = panel.model().rowsData();
        QCOMPARE(rows.size(), 2);  // graphlora (3 seeds), mf
        QVERIFY(std::abs(rows[0].values["warm"].mean - 0.75) < 1e-12);
        QVERIFY(std::abs(rows[0].values["warm"].std - 0.02) < 1e-12);
        QCOMPARE(rows[0].rows["cold"], qint64(3178));
        QCOMPARE(panel.model().degreeSubsets(), QStringList({"degree_0", "degree_1-4"}));
        QCOMPARE(panel.subsetPlot().barCount(), 2 * 3);
        QCOMPARE(panel.degreePlot().barCount(), 2 * 2);
    }

    void sweepPlotShowsMeanAndStdOverSeeds() {
        SweepPanel& sweep = window_->sweepPanel();
        sweep.refreshSweeps();
        sweep.showSweep(ids_.sweepId);
        QCOMPARE(sweep.shownSweep(), ids_.sweepId);
        sweep.setMetric("valid/auc (best)");
        const auto& points = sweep.resultsModel().points();
        QCOMPARE(points.size(), 3);
        // Layer l: best = 0.60 + 0.05·l + 0.01·seed, seeds 1 and 2 → mean 0.615 + 0.05·l,
        // sample std sqrt(0.01²/2) = 0.0070711.
        for (const auto& p : points) {
            const int layer = p.params.value("method.inject.layers").toArray().first().toInt();
            QVERIFY(std::abs(p.stats.mean - (0.615 + 0.05 * layer)) < 1e-12);
            QVERIFY(std::abs(p.stats.std - 0.01 / std::sqrt(2.0)) < 1e-12);
            QCOMPARE(p.stats.count, 2);
        }
        QCOMPARE(sweep.sweepPlot().series().size(), 1);
        QCOMPARE(sweep.sweepPlot().series().front().samples.size(), 6);
        QCOMPARE(sweep.heatMap().cellCount(), 0);  // one varied key besides the seed: no heat map
        // Parallel coordinates: an axis per key (layers, seed) and the metric, a line per run.
        QVERIFY(!sweep.parallelPlot().isHidden());
        QCOMPARE(sweep.parallelPlot().axisCount(), 3);
        QCOMPARE(sweep.parallelPlot().lineCount(), 6);
    }

    void curvesOverlaySelectedRunsAndSmooth() {
        LiveCurvesPanel& curves = window_->curvesPanel();
        curves.setRuns({ids_.graphlora[0], ids_.graphlora[1]});
        curves.setTopMetric("train/loss");
        curves.setBottomMetric("valid/auc");
        QCOMPARE(curves.topPlot().curves().size(), 2);
        QCOMPARE(curves.topPlot().pointCount(), 2 * 50);
        QCOMPARE(curves.bottomPlot().pointCount(), 2 * 5);
        curves.setSmoothing(0.9);
        QCOMPARE(curves.topPlot().smoothing(), 0.9);
        curves.setAxis(CurveAxis::Epoch);
        QCOMPARE(curves.topPlot().curves().front().x.back(), 1.0);  // step 50 of 50 → epoch 1
        const QString readout = curves.bottomPlot().readoutAt(0.6);
        QVERIFY2(readout.contains("graphlora-s1") && readout.contains("raw"), qPrintable(readout));
        curves.setAxis(CurveAxis::Step);
        // The data behind both plots: 50 loss and 5 validation points of each run, unsmoothed.
        const QString csv = dir_.filePath("series.csv");
        QString error;
        QVERIFY2(curves.exportSeriesCsv(csv, &error), qPrintable(error));
        const QStringList lines = readAll(csv).split('\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 1 + 2 * (50 + 5));
        QCOMPARE(lines[0], QString("run_id,run_name,split,name,step,epoch,wall_time,value"));
        QVERIFY2(lines[1].startsWith(QString("%1,graphlora-s1,train,loss,1,0.02,").arg(ids_.graphlora[0])), qPrintable(lines[1]));
        QVERIFY2(lines[51].startsWith(QString("%1,graphlora-s1,valid,auc,10,0.2,").arg(ids_.graphlora[0])), qPrintable(lines[51]));
    }

    // Grouped, the three graphlora seeds are one curve and the two lora-only seeds another:
    // validation AUC 0.65/0.67/0.69 + 0.01·k at step 10·k → mean 0.67 + 0.01·k ± 0.02 over 3.
    void curvesGroupSeedsIntoMeanAndBand() {
        LiveCurvesPanel& curves = window_->curvesPanel();
        curves.setSmoothing(0);
        curves.setRuns({ids_.graphlora[0], ids_.graphlora[1], ids_.graphlora[2], ids_.loraOnly[0], ids_.loraOnly[1]});
        curves.setBottomMetric("valid/auc");
        QCOMPARE(curves.bottomPlot().curves().size(), 5);
        curves.setGroupSeeds(true);
        const auto grouped = curves.bottomPlot().curves();
        QCOMPARE(grouped.size(), 2);
        QCOMPARE(grouped[0].label, QString("graphlora (3 seeds)"));  // "graphlora-s1" less its seed
        QCOMPARE(grouped[1].label, QString("lora-only (2 seeds)"));
        QCOMPARE(grouped[0].seedMembers.size(), 3);
        QCOMPARE(grouped[0].x, (QVector<double>{10, 20, 30, 40, 50}));
        for (int k = 1; k <= 5; ++k) QVERIFY(std::abs(grouped[0].y[k - 1] - (0.67 + 0.01 * k)) < 1e-12);
        const QString readout = curves.bottomPlot().readoutAt(30);
        QVERIFY2(readout.contains("graphlora (3 seeds): 0.7 ± 0.02 over 3"), qPrintable(readout));
        // Members show their group's look in the list.
        CurveRunsModel& model = curves.model();
        const QImage first = model.data(model.index(0), Qt::DecorationRole).value<QPixmap>().toImage();
        const QImage second = model.data(model.index(1), Qt::DecorationRole).value<QPixmap>().toImage();
        QCOMPARE(first, second);
        // Unchecking a seed leaves two in its group; unchecking two leaves a run of its own.
        QVERIFY(model.setData(model.index(0), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(curves.bottomPlot().curves()[0].label, QString("graphlora (2 seeds)"));
        QCOMPARE(curves.bottomPlot().curves()[0].color, model.entries()[1].color);  // now led by seed 2
        QCOMPARE(model.data(model.index(0), Qt::DecorationRole).value<QPixmap>().toImage(),
                 model.data(model.index(2), Qt::DecorationRole).value<QPixmap>().toImage());
        QVERIFY(model.setData(model.index(1), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(curves.bottomPlot().curves()[0].label, QString("#%1 graphlora-s3").arg(ids_.graphlora[2]));
        QVERIFY(curves.bottomPlot().curves()[0].seedMembers.isEmpty());
        // Sweep points are named by their parameters but the seed: layer ℓ's two seeds reach
        // 0.61/0.62 + 0.05·ℓ at step 20 → 0.615 + 0.05·ℓ ± 0.00707.
        curves.setRuns(QVector<qint64>(ids_.sweepRuns.begin(), ids_.sweepRuns.end()));
        const auto sweep = curves.bottomPlot().curves();
        QCOMPARE(sweep.size(), 3);
        QCOMPARE(sweep[1].label, QString("graphlora layers=1 (2 seeds)"));
        QVERIFY2(curves.bottomPlot().readoutAt(20).contains("graphlora layers=2 (2 seeds): 0.715 ± 0.00707 over 2"),
                 qPrintable(curves.bottomPlot().readoutAt(20)));
        curves.setGroupSeeds(false);
        curves.setSmoothing(0.6);
    }

    // Runs beyond the palette's ten colours stay apart: the same colours again, dashed, then
    // dotted; the plots draw each run's line in its style, and the list shows it.
    void manyRunsGetDistinctLooks() {
        CurveRunsModel model;
        QVector<CurveRunsModel::Entry> entries;
        for (int i = 1; i <= 25; ++i) {
            CurveRunsModel::Entry e;
            e.runId = i;
            e.label = QString("#%1").arg(i);
            e.series["train/loss"] = {{1, 0, 0, 0.5}, {2, 0, 0, 0.4}};
            entries << e;
        }
        model.setStoredRuns(entries);
        QSet<QString> looks;
        for (const auto& e : model.entries()) looks.insert(e.color.name() + QString::number(int(e.style)));
        QCOMPARE(looks.size(), 25);
        QCOMPARE(model.entries()[0].style, Qt::SolidLine);
        QCOMPARE(model.entries()[10].color, model.entries()[0].color);
        QCOMPARE(model.entries()[10].style, Qt::DashLine);
        QCOMPARE(model.entries()[24].style, Qt::DotLine);
        const auto curves = model.curves("train/loss", CurveAxis::Step);
        QCOMPARE(curves[12].style, Qt::DashLine);
        CurvePlot plot;
        plot.setCurves({CurveData{"a", Qt::red, {1, 2}, {0.5, 0.4}, Qt::DashLine}});
        QCOMPARE(plot.graph(plot.graphCount() - 1)->pen().style(), Qt::DashLine);
        const QPixmap swatch = model.data(model.index(10), Qt::DecorationRole).value<QPixmap>();
        QVERIFY(!swatch.isNull());
        // A dashed swatch has gaps along its stroke.
        const QImage image = swatch.toImage();
        int painted = 0;
        for (int x = 0; x < image.width(); ++x) painted += qAlpha(image.pixel(x, image.height() / 2)) > 0;
        QVERIFY2(painted > 5 && painted < image.width() - 4, qPrintable(QString::number(painted)));
    }

    void longCurvesAreDrawnDecimated() {
        CurvePlot plot;
        CurveData curve;
        curve.label = "loss";
        curve.color = Qt::blue;
        for (int i = 0; i < 1000000; ++i) {
            curve.x.push_back(i);
            curve.y.push_back(0.7 * std::exp(-i / 30000.0) + 0.05 * std::sin(i * 0.37));
        }
        plot.setSmoothing(0.6);
        plot.setCurves({curve});
        QCOMPARE(plot.pointCount(), 1000000);
        // Raw and smoothed series, each cut to at most 8,000 points for the plot library.
        QVERIFY2(plot.drawnPointCount() > 2000 && plot.drawnPointCount() <= 16000,
                 qPrintable(QString::number(plot.drawnPointCount())));
        // The read-out still reads every point: x = 500,001 is a point of its own.
        QVERIFY2(plot.readoutAt(500001).contains("at 500001"), qPrintable(plot.readoutAt(500001)));
    }

    void plotsExportAsPngSvgAndPdfAtTheChosenSize() {
        CurvePlot& plot = window_->curvesPanel().topPlot();
        const QString png = dir_.filePath("curve.png"), svg = dir_.filePath("curve.svg"), pdf = dir_.filePath("curve.pdf");
        QString error;
        QVERIFY2(exportPlot(plot, png, QSize(640, 400), &error), qPrintable(error));
        QVERIFY2(exportPlot(plot, svg, QSize(640, 400), &error), qPrintable(error));
        QVERIFY2(exportPlot(plot, pdf, QSize(640, 400), &error), qPrintable(error));
        QFile pngFile(png);
        QVERIFY(pngFile.open(QIODevice::ReadOnly));
        QCOMPARE(pngFile.read(8), QByteArray("\x89PNG\r\n\x1a\n", 8));
        const QImage image(png);
        QCOMPARE(image.size(), QSize(640, 400));
        const QString svgText = readAll(svg);
        QVERIFY(svgText.contains("<svg"));
        QVERIFY(svgText.contains("width=\"") && svgText.contains("viewBox=\"0 0 640 400\""));
        QFile pdfFile(pdf);
        QVERIFY(pdfFile.open(QIODevice::ReadOnly));
        QCOMPARE(pdfFile.read(5), QByteArray("%PDF-"));
        QVERIFY(!exportPlot(plot, dir_.filePath("curve.bmp"), QSize(640, 400), &error));
        QVERIFY(error.contains("unknown format"));
        const QStringList all = window_->resultsPanel().exportFigures(dir_.filePath("."), PlotFormat::Svg, QSize(500, 300), &error);
        QVERIFY2(all.size() >= 8, qPrintable(QString::number(all.size()) + error));
    }

    void screenshotsRenderEveryPanel() {
        const QString out = dir_.filePath("shots");
        QString error;
        const QStringList files = window_->saveScreenshots(out, QSize(1400, 900), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(files.size(), 7);
        for (const QString& f : files) {
            const QImage image(f);
            QVERIFY2(!image.isNull(), qPrintable(f));
            QCOMPARE(image.size(), window_->size());
            QCOMPARE(image.width(), 1400);
        }
        QVERIFY(files.first().endsWith("01-dataset.png"));
        QVERIFY(files.last().endsWith("07-results.png"));
    }

    void layoutIsRememberedAcrossWindows() {
        window_->showPanel("sweep");
        window_->close();  // idle: closes at once and saves the layout
        QVERIFY(!settings::mainWindowState.get().isEmpty());
        QCOMPARE(settings::currentPanel.get(), 4);
        MainWindow second(*session_);
        QCOMPARE(second.panelIds().indexOf("sweep"), 4);
        QCOMPARE(static_cast<QTabWidget*>(second.centralWidget())->currentIndex(), 4);
    }
};

QTEST_MAIN(TestStorePanels)
#include "test_store_panels.moc"
