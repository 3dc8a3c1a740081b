#pragma once
// Training curves: every series drawn raw (faint) and smoothed (debiased EMA, as TensorBoard),
// several runs overlaid, linear or log y, and a crosshair read-out of every curve's value at the
// mouse's x.
#include <QVector>

#include <cstddef>
#include <vector>

#include "plot/plot_widget.h"

namespace glr::ui {

struct CurveData {
    QString label;
    QColor color;
    QVector<double> x, y;  // x ascending
    Qt::PenStyle style = Qt::SolidLine;  // the smoothed line's; dashes tell apart runs sharing a colour
    // Seeds of one experiment drawn as one curve: each run's raw values at x (NaN where absent),
    // y their mean. Drawn as the mean of the smoothed runs with a ± one standard deviation band.
    QVector<QVector<double>> seedMembers;
};

class CurvePlot : public PlotWidget {
    Q_OBJECT
public:
    explicit CurvePlot(QWidget* parent = nullptr);

    void setCurves(const QVector<CurveData>& curves);
    void setSmoothing(double weight);  // 0 … 0.999
    void setShowRaw(bool show);
    void setLogY(bool log);
    void setAxisLabels(const QString& x, const QString& y);
    void setLegendShown(bool shown);  // shown only while at most four curves are drawn

    const QVector<CurveData>& curves() const { return curves_; }
    double smoothing() const { return smoothing_; }
    int pointCount() const;  // raw points over all curves
    // Points handed to the plot library, raw and smoothed series together: long curves are drawn
    // decimated (their lowest and highest points per run of indices; logic/decimation.h).
    int drawnPointCount() const { return drawnPoints_; }
    // The crosshair text at data x (nearest point of each curve): "step 120 — run A: 0.512 (raw 0.498)";
    // for a group of seeds "graphlora (3 seeds): 0.512 ± 0.004 over 3 (raw mean 0.498)".
    QString readoutAt(double x) const;

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void rebuild();
    void addBand(const CurveData& curve, const std::vector<double>& mean, const QVector<double>& deviation,
                 const std::vector<std::size_t>& keep);

    QVector<CurveData> curves_;
    QVector<QVector<double>> smoothed_;  // per curve, for the read-out
    QVector<QVector<double>> bandStd_;   // per curve: the deviation over seeds (empty for one run)
    QVector<QVector<int>> bandCount_;    // per curve: the seeds with a value at each point
    double smoothing_ = 0.6;
    int drawnPoints_ = 0;
    bool showRaw_ = true;
    bool logY_ = false;
    bool showLegend_ = true;
    QString xLabel_;
    QCPItemStraightLine* crosshair_ = nullptr;
    QCPItemText* readout_ = nullptr;
};

}  // namespace glr::ui
