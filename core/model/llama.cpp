// LLaMA decoder forward (see llama.h for the formulas).
//   ids [B,T] or embeds [B,T,H] -> logits [B,T,V] | [B,V] (scorePositions) | hidden (returnHidden)
#include "model/llama.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <mutex>

#include "model/compat.h"
#include "model/fused_ops.h"
#include "model/tensor_io.h"
#include "util/error.h"

namespace glr {

namespace {

// Masked logits get this instead of -inf, so that no kernel subtracts -inf from -inf.
double maskValue(at::ScalarType dtype) { return dtype == at::kHalf ? -3.0e4 : -1.0e9; }

// x·cos + rotate_half(x)·sin, rotate_half(x) = [-x2, x1].   x [B,T,h,D], cos/sin [B,T,1,D]
at::Tensor applyRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
    if (at::Tensor fused = fusedRotary(x, cos, sin); fused.defined()) return fused;
    return composedRotary(x, cos, sin);
}

at::Tensor frozen(const at::TensorOptions& options, at::IntArrayRef shape) { return at::empty(shape, options); }

}  // namespace

at::Tensor rmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
    if (at::Tensor fused = compat::fusedRmsNorm(x, weight, eps); fused.defined()) return fused;
    const bool reduced = isReducedFloat(x.scalar_type());
    at::Tensor xf = reduced ? x.to(at::kFloat) : x;  // fp64 models stay fp64
    at::Tensor inverseRms = at::rsqrt(xf.pow(2).mean(-1, /*keepdim=*/true).add_(eps));
    at::Tensor normed = xf * inverseRms;
    if (normed.scalar_type() != x.scalar_type()) normed = normed.to(x.scalar_type());
    return normed.mul_(weight);
}

// ---- KVCache ----------------------------------------------------------------------------------

KVCache::KVCache(const LlamaConfig& config, std::int64_t batch, std::int64_t capacity,
                 const at::TensorOptions& options)
    : batch_(batch), capacity_(capacity) {
    GLR_CHECK(batch > 0 && capacity > 0, "KV cache needs a positive batch and capacity");
    for (std::int64_t l = 0; l < config.numLayers; ++l) {
        keys_.push_back(at::empty({batch, config.numKvHeads, capacity, config.headDim}, options));
        values_.push_back(at::empty({batch, config.numKvHeads, capacity, config.headDim}, options));
    }
}

std::pair<at::Tensor, at::Tensor> KVCache::append(int layer, const at::Tensor& k, const at::Tensor& v) {
    const std::int64_t tokens = k.size(2);
    GLR_CHECK(length_ + tokens <= capacity_, "KV cache full: {} + {} tokens exceed its capacity {}", length_,
              tokens, capacity_);
    keys_.at(layer).narrow(2, length_, tokens).copy_(k);
    values_.at(layer).narrow(2, length_, tokens).copy_(v);
    return {keys_[layer].narrow(2, 0, length_ + tokens), values_[layer].narrow(2, 0, length_ + tokens)};
}

void KVCache::advance(std::int64_t tokens) { length_ += tokens; }

// ---- attention --------------------------------------------------------------------------------

LlamaAttentionImpl::LlamaAttentionImpl(const LlamaConfig& config, int layer, const at::TensorOptions& options)
    : numHeads_(config.numHeads), numKvHeads_(config.numKvHeads), headDim_(config.headDim), layer_(layer) {
    const std::int64_t qDim = config.qDim(), kvDim = config.kvDim(), hidden = config.hiddenSize;
    qkvWeight = frozen(options, {qDim + 2 * kvDim, hidden});
    if (config.qkvBias) qkvBias = frozen(options, {qDim + 2 * kvDim});
    oWeight = frozen(options, {hidden, qDim});
    if (config.outputBias) oBias = frozen(options, {hidden});
    auto biasSlice = [&](std::int64_t begin, std::int64_t size) {
        return qkvBias.defined() ? qkvBias.narrow(0, begin, size) : at::Tensor();
    };
    q = register_module("q_proj", LoraLinear(ProjKind::Q, layer, qkvWeight.narrow(0, 0, qDim), biasSlice(0, qDim)));
    k = register_module("k_proj", LoraLinear(ProjKind::K, layer, qkvWeight.narrow(0, qDim, kvDim), biasSlice(qDim, kvDim)));
    v = register_module("v_proj", LoraLinear(ProjKind::V, layer, qkvWeight.narrow(0, qDim + kvDim, kvDim),
                                             biasSlice(qDim + kvDim, kvDim)));
    o = register_module("o_proj", LoraLinear(ProjKind::O, layer, oWeight, oBias));
}

