#include "models/runs_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>


namespace glr::ui {

namespace {

QString formatDuration(qint64 seconds) {
    if (seconds < 0) return QString();
    if (seconds < 60) return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 3600) return QStringLiteral("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
}

QColor statusColor(const QString& status) {
    if (status == QLatin1String("finished")) return QColor(0x2e, 0x7d, 0x32);
    if (status == QLatin1String("running")) return QColor(0x15, 0x65, 0xc0);
    if (status == QLatin1String("failed")) return QColor(0xc6, 0x28, 0x28);
    if (status == QLatin1String("interrupted")) return QColor(0xef, 0x6c, 0x00);
    return QColor(0x61, 0x61, 0x61);
}

qint64 durationSeconds(const RunSummary& run) {
    if (!run.started.isValid()) return -1;
    const QDateTime end = run.finished.isValid() ? run.finished : QDateTime::currentDateTimeUtc();
    return run.started.secsTo(end);
}

}  // namespace

RunsTableModel::RunsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsTableModel::setRuns(const QVector<RunSummary>& runs) {
    beginResetModel();
    runs_ = runs;
    rebuildColumns();
    endResetModel();
}

const store::FilterableRun& RunsTableModel::filterableAt(int row) const {
    static const store::FilterableRun kNothing;
    const RunSummary* run = runAt(row);
    return run && run->filterable ? *run->filterable : kNothing;
}

const RunSummary* RunsTableModel::runAt(int row) const {
    return row >= 0 && row < runs_.size() ? &runs_[row] : nullptr;
}

int RunsTableModel::rowOfRun(qint64 runId) const {
    for (int i = 0; i < runs_.size(); ++i)
        if (runs_[i].id == runId) return i;
    return -1;
}

void RunsTableModel::setLiveProgress(qint64 runId, const QString& phase, qint64 step, double loss) {
    live_ = {runId, phase, step, loss};
    const int row = rowOfRun(runId);
    if (row >= 0) emit dataChanged(index(row, ColStatus), index(row, columnCount() - 1));
}

void RunsTableModel::rebuildColumns() {
    // Result columns in paper order, then series columns; only those some run has.
    static const QVector<MetricColumn> candidates = {
        {QStringLiteral("AUC"), QStringLiteral("test/auc"), MetricColumn::Result, QStringLiteral("test AUC (all rows)")},
        {QStringLiteral("UAUC"), QStringLiteral("test/uauc"), MetricColumn::Result, QStringLiteral("test UAUC")},
        {QStringLiteral("wUAUC"), QStringLiteral("test/uauc_weighted"), MetricColumn::Result, QStringLiteral("test UAUC weighted by positives")},
        {QStringLiteral("NDCG@10"), QStringLiteral("test/ndcg@10"), MetricColumn::Result, QStringLiteral("test NDCG@10")},
        {QStringLiteral("Warm AUC"), QStringLiteral("test_warm/auc"), MetricColumn::Result, QStringLiteral("test AUC on warm rows")},
        {QStringLiteral("Cold AUC"), QStringLiteral("test_cold/auc"), MetricColumn::Result, QStringLiteral("test AUC on cold rows")},
        {QStringLiteral("Valid AUC best"), QStringLiteral("valid/auc"), MetricColumn::SeriesMax, QStringLiteral("highest validation AUC during training")},
        {QStringLiteral("Valid AUC last"), QStringLiteral("valid/auc"), MetricColumn::SeriesLast, QStringLiteral("last validation AUC")},
        {QStringLiteral("Loss min"), QStringLiteral("train/loss"), MetricColumn::SeriesMin, QStringLiteral("lowest training loss")},
        {QStringLiteral("Loss last"), QStringLiteral("train/loss"), MetricColumn::SeriesLast, QStringLiteral("last training loss")},
        {QStringLiteral("Steps"), QStringLiteral("train/loss"), MetricColumn::SeriesLast, QStringLiteral("optimiser steps recorded")},
    };
    metricColumns_.clear();
    for (const MetricColumn& c : candidates) {
        bool present = false;
        for (const RunSummary& run : runs_) {
            present = present || (c.kind == MetricColumn::Result ? run.results.contains(c.key) : run.series.contains(c.key));
            if (present) break;
        }
        if (present) metricColumns_.push_back(c);
    }
}

std::optional<double> RunsTableModel::metricValue(const RunSummary& run, const MetricColumn& column) const {
    if (column.kind == MetricColumn::Result) {
        auto it = run.results.constFind(column.key);
        if (it == run.results.constEnd()) return std::nullopt;
        return *it;
    }
    auto it = run.series.constFind(column.key);
    if (it == run.series.constEnd()) return std::nullopt;
    if (column.header == QLatin1String("Steps")) return static_cast<double>(it->lastStep);
    switch (column.kind) {
    case MetricColumn::SeriesMax: return it->max;
    case MetricColumn::SeriesMin: return it->min;
    default: return it->last;
    }
}

int RunsTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : runs_.size(); }

int RunsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : FixedColumns + metricColumns_.size();
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
    const RunSummary* run = runAt(index.row());
    if (!run) return {};
    const int column = index.column();
    if (role == RunIdRole) return run->id;
    const bool isLive = live_.runId == run->id && live_.runId != 0;

    if (column >= FixedColumns) {
        const MetricColumn& metric = metricColumns_[column - FixedColumns];
        std::optional<double> value = metricValue(*run, metric);
        if (isLive && metric.key == QLatin1String("train/loss") && metric.kind == MetricColumn::SeriesLast)
            value = metric.header == QLatin1String("Steps") ? double(live_.step) : live_.loss;
        if (role == SortRole) return value ? QVariant(*value) : QVariant(-1e300);
        if (role == Qt::DisplayRole) {
            if (!value) return QString();
            if (metric.header == QLatin1String("Steps")) return QString::number(static_cast<qint64>(*value));
            return QString::number(*value, 'f', 4);
        }
        if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
        if (role == Qt::ToolTipRole) return metric.tooltip;
        return {};
    }

    if (role == Qt::DisplayRole || role == SortRole) {
        switch (column) {
        case ColId: return role == SortRole ? QVariant(run->id) : QVariant(QString::number(run->id));
        case ColName: return run->name;
        case ColMethod: return run->method;
        case ColDataset: return run->dataset;
        case ColStatus:
            if (isLive && role == Qt::DisplayRole)
                return QStringLiteral("running · %1 · step %2").arg(live_.phase).arg(live_.step);
            return run->status;
        case ColSeed: return role == SortRole ? QVariant(run->seed) : QVariant(QString::number(run->seed));
        case ColTags: return run->tags.join(QStringLiteral(", "));
        case ColCreated:
            return role == SortRole ? QVariant(run->created.toMSecsSinceEpoch())
                                    : QVariant(run->created.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        case ColDuration: {
            const qint64 seconds = durationSeconds(*run);
            return role == SortRole ? QVariant(seconds) : QVariant(formatDuration(seconds));
        }
        }
    }
    if (role == Qt::ForegroundRole && column == ColStatus) return QBrush(statusColor(isLive ? QStringLiteral("running") : run->status));
    if (role == Qt::FontRole && column == ColName) {
        QFont f;
        f.setBold(run->isFinished());
        return f;
    }
    if (role == Qt::ToolTipRole) {
        if (column == ColStatus && !run->error.isEmpty()) return run->error;
        if (column == ColName) return QStringLiteral("config %1").arg(run->configHash.left(12));
    }
    if (role == Qt::TextAlignmentRole && (column == ColId || column == ColSeed || column == ColDuration))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return {};
    if (section >= FixedColumns && section < columnCount()) {
        const MetricColumn& metric = metricColumns_[section - FixedColumns];
        if (role == Qt::DisplayRole) return metric.header;
        if (role == Qt::ToolTipRole) return metric.tooltip;
        return {};
    }
    if (role != Qt::DisplayRole) return {};
    static const char* names[] = {"ID", "Name", "Method", "Dataset", "Status", "Seed", "Tags", "Created", "Duration"};
    return section >= 0 && section < FixedColumns ? tr(names[section]) : QVariant();
}


// ---- RunsFilterProxy ------------------------------------------------------------------------

RunsFilterProxy::RunsFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(RunsTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
}

void RunsFilterProxy::setQuickFilters(const QString& method, const QString& dataset, const QString& status,
                                      const QString& tag) {
    method_ = method;
    dataset_ = dataset;
    status_ = status;
    tag_ = tag;
    invalidateFilter();
}

bool RunsFilterProxy::setExpression(const QString& expression) {
    store::FilterExpression parsed = store::FilterExpression::parse(expression.toStdString());
    if (!parsed.isValid()) {
        error_ = QString::fromStdString(parsed.error());
        return false;
    }
    error_.clear();
    expression_ = parsed;
    invalidateFilter();
    return true;
}

QStringList RunsFilterProxy::unknownKeys() const {
    auto* model = qobject_cast<RunsTableModel*>(sourceModel());
    QStringList unknown;
    if (!model) return unknown;
    std::vector<const store::FilterableRun*> runs;
    for (int row = 0; row < model->runs().size(); ++row) runs.push_back(&model->filterableAt(row));
    for (const auto& key : store::unknownFilterKeys(expression_, runs)) unknown << QString::fromStdString(key.message());
    return unknown;
}

bool RunsFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const {
    auto* model = qobject_cast<RunsTableModel*>(sourceModel());
    const RunSummary* run = model ? model->runAt(sourceRow) : nullptr;
    if (!run) return false;
    if (!method_.isEmpty() && run->method != method_) return false;
    if (!dataset_.isEmpty() && run->dataset != dataset_) return false;
    if (!status_.isEmpty() && run->status != status_) return false;
    if (!tag_.isEmpty() && !run->tags.contains(tag_)) return false;
    return expression_.isEmpty() || expression_.matches(model->filterableAt(sourceRow));
}

}  // namespace glr::ui
