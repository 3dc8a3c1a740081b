#pragma once
// Copyable value types that cross from core (and the worker thread) to the widgets. Widgets see
// only these, never core's records, so the UI does not change when a core struct grows.
#include <QDateTime>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>
#include <memory>
#include <optional>

#include "logic/progress_coalescer.h"

namespace glr::store {
struct FilterableRun;
}

namespace glr::ui {

// Summary of one (split, name) metric series: what "best / last" columns show.
struct SeriesSummary {
    double last = 0, min = 0, max = 0;
    qint64 count = 0;
    qint64 lastStep = 0;
};

// One run as the Runs table and the comparison panels see it.
struct RunSummary {
    qint64 id = 0;
    QString name, method, dataset, status;  // status: queued, running, finished, failed, interrupted
    QString configJson;                     // canonical config, pretty-printable
    QString configHash, groupHash;
    qint64 seed = 0;
    QStringList tags;
    QString notes, error;
    QString gitCommit;
    bool gitDirty = false;
    QString device, torchVersion, host;
    QDateTime created, started, finished;   // invalid when unset
    std::optional<qint64> sweepId;
    QString sweepParamsJson;                // {"method.inject.layers": [0], "seed": 1} or ""
    std::optional<qint64> resumedFrom;
    // Final results: "test/auc", "test_warm/uauc", "test_cold/ndcg@10", … and the short aliases
    // "auc", "uauc", … for the test split's "all" subset.
    QMap<QString, double> results;
    QMap<QString, qint64> resultRows;       // same keys: evaluated rows
    QMap<QString, SeriesSummary> series;    // "train/loss", "valid/auc", …
    // What the Runs filter language sees of the run (core/store/run_filter.h): built once, with
    // the summary, by the same code as `graphlora runs list --where`. Null for a hand-made summary.
    std::shared_ptr<const store::FilterableRun> filterable;

    bool isFinished() const { return status == QLatin1String("finished"); }
    bool canResume() const { return status == QLatin1String("interrupted") || status == QLatin1String("failed"); }
};

// One final result row (split, subset, metric) of a run.
struct ResultEntry {
    qint64 runId = 0;
    QString split, subset, metric;
    double value = 0;
    qint64 rows = 0;
};

// A metric series point as stored: x may be the step, the epoch or the wall time.
struct SeriesPoint {
    qint64 step = 0;
    double epoch = 0;
    double wallTime = 0;  // unix seconds (stored) or seconds since the run began (live)
    double value = 0;
};

struct SweepSummary {
    qint64 id = 0;
    QString name;
    QString gridJson;  // {"key.path": [values...]}
    QDateTime created;
    QVector<qint64> runIds;
};

// A progress batch from the worker: the latest snapshot plus every point since the last one.
struct RunProgress {
    qint64 runId = 0;
    QString runLabel;  // the queued item's label (name or config file)
    ProgressBatch batch;
};

// A queued (not yet started) run as the queue view shows it.
struct QueuedRun {
    qint64 ticket = 0;  // session-local id of the queue entry
    QString label;
    QString kind;       // "run", "resume", "sweep point"
};

// Two runs tested on the rows both scored (store::compareRuns): one line per metric.
struct RunComparisonView {
    qint64 runA = 0, runB = 0;
    QString split, subset;
    qint64 rows = 0, users = 0, onlyA = 0, onlyB = 0;
    struct Line {
        QString metric;  // display name: AUC, UAUC, wUAUC, NDCG@10
        QString test;    // "DeLong, paired", "paired bootstrap over N users, …"
        double valueA = 0, valueB = 0, difference = 0, ci95Low = 0, ci95High = 0, z = 0, pValue = 1;
    };
    QVector<Line> lines;
};

// Several pairs of runs (one per seed, say), each tested, and each metric's differences pooled
// over the pairs (store::poolComparisons); `pooled` is empty for a single pair.
struct RunComparisonSetView {
    QVector<RunComparisonView> pairs;
    struct Pooled {
        QString metric;
        int pairs = 0;
        double difference = 0, ci95Low = 0, ci95High = 0, z = 0, pValue = 1, iSquared = 0;
    };
    QVector<Pooled> pooled;
};

// Data-prepare job progress.
struct PrepareProgress {
    double fraction = 0;
    QString message;
};

}  // namespace glr::ui

Q_DECLARE_METATYPE(glr::ui::RunProgress)
Q_DECLARE_METATYPE(glr::ui::PrepareProgress)
Q_DECLARE_METATYPE(glr::ui::QueuedRun)
Q_DECLARE_METATYPE(glr::ui::RunComparisonSetView)