at::Tensor LlamaAttentionImpl::forward(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                       const at::Tensor& mask, bool isCausal, const AdapterPlan* plan,
                                       KVCache* cache) {
    const std::int64_t batch = x.size(0), tokens = x.size(1);
    const std::int64_t qDim = numHeads_ * headDim_, kvDim = numKvHeads_ * headDim_;
    // One GEMM for the frozen q, k, v. split (not narrow): its backward is one concatenation
    // instead of a zero-filled full-width gradient per slice.
    auto parts = at::linear(x, qkvWeight, qkvBias).split_with_sizes({qDim, kvDim, kvDim}, -1);
    at::Tensor qs = parts[0], ks = parts[1], vs = parts[2];
    if (q->hasAdapter()) qs = qs + q->delta(x, plan);
    if (k->hasAdapter()) ks = ks + k->delta(x, plan);
    if (v->hasAdapter()) vs = vs + v->delta(x, plan);

    at::Tensor query = applyRotary(qs.view({batch, tokens, numHeads_, headDim_}), cos, sin).transpose(1, 2);
    at::Tensor key = applyRotary(ks.view({batch, tokens, numKvHeads_, headDim_}), cos, sin).transpose(1, 2);
    at::Tensor value = vs.view({batch, tokens, numKvHeads_, headDim_}).transpose(1, 2);
    if (cache) std::tie(key, value) = cache->append(layer_, key, value);

    at::Tensor attended = compat::scaledDotProductAttention(query, key, value, mask, isCausal);  // [B,Hq,T,D]
    return o->forward(attended.transpose(1, 2).reshape({batch, tokens, qDim}), plan);
}

at::Tensor LlamaAttentionImpl::forwardAt(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                                         const at::Tensor& rowMask, const at::Tensor& flatIndex,
                                         const AdapterPlan* plan) {
    const std::int64_t batch = x.size(0), tokens = x.size(1);
    const std::int64_t qDim = numHeads_ * headDim_, kvDim = numKvHeads_ * headDim_;
    auto atRows = [&](const at::Tensor& t) {  // [B,T,...] -> [B,1,...] at the selected positions
        std::vector<std::int64_t> shape = t.sizes().vec();
        at::Tensor flat = t.reshape({batch * tokens, -1}).index_select(0, flatIndex);
        shape[1] = 1;
        return flat.view(shape);
    };
    at::Tensor xAt = atRows(x);  // [B,1,H]
    at::Tensor kvWeight = qkvWeight.narrow(0, qDim, 2 * kvDim);
    auto kv = at::linear(x, kvWeight, qkvBias.defined() ? qkvBias.narrow(0, qDim, 2 * kvDim) : at::Tensor())
                  .split(kvDim, -1);
    at::Tensor ks = kv[0], vs = kv[1];
    if (k->hasAdapter()) ks = ks + k->delta(x, plan);
    if (v->hasAdapter()) vs = vs + v->delta(x, plan);
    at::Tensor qs = at::linear(xAt, q->weight(), q->bias());
    if (q->hasAdapter()) {
        // Position-dependent injections index the full [B,T] grid: compute those on every token.
        const bool positional = plan && (plan->middleAt(layer_, ProjKind::Q) || plan->preAt(layer_, ProjKind::Q));
        qs = qs + (positional ? atRows(q->delta(x, plan)) : q->delta(xAt, plan));
    }
    at::Tensor query = applyRotary(qs.view({batch, 1, numHeads_, headDim_}), atRows(cos), atRows(sin)).transpose(1, 2);
    at::Tensor key = applyRotary(ks.view({batch, tokens, numKvHeads_, headDim_}), cos, sin).transpose(1, 2);
    at::Tensor value = vs.view({batch, tokens, numKvHeads_, headDim_}).transpose(1, 2);
    at::Tensor attended = compat::scaledDotProductAttention(query, key, value, rowMask, false);  // [B,Hq,1,D]
    return o->forward(attended.transpose(1, 2).reshape({batch, 1, qDim}), plan);
}

