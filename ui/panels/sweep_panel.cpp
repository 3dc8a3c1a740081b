#include "panels/sweep_panel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <limits>

#include "models/sweep_models.h"
#include "plot/parallel_coordinates_plot.h"
#include "plot/stat_plots.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

namespace glr::ui {

namespace {

QJsonValue parseScalar(const QString& text) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(('[' + text.trimmed() + ']').toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && doc.array().size() == 1) return doc.array().first();
    return text.trimmed();
}

}  // namespace

SweepPanel::SweepPanel(WorkbenchSession& session, QWidget* parent)
    : QWidget(parent), session_(session), grid_(new SweepGridModel(this)), results_(new SweepResultsModel(this)) {
    setObjectName(QStringLiteral("sweepPanel"));

    // ---- definition ----
    name_ = new QLineEdit(QStringLiteral("inject-layer"), this);
    baseFile_ = new QLineEdit(this);
    baseFile_->setPlaceholderText(tr("empty: the config of the Experiment panel"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* baseRow = new QHBoxLayout;
    baseRow->addWidget(baseFile_, 1);
    baseRow->addWidget(browse);
    fixed_ = new QLineEdit(this);
    fixed_->setPlaceholderText(tr("fixed overrides: train.max_steps=200; eval.max_rows=1000"));
    gridView_ = new QTableView(this);
    gridView_->setModel(grid_);
    gridView_->verticalHeader()->setVisible(false);
    gridView_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    gridView_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    auto* addKey = new QPushButton(tr("Add key"), this);
    auto* removeKey = new QPushButton(tr("Remove key"), this);
    auto* layerSeed = new QPushButton(tr("Preset: layer × seed"), this);
    auto* alphaBeta = new QPushButton(tr("Preset: α × β"), this);
    auto* keyButtons = new QHBoxLayout;
    for (QPushButton* b : {addKey, removeKey, layerSeed, alphaBeta}) keyButtons->addWidget(b);
    keyButtons->addStretch(1);
    count_ = new QLabel(this);
    auto* launchButton = new QPushButton(tr("Launch sweep"), this);
    launchButton->setDefault(true);
    auto* launchRow = new QHBoxLayout;
    launchRow->addWidget(count_, 1);
    launchRow->addWidget(launchButton);

    auto* define = new QGroupBox(tr("Define a sweep"), this);
    auto* form = new QFormLayout;
    form->addRow(tr("Name"), name_);
    form->addRow(tr("Base config"), baseRow);
    form->addRow(tr("Fixed"), fixed_);
    auto* defineLayout = new QVBoxLayout(define);
    defineLayout->addLayout(form);
    defineLayout->addWidget(gridView_, 1);
    defineLayout->addLayout(keyButtons);
    defineLayout->addLayout(launchRow);

    // ---- results ----
    sweeps_ = new QComboBox(this);
    metric_ = new QComboBox(this);
    xKey_ = new QComboBox(this);
    seriesKey_ = new QComboBox(this);
    for (QComboBox* c : {sweeps_, metric_, xKey_, seriesKey_}) c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    resultCaption_ = new QLabel(this);
    resultCaption_->setWordWrap(true);
    auto* refreshButton = new QPushButton(tr("Refresh"), this);
    auto* completeButton = new QPushButton(tr("Complete sweep"), this);
    completeButton->setToolTip(tr("Queue what this sweep still lacks: resume its interrupted runs, start its missing points "
                                  "(as graphlora sweep --resume does)"));
    auto* exportPlot = new QPushButton(tr("Export plot…"), this);
    auto* exportHeat = new QPushButton(tr("Export heat map…"), this);
    auto* resultControls = new QFormLayout;
    auto* sweepRow = new QHBoxLayout;
    sweepRow->addWidget(sweeps_, 1);
    sweepRow->addWidget(refreshButton);
    sweepRow->addWidget(completeButton);
    resultControls->addRow(tr("Sweep"), sweepRow);
    resultControls->addRow(tr("Metric"), metric_);
    resultControls->addRow(tr("X axis"), xKey_);
    resultControls->addRow(tr("Series / heat map rows"), seriesKey_);
    plot_ = new SweepPlot(this);
    plot_->setExportName(QStringLiteral("sweep"));
    heat_ = new HeatMapPlot(this);
    heat_->setExportName(QStringLiteral("sweep-heatmap"));
    parallel_ = new ParallelCoordinatesPlot(this);
    parallel_->setExportName(QStringLiteral("sweep-parallel"));
    parallel_->setVisible(false);
    auto* exportParallel = new QPushButton(tr("Export parallel coordinates…"), this);
    resultsView_ = new QTableView(this);
    resultsView_->setModel(results_);
    resultsView_->verticalHeader()->setVisible(false);
    resultsView_->horizontalHeader()->setStretchLastSection(true);
    auto* plots = new QSplitter(Qt::Horizontal, this);
    plots->addWidget(plot_);
    plots->addWidget(heat_);
    auto* exportRow = new QHBoxLayout;
    exportRow->addWidget(resultCaption_, 1);
    exportRow->addWidget(exportPlot);
    exportRow->addWidget(exportHeat);
    exportRow->addWidget(exportParallel);
    auto* resultsBox = new QWidget(this);
    auto* resultsLayout = new QVBoxLayout(resultsBox);
    resultsLayout->setContentsMargins(0, 0, 0, 0);
    resultsLayout->addLayout(resultControls);
    auto* resultSplit = new QSplitter(Qt::Vertical, resultsBox);
    resultSplit->addWidget(plots);
    resultSplit->addWidget(parallel_);
    resultSplit->addWidget(resultsView_);
    resultSplit->setStretchFactor(0, 3);
    resultSplit->setStretchFactor(1, 2);
    resultSplit->setStretchFactor(2, 1);
    resultsLayout->addWidget(resultSplit, 1);
    resultsLayout->addLayout(exportRow);

    splitter_ = new QSplitter(Qt::Horizontal, this);
    splitter_->addWidget(define);
    splitter_->addWidget(resultsBox);
    splitter_->setStretchFactor(0, 2);
    splitter_->setStretchFactor(1, 5);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(splitter_);

    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Base config"), settings::lastConfigDir.get(), tr("JSON (*.json)"));
        if (!path.isEmpty()) baseFile_->setText(path);
    });
    connect(addKey, &QPushButton::clicked, this, [this] { grid_->addRow(); });
    connect(removeKey, &QPushButton::clicked, this, [this] { grid_->removeRow(gridView_->currentIndex().row()); });
    connect(layerSeed, &QPushButton::clicked, this, [this] { presetLayerSeed(5, 3); });
    connect(alphaBeta, &QPushButton::clicked, this, &SweepPanel::presetAlphaBeta);
    connect(grid_, &SweepGridModel::gridChanged, this, &SweepPanel::updateCount);
    connect(launchButton, &QPushButton::clicked, this, [this] {
        QString error;
        if (!sweepJson(&error)) {
            QMessageBox::warning(this, tr("Sweep"), error);
            return;
        }
        launch();
    });
    connect(refreshButton, &QPushButton::clicked, this, &SweepPanel::refreshSweeps);
    connect(completeButton, &QPushButton::clicked, this, [this] {
        if (shownSweep() > 0) session_.completeSweep(shownSweep());
    });
    connect(sweeps_, &QComboBox::currentIndexChanged, this, [this] { showSweep(shownSweep()); });
    connect(metric_, &QComboBox::currentIndexChanged, this, &SweepPanel::refreshResults);
    connect(xKey_, &QComboBox::currentIndexChanged, this, &SweepPanel::refreshResults);
    connect(seriesKey_, &QComboBox::currentIndexChanged, this, &SweepPanel::refreshResults);
    connect(exportPlot, &QPushButton::clicked, plot_, &PlotWidget::exportInteractive);
    connect(exportHeat, &QPushButton::clicked, heat_, &PlotWidget::exportInteractive);
    connect(exportParallel, &QPushButton::clicked, parallel_, &PlotWidget::exportInteractive);
    connect(&session_, &WorkbenchSession::storeOpened, this, &SweepPanel::refreshSweeps);
    presetLayerSeed(5, 3);
}

