#include "panels/live_curves_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSlider>
#include <QSplitter>
#include <QVBoxLayout>

#include "logic/text_file.h"
#include "models/sweep_models.h"
#include "plot/curve_plot.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

namespace glr::ui {

namespace {

QString axisTitle(CurveAxis axis) {
    switch (axis) {
    case CurveAxis::Step: return QObject::tr("step");
    case CurveAxis::Epoch: return QObject::tr("epoch");
    case CurveAxis::WallTime: return QObject::tr("wall time (s)");
    }
    return {};
}

// What a group of seeds is called: a sweep point by its method and parameters but the seed
// ("graphlora layers=0"), any other run by its name without a trailing seed ("graphlora-s1",
// "t3_seed1" → "graphlora", "t3").
QString seedGroupLabel(const RunSummary& run) {
    if (!run.sweepParamsJson.isEmpty()) {
        const QJsonObject params = QJsonDocument::fromJson(run.sweepParamsJson.toUtf8()).object();
        QStringList parts{run.method};
        for (auto it = params.begin(); it != params.end(); ++it)
            if (it.key() != QLatin1String("seed") && it.key() != QLatin1String("method.name"))
                parts << it.key().section(QLatin1Char('.'), -1) + QLatin1Char('=') + gridValueLabel(it.value());
        return parts.join(QLatin1Char(' '));
    }
    const QRegularExpression seedSuffix(QStringLiteral("[-_ .]+(?:s|seed)?[-_=]?%1$|seed[-_=]?%1$").arg(run.seed),
                                        QRegularExpression::CaseInsensitiveOption);
    QString name = run.name;
    name.remove(seedSuffix);
    return name.isEmpty() ? run.name : name;
}

void selectKey(QComboBox* combo, const QString& key) {
    int i = combo->findText(key);
    if (i < 0 && !key.isEmpty()) {
        combo->addItem(key);
        i = combo->count() - 1;
    }
    if (i >= 0) combo->setCurrentIndex(i);
}

}  // namespace

LiveCurvesPanel::LiveCurvesPanel(WorkbenchSession& session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new CurveRunsModel(this)) {
    setObjectName(QStringLiteral("curvesPanel"));
    runList_ = new QListView(this);
    runList_->setModel(model_);
    runList_->setToolTip(tr("Runs overlaid: select runs in the Runs panel; the training run joins automatically"));
    topMetric_ = new QComboBox(this);
    bottomMetric_ = new QComboBox(this);
    for (QComboBox* c : {topMetric_, bottomMetric_}) {
        c->setEditable(false);
        c->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    }
    topMetric_->addItem(QStringLiteral("train/loss"));
    bottomMetric_->addItem(QStringLiteral("valid/auc"));
    axis_ = new QComboBox(this);
    axis_->addItem(tr("Step"));
    axis_->addItem(tr("Epoch"));
    axis_->addItem(tr("Wall time"));
    smoothing_ = new QSlider(Qt::Horizontal, this);
    smoothing_->setRange(0, 99);
    smoothingLabel_ = new QLabel(this);
    smoothingLabel_->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("0.000")));
    showRaw_ = new QCheckBox(tr("Show raw"), this);
    logY_ = new QCheckBox(tr("Log y"), this);
    groupSeeds_ = new QCheckBox(tr("Group seeds (mean ± std)"), this);
    groupSeeds_->setToolTip(tr("Runs of one experiment that differ only in their seed are drawn as one curve: the mean "
                               "over the seeds, matched step by step, with a band of ± one standard deviation"));
    auto* exportTop = new QPushButton(tr("Export upper…"), this);
    auto* exportBottom = new QPushButton(tr("Export lower…"), this);
    auto* exportData = new QPushButton(tr("Export series CSV…"), this);
    exportData->setToolTip(tr("Every point of the checked runs' two plotted series, unsmoothed"));

    auto* controls = new QWidget(this);
    auto* form = new QFormLayout(controls);
    form->addRow(tr("Upper plot"), topMetric_);
    form->addRow(tr("Lower plot"), bottomMetric_);
    form->addRow(tr("X axis"), axis_);
    auto* smoothRow = new QHBoxLayout;
    smoothRow->addWidget(smoothing_, 1);
    smoothRow->addWidget(smoothingLabel_);
    form->addRow(tr("Smoothing"), smoothRow);
    form->addRow(showRaw_);
    form->addRow(logY_);
    form->addRow(groupSeeds_);
    form->addRow(exportTop);
    form->addRow(exportBottom);
    form->addRow(exportData);
    auto* left = new QWidget(this);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(new QLabel(tr("Runs"), left));
    leftLayout->addWidget(runList_, 1);
    leftLayout->addWidget(controls);

    top_ = new CurvePlot(this);
    top_->setExportName(QStringLiteral("curve-upper"));
    bottom_ = new CurvePlot(this);
    bottom_->setExportName(QStringLiteral("curve-lower"));
    bottom_->setLegendShown(false);  // the same runs as the upper plot's legend
    plots_ = new QSplitter(Qt::Vertical, this);
    plots_->addWidget(top_);
    plots_->addWidget(bottom_);
    splitter_ = new QSplitter(Qt::Horizontal, this);
    splitter_->addWidget(left);
    splitter_->addWidget(plots_);
    splitter_->setStretchFactor(1, 4);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(splitter_);

    smoothing_->setValue(static_cast<int>(settings::curveSmoothing.get() * 100 + 0.5));
    smoothingLabel_->setText(QString::number(smoothing_->value() / 100.0, 'f', 2));
    axis_->setCurrentIndex(std::clamp(settings::curveXAxis.get(), 0, 2));
    showRaw_->setChecked(settings::curveShowRaw.get());
    logY_->setChecked(settings::curveLogY.get());
    groupSeeds_->setChecked(settings::curveGroupSeeds.get());
    model_->setGroupSeeds(groupSeeds_->isChecked());
    for (CurvePlot* p : {top_, bottom_}) {
        p->setSmoothing(smoothing_->value() / 100.0);
        p->setShowRaw(showRaw_->isChecked());
    }
    top_->setLogY(logY_->isChecked());

    connect(model_, &CurveRunsModel::curvesChanged, this, &LiveCurvesPanel::redraw);
    connect(topMetric_, &QComboBox::currentTextChanged, this, &LiveCurvesPanel::redraw);
    connect(bottomMetric_, &QComboBox::currentTextChanged, this, &LiveCurvesPanel::redraw);
    connect(axis_, &QComboBox::currentIndexChanged, this, [this](int i) {
        settings::curveXAxis.set(i);
        redraw();
    });
    connect(smoothing_, &QSlider::valueChanged, this, [this](int v) {
        const double w = v / 100.0;
        smoothingLabel_->setText(QString::number(w, 'f', 2));
        settings::curveSmoothing.set(w);
        top_->setSmoothing(w);
        bottom_->setSmoothing(w);
    });
    connect(showRaw_, &QCheckBox::toggled, this, [this](bool on) {
        settings::curveShowRaw.set(on);
        top_->setShowRaw(on);
        bottom_->setShowRaw(on);
    });
    connect(logY_, &QCheckBox::toggled, this, [this](bool on) {
        settings::curveLogY.set(on);
        top_->setLogY(on);  // the loss; validation metrics stay linear in [0, 1]
    });
    connect(groupSeeds_, &QCheckBox::toggled, this, [this](bool on) {
        settings::curveGroupSeeds.set(on);
        model_->setGroupSeeds(on);
    });
    connect(exportTop, &QPushButton::clicked, top_, &CurvePlot::exportInteractive);
    connect(exportBottom, &QPushButton::clicked, bottom_, &CurvePlot::exportInteractive);
    connect(exportData, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export series"),
                                                          settings::lastExportDir.get() + "/series.csv", tr("CSV (*.csv)"));
        if (path.isEmpty()) return;
        settings::lastExportDir.set(QFileInfo(path).absolutePath());
        QString error;
        if (!exportSeriesCsv(path, &error)) QMessageBox::warning(this, tr("Export series"), error);
    });

    connect(&session_, &WorkbenchSession::progress, this, [this](const RunProgress& p) {
        const bool joined = p.runId != 0 && !model_->entry(p.runId);
        const QStringList touched = model_->appendLive(p);
        if (joined) {
            // The training run joins the group of its earlier seeds.
            if (const auto summary = session_.run(p.runId))
                model_->setGroup(p.runId, summary->groupHash, seedGroupLabel(*summary));
        }
        if (!touched.isEmpty()) refreshMetricChoices();
    });
    connect(&session_, &WorkbenchSession::runEnded, this, [this](const RunEnded& ended) {
        if (ended.runId == 0) return;
        model_->endLive(ended.runId);
        reloadSeries(ended.runId);
    });
    redraw();
}

