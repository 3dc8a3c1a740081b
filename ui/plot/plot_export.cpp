#include "plot/plot_export.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QSvgGenerator>
#include <qcustomplot.h>

#include "settings/settings.h"

namespace glr::ui {

bool plotFormatFromPath(const QString& path, PlotFormat* format) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png")) *format = PlotFormat::Png;
    else if (suffix == QLatin1String("svg")) *format = PlotFormat::Svg;
    else if (suffix == QLatin1String("pdf")) *format = PlotFormat::Pdf;
    else return false;
    return true;
}

bool exportPlot(QCustomPlot& plot, const QString& path, QSize size, QString* error) {
    auto failWith = [&](const QString& why) {
        if (error) *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    };
    PlotFormat format;
    if (!plotFormatFromPath(path, &format)) return failWith(QStringLiteral("unknown format (use .png, .svg or .pdf)"));
    if (size.width() < 50 || size.height() < 50 || size.width() > 20000 || size.height() > 20000)
        return failWith(QStringLiteral("size %1×%2 is outside 50…20000 pixels").arg(size.width()).arg(size.height()));
    if (!QFileInfo(path).absoluteDir().exists()) return failWith(QStringLiteral("the folder does not exist"));

    bool ok = false;
    switch (format) {
    case PlotFormat::Png:
        ok = plot.savePng(path, size.width(), size.height(), 1.0);
        break;
    case PlotFormat::Pdf:
        ok = plot.savePdf(path, size.width(), size.height(), QCP::epNoCosmetic, QStringLiteral("GraphLoRA Workbench"));
        break;
    case PlotFormat::Svg: {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(QFileInfo(path).completeBaseName());
        generator.setDescription(QStringLiteral("GraphLoRA Workbench plot"));
        QCPPainter painter;
        ok = painter.begin(&generator);
        if (ok) {
            plot.toPainter(&painter, size.width(), size.height());
            ok = painter.end();
        }
        break;
    }
    }
    if (!ok || !QFileInfo(path).exists() || QFileInfo(path).size() == 0)
        return failWith(QStringLiteral("could not be written"));
    return true;
}

QString exportPlotInteractive(QWidget* parent, QCustomPlot& plot, const QString& suggestedName) {
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Export plot"));
    auto* form = new QFormLayout(&dialog);
    auto* fileEdit = new QLineEdit(&dialog);
    QString dir = settings::lastExportDir.get();
    if (dir.isEmpty()) dir = QDir::homePath();
    fileEdit->setText(QDir(dir).filePath(suggestedName + QStringLiteral(".svg")));
    auto* browse = new QPushButton(QObject::tr("Browse…"), &dialog);
    auto* fileRow = new QHBoxLayout;
    fileRow->addWidget(fileEdit, 1);
    fileRow->addWidget(browse);
    form->addRow(QObject::tr("File (.png, .svg, .pdf)"), fileRow);
    auto* width = new QSpinBox(&dialog);
    auto* height = new QSpinBox(&dialog);
    for (QSpinBox* box : {width, height}) {
        box->setRange(50, 20000);
        box->setSuffix(QObject::tr(" px"));
    }
    width->setValue(settings::exportWidth.get());
    height->setValue(settings::exportHeight.get());
    form->addRow(QObject::tr("Width"), width);
    form->addRow(QObject::tr("Height"), height);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, &dialog);
    form->addRow(buttons);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    QObject::connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString chosen = QFileDialog::getSaveFileName(
            &dialog, QObject::tr("Export plot"), fileEdit->text(),
            QObject::tr("SVG (*.svg);;PDF (*.pdf);;PNG (*.png)"));
        if (!chosen.isEmpty()) fileEdit->setText(chosen);
    });
    if (dialog.exec() != QDialog::Accepted) return QString();

    const QString path = fileEdit->text();
    QString error;
    if (!exportPlot(plot, path, QSize(width->value(), height->value()), &error)) {
        QMessageBox::warning(parent, QObject::tr("Export plot"), error);
        return QString();
    }
    settings::lastExportDir.set(QFileInfo(path).absolutePath());
    settings::exportWidth.set(width->value());
    settings::exportHeight.set(height->value());
    return path;
}

}  // namespace glr::ui
