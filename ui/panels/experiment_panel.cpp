#include "panels/experiment_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include "logic/text_file.h"
#include "models/config_form_model.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

namespace glr::ui {

namespace {

const char* kNullItem = "(null)";

QString groupOf(const QString& path) {
    const QStringList parts = path.split('.');
    if (parts.size() == 1) return QStringLiteral("run");
    if (parts[0] == QLatin1String("method") && parts.size() >= 3) return QStringLiteral("method.") + parts[1];
    return parts[0];
}

QString groupTitle(const QString& group) {
    static const QHash<QString, QString> titles = {
        {"run", "Run"},           {"data", "Data"},        {"model", "Model"},          {"method", "Method"},
        {"method.lora", "LoRA"},  {"method.mf", "MF"},     {"method.gnn", "GNN"},       {"method.inject", "Injection"},
        {"method.collm", "CoLLM"}, {"method.sasrec", "SASRec"}, {"train", "Training"}, {"eval", "Evaluation"}};
    return titles.value(group, group);
}

QString valueText(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: return QString();
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: return QString::number(value.toDouble(), 'g', 12);
    case QJsonValue::String: return value.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue& v : value.toArray()) parts << valueText(v);
        return parts.join(QStringLiteral(", "));
    }
    case QJsonValue::Object: return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return QString();
}

// Text typed in a field → the JSON value the config gets. Malformed input is kept as a string so
// core's validation reports it with the CLI's message ("expected a number, got "abc"").
QJsonValue textValue(const SchemaFieldView& field, const QString& raw) {
    const QString text = raw.trimmed();
    if (text.isEmpty()) {
        if (field.nullable) return QJsonValue(QJsonValue::Null);
        if (field.type == QLatin1String("string") || field.type == QLatin1String("path")) return QString();
        if (field.type == QLatin1String("int-list") || field.type == QLatin1String("string-list")) return QJsonArray();
        return QJsonValue(QJsonValue::Undefined);  // absent: the default applies
    }
    if (field.type == QLatin1String("int") || field.type == QLatin1String("number")) {
        bool ok = false;
        const double d = text.toDouble(&ok);
        return ok ? QJsonValue(d) : QJsonValue(text);
    }
    if (field.type == QLatin1String("int-list")) {
        QString inner = text;
        if (inner.startsWith('[') && inner.endsWith(']')) inner = inner.mid(1, inner.size() - 2);
        const QJsonDocument doc = QJsonDocument::fromJson(('[' + inner + ']').toUtf8());
        return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(text);
    }
    if (field.type == QLatin1String("string-list")) {
        QJsonArray list;
        for (const QString& part : text.split(',', Qt::SkipEmptyParts))
            if (!part.trimmed().isEmpty()) list.append(part.trimmed());
        return list;
    }
    return text;
}

}  // namespace

ExperimentPanel::ExperimentPanel(WorkbenchSession& session, QWidget* parent)
    : QWidget(parent), session_(session), model_(new ConfigFormModel(defaultConfigJson(), this)),
      schema_(configSchema()) {
    setObjectName(QStringLiteral("experimentPanel"));
    preset_ = new QComboBox(this);
    preset_->addItems(ConfigFormModel::presetMethods());
    preset_->setToolTip(tr("Method preset: sets the method and the settings that suit it; data and model stay"));
    auto* load = new QPushButton(tr("Load JSON…"), this);
    auto* save = new QPushButton(tr("Save JSON…"), this);
    auto* defaults = new QPushButton(tr("Defaults"), this);
    runButton_ = new QPushButton(tr("Run"), this);
    runButton_->setDefault(true);
    queueButton_ = new QPushButton(tr("Add to queue"), this);
    source_ = new QLabel(this);
    source_->setStyleSheet(QStringLiteral("color: gray"));
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Method"), this));
    top->addWidget(preset_);
    top->addWidget(load);
    top->addWidget(save);
    top->addWidget(defaults);
    top->addWidget(source_, 1);
    top->addWidget(runButton_);
    top->addWidget(queueButton_);

    views_ = new QTabWidget(this);
    views_->addTab(buildForm(), tr("Form"));
    jsonEdit_ = new QPlainTextEdit(this);
    jsonEdit_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    views_->addTab(jsonEdit_, tr("JSON"));

    issues_ = new QListWidget(this);
    issues_->setMaximumHeight(fontMetrics().height() * 5 + 8);
    hash_ = new QLabel(this);
    hash_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    hash_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(views_, 1);
    layout->addWidget(issues_);
    layout->addWidget(hash_);

    validateTimer_ = new QTimer(this);
    validateTimer_->setSingleShot(true);
    validateTimer_->setInterval(150);
    jsonTimer_ = new QTimer(this);
    jsonTimer_->setSingleShot(true);
    jsonTimer_->setInterval(400);
    connect(validateTimer_, &QTimer::timeout, this, &ExperimentPanel::validateNow);
    connect(jsonTimer_, &QTimer::timeout, this, [this] {
        QString error;
        if (!model_->setJson(jsonEdit_->toPlainText(), &error)) {
            issues_->clear();
            issues_->addItem(error);
            runButton_->setEnabled(false);
            queueButton_->setEnabled(false);
        }
    });
    connect(jsonEdit_, &QPlainTextEdit::textChanged, this, [this] {
        if (!updating_) jsonTimer_->start();
    });
    connect(model_, &ConfigFormModel::changed, this, &ExperimentPanel::onModelChanged);
    connect(preset_, &QComboBox::activated, this, [this](int) { applyPreset(preset_->currentText()); });
    connect(load, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Load experiment config"), settings::lastConfigDir.get(),
                                                          tr("JSON (*.json)"));
        if (!path.isEmpty()) loadFile(path);
    });
    connect(save, &QPushButton::clicked, this, [this] {
        const QString name = model_->value(QStringLiteral("name")).toString();
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save experiment config"),
            QDir(settings::lastConfigDir.get()).filePath((name.isEmpty() ? QStringLiteral("experiment") : name) + ".json"),
            tr("JSON (*.json)"));
        if (!path.isEmpty()) saveFile(path);
    });
    connect(defaults, &QPushButton::clicked, model_, &ConfigFormModel::resetToDefaults);
    connect(runButton_, &QPushButton::clicked, this, [this] { run(true); });
    connect(queueButton_, &QPushButton::clicked, this, &ExperimentPanel::addToQueue);
    onModelChanged();
    validateNow();
}

