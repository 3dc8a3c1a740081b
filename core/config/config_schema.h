#pragma once
// The experiment-config schema as data: one entry per leaf key, with its type, default, allowed
// values, range and a one-line help. Validation (CLI, file loading, --set, sweeps) and the
// workbench's Experiment form are both driven from this table, so they give the same messages.
//
// A config is a JSON object whose leaves are exactly the `path`s below ("train.lr" means
// {"train": {"lr": ...}}). Missing leaves take their default; unknown keys are errors.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace glr::config {

enum class FieldType {
    Bool,
    Int,         // JSON integer (8.0 is accepted and normalised to 8)
    Number,      // JSON number, stored as double
    String,
    Path,        // string, resolved relative to the config file's directory
    Enum,        // string, one of `allowed`
    IntList,     // array of integers
    StringList,  // array of strings; if `allowed` is non-empty each element must be one of them
};

// "a number", "an integer", "one of gcn, lightgcn, ngcf, identity", ... (used in messages).
std::string describeType(FieldType type);

struct SchemaField {
    std::string path;                   // dotted key path, e.g. "method.lora.r"
    FieldType type = FieldType::String;
    bool nullable = false;              // null is a legal value (meaning documented in `help`)
    nlohmann::json defaultValue;        // already canonical (Number defaults are doubles)
    std::vector<std::string> allowed;   // Enum / StringList values
    std::optional<double> min, max;     // numeric range (Int, Number; list elements for IntList)
    bool minExclusive = false, maxExclusive = false;
    bool nonEmpty = false;              // lists (and strings) must not be empty
    std::string help;                   // one line, for tooltips and `describeSchema` output
    // Methods for which the key matters (empty = all). Keys irrelevant to the chosen method are
    // still accepted and validated; the UI greys them out.
    std::vector<std::string> methods;

    bool appliesTo(const std::string& method) const;
};

// Every leaf key of the experiment config, in a stable, form-friendly order.
const std::vector<SchemaField>& describeSchema();

// The field at `path`, or nullptr when `path` is not a leaf key.
const SchemaField* findField(const std::string& path);

// True when `path` names an object of the schema ("", "method", "method.lora", ...).
bool isSchemaGroup(const std::string& path);

// The closest known key path to `path` (edit distance on the last component among siblings,
// then over full paths, and leaf-name matches elsewhere, e.g. "lr" -> "train.lr"), or "" when
// nothing is close. Used for "did you mean" hints.
std::string suggestKey(const std::string& path);

// Checks one value against its field. Returns "" when valid, else the message the CLI and the UI
// both show, e.g. `train.lr: expected a number, got "abc"` or
// `method.gnn.type: expected one of gcn, lightgcn, ngcf, identity, got "gat"`.
// Paths are not resolved here.
std::string validateFieldValue(const SchemaField& field, const nlohmann::json& value);
std::string validateFieldValue(const std::string& path, const nlohmann::json& value);

// The value normalised as the canonical form stores it (Int -> integer, Number -> double).
// Precondition: validateFieldValue(field, value) is empty.
nlohmann::json normaliseFieldValue(const SchemaField& field, const nlohmann::json& value);

// The full default config (every leaf at its default), as a nested JSON object.
nlohmann::json defaultConfigJson();

// Short JSON rendering of a value for messages: "abc" with quotes, numbers as written,
// long arrays/objects shortened.
std::string shortJson(const nlohmann::json& value);

}  // namespace glr::config
