#pragma once
// Shape and hyper-parameters of a LLaMA-family decoder (LLaMA 1/2/3, TinyLlama, Mistral, Qwen2
// without sliding windows), read from an HF config.json, a llama2.c header, or a named shape used
// for random-weight benchmarks and demos. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

namespace glr {

// How rotary frequencies are rescaled for long contexts (HF `rope_parameters.rope_type`).
enum class RopeScaling { None, Linear, Llama3 };

struct LlamaConfig {
    std::int64_t vocabSize = 0;
    std::int64_t hiddenSize = 0;        // H, the residual width
    std::int64_t intermediateSize = 0;  // SwiGLU width
    std::int64_t numLayers = 0;
    std::int64_t numHeads = 0;
    std::int64_t numKvHeads = 0;        // grouped-query attention: divides numHeads
    std::int64_t headDim = 0;           // usually hiddenSize / numHeads
    double rmsNormEps = 1e-5;
    double ropeTheta = 10000.0;
    RopeScaling ropeScaling = RopeScaling::None;
    double ropeFactor = 1.0;            // Linear and Llama3
    double ropeLowFreqFactor = 1.0;     // Llama3 only
    double ropeHighFreqFactor = 4.0;    // Llama3 only
    std::int64_t ropeOriginalMaxPositions = 8192;  // Llama3 only
    std::int64_t maxPositions = 2048;
    bool qkvBias = false;               // `attention_bias` (LLaMA) or Qwen2's q/k/v biases
    bool outputBias = false;            // o_proj bias (`attention_bias` in LLaMA; Qwen2 has none)
    bool tieWordEmbeddings = false;     // lm_head reuses embed_tokens
    std::int64_t bosId = 1;             // -1: none
    std::int64_t eosId = 2;             // -1: none
    std::string modelType = "llama";
    std::string source;                 // where it came from, for messages

    std::int64_t qDim() const { return numHeads * headDim; }
    std::int64_t kvDim() const { return numKvHeads * headDim; }
    // Frozen parameters of the model this config describes (lm_head counted only when untied).
    std::int64_t parameterCount() const;
    // Throws InputError naming `source` and the first inconsistent field.
    void validate() const;
    // Resolves a layer index that may count from the top (-1 = last); throws InputError naming
    // `what` when out of range.
    int resolveLayer(int layer, const std::string& what = "layer") const;

    // Parses an HF `config.json` (rope_theta from `rope_parameters.rope_theta` or `rope_theta`).
    // Throws InputError naming the file and key for missing keys, wrong types and unsupported
    // architectures (non-SiLU activations, MLP biases, unknown rope scaling).
    static LlamaConfig fromHfConfigFile(const std::string& path);
    static LlamaConfig fromHfConfigJson(const std::string& jsonText, const std::string& source);
    // Named shapes for random weights: "tiny", "stories260K", "llama-1.1b", "llama-7b".
    static LlamaConfig named(const std::string& shape);
    static std::vector<std::string> namedShapes();
};

}  // namespace glr
