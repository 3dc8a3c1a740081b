#pragma once
// Common base of the workbench's plots: one look, an "Export…" context menu (PNG/SVG/PDF at a
// chosen size) and a centred message when there is nothing to draw.
#include <QString>
#include <qcustomplot.h>

namespace glr::ui {

class PlotWidget : public QCustomPlot {
    Q_OBJECT
public:
    explicit PlotWidget(QWidget* parent = nullptr);

    // Shown instead of the axes' content while the plot is empty ("" hides it).
    void setEmptyMessage(const QString& message);
    void setExportName(const QString& name) { exportName_ = name; }
    const QString& exportName() const { return exportName_; }

    // Distinct colours for series index i (Tableau 10; index modulo kSeriesColors).
    static constexpr int kSeriesColors = 10;
    static QColor seriesColor(int index);

public slots:
    QString exportInteractive();

protected:
    void showEmptyMessage(bool show);
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QCPItemText* emptyText_ = nullptr;
    QString exportName_ = QStringLiteral("plot");
};

}  // namespace glr::ui
