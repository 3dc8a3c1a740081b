#include "logic/config_diff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <set>

namespace glr::ui {

namespace {

QString scalarText(const QJsonValue& value) {
    switch (value.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        // Integers print without a decimal point so 8 and 8.0 compare equal as configs do.
        return QString::number(d, 'g', 17);
    }
    case QJsonValue::String: return value.toString();
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined: break;
    }
    return QString();
}

void flattenInto(const QJsonObject& object, const QString& prefix, FlatConfig& out) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString path = prefix.isEmpty() ? it.key() : prefix + '.' + it.key();
        if (it->isObject() && !it->toObject().isEmpty()) flattenInto(it->toObject(), path, out);
        else out[path] = scalarText(*it);
    }
}

}  // namespace

FlatConfig flattenConfig(const QJsonObject& config) {
    FlatConfig flat;
    flattenInto(config, QString(), flat);
    return flat;
}

FlatConfig flattenConfigJson(const QString& json, QString* error) {
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        if (error) {
            *error = parseError.error != QJsonParseError::NoError
                         ? QStringLiteral("config JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset)
                         : QStringLiteral("config JSON: expected an object");
        }
        return {};
    }
    if (error) error->clear();
    return flattenConfig(document.object());
}

ConfigDiff diffConfigs(const std::vector<FlatConfig>& configs, bool onlyDiffering) {
    std::set<QString> allKeys;
    for (const FlatConfig& config : configs)
        for (const auto& entry : config) allKeys.insert(entry.first);

    ConfigDiff diff;
    for (const QString& key : allKeys) {
        std::vector<std::optional<QString>> row;
        row.reserve(configs.size());
        for (const FlatConfig& config : configs) {
            auto it = config.find(key);
            row.push_back(it == config.end() ? std::nullopt : std::optional<QString>(it->second));
        }
        bool same = true;
        for (const auto& value : row) same = same && value == row.front();
        if (onlyDiffering && same) continue;
        diff.keys.append(key);
        diff.values.push_back(std::move(row));
    }
    return diff;
}

}  // namespace glr::ui
