#pragma once
// "Show only what differs" between experiment configs: each config is flattened to dotted key
// paths (`method.inject.alpha`) with compact JSON values (arrays stay whole: `[-1]`), and the
// diff keeps the keys whose values are not the same in every config (a key missing from one
// config counts as differing).
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <map>
#include <optional>
#include <vector>

namespace glr::ui {

using FlatConfig = std::map<QString, QString>;  // sorted by key path

FlatConfig flattenConfig(const QJsonObject& config);
// Throws nothing: malformed JSON gives an empty map and sets *error (when given).
FlatConfig flattenConfigJson(const QString& json, QString* error = nullptr);

struct ConfigDiff {
    QStringList keys;                                    // sorted key paths
    // values[row][column]: the value of keys[row] in config `column`; nullopt when missing.
    std::vector<std::vector<std::optional<QString>>> values;
};

// onlyDiffering=false lists every key (the full side-by-side view).
ConfigDiff diffConfigs(const std::vector<FlatConfig>& configs, bool onlyDiffering = true);

}  // namespace glr::ui
