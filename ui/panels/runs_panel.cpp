#include "panels/runs_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "logic/config_diff.h"
#include "logic/text_file.h"
#include "models/config_diff_model.h"
#include "models/runs_table_model.h"
#include "panels/significance_view.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

namespace glr::ui {

namespace {

QString csvField(const QString& field) {
    if (!field.contains(',') && !field.contains('"') && !field.contains('\n')) return field;
    QString quoted = field;
    quoted.replace('"', QStringLiteral("\"\""));
    return '"' + quoted + '"';
}


void fillCombo(QComboBox* combo, const QStringList& values, const QString& anyText) {
    const QString current = combo->currentData().toString();
    QSignalBlocker block(combo);
    combo->clear();
    combo->addItem(anyText, QString());
    for (const QString& v : values) combo->addItem(v, v);
    const int index = combo->findData(current);
    combo->setCurrentIndex(index >= 0 ? index : 0);
}

}  // namespace

RunsPanel::RunsPanel(WorkbenchSession& session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new RunsTableModel(this)), proxy_(new RunsFilterProxy(this)),
      diffModel_(new ConfigDiffModel(this)) {
    setObjectName(QStringLiteral("runsPanel"));
    proxy_->setSourceModel(model_);

    // ---- filters ----
    methodFilter_ = new QComboBox(this);
    datasetFilter_ = new QComboBox(this);
    statusFilter_ = new QComboBox(this);
    tagFilter_ = new QComboBox(this);
    for (QComboBox* combo : {methodFilter_, datasetFilter_, statusFilter_, tagFilter_}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
        connect(combo, &QComboBox::currentIndexChanged, this, &RunsPanel::applyQuickFilters);
    }
    fillCombo(statusFilter_, {"finished", "running", "interrupted", "failed", "queued"}, tr("any status"));
    filterEdit_ = new QLineEdit(this);
    filterEdit_->setPlaceholderText(tr("filter: auc > 0.7 method:graphlora,collm tag:paper !status:failed"));
    filterEdit_->setClearButtonEnabled(true);
    filterEdit_->setToolTip(tr(
        "Terms joined by spaces/and, or 'or'; '!' negates; parentheses group.\n"
        "metric > 0.7 — auc, uauc, ndcg@10, test_cold/auc, valid/auc (last), valid/auc.max, train/loss.min\n"
        "field:value[,value] — method, dataset, status, tag, sweep (wildcards * ?)\n"
        "seed = 42, id >= 10 — numeric fields; a plain word searches name, method, dataset and tags\n"
        "train.lr < 1e-3, method.gnn.type:lightgcn, method.inject.layers = [0] — any config key by its path\n"
        "The same expressions work in graphlora runs list --where and graphlora results --where."));
    filterMessage_ = new QLabel(this);
    filterMessage_->setStyleSheet(QStringLiteral("color: #c62828"));
    filterMessage_->setVisible(false);
    connect(filterEdit_, &QLineEdit::textChanged, this, &RunsPanel::setFilterText);

    auto* filterRow = new QHBoxLayout;
    filterRow->addWidget(methodFilter_);
    filterRow->addWidget(datasetFilter_);
    filterRow->addWidget(statusFilter_);
    filterRow->addWidget(tagFilter_);
    filterRow->addWidget(filterEdit_, 1);

    // ---- actions ----
    compareButton_ = new QPushButton(tr("Compare configs"), this);
    compareButton_->setToolTip(tr("Select several runs, then show their configs side by side"));
    renameButton_ = new QPushButton(tr("Rename…"), this);
    tagButton_ = new QPushButton(tr("Tags…"), this);
    deleteButton_ = new QPushButton(tr("Delete…"), this);
    resumeButton_ = new QPushButton(tr("Resume"), this);
    resumeButton_->setToolTip(tr("Continue an interrupted run from its last checkpoint"));
    auto* exportButton = new QPushButton(tr("Export runs CSV…"), this);
    auto* refreshButton = new QPushButton(tr("Refresh"), this);
    countLabel_ = new QLabel(this);
    auto* actionRow = new QHBoxLayout;
    for (QPushButton* b : {compareButton_, renameButton_, tagButton_, deleteButton_, resumeButton_, exportButton, refreshButton})
        actionRow->addWidget(b);
    actionRow->addStretch(1);
    actionRow->addWidget(countLabel_);

    connect(compareButton_, &QPushButton::clicked, this, &RunsPanel::showComparison);
    connect(renameButton_, &QPushButton::clicked, this, [this] {
        const auto runs = selectedRuns();
        if (runs.size() != 1) return;
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Rename run"), tr("Name of run %1").arg(runs.front().id),
                                                   QLineEdit::Normal, runs.front().name, &ok);
        if (ok && !name.trimmed().isEmpty()) renameSelected(name.trimmed());
    });
    connect(tagButton_, &QPushButton::clicked, this, [this] {
        const auto runs = selectedRuns();
        if (runs.isEmpty()) return;
        bool ok = false;
        const QString text = QInputDialog::getText(this, tr("Tags"), tr("Comma-separated tags for %n run(s)", "", runs.size()),
                                                   QLineEdit::Normal, runs.front().tags.join(QStringLiteral(", ")), &ok);
        if (!ok) return;
        QStringList tags;
        for (const QString& t : text.split(',', Qt::SkipEmptyParts))
            if (!t.trimmed().isEmpty()) tags << t.trimmed();
        setTagsOfSelected(tags);
    });
    connect(deleteButton_, &QPushButton::clicked, this, [this] {
        const auto runs = selectedRuns();
        if (runs.isEmpty()) return;
        QStringList names;
        for (const auto& r : runs) names << QStringLiteral("#%1 %2").arg(r.id).arg(r.name);
        const auto answer = QMessageBox::question(
            this, tr("Delete runs"),
            tr("Delete %n run(s) with their metrics, results and predictions?\n\n%1", "", runs.size())
                .arg(names.mid(0, 10).join('\n')),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer == QMessageBox::Yes) deleteSelected();
    });
    connect(resumeButton_, &QPushButton::clicked, this, &RunsPanel::resumeSelected);
    connect(exportButton, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export runs"), settings::lastExportDir.get() + "/runs.csv",
                                                          tr("CSV (*.csv)"));
        if (path.isEmpty()) return;
        if (!exportRunsCsv(path)) QMessageBox::warning(this, tr("Export runs"), tr("%1 could not be written").arg(path));
    });
    connect(refreshButton, &QPushButton::clicked, &session_, &WorkbenchSession::refreshRuns);

    // ---- table ----
    table_ = new QTableView(this);
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunsTableModel::ColId, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    table_->setAlternatingRowColors(true);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    table_->horizontalHeader()->setSectionsMovable(true);
    table_->horizontalHeader()->setStretchLastSection(false);
    table_->setWordWrap(false);
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateDetails();
        emit selectionChanged(selectedRunIds());
    });

    // ---- details ----
    details_ = new QTabWidget(this);
    configView_ = new QPlainTextEdit(this);
    configView_->setReadOnly(true);
    configView_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    configView_->setPlaceholderText(tr("Select a run to see its config"));
    detailsView_ = new QTextBrowser(this);
    auto* compareWidget = new QWidget(this);
    auto* compareLayout = new QVBoxLayout(compareWidget);
    compareLayout->setContentsMargins(0, 0, 0, 0);
    onlyDiffering_ = new QCheckBox(tr("Show only differing config keys"), compareWidget);
    onlyDiffering_->setChecked(true);
    connect(onlyDiffering_, &QCheckBox::toggled, this, &RunsPanel::setOnlyDifferingKeys);
    diffView_ = new QTableView(compareWidget);
    diffView_->setModel(diffModel_);
    diffView_->verticalHeader()->setVisible(false);
    diffView_->horizontalHeader()->setStretchLastSection(true);
    diffView_->setWordWrap(false);
    compareLayout->addWidget(onlyDiffering_);
    compareLayout->addWidget(diffView_);
    details_->addTab(configView_, tr("Config"));
    details_->addTab(detailsView_, tr("Details"));
    details_->addTab(compareWidget, tr("Compare"));
    significance_ = new SignificanceView(session_, this);
    details_->addTab(significance_, tr("Significance"));

    splitter_ = new QSplitter(Qt::Vertical, this);
    splitter_->addWidget(table_);
    splitter_->addWidget(details_);
    splitter_->setStretchFactor(0, 3);
    splitter_->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(filterMessage_);
    layout->addLayout(actionRow);
    layout->addWidget(splitter_, 1);

    connect(&session_, &WorkbenchSession::runsLoaded, this, &RunsPanel::setRuns);
    connect(&session_, &WorkbenchSession::runsChanged, &session_, &WorkbenchSession::refreshRuns);
    connect(&session_, &WorkbenchSession::progress, this, &RunsPanel::onProgress);
    connect(&session_, &WorkbenchSession::runEnded, this, [this] { model_->setLiveProgress(0, {}, 0, 0); });
    updateDetails();
}

