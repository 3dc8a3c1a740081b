// The schema table and per-value validation. Keep the table in sync with the typed structs in
// experiment_config.h (fromCanonical reads every path below; a test walks the whole table).
#include "config/config_schema.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "util/did_you_mean.h"

namespace glr::config {

using json = nlohmann::json;

namespace {

const std::vector<std::string> kLlmMethods{"graphlora", "lora-only", "tallrec", "icl", "collm", "cora"};
const std::vector<std::string> kTrainedLlmMethods{"graphlora", "lora-only", "tallrec", "collm", "cora"};
const std::vector<std::string> kGraphMethods{"graphlora", "lora-only"};

// Builders keep the table below readable.
SchemaField field(std::string path, FieldType type, json def, std::string help) {
    SchemaField f;
    f.path = std::move(path);
    f.type = type;
    f.defaultValue = std::move(def);
    f.help = std::move(help);
    return f;
}
SchemaField& range(SchemaField& f, std::optional<double> min, std::optional<double> max,
                   bool minExclusive = false, bool maxExclusive = false) {
    f.min = min;
    f.max = max;
    f.minExclusive = minExclusive;
    f.maxExclusive = maxExclusive;
    return f;
}

std::vector<SchemaField> buildSchema() {
    std::vector<SchemaField> s;
    auto add = [&](SchemaField f) -> SchemaField& {
        s.push_back(std::move(f));
        return s.back();
    };
    using T = FieldType;
    // <section>.cuda_graphs and the length bucket that makes batch shapes repeat.
    auto addGraphKeys = [&](const std::string& section, const std::string& help, const std::vector<std::string>& methods) {
        add(field(section + ".cuda_graphs", T::Bool, false, help)).methods = methods;
        auto& f = add(field(section + ".pad_to_multiple_of", T::Int, 64,
                            "On CUDA, prompts are left-padded to a multiple of this many tokens, so that batch shapes repeat "
                            "(CUDA graphs, attention plans); 1: to the batch's longest only"));
        range(f, 1, 1 << 16);
        f.methods = methods;
    };

    // ---- top level ----
    add(field("name", T::String, "", "Run name shown in tables (free text)"));
    range(add(field("seed", T::Int, 42, "Random seed (data order, initialisation, dropout)")), 0,
          double(std::numeric_limits<std::int64_t>::max()));
    add(field("tags", T::StringList, json::array(), "Labels for filtering runs"));
    add(field("notes", T::String, "", "Free-text notes stored with the run"));

    // ---- data ----
    add(field("data.dir", T::Path, nullptr, "Prepared split directory (train/valid/test.tsv, items.tsv)"))
        .nullable = true;
    add(field("data.valid_split", T::String, "valid_small",
              "Split file stem used for validation and model selection"))
        .nonEmpty = true;
    add(field("data.domain", T::Enum, "movie", "Prompt wording")).allowed = {"movie", "book"};
    range(add(field("data.max_history", T::Int, 10, "History titles in the prompt (most recent)")), 0, 1000);
    range(add(field("data.max_length", T::Int, 1024,
                    "Prompt token cap; oldest history titles are dropped to fit")),
          1, 1 << 20);

    // ---- model ----
    add(field("model.checkpoint", T::Path, nullptr,
              "LLM checkpoint (HF directory or llama2.c .bin); null = random weights of model.shape"))
        .nullable = true;
    add(field("model.tokenizer", T::Path, nullptr,
              "Tokenizer file; null = the checkpoint's own, or byte-level for random weights"))
        .nullable = true;
    add(field("model.device", T::Enum, "cpu", "Where to train and evaluate")).allowed = {"cpu", "cuda"};
    add(field("model.dtype", T::Enum, "float32", "Dtype of the frozen base weights (LoRA stays float32)"))
        .allowed = {"float32", "bfloat16"};
    add(field("model.shape", T::Enum, "stories260K", "Architecture of the random-weight model"))
        .allowed = {"stories260K", "tiny", "llama-1.1b", "llama-7b"};

    // ---- method ----
    add(field("method.name", T::Enum, "graphlora", "Recommender to train and evaluate")).allowed = {
        "graphlora", "lora-only", "tallrec", "icl", "collm", "cora", "mf", "lightgcn", "ngcf", "sasrec"};
    {
        auto& f = add(field("method.score", T::Enum, "bce",
                            "bce: BCE on the Yes logit; yes_no_softmax: log-softmax over Yes/No"));
        f.allowed = {"bce", "yes_no_softmax"};
        f.methods = kLlmMethods;
    }

    {
        auto& f = add(field("method.lora.r", T::Int, 8, "LoRA rank"));
        range(f, 1, 4096);
        f.methods = kTrainedLlmMethods;
    }
    {
        auto& f = add(field("method.lora.alpha", T::Number, 16.0, "LoRA alpha (scale = alpha / r)"));
        range(f, 0, std::nullopt, true);
        f.methods = kTrainedLlmMethods;
    }
    {
        auto& f = add(field("method.lora.dropout", T::Number, 0.05, "Dropout on the LoRA input"));
        range(f, 0, 1, false, true);
        f.methods = kTrainedLlmMethods;
    }
    {
        auto& f = add(field("method.lora.targets", T::StringList, json{"q_proj", "v_proj"},
                            "Projections that get LoRA adapters"));
        f.allowed = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
        f.nonEmpty = true;
        f.methods = kTrainedLlmMethods;
    }

    const std::vector<std::string> mfMethods{"graphlora", "lora-only", "collm", "cora", "mf", "lightgcn", "ngcf"};
    {
        auto& f = add(field("method.mf.dim", T::Int, 256, "Collaborative embedding size d"));
        range(f, 1, 65536);
        f.methods = mfMethods;
    }
    add(field("method.mf.trainable", T::Bool, true, "Train the MF tables (false = frozen)")).methods = mfMethods;
    {
        auto& f = add(field("method.mf.init", T::Path, nullptr,
                            "Checkpoint of a saved MF run to initialise the tables; null = random"));
        f.nullable = true;
        f.methods = mfMethods;
    }

    const std::vector<std::string> gnnMethods{"graphlora", "lora-only", "lightgcn", "ngcf"};
    {
        auto& f = add(field("method.gnn.type", T::Enum, "ngcf",
                            "Graph encoder (identity = no propagation, the LoRA-only ablation)"));
        f.allowed = {"gcn", "lightgcn", "ngcf", "identity"};
        f.methods = kGraphMethods;
    }
    {
        auto& f = add(field("method.gnn.layers", T::Int, 3, "Propagation layers K"));
        range(f, 0, 64);
        f.methods = gnnMethods;
    }
    {
        auto& f = add(field("method.gnn.dim", T::Int, 256, "Encoder output size d_g"));
        range(f, 1, 65536);
        f.methods = gnnMethods;
    }
    {
        auto& f = add(field("method.gnn.neighborhood", T::Enum, "1hop",
                            "Propagate over the full graph or the batch's 1-hop subgraph"));
        f.allowed = {"full", "1hop"};
        f.methods = kGraphMethods;
    }
    {
        auto& f = add(field("method.gnn.fanout", T::Int, nullptr,
                            "Cap on sampled neighbours per node (1hop); null = all"));
        f.nullable = true;
        range(f, 1, std::nullopt);
        f.methods = kGraphMethods;
    }
    {
        auto& f = add(field("method.gnn.dropout", T::Number, 0.0, "Dropout between encoder layers"));
        range(f, 0, 1, false, true);
        f.methods = gnnMethods;
    }

    {
        auto& f = add(field("method.inject.layers", T::IntList, json{-1},
                            "Decoder layers that receive the graph signal (negative counts from the top)"));
        f.nonEmpty = true;
        range(f, -4096, 4096);
        f.methods = kGraphMethods;
    }
    {
        auto& f = add(field("method.inject.alpha", T::Number, 1.0, "Weight of the LoRA bottleneck: z <- alpha z + beta g"));
        f.methods = kGraphMethods;
    }
    {
        auto& f = add(field("method.inject.beta", T::Number, 0.1, "Weight of the graph signal: z <- alpha z + beta g"));
        f.methods = kGraphMethods;
    }
    {
        auto& f = add(field("method.inject.position", T::Enum, "middle",
                            "middle: inside the bottleneck (after A); pre: added to x before A"));
        f.allowed = {"middle", "pre"};
        f.methods = kGraphMethods;
    }
    add(field("method.inject.normalize", T::Bool, false, "L2-normalise the graph signal before injection"))
        .methods = kGraphMethods;
    {
        auto& f = add(field("method.inject.scale", T::Number, 1.0, "Scale applied after normalisation"));
        range(f, 0, std::nullopt, true);
        f.methods = kGraphMethods;
    }

    {
        auto& f = add(field("method.collm.embedding", T::Enum, "mf", "CoLLM's collaborative encoder"));
        f.allowed = {"mf", "lightgcn", "sasrec"};
        f.methods = {"collm"};
    }
    {
        auto& f = add(field("method.collm.init", T::Path, nullptr,
                            "Checkpoint of a saved collaborative run to load (frozen); null = train jointly"));
        f.nullable = true;
        f.methods = {"collm"};
    }

    const std::vector<std::string> sasMethods{"sasrec", "collm"};
    {
        auto& f = add(field("method.sasrec.dim", T::Int, 64, "SASRec hidden size"));
        range(f, 1, 65536);
        f.methods = sasMethods;
    }
    {
        auto& f = add(field("method.sasrec.layers", T::Int, 2, "SASRec transformer blocks"));
        range(f, 1, 64);
        f.methods = sasMethods;
    }
    {
        auto& f = add(field("method.sasrec.heads", T::Int, 1, "SASRec attention heads"));
        range(f, 1, 64);
        f.methods = sasMethods;
    }
    {
        auto& f = add(field("method.sasrec.dropout", T::Number, 0.2, "SASRec dropout"));
        range(f, 0, 1, false, true);
        f.methods = sasMethods;
    }
    {
        auto& f = add(field("method.sasrec.max_len", T::Int, 50, "SASRec sequence length"));
        range(f, 1, 100000);
        f.methods = sasMethods;
    }

    // ---- train ----
    const std::vector<std::string> trained{"graphlora", "lora-only", "tallrec", "collm", "cora",
                                           "mf", "lightgcn", "ngcf", "sasrec"};
    auto trainField = [&](SchemaField f) -> SchemaField& {
        f.methods = trained;
        return add(std::move(f));
    };
    range(trainField(field("train.epochs", T::Int, 1, "Passes over the training rows")), 1, 1000000);
    {
        auto& f = trainField(field("train.max_steps", T::Int, nullptr,
                                   "Stop after this many optimiser steps; null = epochs decide"));
        f.nullable = true;
        range(f, 1, std::nullopt);
    }
    range(trainField(field("train.batch_size", T::Int, 8, "Rows per forward pass")), 1, 1 << 20);
    range(trainField(field("train.grad_accum", T::Int, 1, "Forward passes per optimiser step")), 1, 1 << 16);
    range(trainField(field("train.lr", T::Number, 1e-4, "AdamW learning rate (LoRA, projector, MF)")), 0,
          std::nullopt, true);
    {
        auto& f = trainField(field("train.gnn_lr", T::Number, 1e-3, "Adam learning rate (GNN, bottleneck)"));
        range(f, 0, std::nullopt, true);
        f.methods = {"graphlora", "lora-only", "lightgcn", "ngcf"};
    }
    range(trainField(field("train.weight_decay", T::Number, 1e-3, "AdamW weight decay")), 0, std::nullopt);
    {
        auto& f = trainField(field("train.gnn_weight_decay", T::Number, 0.0, "Adam weight decay (GNN, bottleneck)"));
        range(f, 0, std::nullopt);
        f.methods = {"graphlora", "lora-only", "lightgcn", "ngcf"};
    }
    range(trainField(field("train.warmup_steps", T::Int, 200, "Linear warm-up steps")), 0, std::nullopt);
    trainField(field("train.schedule", T::Enum, "cosine", "Learning-rate decay after warm-up"))
        .allowed = {"cosine", "linear", "constant"};
    range(trainField(field("train.eval_every", T::Int, 500, "Optimiser steps between validations")), 1,
          std::nullopt);
    range(trainField(field("train.early_stop_patience", T::Int, 5,
                           "Validations without AUC improvement before stopping; 0 = never stop early")),
          0, std::nullopt);
    {
        auto& f = trainField(field("train.max_train_rows", T::Int, nullptr,
                                   "Use only this many training rows (few-shot 16/64/256, quick runs); null = all"));
        f.nullable = true;
        range(f, 1, std::nullopt);
    }
    {
        auto& f = trainField(field("train.max_grad_norm", T::Number, nullptr,
                                   "Clip the global gradient norm; null = no clipping"));
        f.nullable = true;
        range(f, 0, std::nullopt, true);
    }
    addGraphKeys("train", "Train through CUDA graphs of the decoder's forward and backward, one pair per bucketed batch "
                          "shape (model.device cuda)",
                 kTrainedLlmMethods);

    // ---- eval ----
    {
        auto& f = add(field("eval.splits", T::StringList, json{"test"}, "Splits evaluated at the end"));
        f.allowed = {"train", "valid", "valid_small", "test"};
        f.nonEmpty = true;
    }
    {
        auto& f = add(field("eval.max_rows", T::Int, nullptr, "Evaluate at most this many rows per split; null = all"));
        f.nullable = true;
        range(f, 1, std::nullopt);
    }
    range(add(field("eval.batch_size", T::Int, 16, "Rows per scoring batch")), 1, 1 << 20);
    addGraphKeys("eval", "Score through CUDA graphs, one per bucketed batch shape (model.device cuda)", kLlmMethods);

    for (auto& f : s)
        if (f.type == T::Path) f.nonEmpty = true;  // "" would silently mean the config's directory
    return s;
}

std::string formatBound(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{}", std::int64_t(v));
    return fmt::format("{}", v);
}

std::string rangeText(const SchemaField& f) {
    if (f.min && f.max)
        return fmt::format("{} {} and {} {}", f.minExclusive ? ">" : ">=", formatBound(*f.min),
                           f.maxExclusive ? "<" : "<=", formatBound(*f.max));
    if (f.min) return fmt::format("{} {}", f.minExclusive ? ">" : ">=", formatBound(*f.min));
    if (f.max) return fmt::format("{} {}", f.maxExclusive ? "<" : "<=", formatBound(*f.max));
    return "";
}

bool inRange(const SchemaField& f, double v) {
    if (f.min && (f.minExclusive ? !(v > *f.min) : !(v >= *f.min))) return false;
    if (f.max && (f.maxExclusive ? !(v < *f.max) : !(v <= *f.max))) return false;
    return true;
}

bool isIntegral(const json& v) {
    if (v.is_number_integer()) return true;
    if (v.is_number_float()) {
        double d = v.get<double>();
        return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15;
    }
    return false;
}

// Integral JSON (8 or 8.0) as int64 without a detour through double for large integers.
std::int64_t toInteger(const json& v) {
    if (v.is_number_unsigned()) return std::int64_t(v.get<std::uint64_t>());
    if (v.is_number_integer()) return v.get<std::int64_t>();
    return std::int64_t(std::llround(v.get<double>()));
}

std::string joinAllowed(const std::vector<std::string>& allowed) {
    std::string out;
    for (std::size_t i = 0; i < allowed.size(); ++i) out += (i ? ", " : "") + allowed[i];
    return out;
}

std::string expectedText(const SchemaField& f) {
    std::string base;
    switch (f.type) {
        case FieldType::Enum: base = "one of " + joinAllowed(f.allowed); break;
        case FieldType::StringList:
            base = f.allowed.empty() ? "an array of strings" : "an array of " + joinAllowed(f.allowed);
            break;
        default: base = describeType(f.type);
    }
    if (f.nullable) base += " or null";
    return base;
}

std::string parentOf(const std::string& path) {
    auto dot = path.rfind('.');
    return dot == std::string::npos ? "" : path.substr(0, dot);
}
std::string leafOf(const std::string& path) {
    auto dot = path.rfind('.');
    return dot == std::string::npos ? path : path.substr(dot + 1);
}

// Every key path of the schema, groups included ("method", "method.lora", "method.lora.r", ...).
const std::vector<std::string>& allKeyPaths() {
    static const std::vector<std::string> paths = [] {
        std::vector<std::string> out;
        for (const auto& f : describeSchema()) {
            std::string p;
            std::size_t start = 0;
            while (true) {
                auto dot = f.path.find('.', start);
                p = f.path.substr(0, dot);
                if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
                if (dot == std::string::npos) break;
                start = dot + 1;
            }
        }
        return out;
    }();
    return paths;
}

}  // namespace

std::string describeType(FieldType type) {
    switch (type) {
        case FieldType::Bool: return "a boolean";
        case FieldType::Int: return "an integer";
        case FieldType::Number: return "a number";
        case FieldType::String: return "a string";
        case FieldType::Path: return "a path string";
        case FieldType::Enum: return "a string";
        case FieldType::IntList: return "an array of integers";
        case FieldType::StringList: return "an array of strings";
    }
    return "a value";
}

bool SchemaField::appliesTo(const std::string& method) const {
    return methods.empty() || std::find(methods.begin(), methods.end(), method) != methods.end();
}

const std::vector<SchemaField>& describeSchema() {
    static const std::vector<SchemaField> schema = buildSchema();
    return schema;
}

const SchemaField* findField(const std::string& path) {
    for (const auto& f : describeSchema())
        if (f.path == path) return &f;
    return nullptr;
}

bool isSchemaGroup(const std::string& path) {
    if (path.empty()) return true;
    for (const auto& f : describeSchema())
        if (f.path.size() > path.size() && f.path.compare(0, path.size(), path) == 0 &&
            f.path[path.size()] == '.')
            return true;
    return false;
}

std::string suggestKey(const std::string& path) {
    const std::string parent = parentOf(path), leaf = leafOf(path);
    auto threshold = [](const std::string& s) { return std::max<std::size_t>(1, s.size() / 3 + (s.size() > 4)); };
    // 1. A sibling within a small edit distance ("train.lrr" -> "train.lr").
    std::string best;
    std::size_t bestDistance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : allKeyPaths()) {
        if (parentOf(candidate) != parent) continue;
        std::size_t d = editDistance(leaf, leafOf(candidate));
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    if (!best.empty() && bestDistance <= threshold(leaf)) return best;
    // 2. The same leaf name elsewhere ("lr" at top level -> "train.lr"), shallowest first.
    for (const auto& candidate : allKeyPaths())
        if (candidate != path && leafOf(candidate) == leaf) return candidate;
    // 3. Any full path within a small distance ("trian.lr" -> "train.lr").
    best.clear();
    bestDistance = std::numeric_limits<std::size_t>::max();
    for (const auto& candidate : allKeyPaths()) {
        std::size_t d = editDistance(path, candidate);
        if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
        }
    }
    if (!best.empty() && bestDistance <= threshold(path)) return best;
    return "";
}

