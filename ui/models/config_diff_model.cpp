#include "models/config_diff_model.h"

#include <QBrush>
#include <QColor>

namespace glr::ui {

ConfigDiffModel::ConfigDiffModel(QObject* parent) : QAbstractTableModel(parent) {}

void ConfigDiffModel::setRuns(const QVector<RunSummary>& runs) {
    runLabels_.clear();
    configs_.clear();
    for (const RunSummary& run : runs) {
        runLabels_ << QStringLiteral("#%1 %2").arg(run.id).arg(run.name);
        configs_.push_back(flattenConfigJson(run.configJson));
    }
    rebuild();
}

void ConfigDiffModel::setOnlyDiffering(bool only) {
    onlyDiffering_ = only;
    rebuild();
}

void ConfigDiffModel::rebuild() {
    beginResetModel();
    diff_ = diffConfigs(configs_, onlyDiffering_ && configs_.size() > 1);
    endResetModel();
}

int ConfigDiffModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : diff_.keys.size(); }

int ConfigDiffModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(configs_.size()) + 1;
}

QVariant ConfigDiffModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= diff_.keys.size()) return {};
    const auto& row = diff_.values[index.row()];
    if (index.column() == 0) {
        if (role == Qt::DisplayRole) return diff_.keys[index.row()];
        return {};
    }
    const auto& value = row[index.column() - 1];
    if (role == Qt::DisplayRole) return value ? *value : tr("(absent)");
    if (role == Qt::ForegroundRole && !value) return QBrush(QColor(150, 150, 150));
    if (role == Qt::BackgroundRole) {
        bool same = true;
        for (const auto& v : row) same = same && v == row.front();
        if (!same) return QBrush(QColor(255, 243, 205));
    }
    return {};
}

QVariant ConfigDiffModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == 0) return tr("Key");
    return section - 1 < runLabels_.size() ? runLabels_[section - 1] : QVariant();
}

}  // namespace glr::ui