void RunsPanel::reloadNow() { setRuns(session_.runs()); }

void RunsPanel::setRuns(const QVector<RunSummary>& runs) {
    const QVector<qint64> selected = selectedRunIds();
    model_->setRuns(runs);
    updateQuickFilterChoices();
    selectRuns(selected);
    table_->resizeColumnsToContents();
    table_->horizontalHeader()->resizeSection(RunsTableModel::ColName,
                                              std::min(table_->horizontalHeader()->sectionSize(RunsTableModel::ColName), 320));
    countLabel_->setText(tr("%1 of %n run(s)", "", model_->rowCount()).arg(proxy_->rowCount()));
    updateDetails();
}

void RunsPanel::updateQuickFilterChoices() {
    QStringList methods, datasets, tags;
    for (const RunSummary& run : model_->runs()) {
        if (!methods.contains(run.method)) methods << run.method;
        if (!datasets.contains(run.dataset) && !run.dataset.isEmpty()) datasets << run.dataset;
        for (const QString& tag : run.tags)
            if (!tags.contains(tag)) tags << tag;
    }
    methods.sort();
    datasets.sort();
    tags.sort();
    fillCombo(methodFilter_, methods, tr("any method"));
    fillCombo(datasetFilter_, datasets, tr("any dataset"));
    fillCombo(tagFilter_, tags, tr("any tag"));
}

