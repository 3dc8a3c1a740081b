#include "models/results_table_model.h"

#include <QFont>

#include "logic/aggregate.h"

namespace glr::ui {

ResultsTableModel::ResultsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void ResultsTableModel::setGrid(const ResultsGrid& grid, int decimals) {
    beginResetModel();
    grid_ = grid;
    decimals_ = decimals;
    endResetModel();
}

int ResultsTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : grid_.rows.size(); }

int ResultsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : grid_.headers.size() + 2;  // label, runs, metrics…
}

QVariant ResultsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= grid_.rows.size()) return {};
    const ResultsGrid::Row& row = grid_.rows[index.row()];
    if (index.column() == 0) return role == Qt::DisplayRole ? QVariant(row.label) : QVariant();
    if (index.column() == 1) {
        if (role == Qt::DisplayRole) return row.runIds.size();
        if (role == Qt::ToolTipRole) {
            QStringList ids;
            for (qint64 id : row.runIds) ids << QStringLiteral("#%1").arg(id);
            return tr("runs %1").arg(ids.join(QStringLiteral(", ")));
        }
        return {};
    }
    const int c = index.column() - 2;
    if (c >= row.cells.size()) return {};
    const ResultsGrid::Cell& cell = row.cells[c];
    switch (role) {
    case Qt::DisplayRole:
        return cell.present ? formatMeanStd({cell.mean, cell.std, cell.n}, decimals_) : QStringLiteral("–");
    case Qt::FontRole: {
        QFont f;
        f.setBold(cell.best);
        return f;
    }
    case Qt::TextAlignmentRole: return int(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return cell.present ? tr("mean over %1 run(s); %2 evaluated rows").arg(cell.n).arg(cell.rows) : QVariant();
    case Qt::UserRole: return cell.present ? QVariant(cell.mean) : QVariant();
    default: return {};
    }
}

QVariant ResultsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section == 0) return tr("Method");
    if (section == 1) return tr("Runs");
    return section - 2 < grid_.headers.size() ? grid_.headers[section - 2] : QVariant();
}

}  // namespace glr::ui
