#include "panels/dataset_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "logic/text_file.h"
#include "models/dataset_models.h"
#include "panels/prepare_spec_form.h"
#include "plot/stat_plots.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

namespace glr::ui {

namespace {

QTableView* makeTable(QAbstractItemModel* model, QWidget* parent) {
    auto* view = new QTableView(parent);
    view->setModel(model);
    view->horizontalHeader()->setStretchLastSection(true);
    view->setWordWrap(false);
    return view;
}

}  // namespace

DatasetPanel::DatasetPanel(WorkbenchSession& session, QWidget* parent)
    : QWidget(parent), session_(session), form_(new PrepareSpecForm(this)),
      interactionsPreview_(new PreviewTableModel(this)), itemsPreview_(new PreviewTableModel(this)),
      statsModel_(new SplitStatsModel(this)) {
    setObjectName(QStringLiteral("datasetPanel"));

    // ---- prepare from raw files ----
    auto* loadSpec = new QPushButton(tr("Load spec…"), this);
    auto* saveSpec = new QPushButton(tr("Save spec…"), this);
    auto* specButtons = new QHBoxLayout;
    specButtons->addWidget(loadSpec);
    specButtons->addWidget(saveSpec);
    specButtons->addStretch(1);
    auto* formScroll = new QScrollArea(this);
    auto* formHolder = new QWidget(this);
    auto* formLayout = new QVBoxLayout(formHolder);
    formLayout->addLayout(specButtons);
    formLayout->addWidget(form_);
    formScroll->setWidget(formHolder);
    formScroll->setWidgetResizable(true);

    previewMessage_ = new QLabel(this);
    previewMessage_->setWordWrap(true);
    previewMessage_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* previewTabs = new QTabWidget(this);
    previewTabs->addTab(makeTable(interactionsPreview_, this), tr("Interactions as parsed"));
    previewTabs->addTab(makeTable(itemsPreview_, this), tr("Items as parsed"));
    outputDir_ = new QLineEdit(this);
    outputDir_->setPlaceholderText(tr("output directory for the prepared split"));
    auto* browseOut = new QToolButton(this);
    browseOut->setText(QStringLiteral("…"));
    overwrite_ = new QCheckBox(tr("overwrite"), this);
    prepareButton_ = new QPushButton(tr("Prepare"), this);
    cancelButton_ = new QPushButton(tr("Cancel"), this);
    cancelButton_->setEnabled(false);
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    prepareMessage_ = new QLabel(this);
    prepareMessage_->setWordWrap(true);
    auto* outRow = new QHBoxLayout;
    outRow->addWidget(outputDir_, 1);
    outRow->addWidget(browseOut);
    outRow->addWidget(overwrite_);
    outRow->addWidget(prepareButton_);
    outRow->addWidget(cancelButton_);
    auto* previewBox = new QWidget(this);
    auto* previewLayout = new QVBoxLayout(previewBox);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    previewLayout->addWidget(previewMessage_);
    previewLayout->addWidget(previewTabs, 1);
    previewLayout->addLayout(outRow);
    previewLayout->addWidget(progress_);
    previewLayout->addWidget(prepareMessage_);
    auto* rawSplit = new QSplitter(Qt::Horizontal, this);
    rawSplit->addWidget(formScroll);
    rawSplit->addWidget(previewBox);
    rawSplit->setStretchFactor(0, 1);
    rawSplit->setStretchFactor(1, 1);

    // ---- prepared split ----
    splitDir_ = new QLineEdit(this);
    splitDir_->setPlaceholderText(tr("a prepared split directory (train.tsv, valid.tsv, test.tsv, items.tsv)"));
    auto* browseSplit = new QToolButton(this);
    browseSplit->setText(QStringLiteral("…"));
    tokenizer_ = new QComboBox(this);
    tokenizer_->setEditable(true);
    tokenizer_->addItem(tr("byte-level (random-weight models)"), QStringLiteral("bytes"));
    tokenizer_->addItem(tr("no prompt lengths"), QString());
    tokenizer_->setToolTip(tr("Tokenizer for prompt lengths: choose one, or type a tokenizer file / checkpoint directory"));
    domain_ = new QComboBox(this);
    domain_->addItems({QStringLiteral("movie"), QStringLiteral("book")});
    auto* statsButton = new QPushButton(tr("Compute statistics"), this);
    auto* useButton = new QPushButton(tr("Use in experiment"), this);
    useButton->setToolTip(tr("Set data.dir of the Experiment panel to this split"));
    auto* splitRow = new QHBoxLayout;
    splitRow->addWidget(new QLabel(tr("Split"), this));
    splitRow->addWidget(splitDir_, 1);
    splitRow->addWidget(browseSplit);
    splitRow->addWidget(new QLabel(tr("Prompt tokens"), this));
    splitRow->addWidget(tokenizer_);
    splitRow->addWidget(domain_);
    splitRow->addWidget(statsButton);
    splitRow->addWidget(useButton);

    summary_ = new QLabel(this);
    summary_->setWordWrap(true);
    statsView_ = makeTable(statsModel_, this);
    statsView_->verticalHeader()->setVisible(false);
    statsView_->horizontalHeader()->setStretchLastSection(false);
    history_ = new HistogramPlot(this);
    history_->setExportName(QStringLiteral("history-length"));
    degree_ = new HistogramPlot(this);
    degree_->setExportName(QStringLiteral("user-degree-histogram"));
    prompt_ = new HistogramPlot(this);
    prompt_->setExportName(QStringLiteral("prompt-length"));
    history_->setHistogram({}, {}, tr("history length (titles)"), tr("History length (train)"));
    degree_->setHistogram({}, {}, tr("training interactions per user"), tr("User degree"));
    prompt_->setHistogram({}, {}, tr("prompt tokens"), tr("Prompt length (test)"));
    auto* histograms = new QSplitter(Qt::Horizontal, this);
    histograms->addWidget(history_);
    histograms->addWidget(degree_);
    histograms->addWidget(prompt_);
    auto* statsBox = new QWidget(this);
    auto* statsLayout = new QVBoxLayout(statsBox);
    statsLayout->setContentsMargins(0, 0, 0, 0);
    statsLayout->addLayout(splitRow);
    statsLayout->addWidget(summary_);
    auto* statsSplit = new QSplitter(Qt::Vertical, statsBox);
    statsSplit->addWidget(statsView_);
    statsSplit->addWidget(histograms);
    statsSplit->setStretchFactor(1, 2);
    statsLayout->addWidget(statsSplit, 1);

    splitter_ = rawSplit;
    tabs_ = new QTabWidget(this);
    tabs_->addTab(statsBox, tr("Prepared split and statistics"));
    tabs_->addTab(rawSplit, tr("Prepare from raw files"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tabs_);

    previewTimer_ = new QTimer(this);
    previewTimer_->setSingleShot(true);
    previewTimer_->setInterval(400);
    connect(previewTimer_, &QTimer::timeout, this, &DatasetPanel::refreshPreview);
    connect(form_, &PrepareSpecForm::changed, previewTimer_, qOverload<>(&QTimer::start));
    connect(loadSpec, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Prepare spec"), settings::lastDataDir.get(), tr("JSON (*.json)"));
        if (path.isEmpty()) return;
        QFile file(path);
        QString error;
        if (!file.open(QIODevice::ReadOnly)) error = file.errorString();
        else if (form_->setSpecJson(QString::fromUtf8(file.readAll()), &error)) form_->setBaseDir(QFileInfo(path).absolutePath());
        if (!error.isEmpty()) emit session_.errorOccurred(path + QStringLiteral(": ") + error);
    });
    connect(saveSpec, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Prepare spec"),
                                                          QDir(settings::lastDataDir.get()).filePath(QStringLiteral("prepare.json")),
                                                          tr("JSON (*.json)"));
        if (path.isEmpty()) return;
        if (QString error; !writeTextFile(path, form_->specJson(), &error)) emit session_.errorOccurred(error);
    });
    connect(browseOut, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getSaveFileName(this, tr("Prepared split directory (created)"), settings::lastDataDir.get());
        if (!dir.isEmpty()) outputDir_->setText(dir);
    });
    connect(prepareButton_, &QPushButton::clicked, this, &DatasetPanel::startPrepare);
    connect(cancelButton_, &QPushButton::clicked, &session_, &WorkbenchSession::cancelPrepare);
    connect(&session_, &WorkbenchSession::prepareProgress, this, [this](const PrepareProgress& p) {
        progress_->setValue(static_cast<int>(1000 * std::clamp(p.fraction, 0.0, 1.0)));
        prepareMessage_->setText(p.message);
    });
    connect(&session_, &WorkbenchSession::prepareFinished, this, [this](bool ok, const QString& message, const QString& outDir) {
        prepareButton_->setEnabled(true);
        cancelButton_->setEnabled(false);
        prepareMessage_->setText(message);
        prepareMessage_->setStyleSheet(ok ? QString() : QStringLiteral("color: #c62828"));
        if (ok) {
            progress_->setValue(1000);
            setSplitDir(outDir);
            computeStats();
            tabs_->setCurrentIndex(0);
        } else {
            progress_->setValue(0);
        }
    });
    connect(browseSplit, &QToolButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Prepared split"), settings::lastDataDir.get());
        if (dir.isEmpty()) return;
        setSplitDir(dir);
        computeStats();
    });
    connect(statsButton, &QPushButton::clicked, this, &DatasetPanel::computeStats);
    connect(useButton, &QPushButton::clicked, this, [this] {
        if (!splitDir().isEmpty()) emit useSplitRequested(splitDir());
    });
    connect(&session_, &WorkbenchSession::statsReady, this, &DatasetPanel::showStats);
    connect(&session_, &WorkbenchSession::statsFailed, this, [this](const QString& message) {
        summary_->setText(message);
        summary_->setStyleSheet(QStringLiteral("color: #c62828"));
        emit statsShown();
    });
    previewMessage_->setText(tr("Choose the raw ratings and items files; the first rows appear here as prepare reads them."));
}

