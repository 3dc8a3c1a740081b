#include "plot/stat_plots.h"

#include <cmath>
#include <limits>

#include <QFontMetrics>

namespace glr::ui {

namespace {

QSharedPointer<QCPAxisTickerText> textTicker(const QMap<double, QString>& labels) {
    auto ticker = QSharedPointer<QCPAxisTickerText>::create();
    for (auto it = labels.begin(); it != labels.end(); ++it) ticker->addTick(it.key(), it.value());
    return ticker;
}

QSharedPointer<QCPAxisTickerText> indexTicker(const QStringList& labels) {
    QMap<double, QString> map;
    for (int i = 0; i < labels.size(); ++i) map[i] = labels[i];
    return textTicker(map);
}

// Legend in a row under the axes, laid out horizontally, so it never covers data.
void placeLegendBelow(QCustomPlot& plot, int columns) {
    auto* legendRow = new QCPLayoutGrid;
    plot.plotLayout()->addElement(1, 0, legendRow);
    legendRow->setMargins(QMargins(5, 0, 5, 5));
    legendRow->addElement(0, 0, plot.legend);
    plot.legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot.legend->setWrap(columns);
    plot.plotLayout()->setRowStretchFactor(1, 0.001);
}

}  // namespace

// ---- SweepPlot ------------------------------------------------------------------------------

SweepPlot::SweepPlot(QWidget* parent) : PlotWidget(parent) {
    placeLegendBelow(*this, 2);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    setEmptyMessage(tr("No sweep results yet"));
    setSeries({}, QString(), QString());
}

void SweepPlot::setSeries(const QVector<SweepSeries>& series, const QString& xTitle, const QString& yTitle,
                          const QMap<double, QString>& tickLabels) {
    series_ = series;
    clearPlottables();
    bool any = false;
    for (const SweepSeries& s : series) {
        if (s.x.isEmpty()) continue;
        any = true;
        QVector<double> means, stds;
        for (const MeanStd& m : s.stats) {
            means << m.mean;
            stds << m.std;
        }
        QCPGraph* line = addGraph();
        line->setName(s.label);
        line->setPen(QPen(s.color, 2));
        line->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, s.color, 7));
        line->setData(s.x, means, true);
        auto* errors = new QCPErrorBars(xAxis, yAxis);
        errors->removeFromLegend();
        errors->setDataPlottable(line);
        errors->setData(stds);
        errors->setPen(QPen(s.color, 1.5));
        errors->setWhiskerWidth(10);
        if (!s.samples.isEmpty()) {
            QCPGraph* dots = addGraph();
            dots->removeFromLegend();
            QColor faint = s.color;
            faint.setAlpha(110);
            dots->setLineStyle(QCPGraph::lsNone);
            dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, faint, 5));
            QVector<double> xs, ys;
            for (const auto& p : s.samples) {
                xs << p.first;
                ys << p.second;
            }
            dots->setData(xs, ys);
        }
    }
    xAxis->setLabel(xTitle);
    yAxis->setLabel(yTitle);
    if (tickLabels.isEmpty()) xAxis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    else xAxis->setTicker(textTicker(tickLabels));
    legend->setVisible(any && series.size() > 1);
    showEmptyMessage(!any);
    if (any) {
        rescaleAxes();
        const QCPRange x = xAxis->range();
        const double pad = std::max(0.5, 0.05 * x.size());
        xAxis->setRange(x.lower - pad, x.upper + pad);
        // The value range from the data itself, error bars and single samples included (a lone
        // point would otherwise keep whatever span the axis had before).
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& s : series) {
            for (const auto& m : s.stats) {
                lo = std::min(lo, m.mean - m.std);
                hi = std::max(hi, m.mean + m.std);
            }
            for (const auto& p : s.samples) {
                lo = std::min(lo, p.second);
                hi = std::max(hi, p.second);
            }
        }
        if (lo <= hi) {
            const double ypad = std::max(0.05 * (hi - lo), std::max(0.005, 0.02 * std::abs(hi)));
            yAxis->setRange(lo - ypad, hi + ypad);
        }
    }
    replot(QCustomPlot::rpQueuedReplot);
}

// ---- HeatMapPlot ----------------------------------------------------------------------------

