#pragma once
// Experiment configs: JSON files validated against config_schema.h, with `--set key.path=value`
// overrides, a canonical form (sorted keys, defaults filled, numbers normalised, paths absolute)
// and a stable SHA-256 of it. The typed ExperimentConfig is what the trainer reads; the canonical
// JSON is what the store records.
//
//   auto cfg = glr::config::loadExperimentConfig("experiments/demo.json", {"train.lr=3e-4"});
//   cfg.train.lr;            // 3e-4
//   cfg.canonical;           // nlohmann::json, every key present
//   cfg.hash;                // 64 hex chars, stable under key order / whitespace / defaults
//
// All errors are glr::InputError whose one-line message names the source (file or "--set ...")
// and the key path, e.g.
//   experiments/demo.json: train.lr: expected a number, got "abc"
//   experiments/demo.json: unknown key 'train.lrr' (did you mean 'train.lr'?)
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace glr::config {

// ---- closed value sets --------------------------------------------------------------------------

enum class Method { GraphLoRA, LoraOnly, TallRec, Icl, CoLLM, CoRA, MF, LightGCN, NGCF, SASRec };
enum class GnnType { GCN, LightGCN, NGCF, Identity };
enum class InjectPosition { Middle, Pre };
enum class Neighborhood { Full, OneHop };
enum class ScoreMode { Bce, YesNoSoftmax };
enum class Schedule { Cosine, Linear, Constant };
enum class CfEmbedding { MF, LightGCN, SASRec };  // CoLLM's collaborative encoder

// The config spelling ("graphlora", "lora-only", ...) and back; fromString throws InputError.
std::string toString(Method m);
std::string toString(GnnType t);
std::string toString(InjectPosition p);
std::string toString(Neighborhood n);
std::string toString(ScoreMode s);
std::string toString(Schedule s);
std::string toString(CfEmbedding e);
Method methodFromString(const std::string& name);
GnnType gnnTypeFromString(const std::string& name);

// True for methods that run an LLM (graphlora, lora-only, tallrec, icl, collm, cora).
bool isLlmMethod(Method m);

// ---- typed config -------------------------------------------------------------------------------

struct DataConfig {
    std::string dir;                  // prepared split directory (absolute); "" = not set
    std::string validSplit = "valid_small";  // file stem used for validation/model selection
    std::string domain = "movie";     // "movie" | "book": prompt wording
    int maxHistory = 10;              // history titles in the prompt
    int maxLength = 1024;             // prompt token cap (oldest titles dropped first)
};

struct ModelConfig {
    std::optional<std::string> checkpoint;  // null: random weights of `shape` (pipeline demo only)
    std::optional<std::string> tokenizer;   // null: found beside the checkpoint / byte-level
    std::string device = "cpu";             // "cpu" | "cuda"
    std::string dtype = "float32";          // "float32" | "bfloat16" (frozen weights)
    std::string shape = "stories260K";      // random-weight shape: "stories260K" | "tiny" | ...
};

struct LoraConfig {
    int r = 8;
    double alpha = 16;
    double dropout = 0.05;
    std::vector<std::string> targets{"q_proj", "v_proj"};
};

struct MfConfig {
    int dim = 256;
    bool trainable = true;
    std::optional<std::string> init;  // a saved MF run's checkpoint (absolute path) or null
};

struct GnnConfig {
    GnnType type = GnnType::NGCF;
    int layers = 3;
    int dim = 256;
    Neighborhood neighborhood = Neighborhood::OneHop;
    std::optional<int> fanout;  // 1-hop neighbour cap per node; null = all
    double dropout = 0.0;
};

struct InjectConfig {
    std::vector<int> layers{-1};  // negative counts from the top (-1 = last layer)
    double alpha = 1.0;
    double beta = 0.1;
    InjectPosition position = InjectPosition::Middle;
    bool normalize = false;  // L2-normalise g_n before injection ...
    double scale = 1.0;      // ... and multiply by this
};

struct CollmConfig {
    CfEmbedding embedding = CfEmbedding::MF;
    std::optional<std::string> init;  // pretrained collaborative checkpoint, null = train jointly
};

struct SasRecConfig {
    int dim = 64;
    int layers = 2;
    int heads = 1;
    double dropout = 0.2;
    int maxLen = 50;
};

struct MethodConfig {
    Method name = Method::GraphLoRA;
    ScoreMode score = ScoreMode::Bce;
    LoraConfig lora;
    MfConfig mf;
    GnnConfig gnn;
    InjectConfig inject;
    CollmConfig collm;
    SasRecConfig sasrec;
};

struct TrainConfig {
    int epochs = 1;
    std::optional<std::int64_t> maxSteps;      // optimiser steps; null = epochs decide
    int batchSize = 8;
    int gradAccum = 1;
    double lr = 1e-4;                          // AdamW: LoRA, projector, MF
    double gnnLr = 1e-3;                       // Adam: GNN and bottleneck
    double weightDecay = 1e-3;
    double gnnWeightDecay = 0.0;
    int warmupSteps = 200;
    Schedule schedule = Schedule::Cosine;
    int evalEvery = 500;                       // optimiser steps between validations
    int earlyStopPatience = 5;                 // validations without improvement; 0 = off
    std::optional<std::int64_t> maxTrainRows;  // first N train rows after seeded shuffle; null = all
    std::optional<double> maxGradNorm;         // gradient clipping; null = off
    bool cudaGraphs = false;                   // the decoder's forward + backward replayed per (rows, bucketed length)
    int padToMultipleOf = 64;                  // the length bucket of those graphs
};

struct EvalConfig {
    std::vector<std::string> splits{"test"};  // "train" | "valid" | "valid_small" | "test"
    std::optional<std::int64_t> maxRows;      // cap per split (seeded subsample); null = all
    int batchSize = 16;
    bool cudaGraphs = false;     // LLM scoring replays one CUDA graph per (rows, bucketed length)
    int padToMultipleOf = 64;    // the length bucket of those graphs
};

struct ExperimentConfig {
    std::string name;
    std::int64_t seed = 42;
    std::vector<std::string> tags;
    std::string notes;
    DataConfig data;
    ModelConfig model;
    MethodConfig method;
    TrainConfig train;
    EvalConfig eval;

    nlohmann::json canonical;  // every key, sorted, normalised; paths absolute
    std::string hash;          // configHash(canonical)
    std::string source;        // file path or other name the config came from (for messages)
};

// ---- loading ------------------------------------------------------------------------------------

// Reads, validates and types a config file; `overrides` are "key.path=value" strings applied in
// order before validation. Relative paths resolve against the file's directory.
ExperimentConfig loadExperimentConfig(const std::string& path,
                                      const std::vector<std::string>& overrides = {});

// Validates and types an in-memory config. `baseDir` resolves relative paths ("" = current
// directory); `sourceName` prefixes error messages ("" = none).
ExperimentConfig parseExperimentConfig(const nlohmann::json& config, const std::string& baseDir = "",
                                       const std::string& sourceName = "");

// One problem found by validateConfig: the key path ("" for the whole document) and the message
// (already prefixed with the key path, as the CLI prints it after the source name).
struct ConfigIssue {
    std::string path;
    std::string message;
};

// Every problem of `config` (unknown keys with suggestions, types, enums, ranges), in sorted
// key order; empty when valid. The UI uses this to flag fields; parseExperimentConfig throws the
// joined messages.
std::vector<ConfigIssue> validateConfig(const nlohmann::json& config);

// Applies "key.path=value" to `config` (objects created as needed). The value is parsed as JSON
// if it parses, else taken as a string ("method.name=graphlora" works unquoted). Throws
// InputError naming the override for a missing '=', an unknown key (with did-you-mean) or a
// value that fails the field's validation.
void applyOverride(nlohmann::json& config, const std::string& assignment);

// Sets a key path (a leaf, or a group such as "method.lora" to an object) to a JSON value with
// the same checks as applyOverride. A relative Path value is made absolute against `baseDir`
// ("" = current directory). `sourceName` prefixes error messages.
void setKey(nlohmann::json& config, const std::string& path, const nlohmann::json& value,
            const std::string& sourceName = "", const std::string& baseDir = "");

// Parses JSON text (comments allowed); a syntax error is an InputError
// "<sourceName>:<line>:<column>: invalid JSON: ...".
nlohmann::json parseJsonText(const std::string& text, const std::string& sourceName);

// The canonical form of a *valid* config: defaults filled, Int/Number normalised, relative paths
// resolved against baseDir and made lexically normal, keys sorted (nlohmann::json sorts).
nlohmann::json canonicalJson(const nlohmann::json& config, const std::string& baseDir = "");

// SHA-256 (hex) of the canonical JSON dump without the descriptive keys name, tags and notes:
// two configs that would train the same model have the same hash.
std::string configHash(const nlohmann::json& canonical);

// Like configHash but also ignoring `seed`: runs of one experiment repeated over seeds share it
// (results tables group on this for mean ± std).
std::string configGroupHash(const nlohmann::json& canonical);

// Typed view of a canonical config (no validation; use parseExperimentConfig for user input).
ExperimentConfig fromCanonical(const nlohmann::json& canonical);

// Flattens a nested object to {"train.lr": 0.0001, ...} (arrays are leaves). Handy for diffs.
nlohmann::json flatten(const nlohmann::json& config);

}  // namespace glr::config
