#pragma once
// The Experiment panel's model: the config being edited as a JSON object, read and written by
// key path ("method.inject.alpha"), plus the method presets. Validation happens in core (same
// messages as the CLI) through the session; this model only holds the document.
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>

namespace glr::ui {

class ConfigFormModel : public QObject {
    Q_OBJECT
public:
    explicit ConfigFormModel(const QString& defaultJson, QObject* parent = nullptr);

    // Replaces the document; false (and *error) when the text is not a JSON object.
    bool setJson(const QString& json, QString* error = nullptr);
    QString json() const;  // indented
    const QJsonObject& object() const { return config_; }

    QJsonValue value(const QString& path) const;  // Undefined when absent
    void setValue(const QString& path, const QJsonValue& value);
    QString method() const { return value(QStringLiteral("method.name")).toString(); }

    // Switches to a method with the settings that make sense for it (learning rate, batch size,
    // epochs of collaborative vs LLM methods), keeping data, model and everything else.
    void applyPreset(const QString& method);
    void resetToDefaults();
    static QStringList presetMethods();

    const QString& baseDir() const { return baseDir_; }
    void setBaseDir(const QString& dir) { baseDir_ = dir; }

signals:
    void changed();

private:
    QJsonObject defaults_;
    QJsonObject config_;
    QString baseDir_;
};

}  // namespace glr::ui