// ---- definition -----------------------------------------------------------------------------

void SweepPanel::setSweepName(const QString& name) { name_->setText(name); }
void SweepPanel::setBaseConfigFile(const QString& path) { baseFile_->setText(path); }
void SweepPanel::setFixedOverrides(const QString& text) { fixed_->setText(text); }

void SweepPanel::presetLayerSeed(int layers, int seeds) {
    QStringList layerValues, seedValues;
    for (int l = 0; l < layers; ++l) layerValues << QStringLiteral("[%1]").arg(l);
    for (int s = 1; s <= seeds; ++s) seedValues << QString::number(s);
    name_->setText(QStringLiteral("inject-layer"));
    grid_->setRows({{QStringLiteral("method.inject.layers"), layerValues.join(QStringLiteral(", "))},
                    {QStringLiteral("seed"), seedValues.join(QStringLiteral(", "))}});
}

void SweepPanel::presetAlphaBeta() {
    name_->setText(QStringLiteral("alpha-beta"));
    grid_->setRows({{QStringLiteral("method.inject.alpha"), QStringLiteral("0.5, 1, 2")},
                    {QStringLiteral("method.inject.beta"), QStringLiteral("0.01, 0.1, 1")}});
}

void SweepPanel::updateCount() {
    const int n = grid_->pointCount();
    count_->setText(n == 0 ? tr("Give at least one key with values") : tr("%n run(s) will be queued", "", n));
}

