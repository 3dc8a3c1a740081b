#pragma once
// Greedy decoding with a KV cache: the prompt is run once, then one token per step attends to
// the cache. Stops at EOS (or BOS, which llama2.c models emit between stories), at maxNewTokens,
// or when the context (config.maxPositions) is full.
#include <cstdint>
#include <vector>

#include "model/llama.h"

namespace glr {

struct GenerateOptions {
    int maxNewTokens = 64;
    bool stopAtEos = true;
    bool stopAtBos = true;
    const AdapterContext* adapters = nullptr;  // applied to the prompt pass only
};

// Returns the new token ids (not the prompt). Throws InputError for an empty prompt or ids out
// of range.
std::vector<std::int64_t> generateGreedy(LlamaModelImpl& model, const std::vector<std::int64_t>& prompt,
                                         const GenerateOptions& options = {});

}  // namespace glr
