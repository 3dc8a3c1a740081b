#pragma once
// Warm/cold comparison: for each selected run (or each group of seeds) the test metric on all,
// warm and cold rows and per user-degree bucket ("degree_0", "degree_1-4", …), with row counts.
#include <QAbstractTableModel>

#include "logic/aggregate.h"
#include "session/snapshots.h"

namespace glr::ui {

class WarmColdModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit WarmColdModel(QObject* parent = nullptr);

    struct Row {
        QString label;
        QVector<qint64> runIds;
        QMap<QString, MeanStd> values;  // subset → metric mean ± std over the row's runs
        QMap<QString, qint64> rows;     // subset → evaluated rows (first run)
    };

    // runs: the compared runs; results: their test results; groupSeeds merges runs with the same
    // group hash (config except seed).
    void setData(const QVector<RunSummary>& runs, const QVector<ResultEntry>& results, const QString& metric,
                 bool groupSeeds);
    const QVector<Row>& rowsData() const { return rows_; }
    const QStringList& degreeSubsets() const { return degreeSubsets_; }
    const QString& metric() const { return metric_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QStringList columns() const;  // all, warm, cold, degree buckets…

    QVector<Row> rows_;
    QStringList degreeSubsets_;
    QString metric_;
};

}  // namespace glr::ui