HeatMapPlot::HeatMapPlot(QWidget* parent) : PlotWidget(parent) {
    map_ = new QCPColorMap(xAxis, yAxis);
    scale_ = new QCPColorScale(this);
    plotLayout()->addElement(0, 1, scale_);
    scale_->setType(QCPAxis::atRight);
    map_->setColorScale(scale_);
    QCPColorGradient gradient(QCPColorGradient::gpThermal);
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    map_->setGradient(gradient);
    map_->setInterpolate(false);
    margins_ = new QCPMarginGroup(this);
    axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, margins_);
    scale_->setMarginGroup(QCP::msBottom | QCP::msTop, margins_);
    setEmptyMessage(tr("No 2-D sweep selected"));
    setGrid({}, {}, {}, QString(), QString(), QString());
}

void HeatMapPlot::setGrid(const QStringList& xLabels, const QStringList& yLabels,
                          const QVector<QVector<double>>& values, const QString& xTitle, const QString& yTitle,
                          const QString& valueTitle) {
    for (QCPAbstractItem* item : std::as_const(labels_)) removeItem(item);
    labels_.clear();
    cells_ = 0;
    const int nx = xLabels.size(), ny = yLabels.size();
    const bool any = nx > 0 && ny > 0;
    map_->data()->setSize(std::max(nx, 1), std::max(ny, 1));
    map_->data()->setRange(QCPRange(0, std::max(nx - 1, 0)), QCPRange(0, std::max(ny - 1, 0)));
    map_->data()->fill(std::numeric_limits<double>::quiet_NaN());
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int r = 0; r < ny && r < values.size(); ++r) {
        for (int c = 0; c < nx && c < values[r].size(); ++c) {
            const double v = values[r][c];
            map_->data()->setCell(c, r, v);
            if (!std::isfinite(v)) continue;
            ++cells_;
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    if (cells_ > 0) {
        map_->setDataRange(QCPRange(lo, hi > lo ? hi : lo + 1e-9));
        for (int r = 0; r < ny && r < values.size(); ++r) {
            for (int c = 0; c < nx && c < values[r].size(); ++c) {
                if (!std::isfinite(values[r][c])) continue;
                auto* label = new QCPItemText(this);
                labels_ << label;
                label->position->setCoords(c, r);
                label->setText(QString::number(values[r][c], 'f', 4));
                const double t = (values[r][c] - lo) / std::max(hi - lo, 1e-12);
                label->setColor(t > 0.6 ? Qt::black : Qt::white);
            }
        }
    }
    xAxis->setTicker(indexTicker(xLabels));
    yAxis->setTicker(indexTicker(yLabels));
    xAxis->setLabel(xTitle);
    yAxis->setLabel(yTitle);
    scale_->axis()->setLabel(valueTitle);
    xAxis->setRange(-0.5, std::max(nx, 1) - 0.5);
    yAxis->setRange(-0.5, std::max(ny, 1) - 0.5);
    scale_->setVisible(cells_ > 0);
    showEmptyMessage(!any || cells_ == 0);
    replot(QCustomPlot::rpQueuedReplot);
}

// ---- GroupedBarsPlot ------------------------------------------------------------------------

GroupedBarsPlot::GroupedBarsPlot(QWidget* parent) : PlotWidget(parent) {
    placeLegendBelow(*this, 3);
    setEmptyMessage(tr("Select finished runs to compare"));
    setData({}, {}, QString());
}

void GroupedBarsPlot::setData(const QStringList& categories, const QVector<BarSeries>& series, const QString& yTitle) {
    clearPlottables();
    for (QCPAbstractItem* item : std::as_const(labels_)) removeItem(item);
    labels_.clear();
    bars_ = 0;
    // Series j of n sits at category + (j - (n-1)/2)·width, side by side within 0.8 of a slot.
    const int n = std::max<int>(1, series.size());
    const double width = 0.8 / n;
    double top = 0, bottom = 0;
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.75);
    for (int j = 0; j < series.size(); ++j) {
        const BarSeries& s = series[j];
        const double offset = (j - (n - 1) / 2.0) * width;
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setName(s.label);
        bars->setWidth(width * 0.92);
        bars->setPen(QPen(s.color.darker(130)));
        bars->setBrush(s.color);
        QVector<double> keys, values, errors;
        for (int c = 0; c < categories.size() && c < s.values.size(); ++c) {
            if (!std::isfinite(s.values[c])) continue;
            const double error = c < s.errors.size() && std::isfinite(s.errors[c]) ? s.errors[c] : 0.0;
            keys << c + offset;
            values << s.values[c];
            errors << error;
            top = std::max(top, s.values[c] + error);
            bottom = std::min(bottom, s.values[c]);
            ++bars_;
            if (categories.size() <= 4 && c < s.annotations.size() && !s.annotations[c].isEmpty()) {
                auto* text = new QCPItemText(this);
                labels_ << text;
                text->position->setCoords(c + offset, s.values[c] + error);
                text->setPositionAlignment(Qt::AlignHCenter | Qt::AlignBottom);
                text->setText(s.annotations[c]);
                text->setFont(small);
                text->setColor(QColor(70, 70, 70));
            }
        }
        bars->setData(keys, values, true);
        bool anyError = false;
        for (double e : errors) anyError = anyError || e > 0;
        if (anyError) {
            auto* err = new QCPErrorBars(xAxis, yAxis);
            err->removeFromLegend();
            err->setDataPlottable(bars);
            err->setData(errors);
            err->setPen(QPen(Qt::black, 1));
        }
    }
    xAxis->setTicker(indexTicker(categories));
    xAxis->setRange(-0.6, std::max<int>(1, categories.size()) - 0.4);
    // Long category names (run names) are tilted so neighbours do not overwrite each other.
    int longest = 0;
    for (const QString& c : categories) longest = std::max<int>(longest, c.size());
    const bool tilted = longest * categories.size() > 60;
    constexpr double kTiltDegrees = 25;
    xAxis->setTickLabelRotation(tilted ? -kTiltDegrees : 0);
    // A tilted label ends at its tick and runs down to the left: the first one needs room left of
    // the axis, or it is drawn off the widget.
    QMargins margins = axisRect()->minimumMargins();
    int room = 0;
    if (tilted && !categories.isEmpty()) {
        const QFontMetrics metrics(xAxis->tickLabelFont());
        room = static_cast<int>(metrics.horizontalAdvance(categories.front()) * std::cos(kTiltDegrees * M_PI / 180.0));
    }
    margins.setLeft(std::min(room, QWidget::width() / 3));
    axisRect()->setMinimumMargins(margins);
    yAxis->setLabel(yTitle);
    const double span = std::max(top - bottom, 1e-3);
    yAxis->setRange(bottom, top + 0.12 * span);
    legend->setVisible(bars_ > 0 && series.size() > 1);
    showEmptyMessage(bars_ == 0);
    replot(QCustomPlot::rpQueuedReplot);
}

