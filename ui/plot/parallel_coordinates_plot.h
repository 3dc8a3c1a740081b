#pragma once
// Parallel coordinates of a sweep (logic/parallel_coordinates.h): an axis per varied key and one
// for the metric, one line per run coloured by its metric (viridis, with a colour scale), so that
// which combinations of settings give the best runs shows at a glance, for any number of keys.
#include "logic/parallel_coordinates.h"
#include "plot/plot_widget.h"

namespace glr::ui {

class ParallelCoordinatesPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit ParallelCoordinatesPlot(QWidget* parent = nullptr);
    void setData(const ParallelCoordinates& data);
    int lineCount() const { return lines_; }
    int axisCount() const { return axes_; }

    // Colour of a metric value within [lo, hi] (the lines' and the scale's gradient).
    static QColor colorOf(double value, double lo, double hi);

private:
    QCPColorScale* scale_ = nullptr;
    QList<QCPAbstractItem*> items_;
    int lines_ = 0;
    int axes_ = 0;
};

}  // namespace glr::ui
