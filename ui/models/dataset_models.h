#pragma once
// Models of the Dataset panel: the first rows of a raw file as prepare parses them, and the
// per-split statistics of a prepared split (rows, users, items, positives, warm/cold).
#include <QAbstractTableModel>

#include "session/core_access.h"

namespace glr::ui {

class PreviewTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit PreviewTableModel(QObject* parent = nullptr);
    void setTable(const PreviewTableView& table);
    const PreviewTableView& table() const { return table_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    PreviewTableView table_;
};

class SplitStatsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit SplitStatsModel(QObject* parent = nullptr);
    void setStats(const DatasetStatsView& stats);
    const DatasetStatsView& stats() const { return stats_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    DatasetStatsView stats_;
};

}  // namespace glr::ui
