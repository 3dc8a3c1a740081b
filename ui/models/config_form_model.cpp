#include "models/config_form_model.h"

#include <QDir>
#include <QJsonDocument>

namespace glr::ui {

namespace {

QJsonValue getPath(const QJsonObject& root, const QStringList& parts) {
    QJsonValue current = root;
    for (const QString& part : parts) {
        if (!current.isObject()) return QJsonValue(QJsonValue::Undefined);
        current = current.toObject().value(part);
    }
    return current;
}

void setPath(QJsonObject& root, const QStringList& parts, int index, const QJsonValue& value) {
    if (index == parts.size() - 1) {
        if (value.isUndefined()) root.remove(parts[index]);
        else root[parts[index]] = value;
        return;
    }
    QJsonObject child = root.value(parts[index]).toObject();
    setPath(child, parts, index + 1, value);
    root[parts[index]] = child;
}

}  // namespace

ConfigFormModel::ConfigFormModel(const QString& defaultJson, QObject* parent)
    : QObject(parent), baseDir_(QDir::currentPath()) {
    defaults_ = QJsonDocument::fromJson(defaultJson.toUtf8()).object();
    config_ = defaults_;
}

bool ConfigFormModel::setJson(const QString& json, QString* error) {
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error) {
            *error = parseError.error != QJsonParseError::NoError
                         ? tr("not valid JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset)
                         : tr("a config must be a JSON object");
        }
        return false;
    }
    config_ = doc.object();
    emit changed();
    return true;
}

QString ConfigFormModel::json() const {
    return QString::fromUtf8(QJsonDocument(config_).toJson(QJsonDocument::Indented));
}

QJsonValue ConfigFormModel::value(const QString& path) const { return getPath(config_, path.split('.')); }

void ConfigFormModel::setValue(const QString& path, const QJsonValue& value) {
    if (getPath(config_, path.split('.')) == value) return;
    setPath(config_, path.split('.'), 0, value);
    emit changed();
}

QStringList ConfigFormModel::presetMethods() {
    return {QStringLiteral("graphlora"), QStringLiteral("lora-only"), QStringLiteral("tallrec"), QStringLiteral("icl"),
            QStringLiteral("collm"),     QStringLiteral("cora"),      QStringLiteral("mf"),      QStringLiteral("lightgcn"),
            QStringLiteral("ngcf"),      QStringLiteral("sasrec")};
}

void ConfigFormModel::applyPreset(const QString& method) {
    const bool collaborative = method == QLatin1String("mf") || method == QLatin1String("lightgcn") ||
                               method == QLatin1String("ngcf") || method == QLatin1String("sasrec");
    QSignalBlocker block(this);
    setValue(QStringLiteral("method.name"), method);
    // LLM methods: LoRA-scale learning rate, small batches, one epoch (SPEC §4); collaborative
    // baselines: the usual embedding-model settings.
    setValue(QStringLiteral("train.lr"), collaborative ? 1e-3 : 1e-4);
    setValue(QStringLiteral("train.batch_size"), collaborative ? 256 : 8);
    setValue(QStringLiteral("train.epochs"), collaborative ? 20 : 1);
    if (method == QLatin1String("lora-only")) setValue(QStringLiteral("method.mf.trainable"), false);
    if (method == QLatin1String("graphlora")) {
        setValue(QStringLiteral("method.mf.trainable"), true);
        setValue(QStringLiteral("method.gnn.type"), QStringLiteral("ngcf"));
    }
    if (method == QLatin1String("lightgcn") || method == QLatin1String("ngcf"))
        setValue(QStringLiteral("method.gnn.type"), method);
    if (method == QLatin1String("collm")) setValue(QStringLiteral("method.collm.embedding"), QStringLiteral("mf"));
    const QString dataset = value(QStringLiteral("data.dir")).isString()
                                ? QDir(value(QStringLiteral("data.dir")).toString()).dirName()
                                : QString();
    setValue(QStringLiteral("name"), dataset.isEmpty() ? method : method + '-' + dataset);
    block.unblock();
    emit changed();
}

void ConfigFormModel::resetToDefaults() {
    config_ = defaults_;
    emit changed();
}

}  // namespace glr::ui
