#include "models/curve_runs_model.h"

#include <QPainter>
#include <QPixmap>
#include <QSet>
#include <algorithm>
#include <limits>

#include "logic/ordering.h"
#include "logic/seed_groups.h"
#include "plot/plot_widget.h"

namespace glr::ui {

namespace {

// A short stroke in the run's colour and line style, for the list beside the plots.
QPixmap lookSwatch(const QColor& color, Qt::PenStyle style) {
    QPixmap swatch(28, 14);
    swatch.fill(Qt::transparent);
    QPainter painter(&swatch);
    painter.setPen(QPen(color, 3, style, Qt::FlatCap));
    painter.drawLine(1, 7, 27, 7);
    return swatch;
}

}  // namespace

CurveRunsModel::CurveRunsModel(QObject* parent) : QAbstractListModel(parent) {}

int CurveRunsModel::rowOf(qint64 runId) const {
    for (int i = 0; i < entries_.size(); ++i)
        if (entries_[i].runId == runId) return i;
    return -1;
}

// The first look no run has: the palette's colours as solid lines, then the same colours dashed,
// dotted and dash-dotted. With every look taken, the least used one.
void CurveRunsModel::assignLook(Entry& entry) const {
    static constexpr Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine};
    int fewest = std::numeric_limits<int>::max();
    for (const Qt::PenStyle style : kStyles)
        for (int c = 0; c < PlotWidget::kSeriesColors; ++c) {
            const QColor color = PlotWidget::seriesColor(c);
            const int uses = int(std::count_if(entries_.begin(), entries_.end(), [&](const Entry& e) {
                return e.color == color && e.style == style;
            }));
            if (uses < fewest) {
                fewest = uses;
                entry.color = color;
                entry.style = style;
            }
            if (uses == 0) return;
        }
}

void CurveRunsModel::setStoredRuns(const QVector<Entry>& entries) {
    beginResetModel();
    QVector<Entry> kept;
    for (const Entry& e : entries_)
        if (e.live) kept << e;
    entries_ = kept;
    for (Entry e : entries) {
        const int existing = rowOf(e.runId);
        if (existing >= 0) continue;  // the live run is already there
        assignLook(e);
        entries_ << e;
    }
    endResetModel();
    emit curvesChanged();
}

void CurveRunsModel::setSeries(qint64 runId, const QString& key, const QVector<SeriesPoint>& points) {
    const int row = rowOf(runId);
    if (row < 0) return;
    entries_[row].series[key] = points;
    emit curvesChanged();
}

QStringList CurveRunsModel::appendLive(const RunProgress& progress) {
    if (progress.runId == 0) return {};
    int row = rowOf(progress.runId);
    if (row < 0) {
        Entry e;
        e.runId = progress.runId;
        e.label = QStringLiteral("#%1 %2").arg(progress.runId).arg(progress.runLabel);
        assignLook(e);
        e.live = true;
        beginInsertRows({}, 0, 0);
        entries_.prepend(e);
        endInsertRows();
        row = 0;
    }
    Entry& entry = entries_[row];
    entry.live = true;
    QStringList touched;
    for (const MetricPoint& p : progress.batch.points) {
        const QString key = QString::fromStdString(p.name);
        QVector<SeriesPoint>& series = entry.series[key];
        // A resumed run repeats no steps, but guard anyway: keep x ascending.
        if (!series.isEmpty() && series.back().step > p.step) continue;
        series.push_back({p.step, p.epoch, p.wallSeconds, p.value});
        if (!touched.contains(key)) touched << key;
    }
    if (!touched.isEmpty()) emit curvesChanged();
    return touched;
}

void CurveRunsModel::endLive(qint64 runId) {
    const int row = rowOf(runId);
    if (row >= 0) entries_[row].live = false;
}

const CurveRunsModel::Entry* CurveRunsModel::entry(qint64 runId) const {
    const int row = rowOf(runId);
    return row >= 0 ? &entries_[row] : nullptr;
}

QStringList CurveRunsModel::seriesKeys() const {
    QSet<QString> keys;
    for (const Entry& e : entries_)
        for (auto it = e.series.begin(); it != e.series.end(); ++it) keys.insert(it.key());
    QStringList list(keys.begin(), keys.end());
    auto rank = [](const QString& k) {
        if (k == QLatin1String("train/loss")) return 0;
        if (k.startsWith(QLatin1String("valid"))) return 1;
        if (k.startsWith(QLatin1String("train"))) return 2;
        return 3;
    };
    std::sort(list.begin(), list.end(), [&](const QString& a, const QString& b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
    });
    return list;
}

int CurveRunsModel::pointCount(qint64 runId, const QString& key) const {
    const Entry* e = entry(runId);
    return e ? e->series.value(key).size() : 0;
}