// ---- MLP --------------------------------------------------------------------------------------

LlamaMlpImpl::LlamaMlpImpl(const LlamaConfig& config, int layer, const at::TensorOptions& options)
    : intermediate_(config.intermediateSize) {
    gateUpWeight = frozen(options, {2 * intermediate_, config.hiddenSize});
    downWeight = frozen(options, {config.hiddenSize, intermediate_});
    gate = register_module("gate_proj", LoraLinear(ProjKind::Gate, layer, gateUpWeight.narrow(0, 0, intermediate_), at::Tensor()));
    up = register_module("up_proj", LoraLinear(ProjKind::Up, layer, gateUpWeight.narrow(0, intermediate_, intermediate_), at::Tensor()));
    down = register_module("down_proj", LoraLinear(ProjKind::Down, layer, downWeight, at::Tensor()));
}

at::Tensor LlamaMlpImpl::forward(const at::Tensor& x, const AdapterPlan* plan) {
    at::Tensor gateUp = at::linear(x, gateUpWeight);  // [B,T,2F]
    if (!gate->hasAdapter() && !up->hasAdapter())
        if (at::Tensor fused = fusedSwiglu(gateUp); fused.defined()) return down->forward(fused, plan);
    auto parts = gateUp.split(intermediate_, -1);
    at::Tensor g = parts[0], u = parts[1];
    if (gate->hasAdapter()) g = g + gate->delta(x, plan);
    if (up->hasAdapter()) u = u + up->delta(x, plan);
    return down->forward(composedSwiglu(g, u), plan);
}

// ---- layer ------------------------------------------------------------------------------------

LlamaLayerImpl::LlamaLayerImpl(const LlamaConfig& config, int layer, const at::TensorOptions& options)
    : eps_(config.rmsNormEps) {
    attention = register_module("self_attn", LlamaAttention(config, layer, options));
    mlp = register_module("mlp", LlamaMlp(config, layer, options));
    inputNorm = frozen(options, {config.hiddenSize});
    postAttentionNorm = frozen(options, {config.hiddenSize});
}

LoraLinear& LlamaLayerImpl::projection(ProjKind kind) {
    switch (kind) {
        case ProjKind::Q: return attention->q;
        case ProjKind::K: return attention->k;
        case ProjKind::V: return attention->v;
        case ProjKind::O: return attention->o;
        case ProjKind::Gate: return mlp->gate;
        case ProjKind::Up: return mlp->up;
        case ProjKind::Down: return mlp->down;
    }
    fail("unknown projection kind");
}

at::Tensor LlamaLayerImpl::forward(const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                                   const at::Tensor& mask, bool isCausal, const AdapterPlan* plan, KVCache* cache) {
    // The sublayer outputs are fresh tensors, so the residual adds go in place.
    at::Tensor a = attention->forward(rmsNorm(h, inputNorm, eps_), cos, sin, mask, isCausal, plan, cache).add_(h);
    return mlp->forward(rmsNorm(a, postAttentionNorm, eps_), plan).add_(a);
}

