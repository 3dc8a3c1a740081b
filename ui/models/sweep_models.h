#pragma once
// Models of the Sweep panel: the grid being defined (key path → list of values) and the
// aggregated results of a recorded sweep (one row per grid point, seeds pooled: mean ± std).
#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

#include "logic/aggregate.h"
#include "session/snapshots.h"

namespace glr::ui {

// Parses a values cell: "0, 1, 2" → [0,1,2]; "[0], [1], [-1]" → [[0],[1],[-1]]; "gcn, ngcf" →
// ["gcn","ngcf"]. Empty → empty array.
QJsonArray parseGridValues(const QString& text);
// Short text of one grid value for labels: [0] → "0", [0,1] → "0,1", "ngcf" → "ngcf", 0.1 → "0.1".
QString gridValueLabel(const QJsonValue& value);

class SweepGridModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit SweepGridModel(QObject* parent = nullptr);

    struct Row {
        QString key;
        QString values;
    };
    void setRows(const QVector<Row>& rows);
    const QVector<Row>& rows() const { return rows_; }
    void addRow(const QString& key = QString(), const QString& values = QString());
    void removeRow(int row);

    QJsonObject grid() const;  // rows with a key and at least one value
    int pointCount() const;    // product of the value counts

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

signals:
    void gridChanged();

private:
    QVector<Row> rows_;
};

// One sweep's runs aggregated over the keys the user does not plot separately (seeds).
class SweepResultsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit SweepResultsModel(QObject* parent = nullptr);

    struct Metric {
        QString label;  // "valid/auc (best)", "test/auc"
        QString key;
        bool series = false;  // from the metric series (best = max, or last)
        bool last = false;
    };
    static QVector<Metric> metricsOf(const QVector<RunSummary>& runs);
    static std::optional<double> valueOf(const RunSummary& run, const Metric& metric);

    struct Point {
        QMap<QString, QJsonValue> params;  // grouped keys → value
        QVector<double> values;            // one per run
        QVector<qint64> runIds;
        MeanStd stats;
    };

    // keys: grid keys kept apart (others — e.g. seed — are pooled). Runs without the metric
    // (unfinished) are left out.
    void setData(const QVector<RunSummary>& runs, const QStringList& keys, const Metric& metric);
    const QVector<Point>& points() const { return points_; }
    const QStringList& keys() const { return keys_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QStringList keys_;
    QString metricLabel_;
    QVector<Point> points_;
};

}  // namespace glr::ui
