// Validation walks the document against the schema table; the canonical form is the default
// config overlaid with the given leaves, normalised; the typed struct is read from the canonical
// form only, so every consumer sees the same values.
#include "config/experiment_config.h"

#include <algorithm>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include "config/config_schema.h"
#include "util/error.h"
#include "util/files.h"
#include "util/sha256.h"

namespace glr::config {

using json = nlohmann::json;
namespace fs = std::filesystem;

// ---- enums --------------------------------------------------------------------------------------

namespace {

template <typename E>
struct EnumName {
    E value;
    const char* name;
};

constexpr EnumName<Method> kMethodNames[] = {
    {Method::GraphLoRA, "graphlora"}, {Method::LoraOnly, "lora-only"}, {Method::TallRec, "tallrec"},
    {Method::Icl, "icl"},             {Method::CoLLM, "collm"},         {Method::CoRA, "cora"},
    {Method::MF, "mf"},               {Method::LightGCN, "lightgcn"},   {Method::NGCF, "ngcf"},
    {Method::SASRec, "sasrec"}};
constexpr EnumName<GnnType> kGnnNames[] = {
    {GnnType::GCN, "gcn"}, {GnnType::LightGCN, "lightgcn"}, {GnnType::NGCF, "ngcf"}, {GnnType::Identity, "identity"}};
constexpr EnumName<InjectPosition> kPositionNames[] = {{InjectPosition::Middle, "middle"}, {InjectPosition::Pre, "pre"}};
constexpr EnumName<Neighborhood> kNeighborhoodNames[] = {{Neighborhood::Full, "full"}, {Neighborhood::OneHop, "1hop"}};
constexpr EnumName<ScoreMode> kScoreNames[] = {{ScoreMode::Bce, "bce"}, {ScoreMode::YesNoSoftmax, "yes_no_softmax"}};
constexpr EnumName<Schedule> kScheduleNames[] = {
    {Schedule::Cosine, "cosine"}, {Schedule::Linear, "linear"}, {Schedule::Constant, "constant"}};
constexpr EnumName<CfEmbedding> kCfNames[] = {
    {CfEmbedding::MF, "mf"}, {CfEmbedding::LightGCN, "lightgcn"}, {CfEmbedding::SASRec, "sasrec"}};

template <typename E, std::size_t N>
std::string nameOf(const EnumName<E> (&table)[N], E value) {
    for (const auto& entry : table)
        if (entry.value == value) return entry.name;
    return "?";
}

template <typename E, std::size_t N>
E valueOf(const EnumName<E> (&table)[N], const std::string& name, const char* what) {
    for (const auto& entry : table)
        if (name == entry.name) return entry.value;
    std::string allowed;
    for (const auto& entry : table) allowed += (allowed.empty() ? "" : ", ") + std::string(entry.name);
    failInput("unknown {} \"{}\" (expected one of {})", what, name, allowed);
}

}  // namespace

std::string toString(Method m) { return nameOf(kMethodNames, m); }
std::string toString(GnnType t) { return nameOf(kGnnNames, t); }
std::string toString(InjectPosition p) { return nameOf(kPositionNames, p); }
std::string toString(Neighborhood n) { return nameOf(kNeighborhoodNames, n); }
std::string toString(ScoreMode s) { return nameOf(kScoreNames, s); }
std::string toString(Schedule s) { return nameOf(kScheduleNames, s); }
std::string toString(CfEmbedding e) { return nameOf(kCfNames, e); }
Method methodFromString(const std::string& name) { return valueOf(kMethodNames, name, "method"); }
GnnType gnnTypeFromString(const std::string& name) { return valueOf(kGnnNames, name, "graph encoder"); }

bool isLlmMethod(Method m) {
    switch (m) {
        case Method::GraphLoRA:
        case Method::LoraOnly:
        case Method::TallRec:
        case Method::Icl:
        case Method::CoLLM:
        case Method::CoRA: return true;
        default: return false;
    }
}

// ---- helpers ------------------------------------------------------------------------------------

namespace {

json::json_pointer pointerOf(const std::string& path) {
    std::string p = "/" + path;
    std::replace(p.begin(), p.end(), '.', '/');
    return json::json_pointer(p);
}

std::string prefixed(const std::string& sourceName, const std::string& message) {
    return sourceName.empty() ? message : sourceName + ": " + message;
}

std::string unknownKeyMessage(const std::string& path) {
    std::string hint = suggestKey(path);
    return hint.empty() ? fmt::format("unknown key '{}'", path)
                        : fmt::format("unknown key '{}' (did you mean '{}'?)", path, hint);
}

void validateObject(const json& object, const std::string& group, std::vector<ConfigIssue>& issues) {
    for (const auto& [key, value] : object.items()) {
        const std::string path = group.empty() ? key : group + "." + key;
        if (key.find('.') != std::string::npos) {
            issues.push_back({path, fmt::format("key '{}' contains a dot: nest it as objects "
                                                "(\"a\": {{\"b\": ...}}) or use --set a.b=...", path)});
            continue;
        }
        if (const SchemaField* field = findField(path)) {
            std::string message = validateFieldValue(*field, value);
            if (!message.empty()) issues.push_back({path, message});
        } else if (isSchemaGroup(path)) {
            if (!value.is_object())
                issues.push_back({path, fmt::format("{}: expected an object, got {}", path, shortJson(value))});
            else
                validateObject(value, path, issues);
        } else {
            issues.push_back({path, unknownKeyMessage(path)});
        }
    }
}

std::string resolvePath(const std::string& path, const std::string& baseDir) {
    fs::path p(path);
    if (p.is_relative()) {
        fs::path base = baseDir.empty() ? fs::current_path() : fs::path(baseDir);
        if (base.is_relative()) base = fs::current_path() / base;
        p = base / p;
    }
    std::string out = p.lexically_normal().string();
    // "a/b/" and "a/b" are the same directory: keep the hash independent of a trailing slash.
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    return out;
}

// Integer leaf with a schema-guaranteed range.
template <typename Int>
Int getInt(const json& c, const char* path) {
    return Int(c.at(pointerOf(path)).get<std::int64_t>());
}
template <typename Int>
std::optional<Int> getOptInt(const json& c, const char* path) {
    const auto& v = c.at(pointerOf(path));
    if (v.is_null()) return std::nullopt;
    return Int(v.get<std::int64_t>());
}
double getNumber(const json& c, const char* path) { return c.at(pointerOf(path)).get<double>(); }
std::optional<double> getOptNumber(const json& c, const char* path) {
    const auto& v = c.at(pointerOf(path));
    if (v.is_null()) return std::nullopt;
    return v.get<double>();
}
std::string getString(const json& c, const char* path) { return c.at(pointerOf(path)).get<std::string>(); }
std::optional<std::string> getOptString(const json& c, const char* path) {
    const auto& v = c.at(pointerOf(path));
    if (v.is_null()) return std::nullopt;
    return v.get<std::string>();
}

// The line and column of a byte offset, for JSON syntax errors.
std::pair<std::size_t, std::size_t> lineColumn(const std::string& text, std::size_t byte) {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < std::min(byte, text.size()); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return {line, column};
}

}  // namespace

// ---- validation and overrides -------------------------------------------------------------------

std::vector<ConfigIssue> validateConfig(const json& config) {
    std::vector<ConfigIssue> issues;
    if (!config.is_object()) {
        issues.push_back({"", fmt::format("expected a JSON object at the top level, got {}", shortJson(config))});
        return issues;
    }
    validateObject(config, "", issues);
    return issues;
}

void setKey(json& config, const std::string& path, const json& value, const std::string& sourceName,
            const std::string& baseDir) {
    if (!config.is_object()) failInput("{}", prefixed(sourceName, "the config is not a JSON object"));
    json toStore = value;
    if (const SchemaField* field = findField(path)) {
        std::string message = validateFieldValue(*field, toStore);
        if (!message.empty()) failInput("{}", prefixed(sourceName, message));
        if (field->type == FieldType::Path && toStore.is_string())
            toStore = resolvePath(toStore.get<std::string>(), baseDir);
    } else if (isSchemaGroup(path) && !path.empty()) {
        if (!value.is_object())
            failInput("{}", prefixed(sourceName, fmt::format("{}: expected an object, got {}", path, shortJson(value))));
        std::vector<ConfigIssue> issues;
        validateObject(value, path, issues);
        if (!issues.empty()) failInput("{}", prefixed(sourceName, issues.front().message));
    } else {
        failInput("{}", prefixed(sourceName, unknownKeyMessage(path)));
    }
    // Walk down, creating objects; a non-object in the way is replaced only if it is invalid
    // anyway (validation of the whole document reports it otherwise).
    json* node = &config;
    std::size_t start = 0;
    while (true) {
        auto dot = path.find('.', start);
        std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (dot == std::string::npos) {
            (*node)[key] = toStore;
            break;
        }
        json& child = (*node)[key];
        if (!child.is_object()) child = json::object();
        node = &child;
        start = dot + 1;
    }
}

void applyOverride(json& config, const std::string& assignment) {
    const std::string source = "--set " + assignment;
    auto eq = assignment.find('=');
    if (eq == std::string::npos)
        failInput("{}: expected key.path=value (e.g. --set train.lr=3e-4)", source);
    std::string path = assignment.substr(0, eq), text = assignment.substr(eq + 1);
    auto trim = [](std::string s) {
        s.erase(0, s.find_first_not_of(" \t"));
        s.erase(s.find_last_not_of(" \t") + 1);
        return s;
    };
    path = trim(path);
    if (path.empty()) failInput("{}: empty key path", source);
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = text;
    // Unquoted command-line text for a string key ("name=123") means the text itself.
    if (const SchemaField* field = findField(path)) {
        bool stringish = field->type == FieldType::String || field->type == FieldType::Path ||
                         field->type == FieldType::Enum;
        if (stringish && (value.is_number() || value.is_boolean())) value = text;
    }
    // Command-line paths are relative to where the user typed them.
    setKey(config, path, value, source, fs::current_path().string());
}

// ---- canonical form and hashes ------------------------------------------------------------------

json canonicalJson(const json& config, const std::string& baseDir) {
    json out = defaultConfigJson();
    for (const auto& field : describeSchema()) {
        auto ptr = pointerOf(field.path);
        if (config.contains(ptr)) out[ptr] = normaliseFieldValue(field, config.at(ptr));
        json& v = out[ptr];
        if (field.type == FieldType::Path && v.is_string()) v = resolvePath(v.get<std::string>(), baseDir);
    }
    return out;
}

std::string configHash(const json& canonical) {
    json copy = canonical;
    for (const char* key : {"name", "tags", "notes"}) copy.erase(key);
    return sha256Hex(copy.dump());
}

std::string configGroupHash(const json& canonical) {
    json copy = canonical;
    for (const char* key : {"name", "tags", "notes", "seed"}) copy.erase(key);
    return sha256Hex(copy.dump());
}

json flatten(const json& config) {
    json out = json::object();
    if (!config.is_object()) return out;
    // (json::flatten would split arrays into /a/0, /a/1; arrays stay whole here.)
    std::function<void(const json&, const std::string&)> walk = [&](const json& node, const std::string& prefix) {
        for (const auto& [key, value] : node.items()) {
            std::string path = prefix.empty() ? key : prefix + "." + key;
            if (value.is_object() && !value.empty())
                walk(value, path);
            else
                out[path] = value;
        }
    };
    walk(config, "");
    return out;
}

ExperimentConfig fromCanonical(const json& c) {
    ExperimentConfig cfg;
    cfg.name = getString(c, "name");
    cfg.seed = getInt<std::int64_t>(c, "seed");
    cfg.tags = c.at("tags").get<std::vector<std::string>>();
    cfg.notes = getString(c, "notes");

    cfg.data.dir = getOptString(c, "data.dir").value_or("");
    cfg.data.validSplit = getString(c, "data.valid_split");
    cfg.data.domain = getString(c, "data.domain");
    cfg.data.maxHistory = getInt<int>(c, "data.max_history");
    cfg.data.maxLength = getInt<int>(c, "data.max_length");

    cfg.model.checkpoint = getOptString(c, "model.checkpoint");
    cfg.model.tokenizer = getOptString(c, "model.tokenizer");
    cfg.model.device = getString(c, "model.device");
    cfg.model.dtype = getString(c, "model.dtype");
    cfg.model.shape = getString(c, "model.shape");

    auto& m = cfg.method;
    m.name = methodFromString(getString(c, "method.name"));
    m.score = valueOf(kScoreNames, getString(c, "method.score"), "method.score");
    m.lora.r = getInt<int>(c, "method.lora.r");
    m.lora.alpha = getNumber(c, "method.lora.alpha");
    m.lora.dropout = getNumber(c, "method.lora.dropout");
    m.lora.targets = c.at(pointerOf("method.lora.targets")).get<std::vector<std::string>>();
    m.mf.dim = getInt<int>(c, "method.mf.dim");
    m.mf.trainable = c.at(pointerOf("method.mf.trainable")).get<bool>();
    m.mf.init = getOptString(c, "method.mf.init");
    m.gnn.type = valueOf(kGnnNames, getString(c, "method.gnn.type"), "method.gnn.type");
    m.gnn.layers = getInt<int>(c, "method.gnn.layers");
    m.gnn.dim = getInt<int>(c, "method.gnn.dim");
    m.gnn.neighborhood = valueOf(kNeighborhoodNames, getString(c, "method.gnn.neighborhood"), "method.gnn.neighborhood");
    m.gnn.fanout = getOptInt<int>(c, "method.gnn.fanout");
    m.gnn.dropout = getNumber(c, "method.gnn.dropout");
    m.inject.layers = c.at(pointerOf("method.inject.layers")).get<std::vector<int>>();
    m.inject.alpha = getNumber(c, "method.inject.alpha");
    m.inject.beta = getNumber(c, "method.inject.beta");
    m.inject.position = valueOf(kPositionNames, getString(c, "method.inject.position"), "method.inject.position");
    m.inject.normalize = c.at(pointerOf("method.inject.normalize")).get<bool>();
    m.inject.scale = getNumber(c, "method.inject.scale");
    m.collm.embedding = valueOf(kCfNames, getString(c, "method.collm.embedding"), "method.collm.embedding");
    m.collm.init = getOptString(c, "method.collm.init");
    m.sasrec.dim = getInt<int>(c, "method.sasrec.dim");
    m.sasrec.layers = getInt<int>(c, "method.sasrec.layers");
    m.sasrec.heads = getInt<int>(c, "method.sasrec.heads");
    m.sasrec.dropout = getNumber(c, "method.sasrec.dropout");
    m.sasrec.maxLen = getInt<int>(c, "method.sasrec.max_len");

    auto& t = cfg.train;
    t.epochs = getInt<int>(c, "train.epochs");
    t.maxSteps = getOptInt<std::int64_t>(c, "train.max_steps");
    t.batchSize = getInt<int>(c, "train.batch_size");
    t.gradAccum = getInt<int>(c, "train.grad_accum");
    t.lr = getNumber(c, "train.lr");
    t.gnnLr = getNumber(c, "train.gnn_lr");
    t.weightDecay = getNumber(c, "train.weight_decay");
    t.gnnWeightDecay = getNumber(c, "train.gnn_weight_decay");
    t.warmupSteps = getInt<int>(c, "train.warmup_steps");
    t.schedule = valueOf(kScheduleNames, getString(c, "train.schedule"), "train.schedule");
    t.evalEvery = getInt<int>(c, "train.eval_every");
    t.earlyStopPatience = getInt<int>(c, "train.early_stop_patience");
    t.maxTrainRows = getOptInt<std::int64_t>(c, "train.max_train_rows");
    t.maxGradNorm = getOptNumber(c, "train.max_grad_norm");

    cfg.eval.splits = c.at(pointerOf("eval.splits")).get<std::vector<std::string>>();
    cfg.eval.maxRows = getOptInt<std::int64_t>(c, "eval.max_rows");
    cfg.eval.batchSize = getInt<int>(c, "eval.batch_size");
    cfg.train.cudaGraphs = c.at(pointerOf("train.cuda_graphs")).get<bool>();
    cfg.train.padToMultipleOf = getInt<int>(c, "train.pad_to_multiple_of");
    cfg.eval.cudaGraphs = c.at(pointerOf("eval.cuda_graphs")).get<bool>();
    cfg.eval.padToMultipleOf = getInt<int>(c, "eval.pad_to_multiple_of");

    cfg.canonical = c;
    cfg.hash = configHash(c);
    return cfg;
}

// ---- entry points -------------------------------------------------------------------------------

ExperimentConfig parseExperimentConfig(const json& config, const std::string& baseDir,
                                       const std::string& sourceName) {
    auto issues = validateConfig(config);
    if (!issues.empty()) {
        std::string message = issues.front().message;
        for (std::size_t i = 1; i < issues.size(); ++i) message += "; " + issues[i].message;
        failInput("{}", prefixed(sourceName, message));
    }
    ExperimentConfig cfg = fromCanonical(canonicalJson(config, baseDir));
    cfg.source = sourceName;
    return cfg;
}

json parseJsonText(const std::string& text, const std::string& sourceName) {
    try {
        return json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
        auto [line, column] = lineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
        std::string what = e.what();
        // nlohmann's "[json.exception.parse_error.101] parse error at line 3, column 14: ..."
        auto colon = what.find(": ");
        std::string detail = colon == std::string::npos ? what : what.substr(colon + 2);
        failInput("{}:{}:{}: invalid JSON: {}", sourceName, line, column, detail);
    }
}

ExperimentConfig loadExperimentConfig(const std::string& path, const std::vector<std::string>& overrides) {
    json config = parseJsonText(readFile(path), path);
    if (!config.is_object())
        failInput("{}: expected a JSON object at the top level, got {}", path, shortJson(config));
    for (const auto& assignment : overrides) applyOverride(config, assignment);
    std::string baseDir = fs::absolute(fs::path(path)).parent_path().string();
    return parseExperimentConfig(config, baseDir, path);
}

}  // namespace glr::config
