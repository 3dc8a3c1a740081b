// The trainer's per-batch forward (core/train/llm_recommender.cpp) on random inputs: same modules,
// same order of operations, so the benchmark measures what a training run pays per step.
#include "bench/llm_step_rig.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <random>
#include <unordered_set>

#include "model/loader.h"
#include "model/lora.h"
#include "train/recommender.h"
#include "util/error.h"

namespace glr::bench::detail {

namespace {

void addModuleParams(ParamGroup& group, const std::string& prefix, torch::nn::Module& module) {
    for (const auto& item : module.named_parameters(/*recurse=*/true)) {
        group.names.push_back(prefix + item.key());
        group.params.push_back(item.value());
    }
}

// The trainer's optimiser settings (SPEC §4 defaults of the experiment config).
constexpr double kLr = 1e-4, kWeightDecay = 1e-3, kGnnLr = 1e-3, kGnnWeightDecay = 0;

}  // namespace

BenchMethod parseMethod(const std::string& name) {
    if (name == "lora-only") return BenchMethod::LoraOnly;
    if (name == "graphlora") return BenchMethod::GraphLora;
    if (name == "collm") return BenchMethod::Collm;
    if (name == "cora") return BenchMethod::Cora;
    if (name == "tallrec") return BenchMethod::TallRec;
    failInput("--method: unknown method '{}' (expected lora-only, graphlora, collm, cora or tallrec)", name);
}

const char* methodName(BenchMethod method) {
    switch (method) {
        case BenchMethod::LoraOnly: return "lora-only";
        case BenchMethod::GraphLora: return "graphlora";
        case BenchMethod::Collm: return "collm";
        case BenchMethod::Cora: return "cora";
        case BenchMethod::TallRec: return "tallrec";
    }
    return "?";
}

std::string modelSpec(const std::string& model) {
    for (const auto& shape : LlamaConfig::namedShapes())
        if (model == shape) return "random:" + model;
    return model;
}

LlamaModel loadBenchBackbone(const LlmBenchOptions& o) {
    if (o.batch <= 0 || o.batch > 4096) failInput("--batch {} must be in 1..4096", o.batch);
    if (o.seqLen < 3 || o.seqLen > 131072) failInput("--seq-len {} must be in 3..131072 (two ID slots and the scored token)", o.seqLen);
    if (o.warmup < 0 || o.steps <= 0) failInput("--warmup must be >= 0 and --steps > 0");
    LoadOptions load;
    load.device = parseDevice(o.device);
    load.dtype = parseModelDType(o.dtype, load.device, "--dtype");
    load.seed = o.seed;
    LlamaModel model = loadModel(modelSpec(o.model), load);
    if (o.seqLen > model->config().maxPositions)
        failInput("--seq-len {} exceeds the context of {} ({} positions)", o.seqLen, o.model, model->config().maxPositions);
    LoraOptions lora;
    lora.r = o.loraR;
    lora.alpha = o.loraAlpha;
    lora.dropout = o.loraDropout;
    lora.targets = o.loraTargets;
    lora.seed = o.seed;
    attachLora(*model, lora);
    return model;
}

LlmStepRig::LlmStepRig(BenchMethod method, LlamaModel model, const LlmBenchOptions& o)
    : method_(method), model_(std::move(model)), device_(model_->device()), batch_(o.batch), seqLen_(o.seqLen) {
    useSlots_ = method == BenchMethod::LoraOnly || method == BenchMethod::GraphLora || method == BenchMethod::Collm;
    useGraph_ = method == BenchMethod::GraphLora;
    useCora_ = method == BenchMethod::Cora;
    attentionMask_ = o.attentionMask;
    injectLayer_ = model_->config().resolveLayer(o.injectLayer, "--inject-layer");
    injectAlpha_ = o.injectAlpha;
    injectBeta_ = o.injectBeta;
    if (!(o.maxGradNorm >= 0) || !std::isfinite(o.maxGradNorm))
        failInput("--max-grad-norm {} must be a finite number >= 0 (0: no clipping)", o.maxGradNorm);
    maxGradNorm_ = o.maxGradNorm;
    torch::manual_seed(o.seed);
    buildInputs(o);
    buildCollaborative(o);

    std::vector<ParamGroup> groups;
    ParamGroup lora{"lora", {}, {}, true, kLr, kWeightDecay};
    for (const auto& m : loraModules(*model_)) {
        lora.names.push_back(m->hfPath() + ".lora_A");
        lora.params.push_back(m->loraA());
        lora.names.push_back(m->hfPath() + ".lora_B");
        lora.params.push_back(m->loraB());
        adapterParameters_ += m->loraA().numel() + m->loraB().numel();
    }
    groups.push_back(std::move(lora));
    if (projector_) {
        ParamGroup g{"projector", {}, {}, true, kLr, kWeightDecay};
        addModuleParams(g, "", *projector_);
        groups.push_back(std::move(g));
    }
    if (coraGenerator_) {
        ParamGroup g{"cora", {}, {}, true, kLr, kWeightDecay};
        addModuleParams(g, "", *coraGenerator_);
        groups.push_back(std::move(g));
    }
    if (trainMf_) groups.push_back(ParamGroup{"mf", {"node_features"}, {mf_}, true, kLr, kWeightDecay});
    if (useGraph_) {
        ParamGroup g{"gnn", {}, {}, false, kGnnLr, kGnnWeightDecay};
        graphPath_->addParameters(g);
        addModuleParams(g, "bottleneck.", *bottleneck_);
        groups.push_back(std::move(g));
    }
    optimizer_ = std::make_unique<AdamOptimizer>(std::move(groups));
}

void LlmStepRig::buildInputs(const LlmBenchOptions& o) {
    const auto& config = model_->config();
    const std::int64_t B = batch_, T = seqLen_;
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(o.seed + 17);
    auto i64 = at::TensorOptions().dtype(at::kLong);
    ids_ = at::randint(0, config.vocabSize, {B, T}, gen, i64).to(device_);
    if (attentionMask_) mask_ = at::ones({B, T}, i64).to(device_);
    positions_ = at::arange(T, i64).unsqueeze(0).expand({B, T}).contiguous().to(device_);
    scorePositions_ = at::full({B}, T - 1, i64).to(device_);
    labels_ = at::randint(0, 2, {B}, gen, at::TensorOptions().dtype(at::kFloat)).to(device_);
    // w_yes: an LM-head row, as the trainer's score token (any row serves for timing).
    scoreRow_ = model_->lmHead[std::min<std::int64_t>(5, config.vocabSize - 1)].to(at::kFloat).clone();

    // Two anchors per row at distinct positions before the scored token: user slot, item slot.
    numUsers_ = o.users;
    std::mt19937_64 rng(o.seed + 29);
    std::uniform_int_distribution<std::int64_t> position(0, T - 2), user(0, o.users - 1), item(0, o.items - 1);
    std::vector<std::int64_t> flat;
    for (std::int64_t b = 0; b < B; ++b) {
        const std::int64_t pu = position(rng);
        std::int64_t pi = position(rng);
        while (pi == pu) pi = position(rng);
        const std::int64_t u = user(rng), i = o.users + item(rng);
        flat.insert(flat.end(), {b, pu, u, b, pi, i});
        anchorNodesHost_.push_back(u);
        anchorNodesHost_.push_back(i);
    }
    anchors_ = at::tensor(flat, i64).view({2 * B, 3}).to(device_);
}

void LlmStepRig::buildCollaborative(const LlmBenchOptions& o) {
    if (o.users <= 0 || o.items <= 0 || o.mfDim <= 0 || o.mfDim > 65536)
        failInput("--users, --items and --mf-dim must be positive (mf-dim at most 65536)");
    const std::int64_t hidden = model_->config().hiddenSize, d = o.mfDim, r = o.loraR;
    const std::int64_t nodes = o.users + o.items;
    const auto fopts = at::TensorOptions().dtype(at::kFloat).device(device_);
    mf_ = at::randn({nodes, d}, fopts).mul_(0.1);
    // The trainer's defaults: GraphLoRA and CoLLM (collm.init null) train MF jointly; LoRA-only
    // (SPEC §3.6) and CoRA keep it frozen.
    trainMf_ = method_ == BenchMethod::GraphLora || method_ == BenchMethod::Collm;
    if (trainMf_) mf_.set_requires_grad(true);
    if (useSlots_) {
        // φ: Linear(d → 10d) → ReLU → Linear(10d → H)
        projector_ = torch::nn::Sequential(torch::nn::Linear(d, 10 * d), torch::nn::ReLU(), torch::nn::Linear(10 * d, hidden));
        projector_->to(device_);
    }
    if (useCora_) {
        coraGenerator_ = torch::nn::Linear(2 * d, hidden * r);  // G: [e_u; e_i] → W_gen [H, r]
        coraGenerator_->to(device_);
    }
    if (useGraph_) {
        if (o.interactions <= 0 || double(o.interactions) > 0.5 * double(o.users) * double(o.items))
            failInput("--interactions {} must be positive and fit a sparse {} x {} graph", o.interactions, o.users, o.items);
        std::mt19937_64 rng(o.seed + 43);
        std::uniform_int_distribution<std::int64_t> user(0, o.users - 1), item(0, o.items - 1);
        std::unordered_set<std::int64_t> seen;
        std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
        while (std::int64_t(pairs.size()) < o.interactions) {
            const std::int64_t u = user(rng), i = item(rng);
            if (seen.insert(u * o.items + i).second) pairs.emplace_back(u, i);
        }
        GraphPathOptions go;
        go.type = config::gnnTypeFromString(o.gnnType);
        go.inputDim = static_cast<int>(d);
        go.dim = o.gnnDim;
        go.layers = o.gnnLayers;
        go.oneHop = o.oneHop;
        go.device = device_;
        graphPath_ = std::make_unique<GraphPath>(o.users, o.items, pairs, go);
        bottleneck_ = torch::nn::Linear(graphPath_->outputDim(), r);  // P: Linear(d_g → r)
        bottleneck_->to(device_);
    }
}

// g = P(GNN(...)) for the batch's nodes, and the anchors re-pointed at rows of g. The trainer's
// own graph path (GraphPath::encode): per step, in 1-hop mode, the subgraph is cut on the host.
at::Tensor LlmStepRig::graphSignalContext(bool training, at::Tensor& localAnchors) {
    const at::Tensor nodes = at::from_blob(anchorNodesHost_.data(), {static_cast<std::int64_t>(anchorNodesHost_.size())},
                                           at::TensorOptions().dtype(at::kLong));
    const EncodedNodes encoded = graphPath_->encode(mf_, nodes, training);
    localAnchors = anchors_.clone();
    localAnchors.select(1, 2).copy_(encoded.anchorRows);
    return bottleneck_->forward(encoded.embeddings);  // [n_encoded, r]
}

at::Tensor LlmStepRig::forward(bool training) {
    model_->train(training);
    if (projector_) projector_->train(training);

    ForwardInput input;
    if (attentionMask_) input.attentionMask = mask_;
    input.positionIds = positions_;
    input.scorePositions = scorePositions_;
    input.returnHidden = true;

    if (useSlots_) {
        at::Tensor vectors = projector_->forward(mf_.index_select(0, anchors_.select(1, 2)));
        input.inputsEmbeds = model_->embedWithSlots(ids_, anchors_.slice(1, 0, 2), vectors);
    } else {
        input.inputIds = ids_;
    }

    AdapterContext context;
    auto graphContext = [&]() -> const AdapterContext* {
        at::Tensor localAnchors;
        at::Tensor signal = graphSignalContext(training, localAnchors);
        context.middle = GraphInjection::make(localAnchors, signal, injectAlpha_, injectBeta_, {injectLayer_});
        return &context;
    };
    if (useGraph_ && !device_.is_cpu()) {  // as the trainer: built while the device runs the layers below
        input.deferredAdapters = graphContext;
        input.deferredFromLayer = injectLayer_;
    } else if (useGraph_) {
        graphContext();
    }
    if (useCora_) {
        // [e_u; e_i] per row: the anchors alternate user, item
        at::Tensor nodes = anchors_.select(1, 2).view({batch_, 2});
        at::Tensor e = at::cat({mf_.index_select(0, nodes.select(1, 0)), mf_.index_select(0, nodes.select(1, 1))}, 1);
        CoraInjection c;
        c.weight = coraGenerator_->forward(e).view({batch_, model_->config().hiddenSize, -1});
        context.cora = std::move(c);
    }
    if (!context.empty()) input.adapters = &context;
    ForwardOutput out = model_->forward(input);
    return at::matmul(out.hidden, scoreRow_);  // [B]
}

}  // namespace glr::bench::detail
