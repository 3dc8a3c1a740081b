#include "models/dataset_models.h"

#include <QLocale>

namespace glr::ui {

PreviewTableModel::PreviewTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void PreviewTableModel::setTable(const PreviewTableView& table) {
    beginResetModel();
    table_ = table;
    endResetModel();
}

int PreviewTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : table_.rows.size(); }
int PreviewTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : table_.columns.size(); }

QVariant PreviewTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || role != Qt::DisplayRole || index.row() >= table_.rows.size()) return {};
    return table_.rows[index.row()].value(index.column());
}

QVariant PreviewTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole) return {};
    if (orientation == Qt::Vertical) return section + 1;
    return table_.columns.value(section);
}

SplitStatsModel::SplitStatsModel(QObject* parent) : QAbstractTableModel(parent) {}

void SplitStatsModel::setStats(const DatasetStatsView& stats) {
    beginResetModel();
    stats_ = stats;
    endResetModel();
}

int SplitStatsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : stats_.splits.size(); }
int SplitStatsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : 11; }

QVariant SplitStatsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= stats_.splits.size()) return {};
    const SplitStatsView& s = stats_.splits[index.row()];
    if (role == Qt::TextAlignmentRole && index.column() > 0) return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole) return {};
    const QLocale locale;
    switch (index.column()) {
    case 0: return s.name;
    case 1: return locale.toString(s.rows);
    case 2: return locale.toString(s.users);
    case 3: return locale.toString(s.items);
    case 4: return locale.toString(s.positives);
    case 5: return QString::number(100.0 * s.positiveRate, 'f', 1) + '%';
    case 6: return locale.toString(s.warm);
    case 7: return locale.toString(s.cold);
    case 8: return QString::number(s.historyLength.mean, 'f', 1);
    case 9: return s.promptTokens.count > 0 ? QString::number(s.promptTokens.mean, 'f', 0) : QStringLiteral("–");
    case 10: return s.promptTokens.count > 0 ? QString::number(s.promptTokens.max, 'f', 0) : QStringLiteral("–");
    }
    return {};
}

QVariant SplitStatsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* names[] = {"Split", "Rows", "Users", "Items", "Positives", "Positive rate", "Warm", "Cold",
                                  "Mean history", "Mean prompt tokens", "Max prompt tokens"};
    return section < 11 ? tr(names[section]) : QVariant();
}

}  // namespace glr::ui
