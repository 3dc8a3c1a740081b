#pragma once
// The paper-style results table of the Results panel (methods as rows, metric × subset columns,
// mean ± std over seeds, best of each column in bold), from core/store/results_table.
#include <QAbstractTableModel>

#include "session/store_access.h"

namespace glr::ui {

class ResultsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit ResultsTableModel(QObject* parent = nullptr);

    void setGrid(const ResultsGrid& grid, int decimals);
    const ResultsGrid& grid() const { return grid_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    ResultsGrid grid_;
    int decimals_ = 4;
};

}  // namespace glr::ui