std::optional<QString> SweepPanel::sweepJson(QString* error) const {
    auto failWith = [&](const QString& why) -> std::optional<QString> {
        if (error) *error = why;
        return std::nullopt;
    };
    if (name_->text().trimmed().isEmpty()) return failWith(tr("name the sweep"));
    const QJsonObject grid = grid_->grid();
    if (grid.isEmpty()) return failWith(tr("the grid is empty: give at least one config key with values"));
    QJsonObject sweep;
    sweep[QStringLiteral("name")] = name_->text().trimmed();
    if (!baseFile_->text().trimmed().isEmpty()) {
        sweep[QStringLiteral("base")] = QFileInfo(baseFile_->text().trimmed()).absoluteFilePath();
    } else {
        if (!baseProvider_) return failWith(tr("choose a base config file"));
        const QJsonDocument base = QJsonDocument::fromJson(baseProvider_().first.toUtf8());
        if (!base.isObject()) return failWith(tr("the Experiment panel's config is not valid JSON"));
        sweep[QStringLiteral("base")] = base.object();
    }
    QJsonObject fixed;
    for (const QString& part : fixed_->text().split(';', Qt::SkipEmptyParts)) {
        const int eq = part.indexOf('=');
        if (eq <= 0) return failWith(tr("fixed override '%1': expected key.path=value").arg(part.trimmed()));
        fixed[part.left(eq).trimmed()] = parseScalar(part.mid(eq + 1));
    }
    if (!fixed.isEmpty()) sweep[QStringLiteral("set")] = fixed;
    sweep[QStringLiteral("grid")] = grid;
    return QString::fromUtf8(QJsonDocument(sweep).toJson(QJsonDocument::Indented));
}

std::optional<qint64> SweepPanel::launch() {
    QString error;
    const auto json = sweepJson(&error);
    if (!json) {
        emit session_.errorOccurred(tr("sweep: %1").arg(error));
        return std::nullopt;
    }
    const QString baseDir = baseFile_->text().trimmed().isEmpty()
                                ? (baseProvider_ ? baseProvider_().second : QString())
                                : QFileInfo(baseFile_->text().trimmed()).absolutePath();
    const auto id = session_.enqueueSweep(*json, baseDir);
    if (id) {
        refreshSweeps();
        showSweep(*id);
    }
    return id;
}

// ---- results --------------------------------------------------------------------------------

qint64 SweepPanel::shownSweep() const { return sweeps_->currentData().toLongLong(); }

void SweepPanel::refreshSweeps() {
    const qint64 current = shownSweep();
    QSignalBlocker block(sweeps_);
    sweeps_->clear();
    auto sweeps = session_.sweeps();
    std::sort(sweeps.begin(), sweeps.end(), [](const SweepSummary& a, const SweepSummary& b) { return a.id > b.id; });
    for (const SweepSummary& sweep : sweeps)  // newest first
        sweeps_->addItem(QStringLiteral("#%1 %2 (%3 runs)").arg(sweep.id).arg(sweep.name).arg(sweep.runIds.size()), sweep.id);
    int index = sweeps_->findData(current);
    if (index < 0 && sweeps_->count() > 0) index = 0;
    sweeps_->setCurrentIndex(index);
    showSweep(shownSweep());
}