namespace {

struct SeriesPoints {
    QVector<qint64> steps;
    QVector<double> x, y;
};

// One run's series with x by the chosen axis, in logging order.
SeriesPoints pointsOf(const CurveRunsModel::Entry& e, const QVector<SeriesPoint>& series, CurveAxis axis) {
    SeriesPoints out;
    // Live points carry seconds since the run began; stored ones unix seconds.
    const double origin = e.live ? 0.0 : (e.startedAt > 0 ? e.startedAt : series.front().wallTime);
    for (const SeriesPoint& p : series) {
        out.steps << p.step;
        switch (axis) {
        case CurveAxis::Step: out.x << double(p.step); break;
        case CurveAxis::Epoch: out.x << p.epoch; break;
        case CurveAxis::WallTime: out.x << (p.wallTime - origin); break;
        }
        out.y << p.value;
    }
    return out;
}

}  // namespace

// Grouped, a run shows the look of its group's curve: that of the group's first checked run.
const CurveRunsModel::Entry& CurveRunsModel::lookOf(const Entry& entry) const {
    if (!groupSeeds_ || entry.groupKey.isEmpty()) return entry;
    for (const Entry& e : entries_)
        if (e.checked && e.groupKey == entry.groupKey) return e;
    return entry;
}

void CurveRunsModel::setGroup(qint64 runId, const QString& groupKey, const QString& groupLabel) {
    const int row = rowOf(runId);
    if (row < 0) return;
    entries_[row].groupKey = groupKey;
    entries_[row].groupLabel = groupLabel;
    emit dataChanged(index(0), index(entries_.size() - 1), {Qt::DecorationRole});
    emit curvesChanged();
}

void CurveRunsModel::setGroupSeeds(bool group) {
    if (group == groupSeeds_) return;
    groupSeeds_ = group;
    if (!entries_.isEmpty()) emit dataChanged(index(0), index(entries_.size() - 1), {Qt::DecorationRole});
    emit curvesChanged();
}

QVector<CurveRunsModel::Curve> CurveRunsModel::curves(const QString& key, CurveAxis axis) const {
    // Checked runs with points, in list order; grouped ones collected under their first run.
    QVector<const Entry*> drawn;
    QHash<QString, QVector<const Entry*>> groups;
    for (const Entry& e : entries_) {
        if (!e.checked || e.series.value(key).isEmpty()) continue;
        drawn << &e;
        if (groupSeeds_ && !e.groupKey.isEmpty()) groups[e.groupKey] << &e;
    }
    QVector<Curve> out;
    for (const Entry* e : drawn) {
        const auto group = groups.value(e->groupKey);
        if (group.size() >= 2) {
            if (group.front() != e) continue;  // drawn once, with its first run
            QVector<SeedGroupMember> members;
            for (const Entry* member : group) {
                SeriesPoints points = pointsOf(*member, member->series.value(key), axis);
                members.push_back({points.steps, points.x, points.y});
            }
            AlignedSeedGroup aligned = alignSeedGroup(members);
            const QString label = tr("%1 (%n seeds)", nullptr, int(group.size()))
                                      .arg(e->groupLabel.isEmpty() ? e->label : e->groupLabel);
            out << Curve{e->runId, label, e->color, e->style, aligned.x, aligned.rawMean, aligned.members};
            continue;
        }
        const SeriesPoints points = pointsOf(*e, e->series.value(key), axis);
        const QVector<int> order = ascendingOrder(points.x);
        out << Curve{e->runId, e->label, e->color, e->style, permuted(points.x, order), permuted(points.y, order), {}};
    }
    return out;
}

int CurveRunsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : entries_.size(); }

QVariant CurveRunsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= entries_.size()) return {};
    const Entry& e = entries_[index.row()];
    switch (role) {
    case Qt::DisplayRole: return e.live ? e.label + tr("  (live)") : e.label;
    case Qt::DecorationRole: {
        const Entry& look = lookOf(e);
        return lookSwatch(look.color, look.style);
    }
    case Qt::CheckStateRole: return e.checked ? Qt::Checked : Qt::Unchecked;
    case Qt::UserRole: return e.runId;
    default: return {};
    }
}

bool CurveRunsModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || role != Qt::CheckStateRole) return false;
    entries_[index.row()].checked = value.toInt() == Qt::Checked;
    emit dataChanged(index, index, {Qt::CheckStateRole});
    if (groupSeeds_)  // the group's curve may now take another run's look
        emit dataChanged(this->index(0), this->index(entries_.size() - 1), {Qt::DecorationRole});
    emit curvesChanged();
    return true;
}

Qt::ItemFlags CurveRunsModel::flags(const QModelIndex& index) const {
    return QAbstractListModel::flags(index) | Qt::ItemIsUserCheckable;
}

}  // namespace glr::ui
