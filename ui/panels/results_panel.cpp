#include "panels/results_panel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include "logic/text_file.h"
#include "models/results_table_model.h"
#include "plot/plot_widget.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

namespace glr::ui {

namespace {

const char* suffixOf(TableExportFormat format) {
    switch (format) {
    case TableExportFormat::Csv: return "csv";
    case TableExportFormat::Markdown: return "md";
    case TableExportFormat::Latex: return "tex";
    }
    return "txt";
}

}  // namespace

ResultsPanel::ResultsPanel(WorkbenchSession& session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new ResultsTableModel(this)) {
    setObjectName(QStringLiteral("resultsPanel"));
    split_ = new QComboBox(this);
    split_->addItems({QStringLiteral("test"), QStringLiteral("valid"), QStringLiteral("valid_small")});
    auto* metricsBox = new QGroupBox(tr("Metrics"), this);
    auto* metricsLayout = new QHBoxLayout(metricsBox);
    const QList<QPair<QString, QString>> metrics = {
        {QStringLiteral("auc"), QStringLiteral("AUC")}, {QStringLiteral("uauc"), QStringLiteral("UAUC")},
        {QStringLiteral("uauc_weighted"), QStringLiteral("wUAUC")}, {QStringLiteral("ndcg@10"), QStringLiteral("NDCG@10")}};
    for (const auto& [key, label] : metrics) {
        auto* box = new QCheckBox(label, metricsBox);
        box->setProperty("key", key);
        box->setChecked(key == QLatin1String("auc") || key == QLatin1String("uauc"));
        metricsLayout->addWidget(box);
        metricBoxes_ << box;
    }
    auto* subsetsBox = new QGroupBox(tr("Test subsets"), this);
    auto* subsetsLayout = new QHBoxLayout(subsetsBox);
    for (const QString& subset : {QStringLiteral("all"), QStringLiteral("warm"), QStringLiteral("cold")}) {
        auto* box = new QCheckBox(subset, subsetsBox);
        box->setProperty("key", subset);
        box->setChecked(true);
        subsetsLayout->addWidget(box);
        subsetBoxes_ << box;
    }
    groupSeeds_ = new QCheckBox(tr("Mean ± std over seeds"), this);
    groupSeeds_->setChecked(true);
    decimals_ = new QSpinBox(this);
    decimals_->setRange(1, 8);
    decimals_->setValue(4);
    auto* options = new QHBoxLayout;
    auto* splitForm = new QFormLayout;
    splitForm->addRow(tr("Split"), split_);
    splitForm->addRow(tr("Decimals"), decimals_);
    options->addLayout(splitForm);
    options->addWidget(metricsBox);
    options->addWidget(subsetsBox);
    options->addWidget(groupSeeds_);
    options->addStretch(1);

    caption_ = new QLabel(this);
    table_ = new QTableView(this);
    table_->setModel(model_);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setStretchLastSection(false);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);

    previewFormat_ = new QComboBox(this);
    previewFormat_->addItem(QStringLiteral("Markdown"), int(TableExportFormat::Markdown));
    previewFormat_->addItem(QStringLiteral("LaTeX"), int(TableExportFormat::Latex));
    previewFormat_->addItem(QStringLiteral("CSV"), int(TableExportFormat::Csv));
    preview_ = new QPlainTextEdit(this);
    preview_->setReadOnly(true);
    preview_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    preview_->setLineWrapMode(QPlainTextEdit::NoWrap);
    auto* copy = new QPushButton(tr("Copy"), this);
    auto* exportCsv = new QPushButton(tr("Export CSV…"), this);
    auto* exportMd = new QPushButton(tr("Export Markdown…"), this);
    auto* exportTex = new QPushButton(tr("Export LaTeX…"), this);
    auto* exportLong = new QPushButton(tr("Export all rows (long CSV)…"), this);
    auto* exportFiguresButton = new QPushButton(tr("Export all figures…"), this);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(new QLabel(tr("Preview as"), this));
    buttons->addWidget(previewFormat_);
    buttons->addWidget(copy);
    buttons->addStretch(1);
    for (QPushButton* b : {exportCsv, exportMd, exportTex, exportLong, exportFiguresButton}) buttons->addWidget(b);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(table_);
    split->addWidget(preview_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(options);
    layout->addWidget(caption_);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);

