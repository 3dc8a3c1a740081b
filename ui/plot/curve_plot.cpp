#include "plot/curve_plot.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "logic/decimation.h"
#include "logic/seed_groups.h"
#include "logic/smoothing.h"

namespace glr::ui {

namespace {

// Points handed to the plot library per series: a few per pixel of the widest screens. A run
// that reports every step for a million steps then redraws as fast as a short one.
constexpr std::size_t kMaxDrawnPoints = 8000;

template <typename Values>
QVector<double> pick(const Values& values, const std::vector<std::size_t>& indices) {
    QVector<double> out;
    out.reserve(static_cast<int>(indices.size()));
    for (std::size_t i : indices) out.push_back(values[static_cast<int>(i)]);
    return out;
}

}  // namespace

CurvePlot::CurvePlot(QWidget* parent) : PlotWidget(parent) {
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // Curves redraw several times a second while a run trains: draw polylines in one call with
    // cosmetic pens (the raster engine's fast path) instead of stroking every segment.
    setPlottingHints(QCP::phFastPolylines | QCP::phCacheLabels);
    legend->setVisible(true);
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    crosshair_ = new QCPItemStraightLine(this);
    crosshair_->setPen(QPen(QColor(90, 90, 90), 0, Qt::DashLine));
    crosshair_->setVisible(false);
    readout_ = new QCPItemText(this);
    readout_->position->setType(QCPItemPosition::ptAxisRectRatio);
    readout_->position->setCoords(0.01, 0.01);
    readout_->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
    readout_->setTextAlignment(Qt::AlignLeft);
    readout_->setBrush(QColor(255, 255, 255, 230));
    readout_->setPen(QPen(QColor(170, 170, 170)));
    readout_->setPadding(QMargins(4, 2, 4, 2));
    readout_->setVisible(false);
    setEmptyMessage(tr("No curves yet: select runs, or start one"));
    setMouseTracking(true);
    rebuild();
}

void CurvePlot::setCurves(const QVector<CurveData>& curves) {
    curves_ = curves;
    rebuild();
}

void CurvePlot::setSmoothing(double weight) {
    smoothing_ = std::clamp(weight, 0.0, 0.999);
    rebuild();
}

void CurvePlot::setShowRaw(bool show) {
    showRaw_ = show;
    rebuild();
}

void CurvePlot::setLogY(bool log) {
    logY_ = log;
    yAxis->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log) yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else yAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    rebuild();
}

void CurvePlot::setLegendShown(bool shown) {
    showLegend_ = shown;
    rebuild();
}

void CurvePlot::setAxisLabels(const QString& x, const QString& y) {
    xLabel_ = x;
    xAxis->setLabel(x);
    yAxis->setLabel(y);
}

int CurvePlot::pointCount() const {
    int n = 0;
    for (const auto& c : curves_) n += c.x.size();
    return n;
}

// A group's ± one deviation band: a lower and an upper edge without pens, the space between
// them filled in the curve's colour.
void CurvePlot::addBand(const CurveData& curve, const std::vector<double>& mean, const QVector<double>& deviation,
                        const std::vector<std::size_t>& keep) {
    std::vector<double> lower(mean.size()), upper(mean.size());
    for (std::size_t i = 0; i < mean.size(); ++i) {
        lower[i] = mean[i] - deviation[int(i)];
        upper[i] = mean[i] + deviation[int(i)];
        // A log axis cannot show the band below zero; keep its lower edge in sight.
        if (logY_ && lower[i] <= 0) lower[i] = mean[i] / 10;
    }
    QCPGraph* lowerGraph = addGraph();
    QCPGraph* upperGraph = addGraph();
    for (QCPGraph* edge : {lowerGraph, upperGraph}) {
        edge->setPen(Qt::NoPen);
        edge->removeFromLegend();
    }
    lowerGraph->setData(pick(curve.x, keep), pick(lower, keep), true);
    upperGraph->setData(pick(curve.x, keep), pick(upper, keep), true);
    QColor fill = curve.color;
    fill.setAlpha(50);
    upperGraph->setBrush(fill);
    upperGraph->setChannelFillGraph(lowerGraph);
    drawnPoints_ += 2 * static_cast<int>(keep.size());
}

