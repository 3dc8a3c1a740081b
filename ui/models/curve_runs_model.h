#pragma once
// The runs overlaid on the Live curves panel (a checkable list, one colour each) and their metric
// series: loaded from the store for finished runs, appended from progress batches for the run
// that trains, and reloaded from the store when it ends (the store holds the exact series).
#include <QAbstractListModel>
#include <QColor>
#include <QHash>
#include <QVector>

#include "session/snapshots.h"

namespace glr::ui {

enum class CurveAxis { Step, Epoch, WallTime };

class CurveRunsModel : public QAbstractListModel {
    Q_OBJECT
public:
    explicit CurveRunsModel(QObject* parent = nullptr);

    struct Entry {
        qint64 runId = 0;
        QString label;
        QColor color;
        Qt::PenStyle style = Qt::SolidLine;  // with the colour, the run's look in the list and the plots
        bool checked = true;
        bool live = false;
        double startedAt = 0;  // unix seconds; stored wall times are shown relative to it
        QString groupKey;      // the experiment (config hash but the seed); "" joins no group
        QString groupLabel;    // what a group led by this run is called: "graphlora layers=0"
        QHash<QString, QVector<SeriesPoint>> series;  // "train/loss" → points
    };

    // Replaces the overlaid stored runs (the live run, if any, stays).
    void setStoredRuns(const QVector<Entry>& entries);
    void setSeries(qint64 runId, const QString& key, const QVector<SeriesPoint>& points);
    // Appends a live batch; adds the run (checked) when new. Returns the keys that gained points.
    QStringList appendLive(const RunProgress& progress);
    void endLive(qint64 runId);  // the run stops being live (its series get reloaded by the panel)
    void setGroup(qint64 runId, const QString& groupKey, const QString& groupLabel);

    // Seeds grouped: checked runs of one experiment are drawn as one curve, mean ± std over them
    // (logic/seed_groups.h), in the look of the group's first checked run, which its members
    // then show in the list too. A run alone in its group stays a curve of its own.
    void setGroupSeeds(bool group);
    bool groupSeeds() const { return groupSeeds_; }

    const QVector<Entry>& entries() const { return entries_; }
    const Entry* entry(qint64 runId) const;
    QStringList seriesKeys() const;  // union over runs, sorted with train/loss and valid/* first
    int pointCount(qint64 runId, const QString& key) const;

    // x/y vectors of the checked runs for one series, x by the chosen axis.
    struct Curve {
        qint64 runId;
        QString label;
        QColor color;
        Qt::PenStyle style;
        QVector<double> x, y;              // a group: y is the mean of the members' raw values
        QVector<QVector<double>> members;  // a group: each run's raw values at x (NaN where absent)
    };
    QVector<Curve> curves(const QString& key, CurveAxis axis) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

signals:
    void curvesChanged();

private:
    int rowOf(qint64 runId) const;
    void assignLook(Entry& entry) const;
    const Entry& lookOf(const Entry& entry) const;  // the entry whose colour and style it shows

    QVector<Entry> entries_;
    bool groupSeeds_ = false;
};

}  // namespace glr::ui
