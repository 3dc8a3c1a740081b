#pragma once
// Loading frozen LLaMA-family weights: HF checkpoint directories (config.json + model.safetensors
// or a sharded model.safetensors.index.json), llama2.c .bin files (legacy 7×int32 header or the
// versioned "ak42" format, version 1 = fp32), and `random:<shape>` (loadModel's named shapes).
//
// Tensors are converted to the target dtype/device one at a time straight from the memory
// mapping, so a bf16 7B checkpoint never exists as a full fp32 copy. Every size read from a file
// is checked against the file before use: truncated or hostile files give an InputError naming
// the file and the tensor or header field, never a crash or a huge allocation.
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

#include "model/llama.h"

namespace glr {

struct LoadOptions {
    at::ScalarType dtype = at::kFloat;  // frozen weights; adapters are always fp32
    at::Device device = at::kCPU;
    std::uint64_t seed = 0;             // random:<shape> only
};

// Parses "float32"/"fp32", "bfloat16"/"bf16", "float16"/"fp16"; "auto" = fp32 on CPU, bf16 on
// CUDA. Throws InputError naming `context`.
at::ScalarType parseModelDType(const std::string& name, const at::Device& device,
                               const std::string& context = "--dtype");
// "cpu", "cuda", "cuda:1"; throws InputError when CUDA is asked for and not available.
at::Device parseDevice(const std::string& name);

// An HF directory, a llama2.c .bin, or "random:<shape>" (LlamaConfig::named). Throws InputError.
LlamaModel loadModel(const std::string& path, const LoadOptions& options = {});

// The llama2.c header of a .bin file, validated against the file size.
struct Llama2cHeader {
    int version = 0;  // 0 = legacy, 1 = "ak42" v1
    std::int32_t dim = 0, hiddenDim = 0, numLayers = 0, numHeads = 0, numKvHeads = 0;
    std::int32_t vocabSize = 0;  // always positive here
    std::int32_t seqLen = 0;
    bool sharedClassifier = true;
    std::uint64_t headerBytes = 0;
    std::uint64_t fileBytes = 0;
    LlamaConfig toConfig(const std::string& source) const;
};
// True when `path` looks like a llama2.c checkpoint (a regular file ending in .bin, not a
// safetensors file).
bool isLlama2cCheckpoint(const std::string& path);
Llama2cHeader readLlama2cHeader(const std::string& path);

// The tokenizer shipped with a checkpoint: the directory itself for HF checkpoints (when it has
// tokenizer.model / tokenizer.json / tokenizer.bin / vocab.json), for a llama2.c .bin a single
// tokenizer file beside it (tokenizer.bin, tok*.bin, tokenizer.model). "" when none is found.
std::string findTokenizerBeside(const std::string& modelPath);

}  // namespace glr