void CurvePlot::rebuild() {
    clearGraphs();
    smoothed_.clear();
    bandStd_.clear();
    bandCount_.clear();
    drawnPoints_ = 0;
    bool any = false;
    for (const CurveData& curve : curves_) {
        const std::vector<double> raw(curve.y.begin(), curve.y.end());
        std::vector<double> smooth;
        if (curve.seedMembers.isEmpty()) {
            smooth = debiasedEma(raw, smoothing_);
            bandStd_.push_back({});
            bandCount_.push_back({});
        } else {
            const SeedBand band = seedBand(curve.seedMembers, smoothing_);
            smooth.assign(band.mean.begin(), band.mean.end());
            bandStd_.push_back(band.std);
            bandCount_.push_back(band.count);
        }
        smoothed_.push_back(QVector<double>(smooth.begin(), smooth.end()));
        if (curve.x.isEmpty()) continue;
        any = true;
        // Decimated once: the band's edges and the smoothed line share their points.
        const std::vector<std::size_t> keepSmooth = minMaxDecimation(smooth, kMaxDrawnPoints);
        if (!bandStd_.back().isEmpty()) addBand(curve, smooth, bandStd_.back(), keepSmooth);
        if (showRaw_ && smoothing_ > 0) {
            QCPGraph* rawGraph = addGraph();
            QColor faint = curve.color;
            faint.setAlpha(70);
            QPen rawPen(faint, 1);
            rawPen.setCosmetic(true);
            rawGraph->setPen(rawPen);
            const std::vector<std::size_t> keep = minMaxDecimation(raw, kMaxDrawnPoints);
            rawGraph->setData(pick(curve.x, keep), pick(curve.y, keep), true);
            rawGraph->removeFromLegend();
            drawnPoints_ += static_cast<int>(keep.size());
        }
        QCPGraph* graph = addGraph();
        QPen pen(curve.color, 2, curve.style);
        pen.setCosmetic(true);
        graph->setPen(pen);
        graph->setName(curve.label);
        graph->setData(pick(curve.x, keepSmooth), pick(smooth, keepSmooth), true);
        drawnPoints_ += static_cast<int>(keepSmooth.size());
        if (curve.x.size() == 1) graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 6));
    }
    showEmptyMessage(!any);
    // Many runs: the list beside the plot carries the colours; a legend would cover the curves.
    int drawn = 0;
    for (const CurveData& curve : curves_) drawn += curve.x.isEmpty() ? 0 : 1;
    legend->setVisible(any && showLegend_ && drawn <= 4);
    if (any) {
        rescaleAxes();
        // A little head room so the last point is not on the frame.
        const QCPRange y = yAxis->range();
        if (!logY_) yAxis->setRange(y.lower - 0.05 * y.size(), y.upper + 0.05 * y.size());
        if (xAxis->range().size() == 0) xAxis->setRange(xAxis->range().lower - 1, xAxis->range().upper + 1);
    }
    replot(QCustomPlot::rpQueuedReplot);
}

QString CurvePlot::readoutAt(double x) const {
    QStringList lines;
    lines << QStringLiteral("%1 %2").arg(xLabel_.isEmpty() ? QStringLiteral("x") : xLabel_).arg(x, 0, 'g', 6);
    for (int c = 0; c < curves_.size(); ++c) {
        const CurveData& curve = curves_[c];
        if (curve.x.isEmpty()) continue;
        auto it = std::lower_bound(curve.x.begin(), curve.x.end(), x);
        int i = static_cast<int>(it - curve.x.begin());
        if (i == curve.x.size() || (i > 0 && std::abs(curve.x[i - 1] - x) <= std::abs(curve.x[i] - x))) --i;
        const double smoothed = smoothed_[c][i];
        if (!bandStd_[c].isEmpty()) {
            lines << QStringLiteral("%1: %2 ± %3 over %4 (raw mean %5) at %6")
                         .arg(curve.label)
                         .arg(smoothed, 0, 'g', 5)
                         .arg(bandStd_[c][i], 0, 'g', 3)
                         .arg(bandCount_[c][i])
                         .arg(curve.y[i], 0, 'g', 5)
                         .arg(curve.x[i], 0, 'g', 6);
            continue;
        }
        lines << QStringLiteral("%1: %2 (raw %3) at %4")
                     .arg(curve.label)
                     .arg(smoothed, 0, 'g', 5)
                     .arg(curve.y[i], 0, 'g', 5)
                     .arg(curve.x[i], 0, 'g', 6);
    }
    return lines.join('\n');
}

void CurvePlot::mouseMoveEvent(QMouseEvent* event) {
    PlotWidget::mouseMoveEvent(event);
    if (curves_.isEmpty() || !axisRect()->rect().contains(event->pos())) {
        leaveEvent(nullptr);
        return;
    }
    const double x = xAxis->pixelToCoord(event->pos().x());
    crosshair_->point1->setCoords(x, 0);
    crosshair_->point2->setCoords(x, 1);
    crosshair_->setVisible(true);
    readout_->setText(readoutAt(x));
    readout_->setVisible(true);
    replot(QCustomPlot::rpQueuedReplot);
}

void CurvePlot::leaveEvent(QEvent* event) {
    if (event) PlotWidget::leaveEvent(event);
    if (!crosshair_->visible()) return;
    crosshair_->setVisible(false);
    readout_->setVisible(false);
    replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace glr::ui
