#include "models/warm_cold_model.h"

#include <QRegularExpression>
#include <algorithm>

namespace glr::ui {

namespace {

// Lower edge of "degree_1-4" / "degree_20+" / "degree_0", for sorting.
int degreeLower(const QString& subset) {
    static const QRegularExpression number(QStringLiteral("(\\d+)"));
    const auto m = number.match(subset);
    return m.hasMatch() ? m.captured(1).toInt() : 0;
}

}  // namespace

WarmColdModel::WarmColdModel(QObject* parent) : QAbstractTableModel(parent) {}

void WarmColdModel::setData(const QVector<RunSummary>& runs, const QVector<ResultEntry>& results, const QString& metric,
                            bool groupSeeds) {
    beginResetModel();
    rows_.clear();
    degreeSubsets_.clear();
    metric_ = metric;
    // Group runs (in the given order) by group hash, or one row per run.
    QVector<QVector<const RunSummary*>> groups;
    for (const RunSummary& run : runs) {
        bool placed = false;
        if (groupSeeds && !run.groupHash.isEmpty()) {
            for (auto& g : groups) {
                if (g.front()->groupHash == run.groupHash) {
                    g << &run;
                    placed = true;
                    break;
                }
            }
        }
        if (!placed) groups.push_back({&run});
    }
    QStringList usedLabels;
    for (const auto& group : groups) {
        Row row;
        const RunSummary& first = *group.front();
        row.label = group.size() > 1 ? QStringLiteral("%1 (%2 seeds)").arg(first.method).arg(group.size())
                                     : QStringLiteral("#%1 %2").arg(first.id).arg(first.name);
        if (usedLabels.contains(row.label)) row.label += QStringLiteral(" #%1").arg(first.id);
        usedLabels << row.label;
        QMap<QString, std::vector<double>> samples;
        for (const RunSummary* run : group) {
            row.runIds << run->id;
            for (const ResultEntry& r : results) {
                if (r.runId != run->id || r.metric != metric) continue;
                samples[r.subset].push_back(r.value);
                if (run == group.front()) row.rows[r.subset] = r.rows;
                if (r.subset.startsWith(QLatin1String("degree")) && !degreeSubsets_.contains(r.subset))
                    degreeSubsets_ << r.subset;
            }
        }
        for (auto it = samples.begin(); it != samples.end(); ++it) row.values[it.key()] = meanStd(it.value());
        if (!row.values.isEmpty()) rows_ << row;
    }
    std::sort(degreeSubsets_.begin(), degreeSubsets_.end(),
              [](const QString& a, const QString& b) { return degreeLower(a) < degreeLower(b); });
    endResetModel();
}

QStringList WarmColdModel::columns() const {
    return QStringList{QStringLiteral("all"), QStringLiteral("warm"), QStringLiteral("cold")} + degreeSubsets_;
}

int WarmColdModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }

int WarmColdModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : 1 + columns().size(); }

QVariant WarmColdModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const Row& row = rows_[index.row()];
    if (index.column() == 0) return role == Qt::DisplayRole ? QVariant(row.label) : QVariant();
    const QString subset = columns().value(index.column() - 1);
    if (role == Qt::DisplayRole) {
        if (!row.values.contains(subset)) return QStringLiteral("–");
        return QStringLiteral("%1  (n=%2)").arg(formatMeanStd(row.values[subset])).arg(row.rows.value(subset));
    }
    if (role == Qt::TextAlignmentRole) return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant WarmColdModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == 0) return tr("Run");
    const QString subset = columns().value(section - 1);
    return QStringLiteral("%1 %2").arg(subset, metric_.toUpper());
}

}  // namespace glr::ui