at::Tensor LlamaLayerImpl::forwardAt(const at::Tensor& h, const at::Tensor& cos, const at::Tensor& sin,
                                     const at::Tensor& rowMask, const at::Tensor& flatIndex, const AdapterPlan* plan) {
    const std::int64_t batch = h.size(0), hidden = h.size(2);
    at::Tensor hAt = h.reshape({-1, hidden}).index_select(0, flatIndex).view({batch, 1, hidden});
    at::Tensor a = attention->forwardAt(rmsNorm(h, inputNorm, eps_), cos, sin, rowMask, flatIndex, plan).add_(hAt);
    return mlp->forward(rmsNorm(a, postAttentionNorm, eps_), plan).add_(a).view({batch, hidden});
}

// ---- model ------------------------------------------------------------------------------------

LlamaModelImpl::LlamaModelImpl(LlamaConfig config, const at::TensorOptions& options)
    : config_(std::move(config)), options_(options.requires_grad(false)) {
    config_.validate();
    embedTokens = frozen(options_, {config_.vocabSize, config_.hiddenSize});
    finalNorm = frozen(options_, {config_.hiddenSize});
    lmHead = config_.tieWordEmbeddings ? embedTokens : frozen(options_, {config_.vocabSize, config_.hiddenSize});
    for (int l = 0; l < config_.numLayers; ++l)
        layers_.push_back(register_module("layer" + std::to_string(l), LlamaLayer(config_, l, options_)));

    // θ^(-2i/D), with the optional long-context rescaling of HF's rope_type linear / llama3.
    const std::int64_t half = config_.headDim / 2;
    at::Tensor exponents = at::arange(0, half, at::kDouble).mul_(2.0 / static_cast<double>(config_.headDim));
    at::Tensor inv = at::pow(config_.ropeTheta, exponents).reciprocal_();
    if (config_.ropeScaling == RopeScaling::Linear) {
        inv.div_(config_.ropeFactor);
    } else if (config_.ropeScaling == RopeScaling::Llama3) {
        const double oldContext = static_cast<double>(config_.ropeOriginalMaxPositions);
        const double lowWavelen = oldContext / config_.ropeLowFreqFactor;
        const double highWavelen = oldContext / config_.ropeHighFreqFactor;
        at::Tensor wavelen = inv.reciprocal().mul_(2 * M_PI);
        at::Tensor scaled = at::where(wavelen > lowWavelen, inv / config_.ropeFactor, inv);
        at::Tensor smooth = (oldContext / wavelen - config_.ropeLowFreqFactor) /
                            (config_.ropeHighFreqFactor - config_.ropeLowFreqFactor);
        at::Tensor smoothed = (1 - smooth) * scaled / config_.ropeFactor + smooth * scaled;
        at::Tensor medium = (wavelen >= highWavelen).logical_and(wavelen <= lowWavelen);
        inv = at::where(medium, smoothed, scaled);
    }
    // fp32 as HF computes it (fp64 for fp64 models).
    invFreq_ = inv.to(adapterDtype()).to(options_.device());
}

at::Tensor LlamaModelImpl::embed(const at::Tensor& ids) const {
    if (!ids.defined() || ids.dim() != 2) failInput("input ids must be a [B,T] tensor, got {}", describeTensor(ids));
    if (!at::isIntegralType(ids.scalar_type(), /*includeBool=*/false))
        failInput("input ids must be integers, got {}", describeTensor(ids));
    at::Tensor idx = ids.scalar_type() == at::kLong ? ids : ids.to(at::kLong);
    // Range-checked where the ids are on the host, read in place: through tensor reductions and
    // item() the check would look like a device read to anyone auditing a step's host reads.
    if (idx.device().is_cpu()) {
        const at::Tensor flat = idx.contiguous();
        const std::int64_t* p = flat.data_ptr<std::int64_t>();
        for (std::int64_t i = 0, n = flat.numel(); i < n; ++i)
            if (p[i] < 0 || p[i] >= config_.vocabSize)
                failInput("input ids contain {} which is outside the model's vocabulary [0, {}) ({})", p[i],
                          config_.vocabSize, config_.source);
    }
    return at::embedding(embedTokens, idx.device() == device() ? idx : idx.to(device()));
}