QWidget* ExperimentPanel::buildForm() {
    QStringList order;
    QHash<QString, QFormLayout*> forms;
    auto* content = new QWidget(this);
    auto* grid = new QGridLayout(content);
    QList<QGroupBox*> boxes;
    for (const SchemaFieldView& field : schema_) {
        const QString group = groupOf(field.path);
        if (!forms.contains(group)) {
            auto* box = new QGroupBox(groupTitle(group), content);
            forms[group] = new QFormLayout(box);
            forms[group]->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
            boxes << box;
        }
        FieldEditor editor;
        editor.field = field;
        editor.widget = makeEditor(field);
        editor.label = new QLabel(field.path.section('.', -1), content);
        QString tip = field.help;
        if (!field.methods.isEmpty()) tip += tr("\nUsed by: %1").arg(field.methods.join(QStringLiteral(", ")));
        tip += tr("\nDefault: %1").arg(field.defaultJson);
        editor.label->setToolTip(field.path + QStringLiteral("\n") + tip);
        editor.widget->setToolTip(tip);
        forms[group]->addRow(editor.label, editor.widget);
        editors_.insert(field.path, editor);
    }
    // Two columns, balanced by field count.
    int left = 0, right = 0, rowLeft = 0, rowRight = 0;
    for (QGroupBox* box : boxes) {
        const int n = static_cast<QFormLayout*>(box->layout())->rowCount();
        if (left <= right) {
            grid->addWidget(box, rowLeft++, 0);
            left += n + 2;
        } else {
            grid->addWidget(box, rowRight++, 1);
            right += n + 2;
        }
    }
    grid->setRowStretch(std::max(rowLeft, rowRight), 1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    return scroll;
}

QWidget* ExperimentPanel::makeEditor(const SchemaFieldView& field) {
    const QString path = field.path;
    if (field.type == QLatin1String("bool")) {
        auto* box = new QCheckBox(this);
        connect(box, &QCheckBox::toggled, this, [this, path] { commitEditor(path); });
        return box;
    }
    if (field.type == QLatin1String("enum")) {
        auto* combo = new QComboBox(this);
        if (field.nullable) combo->addItem(QString::fromLatin1(kNullItem));
        combo->addItems(field.allowed);
        connect(combo, &QComboBox::currentIndexChanged, this, [this, path] { commitEditor(path); });
        return combo;
    }
    auto* edit = new QLineEdit(this);
    QString placeholder = field.nullable ? tr("null") : tr("default %1").arg(field.defaultJson);
    if (field.type == QLatin1String("int-list")) placeholder = tr("comma-separated integers, e.g. -1 or 0, 2");
    if (field.type == QLatin1String("string-list"))
        placeholder = field.allowed.isEmpty() ? tr("comma-separated") : field.allowed.join(QStringLiteral(", "));
    edit->setPlaceholderText(placeholder);
    connect(edit, &QLineEdit::textEdited, this, [this, path] { commitEditor(path); });
    if (field.type != QLatin1String("path")) return edit;
    auto* row = new QWidget(this);
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(edit, 1);
    auto* browse = new QToolButton(row);
    browse->setText(QStringLiteral("…"));
    layout->addWidget(browse);
    const bool directory = path == QLatin1String("data.dir");
    connect(browse, &QToolButton::clicked, this, [this, edit, path, directory] {
        const QString start = edit->text().isEmpty() ? baseDir() : edit->text();
        const QString chosen = directory ? QFileDialog::getExistingDirectory(this, path, start)
                                         : QFileDialog::getOpenFileName(this, path, start);
        if (chosen.isEmpty()) return;
        edit->setText(chosen);
        commitEditor(path);
    });
    row->setFocusProxy(edit);
    return row;
}

void ExperimentPanel::commitEditor(const QString& path) {
    if (updating_) return;
    const auto it = editors_.constFind(path);
    if (it == editors_.constEnd()) return;
    const SchemaFieldView& field = it->field;
    QJsonValue value;
    if (auto* box = qobject_cast<QCheckBox*>(it->widget)) {
        value = box->isChecked();
    } else if (auto* combo = qobject_cast<QComboBox*>(it->widget)) {
        value = combo->currentText() == QLatin1String(kNullItem) ? QJsonValue(QJsonValue::Null) : QJsonValue(combo->currentText());
    } else {
        auto* edit = qobject_cast<QLineEdit*>(it->widget);
        if (!edit) edit = it->widget->findChild<QLineEdit*>();
        value = textValue(field, edit ? edit->text() : QString());
    }
    model_->setValue(path, value);
}

bool ExperimentPanel::setFieldText(const QString& path, const QString& text) {
    const auto it = editors_.constFind(path);
    if (it == editors_.constEnd()) return false;
    if (auto* box = qobject_cast<QCheckBox*>(it->widget)) {
        box->setChecked(text == QLatin1String("true"));
    } else if (auto* combo = qobject_cast<QComboBox*>(it->widget)) {
        const int i = combo->findText(text.isEmpty() ? QString::fromLatin1(kNullItem) : text);
        if (i < 0) return false;
        combo->setCurrentIndex(i);
    } else {
        auto* edit = qobject_cast<QLineEdit*>(it->widget);
        if (!edit) edit = it->widget->findChild<QLineEdit*>();
        if (!edit) return false;
        edit->setText(text);
        commitEditor(path);
    }
    return true;
}

QString ExperimentPanel::fieldText(const QString& path) const {
    const auto it = editors_.constFind(path);
    if (it == editors_.constEnd()) return QString();
    if (auto* box = qobject_cast<QCheckBox*>(it->widget)) return box->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    if (auto* combo = qobject_cast<QComboBox*>(it->widget)) return combo->currentText();
    auto* edit = qobject_cast<QLineEdit*>(it->widget);
    if (!edit) edit = it->widget->findChild<QLineEdit*>();
    return edit ? edit->text() : QString();
}

bool ExperimentPanel::isFieldEnabled(const QString& path) const {
    const auto it = editors_.constFind(path);
    return it != editors_.constEnd() && it->widget->isEnabled();
}

void ExperimentPanel::updateEditors() {
    updating_ = true;
    const QString method = model_->method();
    for (auto it = editors_.begin(); it != editors_.end(); ++it) {
        const QJsonValue value = model_->value(it.key());
        if (auto* box = qobject_cast<QCheckBox*>(it->widget)) {
            box->setChecked(value.isUndefined() ? it->field.defaultJson == QLatin1String("true") : value.toBool());
        } else if (auto* combo = qobject_cast<QComboBox*>(it->widget)) {
            QString text = value.isNull() ? QString::fromLatin1(kNullItem) : value.toString();
            if (value.isUndefined()) text = QJsonDocument::fromJson(('[' + it->field.defaultJson + ']').toUtf8()).array().first().toString();
            int i = combo->findText(text);
            if (i < 0 && !text.isEmpty()) {  // a value outside the schema: show it, validation flags it
                combo->addItem(text);
                i = combo->count() - 1;
            }
            combo->setCurrentIndex(std::max(i, 0));
        } else {
            auto* edit = qobject_cast<QLineEdit*>(it->widget);
            if (!edit) edit = it->widget->findChild<QLineEdit*>();
            const QString text = valueText(value);
            if (edit && edit->text() != text && !edit->hasFocus()) edit->setText(text);
        }
        const bool applies = it->field.appliesTo(method);
        it->widget->setEnabled(applies);
        it->label->setEnabled(applies);
    }
    updating_ = false;
}

void ExperimentPanel::onModelChanged() {
    updateEditors();
    updating_ = true;
    if (!jsonEdit_->hasFocus()) jsonEdit_->setPlainText(model_->json());
    updating_ = false;
    const int i = preset_->findText(model_->method());
    if (i >= 0) preset_->setCurrentIndex(i);
    validateTimer_->start();
}

void ExperimentPanel::validateNow() {
    validateTimer_->stop();
    check_ = session_.checkConfig(model_->json(), baseDir());
    issues_->clear();
    for (auto it = editors_.begin(); it != editors_.end(); ++it) {
        it->widget->setStyleSheet(QString());
        it->label->setStyleSheet(QString());
    }
    if (!check_.parseError.isEmpty()) issues_->addItem(check_.parseError);
    for (const ConfigIssueView& issue : check_.issues) {
        auto* item = new QListWidgetItem(issue.message, issues_);
        item->setForeground(QColor(0xc6, 0x28, 0x28));
        auto it = editors_.find(issue.path);
        if (it != editors_.end()) {
            it->label->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold"));
            it->widget->setToolTip(issue.message);
        }
    }
    const bool valid = check_.valid();
    if (valid) {
        auto* item = new QListWidgetItem(tr("Config is valid"), issues_);
        item->setForeground(QColor(0x2e, 0x7d, 0x32));
        QString text = tr("canonical hash %1   ·   seed group %2").arg(check_.hash, check_.groupHash.left(16));
        if (model_->value(QStringLiteral("model.checkpoint")).isNull() && model_->method() != QLatin1String("mf") &&
            model_->method() != QLatin1String("lightgcn") && model_->method() != QLatin1String("ngcf") &&
            model_->method() != QLatin1String("sasrec"))
            text += tr("\nmodel.checkpoint is null: random weights of model.shape — this exercises the pipeline, "
                       "it does not measure an LLM");
        hash_->setText(text);
    } else {
        hash_->setText(tr("canonical hash: — (fix the issues above)"));
    }
    const bool canRun = valid && session_.canTrain() && session_.hasStore();
    runButton_->setEnabled(canRun);
    queueButton_->setEnabled(canRun);
    const QString why = !session_.canTrain() ? tr("this build has no trainer")
                        : !session_.hasStore() ? tr("open a store first (File ▸ Open store)")
                        : !valid              ? tr("fix the config issues first")
                                              : QString();
    runButton_->setToolTip(why.isEmpty() ? tr("Run now (or next, when a run is training)") : why);
    queueButton_->setToolTip(why.isEmpty() ? tr("Run after the queued runs") : why);
}

QStringList ExperimentPanel::issueMessages() const {
    QStringList out;
    if (!check_.parseError.isEmpty()) out << check_.parseError;
    for (const auto& issue : check_.issues) out << issue.message;
    return out;
}

QString ExperimentPanel::hashText() const { return check_.hash; }
QString ExperimentPanel::configJson() const { return model_->json(); }
QString ExperimentPanel::baseDir() const { return model_->baseDir(); }

void ExperimentPanel::applyPreset(const QString& method) { model_->applyPreset(method); }

bool ExperimentPanel::loadFile(const QString& path) {
    QFile file(path);
    QString error;
    if (!file.open(QIODevice::ReadOnly)) {
        error = tr("%1: %2").arg(path, file.errorString());
    } else if (!model_->setJson(QString::fromUtf8(file.readAll()), &error)) {
        error = path + QStringLiteral(": ") + error;
    }
    if (!error.isEmpty()) {
        emit session_.errorOccurred(error);
        return false;
    }
    model_->setBaseDir(QFileInfo(path).absolutePath());
    settings::lastConfigDir.set(QFileInfo(path).absolutePath());
    source_->setText(QFileInfo(path).fileName());
    validateNow();
    return true;
}

bool ExperimentPanel::saveFile(const QString& path) {
    if (QString error; !writeTextFile(path, model_->json(), &error)) {
        emit session_.errorOccurred(error);
        return false;
    }
    settings::lastConfigDir.set(QFileInfo(path).absolutePath());
    source_->setText(QFileInfo(path).fileName());
    return true;
}

qint64 ExperimentPanel::run(bool front) {
    validateNow();
    if (!check_.valid()) {
        emit session_.errorOccurred(tr("the config has issues: %1").arg(issueMessages().join(QStringLiteral("; "))));
        return 0;
    }
    RunSpec spec;
    spec.configJson = model_->json();
    spec.baseDir = baseDir();
    const qint64 ticket = session_.enqueueRun(spec, front);
    if (ticket) emit runQueued(ticket);
    return ticket;
}

qint64 ExperimentPanel::addToQueue() { return run(false); }

}  // namespace glr::ui