void RunsPanel::applyQuickFilters() {
    proxy_->setQuickFilters(methodFilter_->currentData().toString(), datasetFilter_->currentData().toString(),
                            statusFilter_->currentData().toString(), tagFilter_->currentData().toString());
    countLabel_->setText(tr("%1 of %n run(s)", "", model_->rowCount()).arg(proxy_->rowCount()));
}

void RunsPanel::setQuickFilters(const QString& method, const QString& dataset, const QString& status, const QString& tag) {
    auto pick = [](QComboBox* combo, const QString& value) {
        const int i = combo->findData(value);
        combo->setCurrentIndex(i >= 0 ? i : 0);
    };
    pick(methodFilter_, method);
    pick(datasetFilter_, dataset);
    pick(statusFilter_, status);
    pick(tagFilter_, tag);
    applyQuickFilters();
}

void RunsPanel::setFilterText(const QString& expression) {
    if (filterEdit_->text() != expression) {
        filterEdit_->setText(expression);  // re-enters through textChanged
        return;
    }
    if (!proxy_->setExpression(expression)) {
        filterMessage_->setText(proxy_->expressionError());
        filterMessage_->setVisible(true);
        return;
    }
    const QStringList unknown = proxy_->unknownKeys();
    filterMessage_->setText(unknown.join(QStringLiteral("; ")));
    filterMessage_->setVisible(!unknown.isEmpty());
    settings::runsFilter.set(expression);
    countLabel_->setText(tr("%1 of %n run(s)", "", model_->rowCount()).arg(proxy_->rowCount()));
}

QString RunsPanel::filterError() const { return filterMessage_->isVisibleTo(this) ? filterMessage_->text() : QString(); }

int RunsPanel::visibleRunCount() const { return proxy_->rowCount(); }

QVector<qint64> RunsPanel::selectedRunIds() const {
    QVector<qint64> ids;
    for (const QModelIndex& index : table_->selectionModel()->selectedRows())
        ids << index.data(RunsTableModel::RunIdRole).toLongLong();
    return ids;
}

QVector<RunSummary> RunsPanel::selectedRuns() const {
    QVector<RunSummary> runs;
    for (qint64 id : selectedRunIds()) {
        const int row = model_->rowOfRun(id);
        if (row >= 0) runs << *model_->runAt(row);
    }
    return runs;
}

