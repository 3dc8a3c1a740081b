#include "model/llama_config.h"

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/files.h"

namespace glr {

namespace {

using nlohmann::json;

const char* typeName(const json& value) {
    return value.type_name();
}

// Reads an integer key; `required` decides whether absence is an error or keeps `fallback`.
std::int64_t intKey(const json& obj, const char* key, const std::string& source, bool required,
                    std::int64_t fallback = 0) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        if (required) failInput("{}: missing key '{}' (an integer)", source, key);
        return fallback;
    }
    if (!it->is_number_integer() && !(it->is_number_float() && it->get<double>() == double(std::int64_t(it->get<double>()))))
        failInput("{}: key '{}' must be an integer, got {}", source, key, typeName(*it));
    return it->is_number_integer() ? it->get<std::int64_t>() : std::int64_t(it->get<double>());
}

double numberKey(const json& obj, const char* key, const std::string& source, double fallback) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (!it->is_number()) failInput("{}: key '{}' must be a number, got {}", source, key, typeName(*it));
    return it->get<double>();
}

bool boolKey(const json& obj, const char* key, const std::string& source, bool fallback) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) failInput("{}: key '{}' must be true or false, got {}", source, key, typeName(*it));
    return it->get<bool>();
}

// bos/eos ids may be an integer, a list (first one is used) or null.
std::int64_t tokenIdKey(const json& obj, const char* key, const std::string& source, std::int64_t fallback) {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (it->is_null()) return -1;
    if (it->is_number_integer()) return it->get<std::int64_t>();
    if (it->is_array() && !it->empty() && (*it)[0].is_number_integer()) return (*it)[0].get<std::int64_t>();
    if (it->is_array() && it->empty()) return -1;
    failInput("{}: key '{}' must be an integer or a list of integers, got {}", source, key, typeName(*it));
}

void parseRope(const json& root, LlamaConfig& c, const std::string& source) {
    // transformers ≥ 5 keeps everything in rope_parameters; 4.x has rope_theta + rope_scaling.
    const json* params = nullptr;
    std::string where;
    if (auto it = root.find("rope_parameters"); it != root.end() && !it->is_null()) {
        if (!it->is_object()) failInput("{}: key 'rope_parameters' must be an object, got {}", source, typeName(*it));
        params = &*it;
        where = "rope_parameters";
    }
    c.ropeTheta = numberKey(root, "rope_theta", source, 10000.0);
    if (params) c.ropeTheta = numberKey(*params, "rope_theta", source + " (rope_parameters)", c.ropeTheta);
    if (!params) {
        if (auto it = root.find("rope_scaling"); it != root.end() && !it->is_null()) {
            if (!it->is_object()) failInput("{}: key 'rope_scaling' must be an object or null, got {}", source, typeName(*it));
            params = &*it;
            where = "rope_scaling";
        }
    }
    if (!params) return;
    std::string type = "default";
    for (const char* key : {"rope_type", "type"}) {
        if (auto it = params->find(key); it != params->end() && it->is_string()) {
            type = it->get<std::string>();
            break;
        }
    }
    const std::string ctx = source + " (" + where + ")";
    if (type == "default") return;
    if (type == "linear") {
        c.ropeScaling = RopeScaling::Linear;
        c.ropeFactor = numberKey(*params, "factor", ctx, 1.0);
    } else if (type == "llama3") {
        c.ropeScaling = RopeScaling::Llama3;
        c.ropeFactor = numberKey(*params, "factor", ctx, 8.0);
        c.ropeLowFreqFactor = numberKey(*params, "low_freq_factor", ctx, 1.0);
        c.ropeHighFreqFactor = numberKey(*params, "high_freq_factor", ctx, 4.0);
        c.ropeOriginalMaxPositions = intKey(*params, "original_max_position_embeddings", ctx, false, 8192);
        if (c.ropeHighFreqFactor <= c.ropeLowFreqFactor)
            failInput("{}: high_freq_factor must exceed low_freq_factor", ctx);
    } else {
        failInput("{}: rope_type '{}' is not supported (supported: default, linear, llama3)", ctx, type);
    }
    if (!(c.ropeFactor > 0)) failInput("{}: 'factor' must be positive", ctx);
}

}  // namespace

std::int64_t LlamaConfig::parameterCount() const {
    const std::int64_t attn = hiddenSize * (qDim() + 2 * kvDim()) + qDim() * hiddenSize +
                              (qkvBias ? qDim() + 2 * kvDim() : 0) + (outputBias ? hiddenSize : 0);
    const std::int64_t mlp = 3 * hiddenSize * intermediateSize;
    const std::int64_t perLayer = attn + mlp + 2 * hiddenSize;
    return vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2) + numLayers * perLayer + hiddenSize;
}

void LlamaConfig::validate() const {
    const std::string& src = source.empty() ? std::string("model config") : source;
    auto positive = [&](std::int64_t value, const char* field, std::int64_t limit) {
        if (value <= 0 || value > limit)
            failInput("{}: {} = {} is out of range (expected 1..{})", src, field, value, limit);
    };
    positive(vocabSize, "vocab_size", 1 << 22);
    positive(hiddenSize, "hidden_size", 1 << 17);
    positive(intermediateSize, "intermediate_size", 1 << 20);
    positive(numLayers, "num_hidden_layers", 4096);
    positive(numHeads, "num_attention_heads", 4096);
    positive(numKvHeads, "num_key_value_heads", 4096);
    positive(headDim, "head_dim", 4096);
    positive(maxPositions, "max_position_embeddings", std::int64_t(1) << 24);
    if (numHeads % numKvHeads != 0)
        failInput("{}: num_attention_heads = {} is not a multiple of num_key_value_heads = {}", src,
                  numHeads, numKvHeads);
    if (headDim % 2 != 0) failInput("{}: head_dim = {} must be even for rotary embeddings", src, headDim);
    if (!(rmsNormEps > 0)) failInput("{}: rms_norm_eps must be positive", src);
    if (!(ropeTheta > 0)) failInput("{}: rope_theta must be positive", src);
    if (bosId >= vocabSize || eosId >= vocabSize)
        failInput("{}: bos/eos token id ({}/{}) outside the vocabulary of {}", src, bosId, eosId, vocabSize);
}