void DatasetPanel::refreshPreview() {
    previewTimer_->stop();
    QString error;
    const auto tables = session_.previewPrepare(form_->specJson(), form_->baseDir(), &error);
    if (!tables) {
        previewMessage_->setText(error);
        previewMessage_->setStyleSheet(QStringLiteral("color: #c62828"));
        interactionsPreview_->setTable({});
        itemsPreview_->setTable({});
        return;
    }
    previewMessage_->setStyleSheet(QString());
    previewMessage_->setText(tr("The first rows parse cleanly."));
    interactionsPreview_->setTable(tables->value(0));
    itemsPreview_->setTable(tables->value(1));
}

QString DatasetPanel::previewError() const {
    return previewMessage_->styleSheet().isEmpty() ? QString() : previewMessage_->text();
}

void DatasetPanel::setOutputDir(const QString& dir, bool overwrite) {
    outputDir_->setText(dir);
    overwrite_->setChecked(overwrite);
}

bool DatasetPanel::startPrepare() {
    prepareMessage_->setStyleSheet(QString());
    const bool started = session_.startPrepare(form_->specJson(), form_->baseDir(), outputDir_->text().trimmed(), overwrite_->isChecked());
    if (started) {
        prepareButton_->setEnabled(false);
        cancelButton_->setEnabled(true);
        progress_->setValue(0);
        prepareMessage_->setText(tr("preparing …"));
    }
    return started;
}

