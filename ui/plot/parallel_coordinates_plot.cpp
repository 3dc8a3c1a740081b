#include "plot/parallel_coordinates_plot.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace glr::ui {

namespace {

// Viridis at five stops: ordered in lightness, readable in grey, and kind to colour-blind readers.
QCPColorGradient viridis() {
    QCPColorGradient g;
    g.setColorStopAt(0.00, QColor(0x44, 0x01, 0x54));
    g.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
    g.setColorStopAt(0.50, QColor(0x21, 0x91, 0x8c));
    g.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
    g.setColorStopAt(1.00, QColor(0xfd, 0xe7, 0x25));
    return g;
}

}  // namespace

ParallelCoordinatesPlot::ParallelCoordinatesPlot(QWidget* parent) : PlotWidget(parent) {
    scale_ = new QCPColorScale(this);
    plotLayout()->addElement(0, 1, scale_);
    scale_->setType(QCPAxis::atRight);
    scale_->setGradient(viridis());
    auto* margins = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->setTicks(false);
        axis->setTickLabels(false);
        axis->grid()->setVisible(false);
        axis->setBasePen(Qt::NoPen);
    }
    yAxis->setRange(-0.06, 1.14);  // room above the axes for their titles
    setEmptyMessage(tr("No finished sweep runs with this metric"));
    setData({});
}

QColor ParallelCoordinatesPlot::colorOf(double value, double lo, double hi) {
    static QCPColorGradient gradient = viridis();  // color() is not const (it caches its table)
    return QColor::fromRgb(gradient.color(value, QCPRange(lo, hi > lo ? hi : lo + 1e-12)));
}

void ParallelCoordinatesPlot::setData(const ParallelCoordinates& data) {
    clearGraphs();
    for (QCPAbstractItem* item : std::as_const(items_)) removeItem(item);
    items_.clear();
    axes_ = static_cast<int>(data.axes.size());
    lines_ = 0;
    QVector<double> keys;
    for (int a = 0; a < axes_; ++a) keys << a;
    // Lines first, best last, so that the best runs are drawn on top.
    QVector<int> order(data.lines.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int l, int r) { return data.lines[l].metric < data.lines[r].metric; });
    for (int i : order) {
        const auto& line = data.lines[i];
        if (line.positions.size() != axes_) continue;
        QCPGraph* graph = addGraph();
        graph->setData(keys, line.positions, /*alreadySorted=*/true);  // NaN breaks the line
        QPen pen(colorOf(line.metric, data.metricMin, data.metricMax));
        pen.setWidthF(1.6);
        graph->setPen(pen);
        graph->setName(QStringLiteral("run %1").arg(line.runId));
        ++lines_;
    }
    for (int a = 0; a < axes_; ++a) {
        const ParallelAxis& axis = data.axes[a];
        auto* bar = new QCPItemLine(this);
        bar->start->setCoords(a, 0);
        bar->end->setCoords(a, 1);
        bar->setPen(QPen(QColor(90, 90, 90), 1.2));
        items_ << bar;
        for (auto it = axis.ticks.begin(); it != axis.ticks.end(); ++it) {
            if (!std::isfinite(it.key())) continue;
            auto* tick = new QCPItemText(this);
            tick->position->setCoords(a, it.key());
            // Labels left of each axis; the metric's, the last, to its right, clear of the lines.
            const bool last = a == axes_ - 1;
            tick->setPositionAlignment((last ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter);
            tick->setPadding(last ? QMargins(6, 0, 0, 0) : QMargins(0, 0, 6, 0));
            tick->setText(it.value());
            tick->setFont(QFont(font().family(), 8));
            items_ << tick;
        }
        auto* title = new QCPItemText(this);
        title->position->setCoords(a, 1.04);
        title->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
        title->setText(axis.logScale ? axis.title + tr(" (log)") : axis.title);
        items_ << title;
    }
    xAxis->setRange(-0.45, std::max(axes_ - 1, 1) + 0.45);
    scale_->setDataRange(QCPRange(data.metricMin, data.metricMax > data.metricMin ? data.metricMax : data.metricMin + 1e-12));
    scale_->axis()->setLabel(axes_ > 0 ? data.axes.back().title : QString());
    scale_->setVisible(lines_ > 0);
    showEmptyMessage(lines_ == 0);
    replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace glr::ui