void LiveCurvesPanel::setRuns(const QVector<qint64>& runIds) {
    QVector<CurveRunsModel::Entry> entries;
    for (qint64 id : runIds) {
        if (const auto* live = model_->entry(id); live && live->live) continue;
        const auto summary = session_.run(id);
        if (!summary) continue;
        CurveRunsModel::Entry e;
        e.runId = id;
        e.label = QStringLiteral("#%1 %2").arg(id).arg(summary->name);
        e.startedAt = summary->started.isValid() ? summary->started.toMSecsSinceEpoch() / 1000.0 : 0;
        e.groupKey = summary->groupHash;
        e.groupLabel = seedGroupLabel(*summary);
        entries << e;
    }
    {
        QSignalBlocker block(model_);
        model_->setStoredRuns(entries);
        for (const auto& e : entries) reloadSeries(e.runId);
    }
    refreshMetricChoices();
    redraw();
}

void LiveCurvesPanel::reloadSeries(qint64 runId) {
    for (const QString& key : session_.seriesKeys(runId)) model_->setSeries(runId, key, session_.series(runId, key));
}

void LiveCurvesPanel::refreshMetricChoices() {
    const QStringList keys = model_->seriesKeys();
    for (QComboBox* combo : {topMetric_, bottomMetric_}) {
        const QString current = combo->currentText();
        QSignalBlocker block(combo);
        combo->clear();
        combo->addItems(keys);
        selectKey(combo, current);
    }
    // Sensible defaults once real keys are known.
    if (!keys.contains(bottomMetric_->currentText())) {
        for (const QString& k : keys)
            if (k.startsWith(QLatin1String("valid/"))) {
                selectKey(bottomMetric_, k);
                break;
            }
    }
}

