#pragma once
// The comparison plots: a sweep curve with mean ± std error bars over seeds (the paper's
// Figure 4: validation AUC against injection layer), a 2-D grid heat map, grouped bars (the
// warm/cold comparison of Figure 3) and a histogram.
#include <QMap>
#include <QVector>

#include "logic/aggregate.h"
#include "plot/plot_widget.h"

namespace glr::ui {

struct SweepSeries {
    QString label;
    QColor color;
    QVector<double> x;                       // ascending
    QVector<MeanStd> stats;                  // per x
    QVector<QPair<double, double>> samples;  // every run (x, y), drawn as dots
};

class SweepPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit SweepPlot(QWidget* parent = nullptr);
    // tickLabels: text for x positions (e.g. "[0]", "[-1]"); empty = numeric axis.
    void setSeries(const QVector<SweepSeries>& series, const QString& xTitle, const QString& yTitle,
                   const QMap<double, QString>& tickLabels = {});
    const QVector<SweepSeries>& series() const { return series_; }

private:
    QVector<SweepSeries> series_;
};

class HeatMapPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit HeatMapPlot(QWidget* parent = nullptr);
    // values[row][column] with rows along y and columns along x; NaN = no run there.
    void setGrid(const QStringList& xLabels, const QStringList& yLabels, const QVector<QVector<double>>& values,
                 const QString& xTitle, const QString& yTitle, const QString& valueTitle);
    int cellCount() const { return cells_; }

private:
    QCPColorMap* map_ = nullptr;
    QCPColorScale* scale_ = nullptr;
    QCPMarginGroup* margins_ = nullptr;
    QList<QCPAbstractItem*> labels_;
    int cells_ = 0;
};

struct BarSeries {
    QString label;
    QColor color;
    QVector<double> values;       // one per category; NaN = none
    QVector<double> errors;       // same size or empty: ± std
    QVector<QString> annotations; // same size or empty: text over each bar (e.g. "n=4153"),
                                  // drawn when there are at most four categories
};

class GroupedBarsPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit GroupedBarsPlot(QWidget* parent = nullptr);
    void setData(const QStringList& categories, const QVector<BarSeries>& series, const QString& yTitle);
    int barCount() const { return bars_; }

private:
    QList<QCPAbstractItem*> labels_;
    int bars_ = 0;
};

class HistogramPlot : public PlotWidget {
    Q_OBJECT
public:
    explicit HistogramPlot(QWidget* parent = nullptr);
    // counts[k] values in [edges[k], edges[k+1]).
    void setHistogram(const QVector<double>& edges, const QVector<qint64>& counts, const QString& xTitle,
                      const QString& title);
    qint64 total() const { return total_; }

private:
    QCPTextElement* title_ = nullptr;
    qint64 total_ = 0;
};

}  // namespace glr::ui
