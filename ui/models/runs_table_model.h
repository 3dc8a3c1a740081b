#pragma once
// The Runs table: one row per run with its status, identity and best/last metric values, and the
// proxy that sorts (numerically) and filters it (quick filters + the filter language).
#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QVector>

#include "store/run_filter.h"
#include "session/snapshots.h"

namespace glr::ui {

class RunsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    static constexpr int SortRole = Qt::UserRole + 1;  // numbers for metric/time columns
    static constexpr int RunIdRole = Qt::UserRole + 2;

    explicit RunsTableModel(QObject* parent = nullptr);

    void setRuns(const QVector<RunSummary>& runs);
    const QVector<RunSummary>& runs() const { return runs_; }
    const RunSummary* runAt(int row) const;
    int rowOfRun(qint64 runId) const;
    // Live overlay for the training run: status and latest values before the store is reloaded.
    void setLiveProgress(qint64 runId, const QString& phase, qint64 step, double loss);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // What the filter language sees of the run in `row` (RunSummary::filterable; empty when absent).
    const store::FilterableRun& filterableAt(int row) const;

    enum FixedColumn { ColId, ColName, ColMethod, ColDataset, ColStatus, ColSeed, ColTags, ColCreated, ColDuration, FixedColumns };

private:
    struct MetricColumn {
        QString header;
        QString key;      // results key ("test/auc") or series key ("valid/auc")
        enum Kind { Result, SeriesMax, SeriesMin, SeriesLast } kind;
        QString tooltip;
    };
    std::optional<double> metricValue(const RunSummary& run, const MetricColumn& column) const;
    void rebuildColumns();

    QVector<RunSummary> runs_;
    QVector<MetricColumn> metricColumns_;
    struct Live {
        qint64 runId = 0;
        QString phase;
        qint64 step = 0;
        double loss = 0;
    } live_;
};

class RunsFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunsFilterProxy(QObject* parent = nullptr);
    // Quick filters ("" = any) and the expression; returns false (and keeps the previous
    // expression) when it does not parse — expressionError() says why.
    void setQuickFilters(const QString& method, const QString& dataset, const QString& status, const QString& tag);
    bool setExpression(const QString& expression);
    const QString& expressionError() const { return error_; }
    // Keys the expression compares that no run has (likely typos), each with its closest key:
    // "no run has 'acu' (did you mean 'auc'?)".
    QStringList unknownKeys() const;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString method_, dataset_, status_, tag_;
    store::FilterExpression expression_;
    QString error_;
};

}  // namespace glr::ui