void LiveCurvesPanel::redraw() {
    const CurveAxis axis = static_cast<CurveAxis>(axis_->currentIndex());
    auto toCurves = [&](const QString& key) {
        QVector<CurveData> out;
        for (const auto& c : model_->curves(key, axis)) out.push_back({c.label, c.color, c.x, c.y, c.style, c.members});
        return out;
    };
    top_->setAxisLabels(axisTitle(axis), topMetric_->currentText());
    bottom_->setAxisLabels(axisTitle(axis), bottomMetric_->currentText());
    top_->setCurves(toCurves(topMetric_->currentText()));
    bottom_->setCurves(toCurves(bottomMetric_->currentText()));
    ++redraws_;
}

void LiveCurvesPanel::setAxis(CurveAxis axis) { axis_->setCurrentIndex(static_cast<int>(axis)); }
void LiveCurvesPanel::setSmoothing(double weight) { smoothing_->setValue(static_cast<int>(weight * 100 + 0.5)); }
void LiveCurvesPanel::setLogY(bool log) { logY_->setChecked(log); }
void LiveCurvesPanel::setGroupSeeds(bool group) { groupSeeds_->setChecked(group); }
void LiveCurvesPanel::setTopMetric(const QString& key) { selectKey(topMetric_, key); }
void LiveCurvesPanel::setBottomMetric(const QString& key) { selectKey(bottomMetric_, key); }

bool LiveCurvesPanel::exportSeriesCsv(const QString& path, QString* error) const {
    QVector<qint64> runIds;
    for (const auto& e : model_->entries())
        if (e.checked) runIds << e.runId;
    QStringList keys{topMetric_->currentText()};
    if (bottomMetric_->currentText() != keys.front()) keys << bottomMetric_->currentText();
    keys.removeAll(QString());
    const auto text = session_.seriesCsv(runIds, keys);
    if (!text) {
        if (error) *error = tr("the series could not be read (see the log)");
        return false;
    }
    return writeTextFile(path, *text, error);
}

void LiveCurvesPanel::saveLayout() const {
    settings::splitterState(QStringLiteral("curves")).set(splitter_->saveState());
    settings::splitterState(QStringLiteral("curvesPlots")).set(plots_->saveState());
}

void LiveCurvesPanel::restoreLayout() {
    splitter_->restoreState(settings::splitterState(QStringLiteral("curves")).get());
    plots_->restoreState(settings::splitterState(QStringLiteral("curvesPlots")).get());
}

}  // namespace glr::ui