void RunsPanel::selectRuns(const QVector<qint64>& runIds) {
    QItemSelection selection;
    for (qint64 id : runIds) {
        const int row = model_->rowOfRun(id);
        if (row < 0) continue;
        const QModelIndex proxyIndex = proxy_->mapFromSource(model_->index(row, 0));
        if (proxyIndex.isValid()) selection.select(proxyIndex, proxyIndex);
    }
    table_->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void RunsPanel::updateDetails() {
    const auto runs = selectedRuns();
    const bool one = runs.size() == 1;
    renameButton_->setEnabled(one);
    tagButton_->setEnabled(!runs.isEmpty());
    deleteButton_->setEnabled(!runs.isEmpty());
    compareButton_->setEnabled(runs.size() >= 2);
    bool resumable = one && runs.front().canResume();
    resumeButton_->setEnabled(resumable && session_.canTrain());
    resumeButton_->setToolTip(session_.canTrain() ? tr("Continue an interrupted run from its last checkpoint")
                                                  : tr("this build has no trainer"));
    diffModel_->setRuns(runs);
    significance_->setRuns(runs);
    if (runs.isEmpty()) {
        configView_->clear();
        detailsView_->setHtml(tr("<p style='color:gray'>Select a run.</p>"));
        return;
    }
    const RunSummary& run = runs.front();
    const QJsonDocument doc = QJsonDocument::fromJson(run.configJson.toUtf8());
    configView_->setPlainText(doc.isNull() ? run.configJson : QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));

    QString html = QStringLiteral("<h3>#%1 %2</h3><table cellspacing='4'>").arg(run.id).arg(run.name.toHtmlEscaped());
    auto row = [&html](const QString& key, const QString& value) {
        html += QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(key, value.toHtmlEscaped());
    };
    row(tr("Status"), run.status + (run.error.isEmpty() ? QString() : QStringLiteral(" — ") + run.error));
    row(tr("Method"), run.method);
    row(tr("Dataset"), run.dataset);
    row(tr("Seed"), QString::number(run.seed));
    row(tr("Config hash"), run.configHash);
    row(tr("Group hash (any seed)"), run.groupHash);
    row(tr("Git commit"), run.gitCommit + (run.gitDirty ? tr(" (dirty)") : QString()));
    row(tr("LibTorch / device"), run.torchVersion + QStringLiteral(" / ") + run.device);
    row(tr("Host"), run.host);
    row(tr("Created"), run.created.toLocalTime().toString(Qt::ISODate));
    row(tr("Started"), run.started.isValid() ? run.started.toLocalTime().toString(Qt::ISODate) : QString());
    row(tr("Finished"), run.finished.isValid() ? run.finished.toLocalTime().toString(Qt::ISODate) : QString());
    row(tr("Tags"), run.tags.join(QStringLiteral(", ")));
    if (run.sweepId) row(tr("Sweep"), QStringLiteral("#%1 %2").arg(*run.sweepId).arg(run.sweepParamsJson));
    if (run.resumedFrom) row(tr("Resumed from"), QStringLiteral("#%1").arg(*run.resumedFrom));
    if (!run.notes.isEmpty()) row(tr("Notes"), run.notes);
    html += QStringLiteral("</table>");
    if (!run.results.isEmpty()) {
        html += tr("<h4>Final results</h4><table cellspacing='4'>");
        for (auto it = run.results.begin(); it != run.results.end(); ++it) {
            if (!it.key().contains('/')) continue;  // skip the short aliases
            html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td style='color:gray'>%3 rows</td></tr>")
                        .arg(it.key().toHtmlEscaped())
                        .arg(it.value(), 0, 'f', 4)
                        .arg(run.resultRows.value(it.key()));
        }
        html += QStringLiteral("</table>");
    }
    if (!run.series.isEmpty()) {
        html += tr("<h4>Metric series</h4><table cellspacing='4'><tr><th>series</th><th>last</th><th>min</th><th>max</th><th>points</th></tr>");
        for (auto it = run.series.begin(); it != run.series.end(); ++it) {
            html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td align='right'>%3</td><td align='right'>%4</td><td align='right'>%5</td></tr>")
                        .arg(it.key().toHtmlEscaped())
                        .arg(it->last, 0, 'g', 5)
                        .arg(it->min, 0, 'g', 5)
                        .arg(it->max, 0, 'g', 5)
                        .arg(it->count);
        }
        html += QStringLiteral("</table>");
    }
    detailsView_->setHtml(html);
}

QString RunsPanel::shownConfig() const { return configView_->toPlainText(); }

void RunsPanel::showComparison() {
    details_->setCurrentIndex(2);
    diffModel_->setRuns(selectedRuns());
    diffView_->resizeColumnsToContents();
}

void RunsPanel::setOnlyDifferingKeys(bool only) {
    if (onlyDiffering_->isChecked() != only) onlyDiffering_->setChecked(only);
    diffModel_->setOnlyDiffering(only);
    diffView_->resizeColumnsToContents();
}

bool RunsPanel::renameSelected(const QString& name) {
    const auto ids = selectedRunIds();
    if (ids.size() != 1) return false;
    const bool ok = session_.renameRun(ids.front(), name);
    if (ok) reloadNow();
    return ok;
}