void SweepPanel::showSweep(qint64 sweepId) {
    const int index = sweeps_->findData(sweepId);
    if (index >= 0 && index != sweeps_->currentIndex()) {
        QSignalBlocker block(sweeps_);
        sweeps_->setCurrentIndex(index);
    }
    sweepRuns_.clear();
    gridKeys_.clear();
    QJsonObject grid;
    for (const SweepSummary& s : session_.sweeps())
        if (s.id == sweepId) grid = QJsonDocument::fromJson(s.gridJson.toUtf8()).object();
    gridKeys_ = grid.keys();
    for (const RunSummary& run : session_.cachedRuns())
        if (run.sweepId && *run.sweepId == sweepId) sweepRuns_ << run;
    std::sort(sweepRuns_.begin(), sweepRuns_.end(), [](const RunSummary& a, const RunSummary& b) { return a.id < b.id; });

    const QString metric = metric_->currentText(), x = xKey_->currentText(), series = seriesKey_->currentText();
    QSignalBlocker b1(metric_), b2(xKey_), b3(seriesKey_);
    metric_->clear();
    for (const auto& m : SweepResultsModel::metricsOf(sweepRuns_)) metric_->addItem(m.label);
    if (metric_->findText(metric) >= 0) metric_->setCurrentText(metric);
    xKey_->clear();
    seriesKey_->clear();
    seriesKey_->addItem(tr("(none: pool)"));
    for (const QString& key : gridKeys_) {
        if (key == QLatin1String("seed")) continue;
        xKey_->addItem(key);
        seriesKey_->addItem(key);
    }
    if (xKey_->findText(x) >= 0) xKey_->setCurrentText(x);
    // Two varied keys besides the seed: show the second as series and heat-map rows by default.
    if (seriesKey_->findText(series) > 0 && series != xKey_->currentText()) seriesKey_->setCurrentText(series);
    else if (xKey_->count() >= 2) seriesKey_->setCurrentIndex(xKey_->currentIndex() == 0 ? 2 : 1);
    refreshResults();
}

void SweepPanel::setMetric(const QString& label) {
    const int i = metric_->findText(label);
    if (i >= 0) metric_->setCurrentIndex(i);
}

