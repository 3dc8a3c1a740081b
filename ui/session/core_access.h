#pragma once
// Torch-free core calls the panels need besides the store: config validation, canonical hash and
// schema; prepare-spec preview, prepare, dataset statistics; sweep expansion. Plain functions
// returning the value types below; they throw glr::Error, which WorkbenchSession catches.
#include <QString>
#include <QStringList>
#include <QVector>
#include <atomic>
#include <functional>

namespace glr::ui {

// ---- experiment config ----------------------------------------------------------------------

struct ConfigIssueView {
    QString path;     // key path ("" for the document)
    QString message;  // exactly as the CLI prints it after the source name
};

struct ConfigCheck {
    QVector<ConfigIssueView> issues;  // empty: valid
    QString parseError;               // the text is not JSON (then issues is empty)
    QString canonicalJson;            // when valid
    QString hash, groupHash;          // when valid
    bool valid() const { return parseError.isEmpty() && issues.isEmpty(); }
};

// Validates `json` with core's rules (same messages as `graphlora run`). Never throws.
ConfigCheck checkConfig(const QString& json, const QString& baseDir);
// Applies "key.path=value" as `--set` does; throws InputError with the CLI's message.
QString applyConfigOverride(const QString& json, const QString& assignment);

// One form field of the config schema.
struct SchemaFieldView {
    QString path, type, help;        // type: bool, int, number, string, path, enum, int-list, string-list
    bool nullable = false;
    QString defaultJson;             // JSON text of the default
    QStringList allowed;
    double min = 0, max = 0;
    bool hasMin = false, hasMax = false;
    QStringList methods;             // empty: every method
    bool appliesTo(const QString& method) const { return methods.isEmpty() || methods.contains(method); }
};
QVector<SchemaFieldView> configSchema();
QString defaultConfigJson();
QStringList methodNames();  // graphlora, lora-only, tallrec, icl, collm, cora, mf, lightgcn, ngcf, sasrec

// ---- sweeps ---------------------------------------------------------------------------------

struct SweepPointView {
    QString name;
    QString paramsJson;     // {"method.inject.layers": [0], "seed": 1}
    QString configJson;     // canonical, validated
};
struct SweepExpansion {
    QString name;
    QString gridJson;
    QVector<SweepPointView> points;
};
// Expands a sweep document (core/config/sweep.h); throws InputError naming the failing point.
SweepExpansion expandSweepJson(const QString& sweepJson, const QString& baseDir);

// ---- data -----------------------------------------------------------------------------------

struct PreviewTableView {
    QString title;
    QStringList columns;
    QVector<QStringList> rows;
};
// The first rows of the spec's files as prepare parses them; throws InputError as prepare would.
QVector<PreviewTableView> previewPrepareSpec(const QString& specJson, const QString& baseDir, int rows = 10);

struct PrepareOutcome {
    QString outDir;
    qint64 rawRows = 0, outsideWindows = 0, filtered = 0, users = 0, items = 0;
    struct SplitCount {
        QString name;
        qint64 rows = 0, positives = 0, warm = 0;
    };
    QVector<SplitCount> splits;
    double seconds = 0;
};
using PrepareProgressFn = std::function<bool(double fraction, const QString& message)>;
// Throws glr::Cancelled when progress returns false.
PrepareOutcome runPrepare(const QString& specJson, const QString& baseDir, const QString& outDir,
                          bool overwrite, const PrepareProgressFn& progress);

struct DistributionView {
    qint64 count = 0;
    double mean = 0, min = 0, p50 = 0, p95 = 0, max = 0;
    QVector<double> edges;
    QVector<qint64> counts;
};
struct SplitStatsView {
    QString name;
    qint64 rows = 0, users = 0, items = 0, positives = 0, warm = 0, cold = 0;
    double positiveRate = 0;
    DistributionView historyLength, promptTokens;
};
struct DatasetStatsView {
    QString dir;
    QVector<SplitStatsView> splits;
    qint64 items = 0, users = 0;
    DistributionView userDegree;
    QString tokenizer;  // kind used for prompt lengths
};
// tokenizer: "" = no prompt lengths, "bytes" = the byte-level tokenizer of random-weight models,
// else a tokenizer file or checkpoint directory.
DatasetStatsView computeDatasetStats(const QString& splitDir, const QString& tokenizer = QString(),
                                     const QString& domain = QStringLiteral("movie"));

}  // namespace glr::ui