bool RunsPanel::setTagsOfSelected(const QStringList& tags) {
    bool ok = true;
    for (qint64 id : selectedRunIds()) ok = session_.setRunTags(id, tags) && ok;
    reloadNow();
    return ok;
}

bool RunsPanel::deleteSelected() {
    bool ok = true;
    for (qint64 id : selectedRunIds()) ok = session_.deleteRun(id) && ok;
    reloadNow();
    return ok;
}

bool RunsPanel::resumeSelected() {
    const auto runs = selectedRuns();
    if (runs.size() != 1 || !runs.front().canResume()) return false;
    return session_.resumeRun(runs.front().id) != 0;
}

bool RunsPanel::exportRunsCsv(const QString& path) const {
    // Every visible run with its identity and every result/series value, one row each.
    QStringList resultKeys, seriesKeys;
    QVector<const RunSummary*> rows;
    for (int r = 0; r < proxy_->rowCount(); ++r) {
        const qint64 id = proxy_->index(r, 0).data(RunsTableModel::RunIdRole).toLongLong();
        const RunSummary* run = model_->runAt(model_->rowOfRun(id));
        if (!run) continue;
        rows << run;
        for (auto it = run->results.begin(); it != run->results.end(); ++it)
            if (it.key().contains('/') && !resultKeys.contains(it.key())) resultKeys << it.key();
        for (auto it = run->series.begin(); it != run->series.end(); ++it)
            if (!seriesKeys.contains(it.key())) seriesKeys << it.key();
    }
    resultKeys.sort();
    seriesKeys.sort();
    // The config keys the exported runs differ in, one column each ("config.method.inject.alpha"),
    // so that a table of runs can be grouped by what was varied without parsing configs.
    std::vector<FlatConfig> configs;
    for (const RunSummary* run : rows) configs.push_back(flattenConfigJson(run->configJson));
    ConfigDiff differing = diffConfigs(configs);
    const QStringList ownColumns{"name", "seed", "tags", "notes"};
    QStringList header{"run_id", "name", "method", "dataset", "status", "seed", "tags", "config_hash", "git_commit", "created", "finished"};
    QVector<int> configRows;
    for (int k = 0; k < differing.keys.size(); ++k) {
        if (ownColumns.contains(differing.keys[k])) continue;
        configRows << k;
        header << QStringLiteral("config.") + differing.keys[k];
    }
    header << resultKeys;
    for (const QString& key : seriesKeys) header << key + ".last" << key + ".min" << key + ".max";
    QString out = header.join(',') + '\n';
    for (int r = 0; r < rows.size(); ++r) {
        const RunSummary* run = rows[r];
        QStringList fields{QString::number(run->id), run->name, run->method, run->dataset, run->status,
                           QString::number(run->seed), run->tags.join(';'), run->configHash, run->gitCommit,
                           run->created.toString(Qt::ISODate),
                           run->finished.isValid() ? run->finished.toString(Qt::ISODate) : QString()};
        for (int k : configRows) fields << differing.values[k][r].value_or(QString());
        for (const QString& key : resultKeys)
            fields << (run->results.contains(key) ? QString::number(run->results[key], 'g', 10) : QString());
        for (const QString& key : seriesKeys) {
            if (!run->series.contains(key)) {
                fields << QString() << QString() << QString();
                continue;
            }
            const SeriesSummary& s = run->series[key];
            fields << QString::number(s.last, 'g', 10) << QString::number(s.min, 'g', 10) << QString::number(s.max, 'g', 10);
        }
        for (QString& f : fields) f = csvField(f);
        out += fields.join(',') + '\n';
    }
    return writeTextFile(path, out);
}

void RunsPanel::onProgress(const RunProgress& progress) {
    if (progress.runId == 0) return;
    const auto& s = progress.batch.latest;
    if (model_->rowOfRun(progress.runId) < 0) return;  // the list reloads when the run appears
    model_->setLiveProgress(progress.runId, QString::fromStdString(s.phase), s.step, s.trainLoss);
}

void RunsPanel::saveLayout() const {
    settings::splitterState(QStringLiteral("runs")).set(splitter_->saveState());
}

void RunsPanel::restoreLayout() {
    splitter_->restoreState(settings::splitterState(QStringLiteral("runs")).get());
    const QString filter = settings::runsFilter.get();
    if (!filter.isEmpty()) setFilterText(filter);
}

}  // namespace glr::ui
