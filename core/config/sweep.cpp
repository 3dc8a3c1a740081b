// Sweep expansion: base config -> "set" -> command-line overrides -> one grid point, validated
// per point so an error names the point that fails.
#include "config/sweep.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "config/config_schema.h"
#include "util/did_you_mean.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::config {

using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A runaway grid (a typo'd 1000-value list times seeds) should fail before queueing anything.
constexpr std::size_t kMaxSweepRuns = 10000;

const std::vector<std::string> kSweepKeys{"name", "base", "grid", "set", "notes"};

std::string leafOf(const std::string& path) {
    auto dot = path.rfind('.');
    return dot == std::string::npos ? path : path.substr(dot + 1);
}

std::string valueText(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

SweepSpec expandSweep(const json& sweep, const std::string& baseDir, const std::string& sourceName,
                      const std::vector<std::string>& overrides) {
    const std::string src = sourceName.empty() ? "sweep" : sourceName;
    if (!sweep.is_object()) failInput("{}: expected a JSON object, got {}", src, shortJson(sweep));
    for (const auto& [key, value] : sweep.items()) {
        (void)value;
        if (std::find(kSweepKeys.begin(), kSweepKeys.end(), key) != kSweepKeys.end()) continue;
        std::string hint;
        for (const auto& known : kSweepKeys)
            if (editDistance(key, known) <= 2) hint = known;
        failInput("{}: unknown sweep key '{}'{} (a sweep has name, base, set, grid, notes; config keys go "
                  "in \"set\" or \"grid\")",
                  src, key, hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint));
    }

    SweepSpec spec;
    if (sweep.contains("name")) {
        if (!sweep["name"].is_string() || sweep["name"].get<std::string>().empty())
            failInput("{}: name: expected a non-empty string, got {}", src, shortJson(sweep["name"]));
        spec.name = sweep["name"].get<std::string>();
    } else {
        spec.name = sourceName.empty() ? "sweep" : fs::path(sourceName).stem().string();
    }

    // The base config and the directory its relative paths are relative to.
    json base = json::object();
    std::string configBaseDir = baseDir;
    std::string configSource = src;
    if (sweep.contains("base")) {
        const json& b = sweep["base"];
        if (b.is_string()) {
            fs::path p(b.get<std::string>());
            if (p.is_relative()) p = (baseDir.empty() ? fs::current_path() : fs::path(baseDir)) / p;
            p = p.lexically_normal();
            try {
                base = parseJsonText(readFile(p.string()), p.string());
            } catch (const InputError& e) {
                failInput("{}: base: {}", src, e.what());
            }
            configBaseDir = fs::absolute(p).parent_path().string();
            configSource = p.string();
        } else if (b.is_object()) {
            base = b;
        } else {
            failInput("{}: base: expected a config file path or an inline config object, got {}", src, shortJson(b));
        }
    }
    if (!base.is_object()) failInput("{}: expected a JSON object at the top level of the base config", configSource);
    // Report problems of the base itself against the base, not against some grid point.
    if (auto issues = validateConfig(base); !issues.empty())
        failInput("{}: {}", configSource, issues.front().message);

    if (sweep.contains("set")) {
        const json& set = sweep["set"];
        if (!set.is_object())
            failInput("{}: set: expected an object of \"key.path\": value, got {}", src, shortJson(set));
        for (const auto& [path, value] : set.items()) setKey(base, path, value, src + ": set", baseDir);
    }
    for (const auto& assignment : overrides) applyOverride(base, assignment);

    json grid = sweep.value("grid", json::object());
    if (!grid.is_object()) failInput("{}: grid: expected an object of \"key.path\": [values...], got {}", src, shortJson(grid));
    std::vector<std::string> keys;
    std::vector<std::vector<json>> values;
    for (const auto& [path, list] : grid.items()) {
        const SchemaField* field = findField(path);
        if (!field && !isSchemaGroup(path)) {
            std::string hint = suggestKey(path);
            failInput("{}: grid: unknown key '{}'{}", src, path,
                      hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint));
        }
        if (!list.is_array() || list.empty())
            failInput("{}: grid.{}: expected a non-empty array of values, got {}", src, path, shortJson(list));
        std::vector<json> options;
        for (const auto& v : list) {
            // "method.inject.layers": [0, 1, 2] means one layer per run.
            bool listField = field && (field->type == FieldType::IntList || field->type == FieldType::StringList);
            options.push_back(listField && !v.is_array() && !v.is_null() ? json::array({v}) : v);
        }
        keys.push_back(path);
        values.push_back(std::move(options));
    }
    spec.grid = grid;

    std::size_t total = 1;
    for (const auto& v : values) {
        total *= v.size();
        if (total > kMaxSweepRuns)
            failInput("{}: the grid expands to more than {} runs; split the sweep", src, kMaxSweepRuns);
    }

    // Short labels for run names: the leaf key unless two grid keys share it.
    std::vector<std::string> labels;
    for (const auto& k : keys) {
        int sameLeaf = 0;
        for (const auto& other : keys) sameLeaf += leafOf(other) == leafOf(k);
        labels.push_back(sameLeaf > 1 ? k : leafOf(k));
    }

    std::vector<std::size_t> index(keys.size(), 0);
    for (std::size_t n = 0; n < total; ++n) {
        json config = base;
        json params = json::object();
        std::string label;
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const json& v = values[k][index[k]];
            label += (k ? "," : "") + labels[k] + "=" + valueText(v);
        }
        const std::string pointSource = fmt::format("{}: grid point {}", src, label.empty() ? "(single)" : label);
        for (std::size_t k = 0; k < keys.size(); ++k) {
            const json& v = values[k][index[k]];
            setKey(config, keys[k], v, pointSource, baseDir);
            const SchemaField* field = findField(keys[k]);
            params[keys[k]] = field ? normaliseFieldValue(*field, v) : v;
        }
        SweepRun run;
        run.name = label.empty() ? spec.name : spec.name + "[" + label + "]";
        config["name"] = run.name;
        run.params = params;
        run.config = parseExperimentConfig(config, configBaseDir, pointSource);
        spec.runs.push_back(std::move(run));
        // Odometer: the last key varies fastest.
        for (std::size_t k = keys.size(); k-- > 0;) {
            if (++index[k] < values[k].size()) break;
            index[k] = 0;
        }
    }
    return spec;
}

SweepSpec loadSweep(const std::string& path, const std::vector<std::string>& overrides) {
    json sweep = parseJsonText(readFile(path), path);
    std::string baseDir = fs::absolute(fs::path(path)).parent_path().string();
    return expandSweep(sweep, baseDir, path, overrides);
}

}  // namespace glr::config