// ---- HistogramPlot --------------------------------------------------------------------------

HistogramPlot::HistogramPlot(QWidget* parent) : PlotWidget(parent) {
    plotLayout()->insertRow(0);
    title_ = new QCPTextElement(this, QString(), QFont(font().family(), font().pointSize(), QFont::Bold));
    plotLayout()->addElement(0, 0, title_);
    setEmptyMessage(tr("No data"));
    setMinimumSize(260, 180);
}

void HistogramPlot::setHistogram(const QVector<double>& edges, const QVector<qint64>& counts, const QString& xTitle,
                                 const QString& title) {
    clearPlottables();
    total_ = 0;
    title_->setText(title);
    xAxis->setLabel(xTitle);
    yAxis->setLabel(tr("count"));
    const int bins = std::min<int>(counts.size(), edges.size() - 1);
    if (bins > 0) {
        auto* bars = new QCPBars(xAxis, yAxis);
        bars->setPen(QPen(PlotWidget::seriesColor(0).darker(130)));
        bars->setBrush(PlotWidget::seriesColor(0));
        QVector<double> centres, values;
        double width = edges[1] - edges[0];
        for (int k = 0; k < bins; ++k) {
            centres << (edges[k] + edges[k + 1]) / 2;
            values << counts[k];
            total_ += counts[k];
            width = std::min(width, edges[k + 1] - edges[k]);
        }
        bars->setWidth(width * 0.95);
        bars->setData(centres, values, true);
        rescaleAxes();
        yAxis->setRangeLower(0);
        yAxis->setRangeUpper(yAxis->range().upper * 1.08 + 1);
        xAxis->setRange(edges.front() - width * 0.5, edges[bins] + width * 0.5);
    }
    showEmptyMessage(bins <= 0);
    replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace glr::ui
