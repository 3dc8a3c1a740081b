#include "panels/warm_cold_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

#include "models/warm_cold_model.h"
#include "plot/stat_plots.h"
#include "session/workbench_session.h"

namespace glr::ui {

WarmColdPanel::WarmColdPanel(WorkbenchSession& session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new WarmColdModel(this)) {
    setObjectName(QStringLiteral("warmColdPanel"));
    metric_ = new QComboBox(this);
    metric_->addItem(QStringLiteral("AUC"), QStringLiteral("auc"));
    metric_->addItem(QStringLiteral("UAUC"), QStringLiteral("uauc"));
    metric_->addItem(QStringLiteral("wUAUC"), QStringLiteral("uauc_weighted"));
    metric_->addItem(QStringLiteral("NDCG@10"), QStringLiteral("ndcg@10"));
    groupSeeds_ = new QCheckBox(tr("Mean ± std over seeds"), this);
    groupSeeds_->setChecked(true);
    caption_ = new QLabel(this);
    auto* exportSubsets = new QPushButton(tr("Export bars…"), this);
    auto* exportDegrees = new QPushButton(tr("Export degree plot…"), this);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Metric"), this));
    controls->addWidget(metric_);
    controls->addWidget(groupSeeds_);
    controls->addWidget(caption_, 1);
    controls->addWidget(exportSubsets);
    controls->addWidget(exportDegrees);

    subsets_ = new GroupedBarsPlot(this);
    subsets_->setExportName(QStringLiteral("warm-cold"));
    degrees_ = new GroupedBarsPlot(this);
    degrees_->setExportName(QStringLiteral("user-degree"));
    degrees_->setEmptyMessage(tr("No user-degree breakdown in these runs' results"));
    table_ = new QTableView(this);
    table_->setModel(model_);
    table_->verticalHeader()->setVisible(false);

    auto* plots = new QSplitter(Qt::Horizontal, this);
    plots->addWidget(subsets_);
    plots->addWidget(degrees_);
    plots->setSizes({1000, 1000});  // equal halves
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(plots);
    split->addWidget(table_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(split, 1);

    connect(metric_, &QComboBox::currentIndexChanged, this, &WarmColdPanel::refresh);
    connect(groupSeeds_, &QCheckBox::toggled, this, &WarmColdPanel::refresh);
    connect(exportSubsets, &QPushButton::clicked, subsets_, &PlotWidget::exportInteractive);
    connect(exportDegrees, &QPushButton::clicked, degrees_, &PlotWidget::exportInteractive);
}

void WarmColdPanel::setRuns(const QVector<qint64>& runIds) {
    runIds_ = runIds;
    refresh();
}

void WarmColdPanel::setMetric(const QString& metric) {
    const int i = metric_->findData(metric);
    if (i >= 0) metric_->setCurrentIndex(i);
}

void WarmColdPanel::refresh() {
    QVector<RunSummary> runs;
    const QVector<RunSummary>& all = session_.cachedRuns();
    if (runIds_.isEmpty()) {
        for (auto it = all.rbegin(); it != all.rend(); ++it)
            if (it->isFinished()) runs << *it;
        caption_->setText(tr("all %n finished run(s)", "", runs.size()));
    } else {
        for (qint64 id : runIds_)
            for (const RunSummary& r : all)
                if (r.id == id) runs << r;
        caption_->setText(tr("%n selected run(s)", "", runs.size()));
    }
    QVector<qint64> ids;
    for (const auto& r : runs) ids << r.id;
    const QString metric = metric_->currentData().toString();
    model_->setData(runs, ids.isEmpty() ? QVector<ResultEntry>{} : session_.results(ids, QStringLiteral("test")),
                    metric, groupSeeds_->isChecked());
    table_->resizeColumnsToContents();

    const QString metricName = metric_->currentText();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Bars: x = runs (or seed groups), one bar per subset.
    QStringList categories;
    for (const auto& row : model_->rowsData()) categories << row.label;
    QVector<BarSeries> subsetSeries;
    const QStringList subsets{QStringLiteral("all"), QStringLiteral("warm"), QStringLiteral("cold")};
    for (int s = 0; s < subsets.size(); ++s) {
        BarSeries series{subsets[s], PlotWidget::seriesColor(s), {}, {}, {}};
        for (const auto& row : model_->rowsData()) {
            const bool has = row.values.contains(subsets[s]);
            series.values << (has ? row.values[subsets[s]].mean : nan);
            series.errors << (has ? row.values[subsets[s]].std : 0.0);
            series.annotations << (has ? QStringLiteral("n=%1").arg(row.rows.value(subsets[s])) : QString());
        }
        subsetSeries << series;
    }
    subsets_->setData(categories, subsetSeries, tr("test %1").arg(metricName));

    // Degree breakdown: x = buckets, one bar per run.
    QVector<BarSeries> degreeSeries;
    int colour = 0;
    for (const auto& row : model_->rowsData()) {
        BarSeries series{row.label, PlotWidget::seriesColor(colour++), {}, {}, {}};
        for (const QString& bucket : model_->degreeSubsets()) {
            const bool has = row.values.contains(bucket);
            series.values << (has ? row.values[bucket].mean : nan);
            series.errors << (has ? row.values[bucket].std : 0.0);
        }
        degreeSeries << series;
    }
    QStringList buckets;
    for (const QString& b : model_->degreeSubsets()) buckets << QString(b).replace(QStringLiteral("degree_"), QString());
    degrees_->setData(buckets, model_->degreeSubsets().isEmpty() ? QVector<BarSeries>{} : degreeSeries,
                      tr("test %1 by user training degree").arg(metricName));
}

}  // namespace glr::ui