std::string shortJson(const json& value) {
    std::string s = value.dump();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return s;
}

std::string validateFieldValue(const SchemaField& f, const json& v) {
    auto wrong = [&](const std::string& got) {
        return fmt::format("{}: expected {}, got {}", f.path, expectedText(f), got);
    };
    auto wrongValue = [&]() { return wrong(shortJson(v)); };
    if (v.is_null()) return f.nullable ? "" : wrong("null");
    switch (f.type) {
        case FieldType::Bool:
            return v.is_boolean() ? "" : wrongValue();
        case FieldType::Int: {
            if (!v.is_number() || !isIntegral(v)) return wrongValue();
            double d = v.get<double>();
            if (!inRange(f, d)) return fmt::format("{}: expected an integer {}, got {}", f.path, rangeText(f), shortJson(v));
            return "";
        }
        case FieldType::Number: {
            if (!v.is_number()) return wrongValue();
            double d = v.get<double>();
            if (!std::isfinite(d)) return wrongValue();
            if (!inRange(f, d)) return fmt::format("{}: expected a number {}, got {}", f.path, rangeText(f), shortJson(v));
            return "";
        }
        case FieldType::String:
        case FieldType::Path:
            if (!v.is_string()) return wrongValue();
            if (f.nonEmpty && v.get<std::string>().empty()) return wrong("an empty string");
            return "";
        case FieldType::Enum: {
            if (!v.is_string()) return wrongValue();
            const auto s = v.get<std::string>();
            if (std::find(f.allowed.begin(), f.allowed.end(), s) == f.allowed.end()) {
                std::string msg = wrongValue();
                // A case slip or typo gets a hint too.
                std::string best;
                std::size_t bestD = std::numeric_limits<std::size_t>::max();
                for (const auto& a : f.allowed) {
                    std::string la = a, ls = s;
                    std::transform(la.begin(), la.end(), la.begin(), ::tolower);
                    std::transform(ls.begin(), ls.end(), ls.begin(), ::tolower);
                    std::size_t d = la == ls ? 0 : editDistance(ls, la);
                    if (d < bestD) bestD = d, best = a;
                }
                if (!best.empty() && bestD <= std::max<std::size_t>(1, s.size() / 3))
                    msg += fmt::format(" (did you mean \"{}\"?)", best);
                return msg;
            }
            return "";
        }
        case FieldType::IntList: {
            if (!v.is_array()) return wrongValue();
            if (f.nonEmpty && v.empty()) return wrong("an empty array");
            for (std::size_t i = 0; i < v.size(); ++i) {
                const auto& e = v[i];
                if (!e.is_number() || !isIntegral(e))
                    return fmt::format("{}[{}]: expected an integer, got {}", f.path, i, shortJson(e));
                if (!inRange(f, e.get<double>()))
                    return fmt::format("{}[{}]: expected an integer {}, got {}", f.path, i, rangeText(f), shortJson(e));
            }
            return "";
        }
        case FieldType::StringList: {
            if (!v.is_array()) return wrongValue();
            if (f.nonEmpty && v.empty()) return wrong("an empty array");
            for (std::size_t i = 0; i < v.size(); ++i) {
                const auto& e = v[i];
                if (!e.is_string())
                    return fmt::format("{}[{}]: expected a string, got {}", f.path, i, shortJson(e));
                if (!f.allowed.empty() &&
                    std::find(f.allowed.begin(), f.allowed.end(), e.get<std::string>()) == f.allowed.end())
                    return fmt::format("{}[{}]: expected one of {}, got {}", f.path, i, joinAllowed(f.allowed),
                                       shortJson(e));
            }
            return "";
        }
    }
    return "";
}

std::string validateFieldValue(const std::string& path, const json& value) {
    const SchemaField* f = findField(path);
    if (!f) {
        std::string hint = suggestKey(path);
        return hint.empty() ? fmt::format("unknown key '{}'", path)
                            : fmt::format("unknown key '{}' (did you mean '{}'?)", path, hint);
    }
    return validateFieldValue(*f, value);
}

json normaliseFieldValue(const SchemaField& f, const json& v) {
    if (v.is_null()) return nullptr;
    switch (f.type) {
        case FieldType::Int: return json(toInteger(v));
        case FieldType::Number: return json(v.get<double>());
        case FieldType::IntList: {
            json out = json::array();
            for (const auto& e : v) out.push_back(toInteger(e));
            return out;
        }
        default: return v;
    }
}

json defaultConfigJson() {
    json out = json::object();
    for (const auto& f : describeSchema()) out[json::json_pointer("/" + [&] {
        std::string p = f.path;
        std::replace(p.begin(), p.end(), '.', '/');
        return p;
    }())] = f.defaultValue;
    return out;
}

}  // namespace glr::config