void SweepPanel::refreshResults() {
    const auto metrics = SweepResultsModel::metricsOf(sweepRuns_);
    const int m = metric_->currentIndex();
    const QString xKey = xKey_->currentText();  // empty: a sweep over seeds only
    const QString seriesKey = seriesKey_->currentIndex() > 0 ? seriesKey_->currentText() : QString();
    if (m < 0 || m >= metrics.size()) {
        results_->setData({}, {}, {});
        plot_->setSeries({}, QString(), QString());
        heat_->setGrid({}, {}, {}, QString(), QString(), QString());
        heat_->setVisible(false);
        parallel_->setData({});
        parallel_->setVisible(false);
        resultCaption_->setText(sweepRuns_.isEmpty() ? tr("No sweep runs yet") : tr("No finished run has a metric yet"));
        return;
    }
    const auto& metric = metrics[m];
    QStringList kept;
    if (!xKey.isEmpty()) kept << xKey;
    if (!seriesKey.isEmpty() && seriesKey != xKey) kept << seriesKey;
    results_->setData(sweepRuns_, kept, metric);
    resultsView_->resizeColumnsToContents();

    // Value order and labels from the grid as defined.
    const QJsonObject grid = [&] {
        for (const SweepSummary& s : session_.sweeps())
            if (s.id == shownSweep()) return QJsonDocument::fromJson(s.gridJson.toUtf8()).object();
        return QJsonObject();
    }();
    // Seeds only: one point, all runs pooled.
    const QJsonArray xValues = xKey.isEmpty() ? QJsonArray{QJsonValue()} : grid.value(xKey).toArray();
    bool numericX = !xValues.isEmpty();
    for (const QJsonValue& v : xValues) numericX = numericX && v.isDouble();
    auto xOf = [&](const QJsonValue& v) -> double {
        if (numericX) return v.toDouble();
        for (int i = 0; i < xValues.size(); ++i)
            if (xValues[i] == v) return i;
        return -1;
    };
    QMap<double, QString> ticks;
    if (xKey.isEmpty()) ticks[0] = tr("all seeds");
    else if (!numericX)
        for (int i = 0; i < xValues.size(); ++i) ticks[i] = gridValueLabel(xValues[i]);

    const QJsonArray seriesValues = seriesKey.isEmpty() ? QJsonArray{QJsonValue()} : grid.value(seriesKey).toArray();
    QVector<SweepSeries> curves;
    for (int s = 0; s < seriesValues.size(); ++s) {
        SweepSeries curve;
        curve.label = seriesKey.isEmpty() ? metric.label : QStringLiteral("%1 = %2").arg(seriesKey, gridValueLabel(seriesValues[s]));
        curve.color = PlotWidget::seriesColor(s);
        QMap<double, MeanStd> byX;
        for (const auto& point : results_->points()) {
            if (!seriesKey.isEmpty() && point.params.value(seriesKey) != seriesValues[s]) continue;
            const double x = xOf(point.params.value(xKey));
            byX[x] = point.stats;
            for (double v : point.values) curve.samples.push_back({x, v});
        }
        for (auto it = byX.begin(); it != byX.end(); ++it) {
            curve.x << it.key();
            curve.stats << it.value();
        }
        if (!curve.x.isEmpty()) curves << curve;
    }
    plot_->setSeries(curves, xKey.isEmpty() ? tr("seed") : xKey, metric.label + tr(" (mean ± std over seeds)"), ticks);

    if (!xKey.isEmpty() && !seriesKey.isEmpty() && seriesKey != xKey) {
        QStringList xLabels, yLabels;
        for (const QJsonValue& v : xValues) xLabels << gridValueLabel(v);
        for (const QJsonValue& v : seriesValues) yLabels << gridValueLabel(v);
        QVector<QVector<double>> values(yLabels.size(), QVector<double>(xLabels.size(), std::numeric_limits<double>::quiet_NaN()));
        for (const auto& point : results_->points()) {
            int r = -1, c = -1;
            for (int i = 0; i < seriesValues.size(); ++i)
                if (seriesValues[i] == point.params.value(seriesKey)) r = i;
            for (int i = 0; i < xValues.size(); ++i)
                if (xValues[i] == point.params.value(xKey)) c = i;
            if (r >= 0 && c >= 0) values[r][c] = point.stats.mean;
        }
        heat_->setGrid(xLabels, yLabels, values, xKey, seriesKey, metric.label);
        heat_->setVisible(true);
    } else {
        heat_->setGrid({}, {}, {}, QString(), QString(), QString());
        heat_->setVisible(false);  // a 1-D sweep has no second axis
    }
    // Every run across every varied key: shown from two keys on (a 1-D sweep is the curve above).
    if (gridKeys_.size() >= 2) {
        QVector<ParallelRun> lines;
        for (const auto& run : sweepRuns_) {
            const auto value = SweepResultsModel::valueOf(run, metric);
            if (!value || !std::isfinite(*value)) continue;
            lines.push_back({run.id, QJsonDocument::fromJson(run.sweepParamsJson.toUtf8()).object(), *value});
        }
        QMap<QString, QJsonArray> gridValues;
        for (const QString& key : gridKeys_) gridValues[key] = grid.value(key).toArray();
        parallel_->setData(parallelCoordinates(lines, gridKeys_, gridValues, metric.label, gridValueLabel));
        parallel_->setVisible(true);
    } else {
        parallel_->setData({});
        parallel_->setVisible(false);
    }
    int finished = 0;
    for (const auto& r : sweepRuns_) finished += r.isFinished() ? 1 : 0;
    QStringList pooled;
    for (const QString& key : gridKeys_)
        if (!kept.contains(key)) pooled << key;
    resultCaption_->setText(tr("%1 of %2 run(s) finished; pooled (mean ± std): %3")
                                .arg(finished)
                                .arg(sweepRuns_.size())
                                .arg(pooled.isEmpty() ? tr("nothing") : pooled.join(QStringLiteral(", "))));
}

void SweepPanel::saveLayout() const { settings::splitterState(QStringLiteral("sweep")).set(splitter_->saveState()); }
void SweepPanel::restoreLayout() { splitter_->restoreState(settings::splitterState(QStringLiteral("sweep")).get()); }

}  // namespace glr::ui