at::Tensor LlamaModelImpl::embedWithSlots(const at::Tensor& ids, const at::Tensor& slots,
                                          const at::Tensor& vectors) const {
    at::Tensor embeds = embed(ids);
    if (!slots.defined() || slots.numel() == 0) return embeds;
    if (slots.dim() != 2 || slots.size(1) != 2 || slots.scalar_type() != at::kLong)
        failInput("embedding slots must be I64 [n,2] (row, position), got {}", describeTensor(slots));
    if (!vectors.defined() || vectors.dim() != 2 || vectors.size(0) != slots.size(0) ||
        vectors.size(1) != config_.hiddenSize)
        failInput("slot vectors must be [{}, {}], got {}", slots.size(0), config_.hiddenSize, describeTensor(vectors));
    const std::int64_t batch = embeds.size(0), tokens = embeds.size(1);
    at::Tensor index = slots.select(1, 0) * tokens + slots.select(1, 1);
    at::Tensor values = vectors.scalar_type() == dtype() ? vectors : vectors.to(dtype());
    return embeds.view({batch * tokens, config_.hiddenSize}).index_copy(0, index, values).view({batch, tokens, -1});
}

ForwardOutput LlamaModelImpl::forward(const ForwardInput& input) {
    at::Tensor h;
    if (input.inputsEmbeds.defined()) {
        const auto& e = input.inputsEmbeds;
        if (e.dim() != 3 || e.size(2) != config_.hiddenSize)
            failInput("input embeddings must be [B,T,{}], got {}", config_.hiddenSize, describeTensor(e));
        h = e.scalar_type() == dtype() ? e : e.to(dtype());
    } else if (input.inputIds.defined()) {
        h = embed(input.inputIds);
    } else {
        failInput("forward: neither input ids nor input embeddings were given");
    }
    const std::int64_t batch = h.size(0), tokens = h.size(1);
    if (tokens == 0) failInput("forward: empty input (0 tokens)");
    KVCache* cache = input.cache;
    const std::int64_t past = cache ? cache->length() : 0, keys = past + tokens;
    if (cache && cache->batch() != batch)
        failInput("forward: the KV cache holds {} rows but the input has {}", cache->batch(), batch);
    const auto longOpts = at::TensorOptions().dtype(at::kLong).device(device());

    // Key padding + causality as one additive mask [B,1,T,S], built once for every layer.
    at::Tensor mask;
    const bool isCausal = tokens > 1;  // any mask built below also hides future keys
    at::Tensor attention = input.attentionMask;
    if (attention.defined()) {
        if (attention.dim() != 2 || attention.size(0) != batch || attention.size(1) != keys)
            failInput("attention mask must be [{}, {}] (rows × cached+new tokens), got {}", batch, keys,
                      describeTensor(attention));
        if (attention.device() != device()) attention = attention.to(device());
        at::Tensor keyOk = attention.to(at::kBool).view({batch, 1, 1, keys});
        at::Tensor causalOk = at::arange(keys, longOpts).view({1, keys}) <=
                              at::arange(past, keys, longOpts).view({tokens, 1});
        // A padded query may also see itself: left padding otherwise leaves whole rows masked,
        // and fused attention kernels (cuDNN's on an H200, seen as NaN losses) do not all give
        // such rows a finite answer. Real queries never see padded keys, so their output stays.
        at::Tensor selfOk = at::arange(keys, longOpts).view({1, keys}) == at::arange(past, keys, longOpts).view({tokens, 1});
        at::Tensor allowed = keyOk.logical_and(causalOk.view({1, 1, tokens, keys})).logical_or(selfOk.view({1, 1, tokens, keys}));
        mask = at::zeros({batch, 1, tokens, keys}, options_).masked_fill_(allowed.logical_not(), maskValue(dtype()));
    } else if (past > 0 && tokens > 1) {
        at::Tensor future = at::arange(keys, longOpts).view({1, keys}) > at::arange(past, keys, longOpts).view({tokens, 1});
        mask = at::zeros({1, 1, tokens, keys}, options_).masked_fill_(future.view({1, 1, tokens, keys}), maskValue(dtype()));
    }

    at::Tensor positions = input.positionIds;
    if (positions.defined()) {
        if (positions.dim() != 2 || positions.size(0) != batch || positions.size(1) != tokens)
            failInput("position ids must be [{}, {}], got {}", batch, tokens, describeTensor(positions));
        if (positions.device() != device()) positions = positions.to(device());
    } else if (attention.defined()) {
        positions = attention.to(at::kLong).cumsum(1).sub_(1).clamp_min_(0).narrow(1, past, tokens);
    } else {
        positions = at::arange(past, keys, longOpts).unsqueeze(0).expand({batch, tokens});
    }
    // Rotary angles once per forward, shared by every layer.   cos/sin [B,T,1,D]
    at::Tensor angles = positions.to(invFreq_.scalar_type()).unsqueeze(-1) * invFreq_;
    angles = at::cat({angles, angles}, -1).unsqueeze(2);
    at::Tensor cos = angles.cos(), sin = angles.sin();
    if (dtype() != cos.scalar_type()) {
        cos = cos.to(dtype());
        sin = sin.to(dtype());
    }

    std::optional<AdapterPlan> plan;
    const AdapterPlan* planPtr = nullptr;
    bool planResolved = false;
    auto resolvePlan = [&](int atLayer) {
        if (planResolved) return;
        planResolved = true;
        const AdapterContext* context = input.adapters ? input.adapters
                                        : input.deferredAdapters ? input.deferredAdapters() : nullptr;
        if (context && !context->empty()) plan = AdapterPlan::resolve(*context, *this, batch, tokens);
        planPtr = plan ? &*plan : nullptr;
        // A deferred context must not reach below the layer that asked for it: those layers ran.
        for (int l = 0; planPtr && l < atLayer; ++l)
            for (int k = 0; k < kProjKinds; ++k)
                if (planPtr->middleAt(l, static_cast<ProjKind>(k)) || planPtr->preAt(l, static_cast<ProjKind>(k)) ||
                    planPtr->coraAt(l, static_cast<ProjKind>(k)))
                    fail("deferred adapters were built before layer {} but inject at layer {}", atLayer, l);
    };
    const int resolveAt = input.adapters || !input.deferredAdapters ? 0 : input.deferredFromLayer;

    at::Tensor scoreRows;  // [B] flat indices b·T + position
    if (input.scorePositions.defined()) {
        const auto& sp = input.scorePositions;
        if (sp.dim() != 1 || sp.size(0) != batch || sp.scalar_type() != at::kLong)
            failInput("score positions must be I64 [{}], got {}", batch, describeTensor(sp));
        scoreRows = at::arange(batch, longOpts) * tokens + (sp.device() == device() ? sp : sp.to(device()));
    }
    const int last = numLayers() - 1;
    for (int l = 0; l < last; ++l) {
        if (l >= resolveAt) resolvePlan(l);
        h = layers_[l]->forward(h, cos, sin, mask, isCausal, planPtr, cache);
    }
    resolvePlan(last);
    // Scoring needs the last layer only at the scored positions: its queries, attention rows and
    // MLP run for one token per row (keys/values still cover every token) — 1/L of the work saved.
    bool lastAtRows = scoreRows.defined() && !cache;
    if (lastAtRows && planPtr) {
        for (ProjKind k : {ProjKind::O, ProjKind::Gate, ProjKind::Up, ProjKind::Down})
            lastAtRows = lastAtRows && !planPtr->middleAt(last, k) && !planPtr->preAt(last, k);
    }
    if (!lastAtRows) h = layers_[last]->forward(h, cos, sin, mask, isCausal, planPtr, cache);
    if (cache) cache->advance(tokens);

    if (lastAtRows) {
        at::Tensor rowMask;  // [B,1,1,S]: the scored query's row of the mask
        if (mask.defined()) {
            rowMask = mask.expand({batch, 1, tokens, keys}).reshape({batch * tokens, keys}).index_select(0, scoreRows)
                          .view({batch, 1, 1, keys});
        } else {
            at::Tensor scored = scoreRows - at::arange(batch, longOpts) * tokens;  // positions [B]
            at::Tensor future = at::arange(keys, longOpts).view({1, keys}) > scored.view({batch, 1});
            rowMask = at::zeros({batch, 1, 1, keys}, options_).masked_fill_(future.view({batch, 1, 1, keys}),
                                                                            maskValue(dtype()));
        }
        h = layers_[last]->forwardAt(h, cos, sin, rowMask, scoreRows, planPtr);  // [B,H]
    } else if (scoreRows.defined()) {
        h = h.reshape({batch * tokens, config_.hiddenSize}).index_select(0, scoreRows);  // [B,H]
    }
    h = rmsNorm(h, finalNorm, config_.rmsNormEps);
    ForwardOutput out;
    // bf16/fp16 results go out as fp32 (fp64 models stay fp64).
    auto widen = [](const at::Tensor& t) {
        return isReducedFloat(t.scalar_type()) ? t.to(at::kFloat) : t;
    };
    if (input.returnHidden) {
        out.hidden = widen(h);
    } else {
        out.logits = widen(at::linear(h, lmHead));
    }
    return out;
}

