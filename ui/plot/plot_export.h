#pragma once
// Exports a QCustomPlot to PNG, SVG (vector, QSvgGenerator) or PDF at a chosen size in pixels
// (PDF and SVG use the size as their page / view box in points).
#include <QSize>
#include <QString>

class QCustomPlot;
class QWidget;

namespace glr::ui {

enum class PlotFormat { Png, Svg, Pdf };

// The format from the file suffix (.png, .svg, .pdf); false for anything else.
bool plotFormatFromPath(const QString& path, PlotFormat* format);

// Writes the plot; on failure returns false with *error naming the file and the cause.
bool exportPlot(QCustomPlot& plot, const QString& path, QSize size, QString* error = nullptr);

// Asks for the file (the suffix chooses the format) and the size, then exports. Returns the
// written path or "" when cancelled or failed (failures are shown in a message box).
QString exportPlotInteractive(QWidget* parent, QCustomPlot& plot, const QString& suggestedName);

}  // namespace glr::ui
