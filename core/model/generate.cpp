// Greedy decoding: prompt [1,P] through the model once (filling the KV cache), then one token per
// step [1,1] attending to the cache; next = argmax logits at the last position.
#include "model/generate.h"

#include "util/error.h"

namespace glr {

std::vector<std::int64_t> generateGreedy(LlamaModelImpl& model, const std::vector<std::int64_t>& prompt,
                                         const GenerateOptions& options) {
    const auto& config = model.config();
    if (prompt.empty()) failInput("generate: the prompt has no tokens");
    for (auto id : prompt)
        if (id < 0 || id >= config.vocabSize)
            failInput("generate: prompt token {} is outside the model's vocabulary [0, {})", id, config.vocabSize);
    const std::int64_t promptLength = static_cast<std::int64_t>(prompt.size());
    const std::int64_t capacity = std::min<std::int64_t>(promptLength + std::max(options.maxNewTokens, 0),
                                                         std::max<std::int64_t>(config.maxPositions, promptLength));
    std::vector<std::int64_t> generated;
    if (options.maxNewTokens <= 0 || capacity <= promptLength) return generated;

    const bool wasTraining = model.is_training();
    model.eval();
    at::NoGradGuard noGrad;
    KVCache cache(config, 1, capacity, model.options());
    const auto longOpts = at::TensorOptions().dtype(at::kLong);

    ForwardInput input;
    input.inputIds = at::tensor(prompt, longOpts).view({1, promptLength}).to(model.device());
    input.scorePositions = at::full({1}, promptLength - 1, longOpts).to(model.device());
    input.adapters = options.adapters;
    input.cache = &cache;
    at::Tensor lastPosition = at::zeros({1}, longOpts.device(model.device()));
    while (static_cast<int>(generated.size()) < options.maxNewTokens) {
        at::Tensor logits = model.forward(input).logits;  // [1,V]
        const std::int64_t next = logits.argmax(-1).item<std::int64_t>();
        generated.push_back(next);
        if ((options.stopAtEos && next == config.eosId) || (options.stopAtBos && next == config.bosId)) break;
        if (cache.length() >= capacity) break;
        input.inputIds = at::full({1, 1}, next, longOpts.device(model.device()));
        input.scorePositions = lastPosition;
        input.adapters = nullptr;
    }
    model.train(wasTraining);
    return generated;
}

}  // namespace glr
