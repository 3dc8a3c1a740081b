#include "logic/parallel_coordinates.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace glr::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxNumericTicks = 8;

// Maps a numeric range to [0, 1], linearly or in log10.
struct NumericScale {
    double lo = 0, hi = 0;
    bool log = false;
    double operator()(double v) const {
        if (!std::isfinite(v) || (log && v <= 0)) return kNaN;
        const double x = log ? std::log10(v) : v;
        return hi > lo ? (x - lo) / (hi - lo) : 0.5;
    }
};

NumericScale scaleOf(const QVector<double>& values, bool allowLog) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    bool positive = true;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        positive = positive && v > 0;
    }
    NumericScale s;
    if (!(lo <= hi)) return s;
    s.log = allowLog && positive && hi / lo >= 100;
    s.lo = s.log ? std::log10(lo) : lo;
    s.hi = s.log ? std::log10(hi) : hi;
    return s;
}

QString numberLabel(double v) { return QString::number(v, 'g', 4); }

}  // namespace

ParallelCoordinates parallelCoordinates(const QVector<ParallelRun>& runs, const QStringList& keys,
                                        const QMap<QString, QJsonArray>& gridValues, const QString& metricTitle,
                                        const std::function<QString(const QJsonValue&)>& label) {
    ParallelCoordinates out;
    out.lines.resize(runs.size());
    for (int i = 0; i < runs.size(); ++i) {
        out.lines[i].runId = runs[i].runId;
        out.lines[i].metric = runs[i].metric;
    }
    for (const QString& key : keys) {
        const QJsonArray values = gridValues.value(key);
        bool numeric = !values.isEmpty();
        for (const QJsonValue& v : values) numeric = numeric && v.isDouble();
        ParallelAxis axis;
        axis.title = key;
        if (numeric) {
            QVector<double> gridNumbers;
            for (const QJsonValue& v : values) gridNumbers << v.toDouble();
            const NumericScale scale = scaleOf(gridNumbers, /*allowLog=*/true);
            axis.logScale = scale.log;
            const int step = std::max(1, static_cast<int>(values.size() + kMaxNumericTicks - 1) / kMaxNumericTicks);
            for (int i = 0; i < values.size(); i += step) axis.ticks[scale(gridNumbers[i])] = label(values[i]);
            for (int r = 0; r < runs.size(); ++r) {
                const QJsonValue v = runs[r].params.value(key);
                out.lines[r].positions << (v.isDouble() ? scale(v.toDouble()) : kNaN);
            }
        } else {
            const int n = static_cast<int>(values.size());
            auto position = [n](int i) { return n > 1 ? double(i) / double(n - 1) : 0.5; };
            for (int i = 0; i < n; ++i) axis.ticks[position(i)] = label(values[i]);
            for (int r = 0; r < runs.size(); ++r) {
                const QJsonValue v = runs[r].params.value(key);
                double p = kNaN;
                for (int i = 0; i < n; ++i)
                    if (values[i] == v) p = position(i);
                out.lines[r].positions << p;
            }
        }
        out.axes << axis;
    }
    QVector<double> metrics;
    for (const auto& r : runs) metrics << r.metric;
    const NumericScale scale = scaleOf(metrics, /*allowLog=*/false);
    ParallelAxis metricAxis;
    metricAxis.title = metricTitle;
    if (!runs.isEmpty()) {
        out.metricMin = *std::min_element(metrics.begin(), metrics.end());
        out.metricMax = *std::max_element(metrics.begin(), metrics.end());
        metricAxis.ticks[scale(out.metricMin)] = numberLabel(out.metricMin);
        metricAxis.ticks[scale(out.metricMax)] = numberLabel(out.metricMax);
    }
    for (int r = 0; r < runs.size(); ++r) out.lines[r].positions << scale(runs[r].metric);
    out.axes << metricAxis;
    return out;
}

}  // namespace glr::ui