int LlamaConfig::resolveLayer(int layer, const std::string& what) const {
    const int n = static_cast<int>(numLayers);
    const int resolved = layer < 0 ? n + layer : layer;
    if (resolved < 0 || resolved >= n)
        failInput("{} {} is out of range for a model with {} layers (use 0..{} or -1..-{})", what, layer,
                  n, n - 1, n);
    return resolved;
}

LlamaConfig LlamaConfig::fromHfConfigFile(const std::string& path) {
    return fromHfConfigJson(readFile(path), path);
}

LlamaConfig LlamaConfig::fromHfConfigJson(const std::string& jsonText, const std::string& source) {
    json root;
    try {
        root = json::parse(jsonText);
    } catch (const json::parse_error& e) {
        failInput("{}: not valid JSON ({})", source, e.what());
    }
    if (!root.is_object()) failInput("{}: expected a JSON object", source);
    // Multimodal configs nest the language model.
    if (auto it = root.find("text_config"); it != root.end() && it->is_object() && !root.contains("hidden_size"))
        root = *it;

    LlamaConfig c;
    c.source = source;
    if (auto it = root.find("model_type"); it != root.end() && it->is_string()) c.modelType = it->get<std::string>();
    static const char* kSupported[] = {"llama", "mistral", "qwen2", "qwen3"};
    bool supported = false;
    for (const char* t : kSupported) supported = supported || c.modelType == t;
    if (!supported)
        failInput("{}: model_type '{}' is not a supported LLaMA-family architecture (llama, mistral, qwen2)",
                  source, c.modelType);
    if (c.modelType == "qwen3")
        failInput("{}: model_type 'qwen3' (q/k norms) is not supported", source);

    c.vocabSize = intKey(root, "vocab_size", source, true);
    c.hiddenSize = intKey(root, "hidden_size", source, true);
    c.intermediateSize = intKey(root, "intermediate_size", source, true);
    c.numLayers = intKey(root, "num_hidden_layers", source, true);
    c.numHeads = intKey(root, "num_attention_heads", source, true);
    c.numKvHeads = intKey(root, "num_key_value_heads", source, false, c.numHeads);
    if (c.numHeads <= 0) failInput("{}: num_attention_heads must be positive", source);
    c.headDim = intKey(root, "head_dim", source, false, c.hiddenSize / c.numHeads);
    c.rmsNormEps = numberKey(root, "rms_norm_eps", source, 1e-6);
    c.maxPositions = intKey(root, "max_position_embeddings", source, false, 2048);
    const bool attentionBias = boolKey(root, "attention_bias", source, false);
    c.qkvBias = attentionBias || c.modelType == "qwen2";
    c.outputBias = attentionBias;
    c.tieWordEmbeddings = boolKey(root, "tie_word_embeddings", source, false);
    c.bosId = tokenIdKey(root, "bos_token_id", source, 1);
    c.eosId = tokenIdKey(root, "eos_token_id", source, 2);
    if (boolKey(root, "mlp_bias", source, false)) failInput("{}: mlp_bias = true is not supported", source);
    if (auto it = root.find("hidden_act"); it != root.end() && !it->is_null()) {
        if (!it->is_string() || it->get<std::string>() != "silu")
            failInput("{}: hidden_act {} is not supported (expected \"silu\")", source, it->dump());
    }
    parseRope(root, c, source);
    c.validate();
    return c;
}

LlamaConfig LlamaConfig::named(const std::string& shape) {
    LlamaConfig c;
    c.source = "random:" + shape;
    auto set = [&](std::int64_t dim, std::int64_t layers, std::int64_t heads, std::int64_t kv, std::int64_t mlp,
                   std::int64_t vocab, std::int64_t maxPos, bool tied) {
        c.hiddenSize = dim;
        c.numLayers = layers;
        c.numHeads = heads;
        c.numKvHeads = kv;
        c.headDim = dim / heads;
        c.intermediateSize = mlp;
        c.vocabSize = vocab;
        c.maxPositions = maxPos;
        c.tieWordEmbeddings = tied;
    };
    if (shape == "tiny") set(64, 2, 4, 2, 172, 512, 1024, false);
    else if (shape == "stories260K") set(64, 5, 8, 4, 172, 512, 512, true);
    else if (shape == "llama-1.1b") set(2048, 22, 32, 4, 5632, 32000, 2048, false);
    else if (shape == "llama-7b") set(4096, 32, 32, 32, 11008, 32000, 4096, false);
    else {
        std::string names;
        for (const auto& n : namedShapes()) names += (names.empty() ? "" : ", ") + n;
        failInput("unknown model shape '{}' (known: {})", shape, names);
    }
    c.validate();
    return c;
}

std::vector<std::string> LlamaConfig::namedShapes() { return {"tiny", "stories260K", "llama-1.1b", "llama-7b"}; }

}  // namespace glr