std::vector<std::pair<std::string, at::Tensor>> LlamaModelImpl::hfTensors() const {
    std::vector<std::pair<std::string, at::Tensor>> out;
    out.emplace_back("model.embed_tokens.weight", embedTokens);
    for (int l = 0; l < numLayers(); ++l) {
        const auto& layer = *layers_[l];
        const std::string p = "model.layers." + std::to_string(l) + ".";
        out.emplace_back(p + "input_layernorm.weight", layer.inputNorm);
        for (int k = 0; k < kProjKinds; ++k) {
            const auto& proj = layer.projection(static_cast<ProjKind>(k));
            out.emplace_back(proj->hfPath() + ".weight", proj->weight());
            if (proj->bias().defined()) out.emplace_back(proj->hfPath() + ".bias", proj->bias());
            if (k == static_cast<int>(ProjKind::O))
                out.emplace_back(p + "post_attention_layernorm.weight", layer.postAttentionNorm);
        }
    }
    out.emplace_back("model.norm.weight", finalNorm);
    if (!config_.tieWordEmbeddings) out.emplace_back("lm_head.weight", lmHead);
    return out;
}

void LlamaModelImpl::initRandom(std::uint64_t seed) {
    const bool onCpu = device().is_cpu();
    at::Generator cpuGenerator = at::make_generator<at::CPUGeneratorImpl>(seed);
    if (!onCpu) {
        at::Generator deviceGenerator = at::globalContext().defaultGenerator(device());
        std::lock_guard<std::mutex> lock(deviceGenerator.mutex());
        deviceGenerator.set_current_seed(seed);
    }
    for (auto& [name, tensor] : hfTensors()) {
        const bool isNorm = name.size() >= 11 && name.compare(name.size() - 11, 11, "norm.weight") == 0;
        const bool isBias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
        if (isNorm) {
            tensor.fill_(1.0);
        } else if (isBias) {
            tensor.zero_();
        } else if (onCpu && tensor.scalar_type() == at::kFloat) {
            tensor.normal_(0.0, 0.02, cpuGenerator);
        } else if (onCpu) {
            tensor.copy_(at::empty(tensor.sizes(), at::kFloat).normal_(0.0, 0.02, cpuGenerator));
        } else {
            tensor.normal_(0.0, 0.02);  // on the device, from its generator seeded above
        }
    }
}

}  // namespace glr
