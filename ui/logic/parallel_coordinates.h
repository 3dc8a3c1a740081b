#pragma once
// A sweep as parallel coordinates: one vertical axis per varied key, then the metric, and one
// line per run crossing each axis at its value. Every axis maps its values to [0, 1]:
//   numeric keys   (v − min) / (max − min), in log10 when all values are positive and span at
//                  least two decades (learning rates, β); a single value sits at 0.5
//   other keys     the grid's order of values, evenly spaced (layer lists, names)
//   the metric     as a numeric key, never in log
// Plain values only; the plot (plot/parallel_coordinates_plot.h) draws them.
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>
#include <functional>

namespace glr::ui {

struct ParallelAxis {
    QString title;
    bool logScale = false;
    QMap<double, QString> ticks;  // position in [0, 1] -> label
};

struct ParallelLine {
    qint64 runId = 0;
    QVector<double> positions;  // one per axis, in [0, 1]; NaN where the run has no value
    double metric = 0;          // the raw metric value (its colour)
};

struct ParallelCoordinates {
    QVector<ParallelAxis> axes;  // the keys in the given order, then the metric
    QVector<ParallelLine> lines;
    double metricMin = 0, metricMax = 0;
};

struct ParallelRun {
    qint64 runId = 0;
    QJsonObject params;  // the run's varied parameters
    double metric = 0;   // finite; runs without the metric are left out by the caller
};

// `gridValues[key]` lists the key's values in the grid's order; `label` writes one for a tick.
ParallelCoordinates parallelCoordinates(const QVector<ParallelRun>& runs, const QStringList& keys,
                                        const QMap<QString, QJsonArray>& gridValues, const QString& metricTitle,
                                        const std::function<QString(const QJsonValue&)>& label);

}  // namespace glr::ui