bool DatasetPanel::isPreparing() const { return session_.isPreparing(); }
int DatasetPanel::progressValue() const { return progress_->value(); }

void DatasetPanel::setSplitDir(const QString& dir) { splitDir_->setText(dir); }
QString DatasetPanel::splitDir() const { return splitDir_->text().trimmed(); }

void DatasetPanel::setTokenizer(const QString& tokenizer) {
    const int i = tokenizer_->findData(tokenizer);
    if (i >= 0) tokenizer_->setCurrentIndex(i);
    else tokenizer_->setEditText(tokenizer);
}

void DatasetPanel::computeStats() {
    if (splitDir().isEmpty()) return;
    settings::lastDataDir.set(splitDir());
    const int i = tokenizer_->currentIndex();
    const QString tokenizer = i >= 0 && tokenizer_->itemText(i) == tokenizer_->currentText() ? tokenizer_->itemData(i).toString()
                                                                                            : tokenizer_->currentText().trimmed();
    summary_->setStyleSheet(QString());
    summary_->setText(tr("computing statistics of %1 …").arg(splitDir()));
    session_.computeStats(splitDir(), tokenizer, domain_->currentText());
}

void DatasetPanel::showStats(const DatasetStatsView& stats) {
    statsModel_->setStats(stats);
    statsView_->resizeColumnsToContents();
    const QLocale locale;
    QStringList warmCold;
    const SplitStatsView* train = nullptr;
    const SplitStatsView* test = nullptr;
    for (const SplitStatsView& s : stats.splits) {
        warmCold << tr("%1: %2 warm / %3 cold").arg(s.name, locale.toString(s.warm), locale.toString(s.cold));
        if (s.name == QLatin1String("train")) train = &s;
        if (s.name == QLatin1String("test")) test = &s;
    }
    summary_->setText(tr("<b>%1</b> — %2 users, %3 items. %4")
                          .arg(stats.dir.toHtmlEscaped(), locale.toString(stats.users), locale.toString(stats.items),
                               warmCold.join(QStringLiteral("; "))));
    if (train) history_->setHistogram(train->historyLength.edges, train->historyLength.counts, tr("history length (titles)"),
                                      tr("History length (train), mean %1").arg(train->historyLength.mean, 0, 'f', 1));
    degree_->setHistogram(stats.userDegree.edges, stats.userDegree.counts, tr("training interactions per user"),
                          tr("User degree, median %1").arg(stats.userDegree.p50, 0, 'f', 0));
    if (test && test->promptTokens.count > 0)
        prompt_->setHistogram(test->promptTokens.edges, test->promptTokens.counts, tr("prompt tokens (%1)").arg(stats.tokenizer),
                              tr("Prompt length (test), p95 %1").arg(test->promptTokens.p95, 0, 'f', 0));
    else
        prompt_->setHistogram({}, {}, tr("prompt tokens"), tr("Prompt length: choose a tokenizer"));
    emit statsShown();
}

QString DatasetPanel::summaryText() const { return summary_->text(); }

void DatasetPanel::showRawFiles() { tabs_->setCurrentIndex(1); }
void DatasetPanel::showStatistics() { tabs_->setCurrentIndex(0); }

void DatasetPanel::saveLayout() const { settings::splitterState(QStringLiteral("dataset")).set(splitter_->saveState()); }
void DatasetPanel::restoreLayout() { splitter_->restoreState(settings::splitterState(QStringLiteral("dataset")).get()); }

}  // namespace glr::ui
