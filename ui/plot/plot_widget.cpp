#include "plot/plot_widget.h"

#include <QContextMenuEvent>
#include <QMenu>

#include "plot/plot_export.h"

namespace glr::ui {

PlotWidget::PlotWidget(QWidget* parent) : QCustomPlot(parent) {
    setMinimumSize(320, 220);
    setAntialiasedElements(QCP::aeAll);
    setNoAntialiasingOnDrag(true);
    setBackground(Qt::white);
    legend->setVisible(false);
    legend->setBrush(QColor(255, 255, 255, 220));
    legend->setBorderPen(QPen(QColor(180, 180, 180)));
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    legend->setFont(small);
    for (QCPAxis* axis : {xAxis, yAxis}) {
        axis->grid()->setSubGridVisible(false);
        axis->grid()->setPen(QPen(QColor(225, 225, 225), 0, Qt::SolidLine));
    }
    emptyText_ = new QCPItemText(this);
    emptyText_->position->setType(QCPItemPosition::ptAxisRectRatio);
    emptyText_->position->setCoords(0.5, 0.5);
    emptyText_->setPositionAlignment(Qt::AlignCenter);
    emptyText_->setColor(QColor(120, 120, 120));
    emptyText_->setClipToAxisRect(false);
    emptyText_->setVisible(false);
}

void PlotWidget::setEmptyMessage(const QString& message) {
    emptyText_->setText(message);
}

void PlotWidget::showEmptyMessage(bool show) {
    emptyText_->setVisible(show && !emptyText_->text().isEmpty());
}

QColor PlotWidget::seriesColor(int index) {
    static const QColor palette[] = {QColor(0x4e, 0x79, 0xa7), QColor(0xf2, 0x8e, 0x2b), QColor(0xe1, 0x57, 0x59),
                                     QColor(0x76, 0xb7, 0xb2), QColor(0x59, 0xa1, 0x4f), QColor(0xed, 0xc9, 0x48),
                                     QColor(0xb0, 0x7a, 0xa1), QColor(0xff, 0x9d, 0xa7), QColor(0x9c, 0x75, 0x5f),
                                     QColor(0xba, 0xb0, 0xac)};
    static_assert(sizeof(palette) / sizeof(palette[0]) == kSeriesColors);
    return palette[((index % kSeriesColors) + kSeriesColors) % kSeriesColors];
}

QString PlotWidget::exportInteractive() { return exportPlotInteractive(this, *this, exportName_); }

void PlotWidget::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    menu.addAction(tr("Export as PNG, SVG or PDF…"), this, &PlotWidget::exportInteractive);
    menu.addAction(tr("Reset zoom"), this, [this] {
        rescaleAxes();
        replot();
    });
    menu.exec(event->globalPos());
}

}  // namespace glr::ui
