#pragma once
// Reads and edits the experiment store for the widgets, converting core records to the value
// types of snapshots.h. Every function opens or uses a RunStore connection of its own thread
// and throws glr::Error on failure; WorkbenchSession catches and reports.
//
// The free functions open a private connection, so they may run on any thread (the session runs
// the potentially large ones through QtConcurrent).
#include <QString>
#include <QVector>

#include "session/snapshots.h"

namespace glr::store {
class RunStore;
struct RunRecord;
}

namespace glr::ui {

enum class TableExportFormat { Csv, Markdown, Latex };

// Every run with its results and metric summaries, newest first.
QVector<RunSummary> loadRunSummaries(const QString& storePath);
RunSummary loadRunSummary(const QString& storePath, qint64 runId);
// Keys of a run's series ("train/loss", "valid/auc", …).
QStringList loadSeriesKeys(const QString& storePath, qint64 runId);
QVector<SeriesPoint> loadSeries(const QString& storePath, qint64 runId, const QString& key);
QVector<ResultEntry> loadResults(const QString& storePath, const QVector<qint64>& runIds,
                                 const QString& split = QString());
QVector<SweepSummary> loadSweeps(const QString& storePath);

void renameRun(const QString& storePath, qint64 runId, const QString& name);
void setRunTags(const QString& storePath, qint64 runId, const QStringList& tags);
void deleteRun(const QString& storePath, qint64 runId);
qint64 createSweep(const QString& storePath, const QString& name, const QString& gridJson,
                   const QString& specJson);

// The paper-style table (core/store/results_table) for the given runs, as text.
struct ResultsTableRequest {
    QVector<qint64> runIds;
    QString split = QStringLiteral("test");
    QStringList metrics{QStringLiteral("auc"), QStringLiteral("uauc")};
    QStringList subsets{QStringLiteral("all"), QStringLiteral("warm"), QStringLiteral("cold")};
    bool groupSeeds = true;
    int decimals = 4;
};
// The same table as values, for the Results panel to show.
struct ResultsGrid {
    QString split;
    QStringList headers;  // "AUC", "UAUC (warm)", …
    struct Cell {
        double mean = 0, std = 0;
        int n = 0;
        qint64 rows = 0;
        bool present = false;
        bool best = false;
    };
    struct Row {
        QString label, method;
        QVector<qint64> runIds;
        QVector<Cell> cells;  // one per header
    };
    QVector<Row> rows;
};
ResultsGrid loadResultsGrid(const QString& storePath, const ResultsTableRequest& request);
QString renderResultsTable(const QString& storePath, const ResultsTableRequest& request,
                           TableExportFormat format);
// One row per (run, split, subset, metric): run_id,run_name,method,split,subset,metric,value.
QString renderLongResultsCsv(const QString& storePath, const QVector<qint64>& runIds);

// Conversion used by the loaders (exposed for tests).
RunSummary toSummary(const glr::store::RunRecord& record);
QString resultKey(const QString& split, const QString& subset, const QString& metric);

}  // namespace glr::ui