    connect(split_, &QComboBox::currentIndexChanged, this, &ResultsPanel::refresh);
    for (QCheckBox* b : metricBoxes_ + subsetBoxes_) connect(b, &QCheckBox::toggled, this, &ResultsPanel::refresh);
    connect(groupSeeds_, &QCheckBox::toggled, this, &ResultsPanel::refresh);
    connect(decimals_, &QSpinBox::valueChanged, this, &ResultsPanel::refresh);
    connect(previewFormat_, &QComboBox::currentIndexChanged, this, &ResultsPanel::refresh);
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(preview_->toPlainText()); });
    auto exportAs = [this](TableExportFormat format, const QString& filter) {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export results table"),
            QDir(settings::lastExportDir.get()).filePath(QStringLiteral("results.") + suffixOf(format)), filter);
        if (path.isEmpty()) return;
        QString error;
        if (!exportTable(path, format, &error)) QMessageBox::warning(this, tr("Export"), error);
        else settings::lastExportDir.set(QFileInfo(path).absolutePath());
    };
    connect(exportCsv, &QPushButton::clicked, this, [=] { exportAs(TableExportFormat::Csv, tr("CSV (*.csv)")); });
    connect(exportMd, &QPushButton::clicked, this, [=] { exportAs(TableExportFormat::Markdown, tr("Markdown (*.md)")); });
    connect(exportTex, &QPushButton::clicked, this, [=] { exportAs(TableExportFormat::Latex, tr("LaTeX (*.tex)")); });
    connect(exportLong, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export all result rows"),
                                                          QDir(settings::lastExportDir.get()).filePath(QStringLiteral("results-long.csv")),
                                                          tr("CSV (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportLongCsv(path, &error)) QMessageBox::warning(this, tr("Export"), error);
    });
    connect(exportFiguresButton, &QPushButton::clicked, this, [this] {
        QDialog dialog(this);
        dialog.setWindowTitle(tr("Export all figures"));
        auto* form = new QFormLayout(&dialog);
        auto* format = new QComboBox(&dialog);
        format->addItem(QStringLiteral("SVG"), int(PlotFormat::Svg));
        format->addItem(QStringLiteral("PDF"), int(PlotFormat::Pdf));
        format->addItem(QStringLiteral("PNG"), int(PlotFormat::Png));
        auto* width = new QSpinBox(&dialog);
        auto* height = new QSpinBox(&dialog);
        width->setRange(50, 20000);
        height->setRange(50, 20000);
        width->setValue(settings::exportWidth.get());
        height->setValue(settings::exportHeight.get());
        form->addRow(tr("Format"), format);
        form->addRow(tr("Width (px)"), width);
        form->addRow(tr("Height (px)"), height);
        auto* box = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
        form->addRow(box);
        connect(box, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
        connect(box, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
        if (dialog.exec() != QDialog::Accepted) return;
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the figures"), settings::lastExportDir.get());
        if (dir.isEmpty()) return;
        QString error;
        const QStringList files = exportFigures(dir, PlotFormat(format->currentData().toInt()),
                                                QSize(width->value(), height->value()), &error);
        if (!error.isEmpty()) QMessageBox::warning(this, tr("Export"), error);
        else QMessageBox::information(this, tr("Export"), tr("%n figure(s) written to %1", "", files.size()).arg(dir));
    });
}

ResultsTableRequest ResultsPanel::request() const {
    ResultsTableRequest r;
    r.runIds = runIds_;
    if (r.runIds.isEmpty()) {
        for (const RunSummary& run : session_.cachedRuns())
            if (run.isFinished()) r.runIds << run.id;
        std::reverse(r.runIds.begin(), r.runIds.end());  // oldest first: the order they were made
    }
    r.split = split_->currentText();
    r.metrics.clear();
    for (QCheckBox* b : metricBoxes_)
        if (b->isChecked()) r.metrics << b->property("key").toString();
    r.subsets.clear();
    for (QCheckBox* b : subsetBoxes_)
        if (b->isChecked()) r.subsets << b->property("key").toString();
    r.groupSeeds = groupSeeds_->isChecked();
    r.decimals = decimals_->value();
    return r;
}

void ResultsPanel::refresh() {
    const ResultsTableRequest r = request();
    const auto grid = session_.resultsGrid(r);
    model_->setGrid(grid.value_or(ResultsGrid{}), r.decimals);
    table_->resizeColumnsToContents();
    caption_->setText(runIds_.isEmpty() ? tr("All %n finished run(s) — select runs in the Runs panel to narrow", "", r.runIds.size())
                                        : tr("%n selected run(s)", "", r.runIds.size()));
    preview_->setPlainText(tableText(TableExportFormat(previewFormat_->currentData().toInt())));
}

void ResultsPanel::setRuns(const QVector<qint64>& runIds) {
    runIds_ = runIds;
    refresh();
}

void ResultsPanel::setMetrics(const QStringList& metrics) {
    for (QCheckBox* b : metricBoxes_) {
        QSignalBlocker block(b);
        b->setChecked(metrics.contains(b->property("key").toString()));
    }
    refresh();
}

void ResultsPanel::setSubsets(const QStringList& subsets) {
    for (QCheckBox* b : subsetBoxes_) {
        QSignalBlocker block(b);
        b->setChecked(subsets.contains(b->property("key").toString()));
    }
    refresh();
}

void ResultsPanel::setSplit(const QString& split) { split_->setCurrentText(split); }

QString ResultsPanel::tableText(TableExportFormat format) const {
    return session_.resultsTable(request(), format).value_or(QString());
}

bool ResultsPanel::exportTable(const QString& path, TableExportFormat format, QString* error) const {
    const auto text = session_.resultsTable(request(), format);
    if (!text) {
        if (error) *error = tr("the results table could not be built (see the log)");
        return false;
    }
    return writeTextFile(path, *text, error);
}

bool ResultsPanel::exportLongCsv(const QString& path, QString* error) const {
    const auto text = session_.longResultsCsv(request().runIds);
    if (!text) {
        if (error) *error = tr("the results could not be read (see the log)");
        return false;
    }
    return writeTextFile(path, *text, error);
}

QStringList ResultsPanel::exportFigures(const QString& dir, PlotFormat format, QSize size, QString* error) const {
    QStringList written;
    if (!figures_) return written;
    const char* suffix = format == PlotFormat::Png ? "png" : format == PlotFormat::Svg ? "svg" : "pdf";
    QStringList used;
    for (PlotWidget* plot : figures_()) {
        QString name = plot->exportName();
        for (int i = 2; used.contains(name); ++i) name = plot->exportName() + QString::number(i);
        used << name;
        const QString path = QDir(dir).filePath(name + '.' + suffix);
        QString why;
        if (exportPlot(*plot, path, size, &why)) written << path;
        else if (error) *error += why + '\n';
    }
    if (error) *error = error->trimmed();
    return written;
}

}  // namespace glr::ui
