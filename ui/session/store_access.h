#pragma once
// Reads and edits the experiment store for the widgets, converting core records to the value
// types of snapshots.h. Every function throws glr::Error on failure; WorkbenchSession catches
// and reports.
#include <QString>
#include <QPair>
#include <QVector>
#include <memory>

#include "session/core_access.h"
#include "session/snapshots.h"

namespace glr::store {
class RunStore;
struct RunRecord;
}

namespace glr::ui {

enum class TableExportFormat { Csv, Markdown, Latex };

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

// A sweep's grid points as launched and what each still needs (core/store/sweep_resume.h).
struct SweepCompletionView {
    struct Point {
        QString name, paramsJson, configJson;
        QString action;  // "done", "start", "resume", "running", "failed"
        qint64 runId = 0;
    };
    QVector<Point> points;
};

// One connection to the store (RunStore is used from one thread at a time: the session keeps
// one for the GUI thread; background loads construct their own on the pool thread).
class StoreAccess {
public:
    explicit StoreAccess(const QString& path);  // opens, creating and migrating the file
    ~StoreAccess();
    StoreAccess(const StoreAccess&) = delete;
    StoreAccess& operator=(const StoreAccess&) = delete;
    const QString& path() const { return path_; }

    // Every run with its results and metric summaries, newest first.
    QVector<RunSummary> runSummaries();
    RunSummary runSummary(qint64 runId);
    // Keys of a run's series ("train/loss", "valid/auc", …).
    QStringList seriesKeys(qint64 runId);
    QVector<SeriesPoint> series(qint64 runId, const QString& key);
    QVector<ResultEntry> results(const QVector<qint64>& runIds, const QString& split = QString());
    QVector<SweepSummary> sweeps();

    void renameRun(qint64 runId, const QString& name);
    void setRunTags(qint64 runId, const QStringList& tags);
    void deleteRun(qint64 runId);
    qint64 createSweep(const QString& name, const QString& gridJson, const QString& specJson);
    // Writes the sweep's point configs and their list beside the store, for completing it later
    // (here or with `graphlora sweep --resume`).
    void writeSweepPoints(qint64 sweepId, const QVector<SweepPointView>& points);
    SweepCompletionView sweepCompletion(qint64 sweepId, bool retryFailed);

    ResultsGrid resultsGrid(const ResultsTableRequest& request);
    // The paper-style table (core/store/results_table) for the given runs, as text.
    QString resultsTable(const ResultsTableRequest& request, TableExportFormat format);
    // One row per (run, split, subset, metric): run_id,run_name,method,split,subset,metric,value.
    QString longResultsCsv(const QVector<qint64>& runIds);
    // The runs' metric series ("train/loss", …; all for none), as `graphlora runs series` writes them.
    QString seriesCsv(const QVector<qint64>& runIds, const QStringList& keys);
    // Paired tests of each pair of runs on the rows of `split` both scored (subset: all, warm,
    // cold), pooled over the pairs when there are several.
    RunComparisonSetView compareRuns(const QVector<QPair<qint64, qint64>>& pairs, const QString& split,
                                     const QString& subset, const QStringList& metrics);

private:
    QString path_;
    std::unique_ptr<glr::store::RunStore> store_;
};

// Conversion used by the loaders (exposed for tests).
RunSummary toSummary(const glr::store::RunRecord& record);

}  // namespace glr::ui
